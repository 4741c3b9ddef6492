/* SPDX-License-Identifier: GPL-2.0 */
/* Prototypes of the C helpers that only zcvfs.ko's Rust code calls. */
#ifndef _ZCVFS_HELPERS_H
#define _ZCVFS_HELPERS_H

struct file;

const char *zcvfs_helper_kernel_release(void);
void zcvfs_helper_fsnotify_access(struct file *file);
void zcvfs_helper_fsnotify_modify(struct file *file);

#endif /* _ZCVFS_HELPERS_H */
