/* SPDX-License-Identifier: GPL-2.0 */
/* Prototypes of the C helpers that only zcvfs.ko's Rust code calls. */
#ifndef _ZCVFS_HELPERS_H
#define _ZCVFS_HELPERS_H

#include <linux/types.h>

struct file;
struct iov_iter;

const char *zcvfs_helper_kernel_release(void);
void zcvfs_helper_fsnotify_access(struct file *file);
void zcvfs_helper_fsnotify_modify(struct file *file);
size_t zcvfs_helper_copy_from_iter(void *buf, size_t len, struct iov_iter *iter);
size_t zcvfs_helper_copy_to_iter(const void *buf, size_t len, struct iov_iter *iter);
void *zcvfs_helper_spare_xuio_take(void);
bool zcvfs_helper_spare_xuio_put(void *x);
void *zcvfs_helper_spare_xuio_take_any(void);

#endif /* _ZCVFS_HELPERS_H */
