// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers of zcvfs.ko: thin exported-to-Rust wrappers around kernel
 * functions and macros that bindgen cannot turn into callable Rust
 * (static inline functions, macros, field accesses of opaque structures).
 * No logic lives here.
 */

#include <linux/utsname.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/uio.h>
#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <zcvfs/zcvfs.h>
#include "zcvfs_helpers.h"

/* The running kernel's release string (init_utsname() is static inline). */
const char *zcvfs_helper_kernel_release(void)
{
	return init_utsname()->release;
}

/* PAGE_SIZE is a macro. */
unsigned long zcvfs_helper_page_size(void)
{
	return PAGE_SIZE;
}

/* Identity of a file's inode, super_block and filesystem type. */
struct inode *zcvfs_helper_file_inode(struct file *file)
{
	return file_inode(file);
}

struct super_block *zcvfs_file_sb(struct file *file)
{
	return file_inode(file)->i_sb;
}

struct file_system_type *zcvfs_file_fs_type(struct file *file)
{
	return file_inode(file)->i_sb->s_type;
}

const char *zcvfs_helper_fs_type_name(struct file_system_type *fstype)
{
	return fstype->name;
}

/* The largest file offset of the file's filesystem. */
loff_t zcvfs_helper_file_maxbytes(struct file *file)
{
	return file_inode(file)->i_sb->s_maxbytes;
}

/* FMODE_READ / FMODE_WRITE: bit 0 readable, bit 1 writable. */
unsigned int zcvfs_helper_file_rw_mode(struct file *file)
{
	return ((file->f_mode & FMODE_READ) ? 1 : 0) |
	       ((file->f_mode & FMODE_WRITE) ? 2 : 0);
}

/* MAX_RW_COUNT is a macro. */
size_t zcvfs_helper_max_rw_count(void)
{
	return MAX_RW_COUNT;
}

/* fsnotify_access() and fsnotify_modify() are static inline. */
void zcvfs_helper_fsnotify_access(struct file *file)
{
	fsnotify_access(file);
}

void zcvfs_helper_fsnotify_modify(struct file *file)
{
	fsnotify_modify(file);
}

/*
 * The normal VFS path for a plain xuio: an iov_iter over the caller's
 * segments (bio_vec or kvec), then vfs_iter_read() / vfs_iter_write().
 */
ssize_t zcvfs_helper_iter_rw(struct file *file, int write, unsigned int segflg,
			     void *segs, unsigned long nsegs, size_t count,
			     loff_t *pos)
{
	struct iov_iter iter;
	unsigned int dir = write ? ITER_SOURCE : ITER_DEST;

	if (segflg == UIO_SEG_BVEC)
		iov_iter_bvec(&iter, dir, segs, nsegs, count);
	else
		iov_iter_kvec(&iter, dir, segs, nsegs, count);
	if (write)
		return vfs_iter_write(file, &iter, pos, 0);
	return vfs_iter_read(file, &iter, pos, 0);
}

/* Truncate through the path of the file (vfs_truncate takes a path). */
int zcvfs_helper_truncate(struct file *file, loff_t length)
{
	return vfs_truncate(&file->f_path, length);
}

/* try_module_get() and module_put() of a possibly-NULL (built-in) owner. */
bool zcvfs_helper_module_get(struct module *owner)
{
	return try_module_get(owner);
}

void zcvfs_helper_module_put(struct module *owner)
{
	module_put(owner);
}

/*
 * @iter over the bio_vec segments, advanced past @skip bytes; returns how
 * many of @len bytes it holds from there, -EINVAL if @skip is past its end.
 */
static ssize_t zcvfs_bvec_iter(struct iov_iter *iter, unsigned int direction,
			       const struct bio_vec *segs, u32 nsegs,
			       size_t skip, size_t len)
{
	size_t total = 0;
	u32 i;

	for (i = 0; i < nsegs; i++)
		total += segs[i].bv_len;
	if (skip > total)
		return -EINVAL;
	iov_iter_bvec(iter, direction, segs, nsegs, total);
	iov_iter_advance(iter, skip);
	return min(len, total - skip);
}

/* Copy between bio_vec segments and a buffer, skipping `skip` bytes. */
ssize_t zcvfs_bvec_copy_from(const struct bio_vec *segs, u32 nsegs,
			     size_t skip, void *buf, size_t len)
{
	struct iov_iter iter;
	ssize_t n = zcvfs_bvec_iter(&iter, ITER_SOURCE, segs, nsegs, skip, len);

	return n < 0 ? n : copy_from_iter(buf, n, &iter);
}

ssize_t zcvfs_bvec_copy_to(const struct bio_vec *segs, u32 nsegs,
			   size_t skip, const void *buf, size_t len)
{
	struct iov_iter iter;
	ssize_t n = zcvfs_bvec_iter(&iter, ITER_DEST, segs, nsegs, skip, len);

	return n < 0 ? n : copy_to_iter(buf, n, &iter);
}

/* The filesystem type of a super_block. */
struct file_system_type *zcvfs_helper_sb_fs_type(struct super_block *sb)
{
	return sb->s_type;
}
