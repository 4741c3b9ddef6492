// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd: the C that the VFS abstractions of vfs/ cannot do without.  The
 * VFS operations themselves (credentials, permission, file handles,
 * attributes, the operations on names, open, readdir, kernel threads) are
 * Rust, in vfs/, calling the kernel's exported functions and reading the
 * fields the kernel crate's bindings describe; what is here is only what
 * Rust cannot reach:
 *
 * - the export_path module parameter: the Rust module! macro has no
 *   string parameters;
 * - zcnfsd_statfs(): struct kstatfs is opaque to Rust (linux/statfs.h is
 *   not among the headers the kernel crate's bindings are made from), so
 *   vfs_statfs() is called, and its result copied out, here;
 * - one-line wrappers of static inline functions and macros (dcache.h,
 *   fs.h, namei.h, cred.h, capability.h, uidgid.h, kdev_t.h), which have
 *   no symbol to call, each under a comment naming what it wraps;
 *   make_kuid() and its kin are among them because they are inline
 *   without CONFIG_USER_NS (the test kernels' configuration) and exported
 *   functions with it;
 * - build-time checks of the constants vfs/ mirrors and of the functions
 *   it declares by hand, because their headers are not in the bindings
 *   either.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/exportfs.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/statfs.h>
#include <linux/uidgid.h>

#include "zcnfsd_vfs.h"

static char *export_path;
module_param(export_path, charp, 0444);
MODULE_PARM_DESC(export_path, "directory to export (required)");

const char *zcnfsd_export_path_param(void)
{
	return export_path;
}

/* The constants vfs/path.rs and vfs/dentry.rs mirror. */
static_assert(ZCNFSD_LOOKUP_DIR == (LOOKUP_FOLLOW | LOOKUP_DIRECTORY));
static_assert(ZCNFSD_FILEID_INVALID == FILEID_INVALID);

/*
 * The exported functions vfs/helpers.rs declares by hand (their headers
 * are not among those the kernel crate's bindings are made from), checked
 * here against the kernel's own declarations: a signature that changes
 * fails the build instead of the call.  Each type below is written as
 * helpers.rs declares it (struct fid is the u32 words of a fid there).
 */
#define ZCNFSD_SAME_TYPE(fn, type) static_assert(__same_type(&(fn), (type)NULL), #fn)
ZCNFSD_SAME_TYPE(kern_path, int (*)(const char *, unsigned int, struct path *));
ZCNFSD_SAME_TYPE(lookup_one_positive_unlocked,
		 struct dentry *(*)(struct mnt_idmap *, struct qstr *, struct dentry *));
ZCNFSD_SAME_TYPE(start_creating,
		 struct dentry *(*)(struct mnt_idmap *, struct dentry *, struct qstr *));
ZCNFSD_SAME_TYPE(start_removing,
		 struct dentry *(*)(struct mnt_idmap *, struct dentry *, struct qstr *));
ZCNFSD_SAME_TYPE(start_renaming,
		 int (*)(struct renamedata *, int, struct qstr *, struct qstr *));
ZCNFSD_SAME_TYPE(end_renaming, void (*)(struct renamedata *));
ZCNFSD_SAME_TYPE(exportfs_encode_fh, int (*)(struct dentry *, struct fid *, int *, int));
ZCNFSD_SAME_TYPE(exportfs_decode_fh,
		 struct dentry *(*)(struct vfsmount *, struct fid *, int, int,
				    int (*)(void *, struct dentry *), void *));

/*
 * vfs_statfs() of @p, its struct kstatfs (opaque to Rust) copied out;
 * out->maxbytes is left to the caller (vfs/attr.rs reads s_maxbytes).
 */
int zcnfsd_statfs(const struct path *p, struct zcnfsd_statfs *out)
{
	struct kstatfs st;
	int err;

	err = vfs_statfs(p, &st);
	if (err)
		return err;
	out->bsize = st.f_bsize;
	out->blocks = st.f_blocks;
	out->bfree = st.f_bfree;
	out->bavail = st.f_bavail;
	out->files = st.f_files;
	out->ffree = st.f_ffree;
	out->namelen = st.f_namelen;
	return 0;
}

/* dcache.h */

/* dget(): static inline. */
struct dentry *zcnfsd_dget(struct dentry *d)
{
	return dget(d);
}

/*
 * d_is_negative(), d_is_dir(), d_is_reg(), d_can_lookup(): static inlines
 * (the type bits of d_flags, read once).
 */
bool zcnfsd_d_is_negative(const struct dentry *d)
{
	return d_is_negative(d);
}

bool zcnfsd_d_is_dir(const struct dentry *d)
{
	return d_is_dir(d);
}

bool zcnfsd_d_is_reg(const struct dentry *d)
{
	return d_is_reg(d);
}

bool zcnfsd_d_can_lookup(const struct dentry *d)
{
	return d_can_lookup(d);
}

/* d_unhashed(): static inline (hlist_bl_unhashed() of d_hash). */
bool zcnfsd_d_unhashed(const struct dentry *d)
{
	return d_unhashed(d);
}

/* fs.h */

/* inode_lock(), inode_unlock(): static inlines. */
void zcnfsd_inode_lock(struct inode *inode)
{
	inode_lock(inode);
}

void zcnfsd_inode_unlock(struct inode *inode)
{
	inode_unlock(inode);
}

/* get_write_access(), put_write_access(): static inlines. */
int zcnfsd_get_write_access(struct inode *inode)
{
	return get_write_access(inode);
}

void zcnfsd_put_write_access(struct inode *inode)
{
	put_write_access(inode);
}

/*
 * namei.h: end_creating(), end_creating_keep(), end_removing(): static
 * inlines.
 */

void zcnfsd_end_creating(struct dentry *child)
{
	end_creating(child);
}

struct dentry *zcnfsd_end_creating_keep(struct dentry *child)
{
	return end_creating_keep(child);
}

void zcnfsd_end_removing(struct dentry *child)
{
	end_removing(child);
}

/* cred.h, capability.h */

/* override_creds(), revert_creds(): static inlines. */
const struct cred *zcnfsd_override_creds(const struct cred *new)
{
	return override_creds(new);
}

const struct cred *zcnfsd_revert_creds(const struct cred *old)
{
	return revert_creds(old);
}

/* current_cred(), current_fsuid(): macros. */
const struct cred *zcnfsd_current_cred(void)
{
	return current_cred();
}

kuid_t zcnfsd_current_fsuid(void)
{
	return current_fsuid();
}

/* put_group_info(): macro. */
void zcnfsd_put_group_info(struct group_info *gi)
{
	put_group_info(gi);
}

/* cap_drop_nfsd_set(), cap_raise_nfsd_set(): static inlines. */
kernel_cap_t zcnfsd_cap_drop_nfsd_set(kernel_cap_t a)
{
	return cap_drop_nfsd_set(a);
}

kernel_cap_t zcnfsd_cap_raise_nfsd_set(kernel_cap_t a, kernel_cap_t permitted)
{
	return cap_raise_nfsd_set(a, permitted);
}

/*
 * uidgid.h, in the initial user namespace: make_kuid(), make_kgid(),
 * from_kuid_munged(), from_kgid_munged() (static inlines without
 * CONFIG_USER_NS), uid_valid(), gid_valid() (static inlines).
 */

kuid_t zcnfsd_make_kuid(u32 uid)
{
	return make_kuid(&init_user_ns, uid);
}

kgid_t zcnfsd_make_kgid(u32 gid)
{
	return make_kgid(&init_user_ns, gid);
}

bool zcnfsd_uid_valid(kuid_t uid)
{
	return uid_valid(uid);
}

bool zcnfsd_gid_valid(kgid_t gid)
{
	return gid_valid(gid);
}

u32 zcnfsd_from_kuid_munged(kuid_t uid)
{
	return from_kuid_munged(&init_user_ns, uid);
}

u32 zcnfsd_from_kgid_munged(kgid_t gid)
{
	return from_kgid_munged(&init_user_ns, gid);
}

/* kdev_t.h: new_encode_dev() (static inline), MAJOR(), MINOR() (macros). */

u32 zcnfsd_new_encode_dev(dev_t dev)
{
	return new_encode_dev(dev);
}

u32 zcnfsd_dev_major(dev_t dev)
{
	return MAJOR(dev);
}

u32 zcnfsd_dev_minor(dev_t dev)
{
	return MINOR(dev);
}
