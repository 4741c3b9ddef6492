// SPDX-License-Identifier: GPL-2.0
/*
 * The C of zcvfs.ko that Rust cannot reach: static inline kernel functions
 * (init_utsname(), fsnotify_access(), fsnotify_modify(), copy_to_iter(),
 * copy_from_iter(), iov_iter_zero())
 * wrapped as callable functions, the per-CPU operations on the spare
 * xuios (macros), and the bio_vec iterator every module of the project
 * uses (exported in include/zcvfs/zcvfs.h).  No logic lives here; field
 * reads and exported kernel functions are called from Rust through the
 * kernel crate's bindings.
 */

#include <linux/utsname.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/uio.h>
#include <linux/bvec.h>
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include <zcvfs/zcvfs.h>
#include "zcvfs_helpers.h"

/*
 * One spare xuio allocation per CPU, owned by rust/xuio_alloc.rs (which
 * allocates and frees them); these are the per-CPU operations on it.
 */
static DEFINE_PER_CPU(void *, zcvfs_spare_xuio);

/* Take this CPU's spare (NULL: none). */
void *zcvfs_helper_spare_xuio_take(void)
{
	return this_cpu_xchg(zcvfs_spare_xuio, NULL);
}

/* Make @x this CPU's spare if it has none; false if it has one. */
bool zcvfs_helper_spare_xuio_put(void *x)
{
	return this_cpu_cmpxchg(zcvfs_spare_xuio, NULL, x) == NULL;
}

/* Take the spare of any CPU (NULL: none left), at module unload. */
void *zcvfs_helper_spare_xuio_take_any(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		void *x = xchg(per_cpu_ptr(&zcvfs_spare_xuio, cpu), NULL);

		if (x)
			return x;
	}
	return NULL;
}

/* The running kernel's release string (init_utsname() is static inline). */
const char *zcvfs_helper_kernel_release(void)
{
	return init_utsname()->release;
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

/* The total length of @nr bio_vec segments. */
size_t zcvfs_bvec_total(const struct bio_vec *segs, unsigned int nr)
{
	size_t total = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		total += segs[i].bv_len;
	return total;
}

/*
 * Set @iter over @len bytes of the bio_vec segments from byte @skip on;
 * -EINVAL if the segments are shorter than @skip + @len.
 */
int zcvfs_bvec_iter(struct iov_iter *iter, unsigned int dir,
		    const struct bio_vec *segs, unsigned int nr,
		    size_t skip, size_t len)
{
	size_t total = zcvfs_bvec_total(segs, nr);

	if (skip > total || len > total - skip)
		return -EINVAL;
	iov_iter_bvec(iter, dir, segs, nr, total);
	iov_iter_advance(iter, skip);
	iov_iter_truncate(iter, len);
	return 0;
}

/*
 * Set @iter over the bytes a copy of at most @len bytes from byte @skip
 * moves (fewer if the segments hold less); returns their number, -EINVAL
 * if @skip is past the segments' end.
 */
static ssize_t zcvfs_bvec_copy_iter(struct iov_iter *iter, unsigned int dir,
				    const struct bio_vec *segs, u32 nsegs,
				    size_t skip, size_t len)
{
	size_t total = zcvfs_bvec_total(segs, nsegs);
	int err;

	if (skip > total)
		return -EINVAL;
	len = min(len, total - skip);
	err = zcvfs_bvec_iter(iter, dir, segs, nsegs, skip, len);
	return err ? err : len;
}

/* Copy between bio_vec segments and a buffer, skipping @skip bytes. */
ssize_t zcvfs_bvec_copy_from(const struct bio_vec *segs, u32 nsegs,
			     size_t skip, void *buf, size_t len)
{
	struct iov_iter iter;
	ssize_t n = zcvfs_bvec_copy_iter(&iter, ITER_SOURCE, segs, nsegs, skip, len);

	return n < 0 ? n : copy_from_iter(buf, n, &iter);
}

ssize_t zcvfs_bvec_copy_to(const struct bio_vec *segs, u32 nsegs,
			   size_t skip, const void *buf, size_t len)
{
	struct iov_iter iter;
	ssize_t n = zcvfs_bvec_copy_iter(&iter, ITER_DEST, segs, nsegs, skip, len);

	return n < 0 ? n : copy_to_iter(buf, n, &iter);
}

/*
 * Zero @len bytes of the segments from byte @skip on; -EINVAL if they are
 * shorter than @skip + @len.
 */
int zcvfs_bvec_zero(const struct bio_vec *segs, u32 nsegs, size_t skip,
		    size_t len)
{
	struct iov_iter iter;
	int err = zcvfs_bvec_iter(&iter, ITER_DEST, segs, nsegs, skip, len);

	if (err)
		return err;
	return iov_iter_zero(len, &iter) == len ? 0 : -EFAULT;
}
