/* SPDX-License-Identifier: GPL-2.0 */
/* Prototypes of the C helpers that only zcvfs.ko's Rust code calls. */
#ifndef _ZCVFS_HELPERS_H
#define _ZCVFS_HELPERS_H

#include <linux/types.h>

struct file;
struct inode;
struct file_system_type;
struct module;

const char *zcvfs_helper_kernel_release(void);
unsigned long zcvfs_helper_page_size(void);
struct inode *zcvfs_helper_file_inode(struct file *file);
const char *zcvfs_helper_fs_type_name(struct file_system_type *fstype);
loff_t zcvfs_helper_file_maxbytes(struct file *file);
unsigned int zcvfs_helper_file_rw_mode(struct file *file);
size_t zcvfs_helper_max_rw_count(void);
void zcvfs_helper_fsnotify_access(struct file *file);
void zcvfs_helper_fsnotify_modify(struct file *file);
ssize_t zcvfs_helper_iter_rw(struct file *file, int write, unsigned int segflg,
			     void *segs, unsigned long nsegs, size_t count,
			     loff_t *pos);
int zcvfs_helper_truncate(struct file *file, loff_t length);
bool zcvfs_helper_module_get(struct module *owner);
void zcvfs_helper_module_put(struct module *owner);
struct super_block;
struct file_system_type *zcvfs_helper_sb_fs_type(struct super_block *sb);

#endif /* _ZCVFS_HELPERS_H */
