// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers of zcvfs.ko: thin exported-to-Rust wrappers around kernel
 * functions and macros that bindgen cannot turn into callable Rust
 * (static inline functions, macros).  No logic lives here.
 */

#include <linux/utsname.h>
#include <linux/mm.h>

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
