// SPDX-License-Identifier: GPL-2.0
/*
 * The C of zcvfs.ko that Rust cannot reach: static inline kernel functions
 * (init_utsname(), fsnotify_access(), fsnotify_modify(), copy_to_iter(),
 * copy_from_iter()) wrapped as callable functions, and the per-CPU
 * operations on the spare xuios (DEFINE_PER_CPU and this_cpu ops:
 * macros).  No logic lives here: field reads and exported kernel
 * functions are called from Rust through the kernel crate's bindings, and
 * the bio_vec helpers of the C ABI (zcvfs_bvec_* in include/zcvfs/zcvfs.h)
 * are Rust (rust/vfs.rs, exported from rust/ffi_exports.rs).
 */

#include <linux/utsname.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/uio.h>
#include <linux/percpu.h>
#include <linux/cpumask.h>
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

/*
 * copy_from_iter() and copy_to_iter() are static inline (they check the
 * buffer's object size first); rust/vfs.rs copies between bio_vec
 * segments and a buffer with them.
 */
size_t zcvfs_helper_copy_from_iter(void *buf, size_t len, struct iov_iter *iter)
{
	return copy_from_iter(buf, len, iter);
}

size_t zcvfs_helper_copy_to_iter(const void *buf, size_t len, struct iov_iter *iter)
{
	return copy_to_iter(buf, len, iter);
}
