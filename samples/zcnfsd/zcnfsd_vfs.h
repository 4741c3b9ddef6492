/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcnfsd: the C helpers the Rust abstractions of vfs/ call, for what Rust
 * cannot reach (zcnfsd_vfs.c: the string module parameter, vfs_statfs()'s
 * opaque struct kstatfs, wrappers of static inline functions and macros).
 * struct zcnfsd_statfs is mirrored, field for field, by vfs/attr.rs: only
 * fixed-size integer fields, 8-byte aligned, so the layout is the same
 * everywhere.
 */
#ifndef ZCNFSD_VFS_H
#define ZCNFSD_VFS_H

#include <linux/capability.h>
#include <linux/types.h>
#include <linux/uidgid_types.h>

struct cred;
struct dentry;
struct group_info;
struct inode;
struct path;

/*
 * Constants vfs/ mirrors from headers the kernel crate's bindings lack
 * (checked against the kernel's in zcnfsd_vfs.c).
 */
#define ZCNFSD_LOOKUP_DIR	0x3	/* LOOKUP_FOLLOW | LOOKUP_DIRECTORY */
#define ZCNFSD_FILEID_INVALID	0xff	/* FILEID_INVALID */

/* File system statistics (vfs_statfs; maxbytes is filled by vfs/attr.rs). */
struct zcnfsd_statfs {
	u64 bsize;
	u64 blocks;
	u64 bfree;
	u64 bavail;
	u64 files;
	u64 ffree;
	u64 maxbytes;		/* s_maxbytes */
	u64 namelen;
};

const char *zcnfsd_export_path_param(void);
int zcnfsd_statfs(const struct path *p, struct zcnfsd_statfs *out);

struct dentry *zcnfsd_dget(struct dentry *d);
bool zcnfsd_d_is_negative(const struct dentry *d);
bool zcnfsd_d_is_dir(const struct dentry *d);
bool zcnfsd_d_is_reg(const struct dentry *d);
bool zcnfsd_d_can_lookup(const struct dentry *d);
bool zcnfsd_d_unhashed(const struct dentry *d);

void zcnfsd_inode_lock(struct inode *inode);
void zcnfsd_inode_unlock(struct inode *inode);
int zcnfsd_get_write_access(struct inode *inode);
void zcnfsd_put_write_access(struct inode *inode);

void zcnfsd_end_creating(struct dentry *child);
struct dentry *zcnfsd_end_creating_keep(struct dentry *child);
void zcnfsd_end_removing(struct dentry *child);

const struct cred *zcnfsd_override_creds(const struct cred *new);
const struct cred *zcnfsd_revert_creds(const struct cred *old);
const struct cred *zcnfsd_current_cred(void);
kuid_t zcnfsd_current_fsuid(void);
void zcnfsd_put_group_info(struct group_info *gi);
kernel_cap_t zcnfsd_cap_drop_nfsd_set(kernel_cap_t a);
kernel_cap_t zcnfsd_cap_raise_nfsd_set(kernel_cap_t a, kernel_cap_t permitted);

kuid_t zcnfsd_make_kuid(u32 uid);
kgid_t zcnfsd_make_kgid(u32 gid);
bool zcnfsd_uid_valid(kuid_t uid);
bool zcnfsd_gid_valid(kgid_t gid);
u32 zcnfsd_from_kuid_munged(kuid_t uid);
u32 zcnfsd_from_kgid_munged(kgid_t gid);

u32 zcnfsd_new_encode_dev(dev_t dev);
u32 zcnfsd_dev_major(dev_t dev);
u32 zcnfsd_dev_minor(dev_t dev);

#endif /* ZCNFSD_VFS_H */
