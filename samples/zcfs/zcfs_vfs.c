// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs: the VFS plumbing of the zero-copy provider filesystem.
 *
 * This file holds what has to be C: the operation tables and the callbacks
 * the kernel calls through them (mostly generic libfs functions, as
 * ramfs), the fs_context parameter table and its parsing (fs_parse() and
 * its fsparam_*() tables are macros), and wrappers of static inline
 * functions and macros for the Rust side (folios, the page cache, inode
 * locks, i_size), declared in zcfs.h.  The callbacks take their decisions
 * from Rust, through the zcfs_rs_*() functions: the byte-range locks
 * (range_lock.rs), whether a file was ever lent (inode_state.rs), when a
 * folio must be copied away and how a write loan's pages enter the cache
 * (cache.rs), the mount's space and loan budget (space.rs), the loans
 * themselves (provider.rs), the checks of the loan limits (options.rs)
 * and the statistics.
 *
 * Two pieces of accounting stay here, each for a stated reason:
 * - the per-inode count of charged folios and its reconciliation with
 *   nrpages (zcfs_recalc(), as shmem_recalc_inode()): the count lives in
 *   the inode container (struct zcfs_inode_info, which embeds the struct
 *   inode that alloc_inode returns) and covers every inode with pages
 *   (symlinks too), while the Rust state exists for regular files only;
 *   what it gives back goes to the mount's space in Rust;
 * - the defaults of size= and max_loan_pages, which are derived from
 *   totalram_pages() while the options are parsed.
 *
 * Storage is the page cache, as in ramfs: folios (large ones where the
 * kernel supports them) on an unevictable mapping, never written back.
 * Every folio that enters a file's cache is first charged to the mount,
 * by its pages (size=, as tmpfs's nr_blocks), and charges are given back
 * when folios leave it; holes are read as zeros without
 * entering the cache.  A folio that is on loan, or that was lent and is
 * still referenced by someone else, is never changed in place (cache.rs):
 * write_iter and setattr call zcfs_rs_cow_range(), page_mkwrite calls
 * zcfs_rs_mkwrite_cow().  See Documentation/zcfs.rst.
 */

#include <linux/exportfs.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/swap.h>
#include <linux/uio.h>
#include <linux/bvec.h>
#include "zcfs.h"

#define ZCFS_MAGIC		0x7a636673	/* "zcfs" */
#define ZCFS_DEFAULT_MODE	0755

/* ---- space accounting ---- */

/* The inode and what its file has charged to the mount. */
struct zcfs_inode_info {
	spinlock_t lock;
	/* Pages charged for folios that are (or were) in the cache. */
	long alloced;
	struct inode vfs_inode;
};

static inline struct zcfs_inode_info *ZCFS_I(struct inode *inode)
{
	return container_of(inode, struct zcfs_inode_info, vfs_inode);
}

static struct zcfs_sb_info *ZCFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/*
 * Charge @pages to the mount before they enter a file's cache: false
 * (ENOSPC) if that would pass size= (space.rs).
 */
static bool zcfs_blocks_charge(struct super_block *sb, long pages)
{
	return zcfs_rs_space_charge(ZCFS_SB(sb)->space, pages);
}

static void zcfs_blocks_uncharge(struct super_block *sb, long pages)
{
	zcfs_rs_space_uncharge(ZCFS_SB(sb)->space, pages);
}

/* A charged folio of @pages pages entered @inode's cache. */
static void zcfs_inode_charged(struct inode *inode, long pages)
{
	struct zcfs_inode_info *info = ZCFS_I(inode);

	spin_lock(&info->lock);
	info->alloced += pages;
	spin_unlock(&info->lock);
}

/*
 * Give back the charges of the folios that left @inode's cache (truncate,
 * eviction), as shmem_recalc_inode() does: the inode holds nrpages
 * folios.  A folio that was added but not yet counted in alloced makes
 * the difference negative: nothing is given back then.
 */
static void zcfs_recalc(struct inode *inode)
{
	struct zcfs_inode_info *info = ZCFS_I(inode);
	long freed;

	spin_lock(&info->lock);
	freed = info->alloced - (long)READ_ONCE(inode->i_mapping->nrpages);
	if (freed > 0)
		info->alloced -= freed;
	spin_unlock(&info->lock);
	if (freed > 0)
		zcfs_blocks_uncharge(inode->i_sb, freed);
}

/*
 * The locked folio at @index of @mapping, with a reference: the cached
 * one, or a new one charged to the mount (-ENOSPC when it is full).  A new
 * folio is as large as a write of @len bytes at @index wants, as
 * __filemap_get_folio() makes it for fgf_set_order(@len): at most the
 * mapping's largest order, aligned in the file, and smaller when that
 * size cannot be charged, allocated or added (a page of the range is
 * cached).
 */
static struct folio *zcfs_grab_folio(struct address_space *mapping,
				     pgoff_t index, size_t len)
{
	struct inode *inode = mapping->host;
	gfp_t gfp = mapping_gfp_mask(mapping);
	unsigned int order;
	struct folio *folio;
	int err;

	for (;;) {
		folio = filemap_lock_folio(mapping, index);
		if (!IS_ERR(folio)) {
			folio_wait_stable(folio);
			return folio;
		}
		order = len > PAGE_SIZE ? ilog2(len) - PAGE_SHIFT : 0;
		order = min(order, mapping_max_folio_order(mapping));
		if (index & ((1UL << order) - 1))
			order = __ffs(index);
		err = -ENOSPC;
		do {
			long nr = 1L << order;
			gfp_t alloc_gfp = gfp;

			if (!zcfs_blocks_charge(inode->i_sb, nr)) {
				err = -ENOSPC;
				continue;
			}
			if (order)
				alloc_gfp |= __GFP_NORETRY | __GFP_NOWARN;
			folio = filemap_alloc_folio(alloc_gfp, order, NULL);
			if (!folio) {
				zcfs_blocks_uncharge(inode->i_sb, nr);
				err = -ENOMEM;
				continue;
			}
			err = filemap_add_folio(mapping, folio, index, gfp);
			if (!err) {
				zcfs_inode_charged(inode, nr);
				return folio;
			}
			folio_put(folio);
			zcfs_blocks_uncharge(inode->i_sb, nr);
		} while (order-- > 0);
		/* -EEXIST: someone added a folio meanwhile; use it. */
		if (err != -EEXIST)
			return ERR_PTR(err);
	}
}

/*
 * The uptodate folio at @index of @mapping with a reference, or NULL for
 * a hole.  Nothing is allocated.  A folio being filled (a fault's
 * read_folio, a write's write_begin) is waited for; one that is still not
 * uptodate after that holds no data (its fill failed) and reads as a hole.
 */
static struct folio *zcfs_cached_folio(struct address_space *mapping,
				       pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);
	bool ok;

	if (IS_ERR(folio))
		return NULL;
	if (folio_test_uptodate(folio))
		return folio;
	folio_lock(folio);
	ok = folio->mapping == mapping && folio_test_uptodate(folio);
	folio_unlock(folio);
	if (!ok) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}

