/* SPDX-License-Identifier: GPL-2.0 */
/* Prototypes of the C helpers that only zcvfs.ko's Rust code calls. */
#ifndef _ZCVFS_HELPERS_H
#define _ZCVFS_HELPERS_H

#include <linux/types.h>

struct file;

const char *zcvfs_helper_kernel_release(void);
void zcvfs_helper_fsnotify_access(struct file *file);
void zcvfs_helper_fsnotify_modify(struct file *file);
void *zcvfs_helper_spare_xuio_take(void);
bool zcvfs_helper_spare_xuio_put(void *x);
void *zcvfs_helper_spare_xuio_take_any(void);

#endif /* _ZCVFS_HELPERS_H */