/* ---- address space: ramfs's, with every new folio charged ---- */

/*
 * A folio the page cache made for a fault (filemap_fault) of a hole:
 * charge it, zero it.  Mount full: it leaves the cache again, uncounted,
 * and the fault gets SIGBUS (as on a full tmpfs).
 */
static int zcfs_aop_read_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	long nr = folio_nr_pages(folio);

	if (!zcfs_blocks_charge(inode->i_sb, nr)) {
		generic_error_remove_folio(folio->mapping, folio);
		folio_unlock(folio);
		return -ENOSPC;
	}
	zcfs_inode_charged(inode, nr);
	folio_zero_range(folio, 0, folio_size(folio));
	flush_dcache_folio(folio);
	folio_mark_uptodate(folio);
	/* Never dropped by invalidation (drop_caches): counted until truncated. */
	folio_mark_dirty(folio);
	folio_unlock(folio);
	return 0;
}

/*
 * simple_write_begin(), charging a new folio, which may be large
 * (zcfs_grab_folio()): the parts of a new folio the write does not cover
 * are zeroed (they were a hole).
 */
static int zcfs_write_begin(const struct kiocb *iocb,
			    struct address_space *mapping, loff_t pos,
			    unsigned int len, struct folio **foliop,
			    void **fsdata)
{
	struct folio *folio = zcfs_grab_folio(mapping, pos >> PAGE_SHIFT, len);

	if (IS_ERR(folio))
		return PTR_ERR(folio);
	*foliop = folio;
	if (!folio_test_uptodate(folio)) {
		/*
		 * @len is the caller's whole chunk, which may run past the
		 * folio (generic_perform_write() trims it after this call):
		 * what the write covers is [from, to), clamped to the folio.
		 * Testing len != folio_size() instead, as simple_write_begin()
		 * does, would leave a folio's head unzeroed for a write from
		 * its middle whose chunk is just the folio's size.
		 */
		size_t from = offset_in_folio(folio, pos);
		size_t to = min_t(size_t, from + len, folio_size(folio));

		if (from || to != folio_size(folio))
			folio_zero_segments(folio, 0, from, to, folio_size(folio));
	}
	return 0;
}

/* simple_write_end() (static in libfs). */
static int zcfs_write_end(const struct kiocb *iocb,
			  struct address_space *mapping, loff_t pos,
			  unsigned int len, unsigned int copied,
			  struct folio *folio, void *fsdata)
{
	struct inode *inode = folio->mapping->host;
	loff_t last_pos = pos + copied;

	if (!folio_test_uptodate(folio)) {
		if (copied < len) {
			size_t from = offset_in_folio(folio, pos);

			folio_zero_range(folio, from + copied, len - copied);
		}
		folio_mark_uptodate(folio);
	}
	if (last_pos > inode->i_size)
		i_size_write(inode, last_pos);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
	return copied;
}

static const struct address_space_operations zcfs_aops = {
	.read_folio	= zcfs_aop_read_folio,
	.write_begin	= zcfs_write_begin,
	.write_end	= zcfs_write_end,
	.dirty_folio	= noop_dirty_folio,
	.migrate_folio	= filemap_migrate_folio,
};

/* ---- inodes ---- */

static const struct super_operations zcfs_super_ops;
static const struct inode_operations zcfs_dir_inode_ops;
static const struct inode_operations zcfs_file_inode_ops;
static const struct file_operations zcfs_file_ops;

static const struct zcfs_opts *zcfs_sb_opts(struct super_block *sb)
{
	struct zcfs_sb_info *sbi = sb->s_fs_info;

	return &sbi->opts;
}

static struct inode *zcfs_get_inode(struct super_block *sb,
				    const struct inode *dir, umode_t mode)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	/* File handles (zcfs_export_ops): found by number, told apart by generation. */
	inode->i_generation = get_random_u32();
	insert_inode_hash(inode);
	inode_init_owner(&nop_mnt_idmap, inode, dir, mode);
	inode->i_mapping->a_ops = &zcfs_aops;
	mapping_set_gfp_mask(inode->i_mapping, GFP_HIGHUSER);
	mapping_set_unevictable(inode->i_mapping);
	simple_inode_init_ts(inode);
	switch (mode & S_IFMT) {
	case S_IFREG:
		/* The range locks and the set of loaned folios. */
		inode->i_private = zcfs_rs_inode_new(!zcfs_sb_opts(sb)->debug_norangelock);
		if (!inode->i_private) {
			iput(inode);
			return NULL;
		}
		inode->i_op = &zcfs_file_inode_ops;
		inode->i_fop = &zcfs_file_ops;
		/*
		 * Large folios (up to the page cache's largest order): a
		 * no-op on kernels without CONFIG_TRANSPARENT_HUGEPAGE.
		 */
		mapping_set_large_folios(inode->i_mapping);
		break;
	case S_IFDIR:
		inode->i_op = &zcfs_dir_inode_ops;
		inode->i_fop = &simple_dir_operations;
		inc_nlink(inode);
		break;
	case S_IFLNK:
		inode->i_op = &page_symlink_inode_operations;
		inode_nohighmem(inode);
		break;
	default:
		/* Only files, directories and symlinks. */
		iput(inode);
		return NULL;
	}
	return inode;
}

static int zcfs_mknod_common(struct inode *dir, struct dentry *dentry,
			     umode_t mode)
{
	struct inode *inode = zcfs_get_inode(dir->i_sb, dir, mode);

	if (!inode)
		return -ENOSPC;
	d_make_persistent(dentry, inode);
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	return 0;
}

static int zcfs_create(struct mnt_idmap *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode)
{
	return zcfs_mknod_common(dir, dentry, (mode & ~S_IFMT) | S_IFREG);
}

static struct dentry *zcfs_mkdir(struct mnt_idmap *idmap, struct inode *dir,
				 struct dentry *dentry, umode_t mode)
{
	int err = zcfs_mknod_common(dir, dentry, (mode & ~S_IFMT) | S_IFDIR);

	if (!err)
		inc_nlink(dir);
	return ERR_PTR(err);
}

static int zcfs_symlink(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *dentry, const char *symname)
{
	struct inode *inode;
	int err;

	inode = zcfs_get_inode(dir->i_sb, dir, S_IFLNK | 0777);
	if (!inode)
		return -ENOSPC;
	err = page_symlink(inode, symname, strlen(symname) + 1);
	if (err) {
		iput(inode);
		return err;
	}
	d_make_persistent(dentry, inode);
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	return 0;
}

static const struct inode_operations zcfs_dir_inode_ops = {
	.create		= zcfs_create,
	.lookup		= simple_lookup,
	.link		= simple_link,
	.unlink		= simple_unlink,
	.symlink	= zcfs_symlink,
	.mkdir		= zcfs_mkdir,
	.rmdir		= simple_rmdir,
	.rename		= simple_rename,
};

static void zcfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	zcfs_recalc(inode);
	clear_inode(inode);
	/* A loan holds the inode: none can be outstanding here. */
	if (S_ISREG(inode->i_mode) && inode->i_private)
		zcfs_rs_inode_free(inode->i_private);
	inode->i_private = NULL;
}

/* ---- regular files ---- */

/*
 * shmem_file_read_iter()'s loop: cached folios are copied out, holes are
 * zeros and allocate nothing (no folio enters the cache, st_blocks and the
 * mount's usage stay).  Called with the request's range locked (shared).
 */
static ssize_t zcfs_file_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct address_space *mapping = inode->i_mapping;
	ssize_t done = 0;
	int error = 0;

	while (iov_iter_count(to)) {
		loff_t isize = i_size_read(inode);
		size_t offset = iocb->ki_pos & ~PAGE_MASK;
		struct folio *folio;
		size_t nr, ret;

		if (iocb->ki_pos >= isize)
			break;
		nr = min_t(loff_t, isize - iocb->ki_pos, PAGE_SIZE - offset);
		nr = min(nr, iov_iter_count(to));
		folio = zcfs_cached_folio(mapping, iocb->ki_pos >> PAGE_SHIFT);
		if (folio) {
			if (mapping_writably_mapped(mapping))
				flush_dcache_folio(folio);
			if (!offset)
				folio_mark_accessed(folio);
			ret = copy_folio_to_iter(folio,
						 offset_in_folio(folio, iocb->ki_pos),
						 nr, to);
			folio_put(folio);
		} else if (user_backed_iter(to)) {
			/* Faster than clear_user(), as in shmem. */
			ret = copy_page_to_iter(ZERO_PAGE(0), offset, nr, to);
		} else {
			/* Never the zero page into a pipe (splice). */
			ret = iov_iter_zero(nr, to);
		}
		done += ret;
		iocb->ki_pos += ret;
		if (ret < nr) {
			error = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current)) {
			error = -EINTR;
			break;
		}
		cond_resched();
	}
	file_accessed(file);
	return done ? done : error;
}

static ssize_t zcfs_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	size_t count = iov_iter_count(to);
	s64 id;
	ssize_t ret;

	if (!count)
		return 0;
	if (iocb->ki_pos < 0)
		return -EINVAL;
	id = zcfs_rs_range_lock(inode->i_private, iocb->ki_pos, count, false);
	if (id < 0)
		return id;
	ret = zcfs_file_read(iocb, to);
	zcfs_rs_range_unlock(inode->i_private, id);
	return ret;
}

static ssize_t zcfs_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	ssize_t ret;
	s64 id;

	inode_lock(inode);
	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out;
	id = zcfs_rs_range_lock(inode->i_private, iocb->ki_pos,
				iov_iter_count(from), true);
	if (id < 0) {
		ret = id;
		goto out;
	}
	ret = zcfs_rs_cow_range(inode, iocb->ki_pos, iov_iter_count(from));
	if (!ret)
		ret = file_modified(file);
	if (!ret)
		ret = generic_perform_write(iocb, from);
	zcfs_rs_range_unlock(inode->i_private, id);
out:
	inode_unlock(inode);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

static int zcfs_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			struct iattr *iattr)
{
	struct inode *inode = d_inode(dentry);
	loff_t lo;
	s64 id;
	int err;

	if (!(iattr->ia_valid & ATTR_SIZE))
		return simple_setattr(idmap, dentry, iattr);
	if (iattr->ia_size < 0)
		return -EINVAL;
	/* Everything from the lower of the old and new end changes. */
	lo = min_t(loff_t, i_size_read(inode), iattr->ia_size);
	id = zcfs_rs_range_lock(inode->i_private, lo, LLONG_MAX - lo, true);
	if (id < 0)
		return id;
	/*
	 * Only the folio holding the lower end is modified in place (its
	 * tail zeroed); folios wholly beyond it leave the cache, and a loan
	 * keeps its own reference to them.
	 */
	err = zcfs_rs_cow_range(inode, lo, 1);
	if (!err)
		err = simple_setattr(idmap, dentry, iattr);
	zcfs_recalc(inode);
	zcfs_rs_range_unlock(inode->i_private, id);
	return err;
}

static vm_fault_t zcfs_page_mkwrite(struct vm_fault *vmf)
{
	struct file *file = vmf->vma->vm_file;
	struct inode *inode = file_inode(file);
	struct address_space *mapping = inode->i_mapping;
	struct folio *folio = page_folio(vmf->page);
	vm_fault_t ret = VM_FAULT_LOCKED;
	int cow;

	sb_start_pagefault(inode->i_sb);
	file_update_time(file);
	folio_lock(folio);
	if (folio->mapping != mapping) {
		folio_unlock(folio);
		ret = VM_FAULT_NOPAGE;
		goto out;
	}
	/*
	 * Never write a loaned folio: copy it away, and fault again.  Loans
	 * mark folios lent without their lock, then (after a full barrier)
	 * check that the file is not mapped; the mapping this fault goes
	 * through was made before it, so a full barrier before the fault
	 * reads the marks makes one of the two see the other (cache.rs).
	 */
	smp_mb();
	cow = zcfs_rs_mkwrite_cow(inode, folio);
	if (cow) {
		folio_unlock(folio);
		ret = cow < 0 ? vmf_error(cow) : VM_FAULT_NOPAGE;
		goto out;
	}
	folio_mark_dirty(folio);
	folio_wait_stable(folio);
out:
	sb_end_pagefault(inode->i_sb);
	return ret;
}

static const struct vm_operations_struct zcfs_vm_ops = {
	.fault		= filemap_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= zcfs_page_mkwrite,
};

static int zcfs_mmap_prepare(struct vm_area_desc *desc)
{
	file_accessed(desc->file);
	desc->vm_ops = &zcfs_vm_ops;
	return 0;
}

static unsigned long zcfs_get_unmapped_area(struct file *file,
					    unsigned long addr,
					    unsigned long len,
					    unsigned long pgoff,
					    unsigned long flags)
{
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
}

static const struct file_operations zcfs_file_ops = {
	.read_iter	= zcfs_read_iter,
	.write_iter	= zcfs_write_iter,
	.mmap_prepare	= zcfs_mmap_prepare,
	.fsync		= noop_fsync,
	.splice_read	= copy_splice_read,
	.splice_write	= iter_file_splice_write,
	.llseek		= generic_file_llseek,
	.get_unmapped_area = zcfs_get_unmapped_area,
};

static const struct inode_operations zcfs_file_inode_ops = {
	.setattr	= zcfs_setattr,
	.getattr	= simple_getattr,
};

/* ---- super block and mount options ---- */

/* tmpfs's default size: half of RAM. */
static unsigned long zcfs_default_max_blocks(void)
{
	return totalram_pages() / 2;
}

/*
 * The default budget of pages on loan: ZCFS_DEFAULT_MAX_LOAN_PAGES, at
 * most 1/64 of RAM; and the most a mount may set: a quarter of RAM.
 */
static u64 zcfs_default_max_loan_pages(void)
{
	return clamp_t(u64, totalram_pages() / 64, 1, ZCFS_DEFAULT_MAX_LOAN_PAGES);
}

static u64 zcfs_max_max_loan_pages(void)
{
	return max_t(u64, totalram_pages() / 4, 1);
}

static struct inode *zcfs_alloc_inode(struct super_block *sb)
{
	struct zcfs_inode_info *info = kzalloc_obj(*info, GFP_KERNEL_ACCOUNT);

	if (!info)
		return NULL;
	spin_lock_init(&info->lock);
	inode_init_once(&info->vfs_inode);
	return &info->vfs_inode;
}

static void zcfs_free_inode(struct inode *inode)
{
	kfree(ZCFS_I(inode));
}

/* simple_statfs(), with the blocks of size= (as shmem_statfs()). */
static int zcfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	void *space = ZCFS_SB(dentry->d_sb)->space;
	u64 max = zcfs_rs_space_max_blocks(space);
	u64 used = zcfs_rs_space_used_blocks(space);
	int err = simple_statfs(dentry, buf);

	if (err || !max)
		return err;
	buf->f_blocks = max;
	buf->f_bavail = buf->f_bfree = max > used ? max - used : 0;
	return 0;
}

static int zcfs_show_options(struct seq_file *m, struct dentry *root)
{
	struct zcfs_sb_info *sbi = root->d_sb->s_fs_info;
	const struct zcfs_opts *o = &sbi->opts;
	u64 max = zcfs_rs_space_max_blocks(sbi->space);

	if (max != zcfs_default_max_blocks())
		seq_printf(m, ",size=%lluk", max << (PAGE_SHIFT - 10));
	if (o->mode != ZCFS_DEFAULT_MODE)
		seq_printf(m, ",mode=%o", o->mode);
	seq_printf(m, ",min_loan=%llu,max_loan=%llu,max_loan_pages=%llu",
		   o->min_loan, o->max_loan, o->max_loan_pages);
	if (o->nozerocopy)
		seq_puts(m, ",nozerocopy");
	if (o->debug_norangelock)
		seq_puts(m, ",debug_norangelock");
	return 0;
}

static const struct super_operations zcfs_super_ops = {
	.alloc_inode	= zcfs_alloc_inode,
	.free_inode	= zcfs_free_inode,
	.statfs		= zcfs_statfs,
	.drop_inode	= inode_just_drop,
	.evict_inode	= zcfs_evict_inode,
	.show_options	= zcfs_show_options,
};

enum zcfs_param {
	Opt_size,
	Opt_nr_blocks,
	Opt_mode,
	Opt_min_loan,
	Opt_max_loan,
	Opt_max_loan_pages,
	Opt_nozerocopy,
	Opt_debug_norangelock,
};

static const struct fs_parameter_spec zcfs_fs_parameters[] = {
	fsparam_string("size",		Opt_size),
	fsparam_string("nr_blocks",	Opt_nr_blocks),
	fsparam_u32oct("mode",		Opt_mode),
	fsparam_u64("min_loan",		Opt_min_loan),
	fsparam_u64("max_loan",		Opt_max_loan),
	fsparam_u64("max_loan_pages",	Opt_max_loan_pages),
	fsparam_flag("nozerocopy",	Opt_nozerocopy),
	/* Tests only: the control run of the torn-read check. */
	fsparam_flag("debug_norangelock", Opt_debug_norangelock),
	{}
};

static int zcfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct zcfs_sb_info *sbi = fc->s_fs_info;
	struct fs_parse_result result;
	unsigned long long size;
	char *rest;
	int opt;

	opt = fs_parse(fc, zcfs_fs_parameters, param, &result);
	if (opt == -ENOPARAM) {
		opt = vfs_parse_fs_param_source(fc, param);
		if (opt != -ENOPARAM)
			return opt;
		return invalfc(fc, "Unknown parameter '%s'", param->key);
	}
	if (opt < 0)
		return opt;
	switch (opt) {
	case Opt_size:
		/* As tmpfs: bytes with k, m, g, ... suffixes, or % of RAM. */
		size = memparse(param->string, &rest);
		if (*rest == '%') {
			if (size > 100)
				return invalfc(fc, "Bad value for '%s'", param->key);
			size = div_u64((u64)totalram_pages() * size, 100) << PAGE_SHIFT;
			rest++;
		}
		if (*rest)
			return invalfc(fc, "Bad value for '%s'", param->key);
		sbi->max_blocks = DIV_ROUND_UP_ULL(size, PAGE_SIZE);
		sbi->size_given = true;
		break;
	case Opt_nr_blocks:
		size = memparse(param->string, &rest);
		if (*rest || size > ULONG_MAX)
			return invalfc(fc, "Bad value for '%s'", param->key);
		sbi->max_blocks = size;
		sbi->size_given = true;
		break;
	case Opt_mode:
		sbi->opts.mode = result.uint_32 & S_IALLUGO;
		break;
	case Opt_min_loan:
		sbi->opts.min_loan = result.uint_64;
		break;
	case Opt_max_loan:
		sbi->opts.max_loan = result.uint_64;
		break;
	case Opt_max_loan_pages:
		sbi->opts.max_loan_pages = result.uint_64;
		sbi->max_loan_pages_given = true;
		break;
	case Opt_nozerocopy:
		sbi->opts.nozerocopy = 1;
		break;
	case Opt_debug_norangelock:
		sbi->opts.debug_norangelock = 1;
		break;
	}
	return 0;
}

/* ---- file handles (an NFS server exporting zcfs: samples/zcnfsd) ---- */

/*
 * A handle is the inode number and generation (FILEID_INO32_GEN, as
 * generic_encode_ino32_fh() makes it).  Every zcfs inode is hashed while
 * it lives, and it lives while it has a name (its dentries are pinned, as
 * in ramfs) or is open, so a handle is decoded by looking the number up;
 * a removed file (no link left, even if still open) is stale.
 */
static struct inode *zcfs_nfs_get_inode(struct super_block *sb, u64 ino, u32 gen)
{
	struct inode *inode = ilookup(sb, ino);

	if (!inode)
		return ERR_PTR(-ESTALE);
	if (inode->i_generation != gen || !inode->i_nlink) {
		iput(inode);
		return ERR_PTR(-ESTALE);
	}
	return inode;
}

static struct dentry *zcfs_fh_to_dentry(struct super_block *sb, struct fid *fid,
					int fh_len, int fh_type)
{
	return generic_fh_to_dentry(sb, fid, fh_len, fh_type, zcfs_nfs_get_inode);
}

static struct dentry *zcfs_fh_to_parent(struct super_block *sb, struct fid *fid,
					int fh_len, int fh_type)
{
	return generic_fh_to_parent(sb, fid, fh_len, fh_type, zcfs_nfs_get_inode);
}

/* Directories are never disconnected (pinned dentries): the parent is known. */
static struct dentry *zcfs_get_parent(struct dentry *child)
{
	return dget_parent(child);
}

static const struct export_operations zcfs_export_ops = {
	.encode_fh	= generic_encode_ino32_fh,
	.fh_to_dentry	= zcfs_fh_to_dentry,
	.fh_to_parent	= zcfs_fh_to_parent,
	.get_parent	= zcfs_get_parent,
};

static int zcfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct zcfs_sb_info *sbi = sb->s_fs_info;
	struct inode *inode;
	int err;

	sb->s_maxbytes		= MAX_LFS_FILESIZE;
	sb->s_blocksize		= PAGE_SIZE;
	sb->s_blocksize_bits	= PAGE_SHIFT;
	sb->s_magic		= ZCFS_MAGIC;
	sb->s_op		= &zcfs_super_ops;
	sb->s_export_op		= &zcfs_export_ops;
	sb->s_d_flags		= DCACHE_DONTCACHE;
	sb->s_time_gran		= 1;

	inode = zcfs_get_inode(sb, NULL, S_IFDIR | sbi->opts.mode);
	sb->s_root = d_make_root(inode);
	if (!sb->s_root)
		return -ENOMEM;
	if (sbi->opts.debug_norangelock)
		pr_notice("zcfs: mounted with debug_norangelock: no byte-range locks, reads may see partial writes (tests only)\n");
	if (!sbi->opts.nozerocopy) {
		err = zcfs_rs_sb_offer_zerocopy(sb);
		if (err)
			return err;
	}
	return 0;
}

static int zcfs_get_tree(struct fs_context *fc)
{
	struct zcfs_sb_info *sbi = fc->s_fs_info;
	int err = zcfs_rs_check_opts(&sbi->opts);

	if (err)
		return invalfc(fc, "Invalid loan limits");
	/* Loans must not pin an unbounded part of RAM (zcfs.rst). */
	if (sbi->opts.max_loan_pages > zcfs_max_max_loan_pages())
		return invalfc(fc, "max_loan_pages above a quarter of RAM");
	/* By default, loans pin at most a quarter of size= besides the cache. */
	if (!sbi->max_loan_pages_given && sbi->max_blocks)
		sbi->opts.max_loan_pages = min_t(u64, sbi->opts.max_loan_pages,
						 max(sbi->max_blocks / 4, 1UL));
	sbi->space = zcfs_rs_space_new(sbi->max_blocks, sbi->opts.max_loan_pages);
	if (!sbi->space)
		return -ENOMEM;
	return get_tree_nodev(fc, zcfs_fill_super);
}

/*
 * Remount: only size= (or nr_blocks=) is applied; not below the pages in
 * use.  The other options stay as mounted.
 */
static int zcfs_reconfigure(struct fs_context *fc)
{
	struct zcfs_sb_info *new = fc->s_fs_info;
	struct zcfs_sb_info *sbi = ZCFS_SB(fc->root->d_sb);

	if (!new->size_given)
		return 0;
	if (zcfs_rs_space_resize(sbi->space, new->max_blocks))
		return invalfc(fc, "Too small a size for current use");
	return 0;
}

/* Not yet handed to a super_block (or a remount's): ours to free. */
static void zcfs_free_fc(struct fs_context *fc)
{
	struct zcfs_sb_info *sbi = fc->s_fs_info;

	if (sbi)
		zcfs_rs_space_free(sbi->space);
	kfree(sbi);
}

static const struct fs_context_operations zcfs_context_ops = {
	.free		= zcfs_free_fc,
	.parse_param	= zcfs_parse_param,
	.get_tree	= zcfs_get_tree,
	.reconfigure	= zcfs_reconfigure,
};

static int zcfs_init_fs_context(struct fs_context *fc)
{
	struct zcfs_sb_info *sbi = kzalloc_obj(*sbi);

	if (!sbi)
		return -ENOMEM;
	sbi->max_blocks = zcfs_default_max_blocks();
	sbi->opts.mode = ZCFS_DEFAULT_MODE;
	sbi->opts.min_loan = ZCFS_DEFAULT_MIN_LOAN;
	sbi->opts.max_loan = ZCFS_DEFAULT_MAX_LOAN;
	sbi->opts.max_loan_pages = zcfs_default_max_loan_pages();
	fc->s_fs_info = sbi;
	fc->ops = &zcfs_context_ops;
	return 0;
}

static void zcfs_kill_sb(struct super_block *sb)
{
	struct zcfs_sb_info *sbi = sb->s_fs_info;

	/* The registry must not outlive the super_block. */
	zcfs_rs_sb_withdraw_zerocopy(sb);
	/* Eviction gives the inodes' charges back to the space: free it after. */
	kill_anon_super(sb);
	zcfs_rs_space_free(sbi->space);
	kfree(sbi);
}

static struct file_system_type zcfs_fs_type = {
	.owner		= THIS_MODULE,
	.name		= "zcfs",
	.init_fs_context = zcfs_init_fs_context,
	.parameters	= zcfs_fs_parameters,
	.kill_sb	= zcfs_kill_sb,
};

struct file_system_type *zcfs_fs_type_ptr(void)
{
	return &zcfs_fs_type;
}

int zcfs_register_fs(void)
{
	return register_filesystem(&zcfs_fs_type);
}

void zcfs_unregister_fs(void)
{
	unregister_filesystem(&zcfs_fs_type);
}

/* ---- helpers for the provider (Rust) ---- */

const struct zcfs_opts *zcfs_inode_opts(struct inode *inode)
{
	return zcfs_sb_opts(inode->i_sb);
}

void *zcfs_inode_space(struct inode *inode)
{
	return ZCFS_SB(inode->i_sb)->space;
}

bool zcfs_inode_mapped(struct inode *inode)
{
	return mapping_mapped(inode->i_mapping);
}

loff_t zcfs_isize(struct inode *inode)
{
	return i_size_read(inode);
}

void zcfs_inode_lock(struct inode *inode)
{
	inode_lock(inode);
}

void zcfs_inode_unlock(struct inode *inode)
{
	inode_unlock(inode);
}

struct page *zcfs_zero_page(void)
{
	return ZERO_PAGE(0);
}

/*
 * A fresh folio of @order for a write loan, not zeroed: the consumer fills
 * the loan's bytes, zcfs_folio_zero_outside() zeroes the rest.  A large
 * folio is tried without retries or warnings, as the page cache's own
 * allocations are (zcfs_grab_folio()): the caller falls back to smaller
 * ones.
 */
struct folio *zcfs_folio_alloc(unsigned int order)
{
	gfp_t gfp = GFP_HIGHUSER;

	if (order)
		gfp |= __GFP_NORETRY | __GFP_NOWARN;
	return folio_alloc(gfp, order);
}

/* The largest folio order @inode's cache takes (0 without large folios). */
unsigned int zcfs_inode_max_order(struct inode *inode)
{
	return mapping_max_folio_order(inode->i_mapping);
}

/* Zero @folio except @len bytes at @off (clamped to the folio). */
void zcfs_folio_zero_outside(struct folio *folio, size_t off, size_t len)
{
	size_t size = folio_size(folio);

	off = min(off, size);
	len = min(len, size - off);
	if (off || off + len < size)
		folio_zero_segments(folio, 0, off, off + len, size);
}

/*
 * Batched lookup for a READ loan: up to @max uptodate folios of @file's
 * cache, contiguous from page @index on (to page @last at most), each
 * with a reference for the caller, stored in @out; returns their number,
 * 0 if page @index is a hole.  Nothing is allocated.  A folio that is not
 * uptodate (being filled by a fault's read_folio) is waited for as in
 * zcfs_cached_folio(); one whose fill failed ends the batch, and reads as
 * a hole.
 */
unsigned int zcfs_lookup_folios(struct file *file, u64 index, u64 last,
				struct folio **out, unsigned int max)
{
	struct address_space *mapping = file_inode(file)->i_mapping;
	struct folio_batch fbatch;
	pgoff_t start = index;
	unsigned int i, got, n = 0;

	if (!max)
		return 0;
	/*
	 * No further than @max pages: the lookup takes a reference on every
	 * folio it returns, and those beyond @max would only be put back.
	 */
	if (last >= index && last - index >= max)
		last = index + max - 1;
	folio_batch_init(&fbatch);
	got = filemap_get_folios_contig(mapping, &start, last, &fbatch);
	for (i = 0; i < got && n < max; i++) {
		struct folio *folio = fbatch.folios[i];

		if (!folio_test_uptodate(folio)) {
			bool ok;

			folio_lock(folio);
			ok = folio->mapping == mapping &&
			     folio_test_uptodate(folio);
			folio_unlock(folio);
			if (!ok)
				break;
		}
		out[n++] = folio;
	}
	for (; i < got; i++)
		folio_put(fbatch.folios[i]);
	return n;
}

/* ---- folio and page-cache primitives (static inlines and macros) ---- */

void zcfs_folio_get(struct folio *folio)
{
	folio_get(folio);
}

void zcfs_folio_put(struct folio *folio)
{
	folio_put(folio);
}

/* The @n-th page of @folio. */
struct page *zcfs_folio_page(struct folio *folio, size_t n)
{
	return folio_page(folio, n);
}

u64 zcfs_folio_index(struct folio *folio)
{
	return folio->index;
}

size_t zcfs_folio_nr_pages(struct folio *folio)
{
	return folio_nr_pages(folio);
}

/*
 * Checks of a zero-copy write of @len bytes at @pos, as write(2) makes
 * them (limits, rlimit, privileges, timestamps).  Called with the inode
 * locked.  A write that would be shortened is refused whole (-EFBIG).
 */
int zcfs_write_prepare(struct file *file, loff_t pos, size_t len)
{
	struct kiocb kiocb;
	struct iov_iter iter;
	ssize_t ret;

	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = pos;
	iov_iter_kvec(&iter, ITER_SOURCE, NULL, 0, len);
	ret = generic_write_checks(&kiocb, &iter);
	if (ret < 0)
		return ret;
	if (ret != len || kiocb.ki_pos != pos)
		return -EFBIG;
	return file_modified(file);
}

/*
 * Copy @len bytes at @off of @page into the file at @pos through the page
 * cache (write_begin/write_end).  Called with the inode and the range
 * locked, loaned folios already copied away.
 */
ssize_t zcfs_copy_in(struct file *file, loff_t pos, struct page *page,
		     unsigned int off, unsigned int len)
{
	struct bio_vec bv;
	struct kiocb kiocb;
	struct iov_iter iter;

	bvec_set_page(&bv, page, len, off);
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = pos;
	iov_iter_bvec(&iter, ITER_SOURCE, &bv, 1, len);
	return generic_perform_write(&kiocb, &iter);
}

/* Extend i_size to @end (called with the inode locked). */
void zcfs_extend_isize(struct inode *inode, loff_t end)
{
	if (end > i_size_read(inode))
		i_size_write(inode, end);
}

void zcfs_cond_resched(void)
{
	cond_resched();
}

/*
 * Mark a page-cache folio as lent (PG_owner_2, the filesystem's own flag
 * for page-cache folios): from now on, references beyond the page cache's
 * may be a consumer's, kept after its loan was returned.  Cleared by a
 * writer that finds no such reference (cache.rs: needs_cow).  Called
 * without the folio lock, after the caller took its reference (see
 * needs_cow for the order); an atomic write only if the mark is not set.
 */
void zcfs_folio_lend(struct folio *folio)
{
	if (!folio_test_owner_2(folio))
		folio_set_owner_2(folio);
}

bool zcfs_folio_test_lent(struct folio *folio)
{
	return folio_test_owner_2(folio);
}

void zcfs_folio_clear_lent(struct folio *folio)
{
	folio_clear_owner_2(folio);
}

int zcfs_folio_ref_count(struct folio *folio)
{
	return folio_ref_count(folio);
}

int zcfs_folio_expected_ref_count(struct folio *folio)
{
	return folio_expected_ref_count(folio);
}

/*
 * A fresh uptodate copy of @src, of the same order, or NULL.  A large
 * copy is a high-order allocation like the folio it copies: it may fail
 * (-ENOMEM for the write) where a page would not.
 */
struct folio *zcfs_folio_alloc_copy(struct folio *src)
{
	struct folio *new = folio_alloc(GFP_HIGHUSER, folio_order(src));

	if (!new)
		return NULL;
	folio_copy(new, src);
	folio_mark_uptodate(new);
	return new;
}

/* The locked page-cache folio at @index, with a reference, or NULL. */
struct folio *zcfs_lock_cached_folio(struct inode *inode, u64 index)
{
	struct folio *folio = filemap_lock_folio(inode->i_mapping, index);

	return IS_ERR(folio) ? NULL : folio;
}

/* A folio of a loan or a copy, which no cache or LRU list knows. */
static bool zcfs_folio_fresh(struct folio *folio)
{
	return !folio->mapping && !folio_test_lru(folio);
}

/*
 * Replace the locked folio @old of @inode's cache by the fresh folio @new
 * of the same size, uptodate and dirty; mappings of @old are zapped first
 * (faults wait on its lock, then find @new).  @old stays locked and
 * referenced by the caller; the cache takes its own references on @new.
 * Charges are the caller's business (cache.rs).
 *
 * replace_page_cache_folio() moves one reference: the page cache holds
 * one per page, so for a large folio the others are moved here (@new
 * gets them before it is visible, @old loses them after it left).  Its
 * store at @old's index replaces a multi-index entry whole.
 */
int zcfs_page_cache_replace(struct inode *inode, struct folio *old,
			    struct folio *new)
{
	struct address_space *mapping = inode->i_mapping;
	long nr = folio_nr_pages(old);

	if (old->mapping != mapping || !zcfs_folio_fresh(new) ||
	    folio_nr_pages(new) != nr)
		return -EINVAL;
	folio_mark_uptodate(new);
	__folio_set_locked(new);
	if (folio_mapped(old))
		unmap_mapping_range(mapping, folio_pos(old), folio_size(old), 0);
	folio_cancel_dirty(old);
	if (nr > 1)
		folio_ref_add(new, nr - 1);
	replace_page_cache_folio(old, new);
	if (nr > 1)
		folio_put_refs(old, nr - 1);
	folio_add_lru(new);
	folio_mark_dirty(new);
	folio_unlock(new);
	return 0;
}

/*
 * Add the fresh folio @new, which the caller charged to the mount, to
 * @inode's cache at @index, uptodate and dirty: 0, -EEXIST if a folio is
 * in any of the pages it would take, or another error.  A large folio
 * must be aligned in the file to its size (as the page cache places
 * them) and no larger than the cache takes.  The cache takes its own
 * references.
 */
int zcfs_page_cache_add(struct inode *inode, struct folio *new, u64 index)
{
	struct address_space *mapping = inode->i_mapping;
	long nr = folio_nr_pages(new);
	int err;

	if (!zcfs_folio_fresh(new) || !IS_ALIGNED(index, nr) ||
	    folio_order(new) > mapping_max_folio_order(mapping))
		return -EINVAL;
	folio_mark_uptodate(new);
	err = filemap_add_folio(mapping, new, index, GFP_KERNEL);
	if (err)
		return err;
	zcfs_inode_charged(inode, nr);
	folio_mark_dirty(new);
	folio_unlock(new);
	return 0;
}
