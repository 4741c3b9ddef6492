// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd: the VFS operations the NFSv3 server performs, as small C helpers
 * called from Rust (the abstractions of vfs/).  Each follows what fs/nfsd/vfs.c does in
 * this kernel version: start_creating()/end_creating() around vfs_create()
 * and vfs_mkdir(), start_removing() around vfs_unlink()/vfs_rmdir(),
 * start_renaming() and struct renamedata for vfs_rename(), notify_change()
 * under the inode lock for SETATTR, iterate_dir() with a dir_context for
 * READDIR.  Every operation runs with the credentials of the request being
 * served: zcnfsd_cred_override() installs them on the serving kthread as
 * nfsd_setuser() does (fs/nfsd/auth.c), and zcnfsd_permission() makes the
 * checks nfsd_permission() adds to the VFS's own (fs/nfsd/vfs.c).
 *
 * Also the export_path module parameter: the Rust module! macro has no
 * string parameters.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/exportfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/stat.h>
#include <linux/statfs.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>

#include "zcnfsd_vfs.h"

static char *export_path;
module_param(export_path, charp, 0444);
MODULE_PARM_DESC(export_path, "directory to export (required)");

const char *zcnfsd_export_path_param(void)
{
	return export_path;
}

/* The export's mount and directory, with a reference (path_put to drop). */
int zcnfsd_export_open(struct path *out)
{
	if (!export_path || !export_path[0])
		return -EINVAL;
	return kern_path(export_path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, out);
}

struct dentry *zcnfsd_dget(struct dentry *d)
{
	return dget(d);
}

/*
 * The credentials of one request, as nfsd_setuser() makes them: fsuid and
 * fsgid (already squashed by the caller), the supplementary groups, and the
 * file-system capabilities (CAP_NFSD_SET) only for fsuid 0.  Returns the
 * credentials to give back to zcnfsd_cred_revert(), or an ERR_PTR.
 */
const struct cred *zcnfsd_cred_override(const struct zcnfsd_ids *ids)
{
	struct group_info *gi;
	struct cred *new;
	kuid_t uid = make_kuid(&init_user_ns, ids->uid);
	kgid_t gid = make_kgid(&init_user_ns, ids->gid);
	u32 i, n = min_t(u32, ids->ngroups, ZCNFSD_MAX_GROUPS);

	if (!uid_valid(uid) || !gid_valid(gid))
		return ERR_PTR(-EINVAL);
	new = prepare_creds();
	if (!new)
		return ERR_PTR(-ENOMEM);
	gi = groups_alloc(n);
	if (!gi) {
		abort_creds(new);
		return ERR_PTR(-ENOMEM);
	}
	for (i = 0; i < n; i++) {
		kgid_t g = make_kgid(&init_user_ns, ids->groups[i]);

		gi->gid[i] = gid_valid(g) ? g : gid;
	}
	groups_sort(gi);
	new->fsuid = uid;
	new->fsgid = gid;
	set_groups(new, gi);
	put_group_info(gi);
	if (!uid_eq(new->fsuid, GLOBAL_ROOT_UID))
		new->cap_effective = cap_drop_nfsd_set(new->cap_effective);
	else
		new->cap_effective = cap_raise_nfsd_set(new->cap_effective,
							new->cap_permitted);
	/* override_creds() takes no reference: ours goes in revert. */
	return override_creds(new);
}

/* Back to the thread's own credentials; drops the request's. */
void zcnfsd_cred_revert(const struct cred *old)
{
	put_cred(revert_creds(old));
}

/*
 * nfsd_permission() for the current credentials: write-like access on a
 * read-only mount is -EROFS (unless ZCNFSD_MAY_LOCAL_ACCESS), on an
 * immutable file -EPERM, truncation of an append-only file -EPERM; the
 * owner passes the open-time checks (ZCNFSD_MAY_OWNER_OVERRIDE: a client
 * may write to a file it created with mode 0444); then inode_permission(),
 * and reading a regular file the caller may only execute is allowed, as
 * in NFSD.
 */
int zcnfsd_permission(struct vfsmount *mnt, struct dentry *d, int acc)
{
	struct inode *inode = d_inode(d);
	int may = acc & (MAY_READ | MAY_WRITE | MAY_EXEC);
	int err;

	if (!(acc & ZCNFSD_MAY_LOCAL_ACCESS) &&
	    (acc & (MAY_WRITE | ZCNFSD_MAY_SATTR | ZCNFSD_MAY_TRUNC))) {
		if (__mnt_is_readonly(mnt))
			return -EROFS;
		if (IS_IMMUTABLE(inode))
			return -EPERM;
	}
	if ((acc & ZCNFSD_MAY_TRUNC) && IS_APPEND(inode))
		return -EPERM;
	if (!may)
		return 0;
	if ((acc & ZCNFSD_MAY_OWNER_OVERRIDE) &&
	    uid_eq(inode->i_uid, current_fsuid()))
		return 0;
	err = inode_permission(&nop_mnt_idmap, inode, may);
	if (err == -EACCES && S_ISREG(inode->i_mode) && may == MAY_READ &&
	    (acc & ZCNFSD_MAY_OWNER_OVERRIDE))
		err = inode_permission(&nop_mnt_idmap, inode, MAY_EXEC);
	return err;
}

/*
 * Still names a live object: positive, linked, and either still in the
 * dcache hash or a file system root (never hashed).
 */
static bool zcnfsd_dentry_live(struct dentry *d)
{
	struct inode *inode = d_inode(d);

	if (!inode || inode->i_nlink == 0 || IS_DEADDIR(inode))
		return false;
	return IS_ROOT(d) || !d_unhashed(d);
}

/*
 * File handles, as nfsd makes them: the exported file system's export
 * operations encode an object into a fid (type and 32-bit words) and find
 * it again from one, after a server restart too.  zcnfsd_encode_fid()
 * returns the fid type, with *words set to the words used, or a negative
 * errno: -EOPNOTSUPP if the file system cannot decode handles, -EOVERFLOW
 * if the fid does not fit in *words.
 */
int zcnfsd_encode_fid(struct dentry *d, u32 *fid, int *words)
{
	int type = exportfs_encode_fh(d, (struct fid *)fid, words, 0);

	if (type == FILEID_INVALID)
		return -EOVERFLOW;
	return type;
}

/* A decoded object must be inside the export and not removed. */
static int zcnfsd_acceptable(void *export_root, struct dentry *d)
{
	return zcnfsd_dentry_live(d) && is_subdir(d, export_root);
}

/*
 * The dentry (referenced) a fid of @export's file system names, or
 * ERR_PTR(-ESTALE) if it names nothing live inside the export (or
 * -ENOMEM).
 */
struct dentry *zcnfsd_decode_fid(struct vfsmount *mnt, struct dentry *export_root,
				 u32 *fid, int words, int type)
{
	return exportfs_decode_fh(mnt, (struct fid *)fid, words, type,
				  zcnfsd_acceptable, export_root);
}

/*
 * Whether @d is of the type @type (S_IFDIR or S_IFREG) that the procedure
 * uses it as, as nfsd_mode_check() and nfsd3_map_status() decide for
 * NFSv3: 0, or -ENOTDIR where a directory is needed (a directory the VFS
 * cannot look names up in included), -EISDIR for a directory where a
 * regular file is needed, -EINVAL for any other type.  The type of an
 * inode never changes, so the answer holds as long as @d is referenced.
 */
int zcnfsd_mode_check(struct dentry *d, u32 type)
{
	umode_t mode = d_inode(d)->i_mode & S_IFMT;

	if (type == S_IFDIR)
		return d_can_lookup(d) ? 0 : -ENOTDIR;
	if (mode == type)
		return 0;
	return mode == S_IFDIR ? -EISDIR : -EINVAL;
}

int zcnfsd_getattr(struct vfsmount *mnt, struct dentry *d,
		   struct zcnfsd_attr *out)
{
	struct path p = { .mnt = mnt, .dentry = d };
	struct kstat st;
	int err;

	err = vfs_getattr(&p, &st, STATX_BASIC_STATS, AT_STATX_SYNC_AS_STAT);
	if (err)
		return err;
	out->ino = st.ino;
	out->size = st.size;
	out->used = st.blocks << 9;
	out->fsid = new_encode_dev(st.dev);
	out->atime_sec = st.atime.tv_sec;
	out->atime_nsec = st.atime.tv_nsec;
	out->mtime_sec = st.mtime.tv_sec;
	out->mtime_nsec = st.mtime.tv_nsec;
	out->ctime_sec = st.ctime.tv_sec;
	out->ctime_nsec = st.ctime.tv_nsec;
	out->mode = st.mode;
	out->nlink = st.nlink;
	out->uid = from_kuid_munged(&init_user_ns, st.uid);
	out->gid = from_kgid_munged(&init_user_ns, st.gid);
	out->rdev_major = MAJOR(st.rdev);
	out->rdev_minor = MINOR(st.rdev);
	out->generation = d_inode(d)->i_generation;
	return 0;
}

/*
 * A time the inode can hold as given: nanoseconds below a second, seconds
 * within what the file system stores (timestamp_truncate() would clamp the
 * others silently).
 */
static bool zcnfsd_time_ok(const struct inode *inode, s64 sec, u32 nsec)
{
	return nsec < NSEC_PER_SEC && sec >= inode->i_sb->s_time_min &&
	       sec <= inode->i_sb->s_time_max;
}

/*
 * SETATTR, as nfsd_setattr(): notify_change() under the inode lock.  Every
 * argument is checked before anything changes: -EINVAL (nothing changed)
 * for a time the inode cannot hold or an unmappable uid or gid.
 */
int zcnfsd_setattr(struct vfsmount *mnt, struct dentry *d,
		   const struct zcnfsd_sattr *sa)
{
	struct inode *inode = d_inode(d);
	struct iattr ia = {};
	int acc = ZCNFSD_MAY_SATTR;
	int err;

	if ((sa->valid & ZCNFSD_SET_ATIME) &&
	    !zcnfsd_time_ok(inode, sa->atime_sec, sa->atime_nsec))
		return -EINVAL;
	if ((sa->valid & ZCNFSD_SET_MTIME) &&
	    !zcnfsd_time_ok(inode, sa->mtime_sec, sa->mtime_nsec))
		return -EINVAL;

	if (sa->valid & ZCNFSD_SET_MODE) {
		ia.ia_valid |= ATTR_MODE;
		ia.ia_mode = (sa->mode & S_IALLUGO) | (inode->i_mode & S_IFMT);
	}
	if (sa->valid & ZCNFSD_SET_UID) {
		kuid_t uid = make_kuid(&init_user_ns, sa->uid);

		if (!uid_valid(uid))
			return -EINVAL;
		ia.ia_valid |= ATTR_UID;
		ia.ia_vfsuid = VFSUIDT_INIT(uid);
	}
	if (sa->valid & ZCNFSD_SET_GID) {
		kgid_t gid = make_kgid(&init_user_ns, sa->gid);

		if (!gid_valid(gid))
			return -EINVAL;
		ia.ia_valid |= ATTR_GID;
		ia.ia_vfsgid = VFSGIDT_INIT(gid);
	}
	if (sa->valid & ZCNFSD_SET_SIZE) {
		if (S_ISDIR(inode->i_mode))
			return -EISDIR;
		if (!S_ISREG(inode->i_mode))
			return -EINVAL;
		ia.ia_valid |= ATTR_SIZE | ATTR_MTIME;
		ia.ia_size = sa->size;
	}
	if (sa->valid & ZCNFSD_SET_ATIME) {
		ia.ia_valid |= ATTR_ATIME | ATTR_ATIME_SET;
		ia.ia_atime.tv_sec = sa->atime_sec;
		ia.ia_atime.tv_nsec = sa->atime_nsec;
	} else if (sa->valid & ZCNFSD_SET_ATIME_NOW) {
		ia.ia_valid |= ATTR_ATIME;
	}
	if (sa->valid & ZCNFSD_SET_MTIME) {
		ia.ia_valid |= ATTR_MTIME | ATTR_MTIME_SET;
		ia.ia_mtime.tv_sec = sa->mtime_sec;
		ia.ia_mtime.tv_nsec = sa->mtime_nsec;
	} else if (sa->valid & ZCNFSD_SET_MTIME_NOW) {
		ia.ia_valid |= ATTR_MTIME;
	}
	if (!ia.ia_valid)
		return 0;
	ia.ia_valid |= ATTR_CTIME;

	/*
	 * As nfsd_setattr(): changing the size needs write permission (the
	 * owner's is implied), setting the times to "now" too unless the
	 * caller owns the file; the rest (mode, owner, explicit times) is
	 * setattr_prepare()'s business in the file system's ->setattr.
	 */
	if (ia.ia_valid & ATTR_SIZE)
		acc |= MAY_WRITE | ZCNFSD_MAY_OWNER_OVERRIDE;
	if (ia.ia_valid & (ATTR_ATIME | ATTR_MTIME)) {
		acc |= ZCNFSD_MAY_OWNER_OVERRIDE;
		if (!(ia.ia_valid & (ATTR_ATIME_SET | ATTR_MTIME_SET)))
			acc |= MAY_WRITE;
	}
	err = zcnfsd_permission(mnt, d, acc);
	if (err)
		return err;
	/*
	 * As nfsd_sanitize_attrs(): a change of owner or group clears the
	 * set-user-ID and set-group-ID bits of a non-directory (and any
	 * security capability).
	 */
	if (!S_ISDIR(inode->i_mode) && (ia.ia_valid & (ATTR_UID | ATTR_GID))) {
		ia.ia_valid |= ATTR_KILL_PRIV;
		if (ia.ia_valid & ATTR_MODE) {
			ia.ia_mode &= ~S_ISUID;
			if (ia.ia_mode & S_IXGRP)
				ia.ia_mode &= ~S_ISGID;
		} else {
			ia.ia_valid |= ATTR_KILL_SUID | ATTR_KILL_SGID;
		}
	}

	err = mnt_want_write(mnt);
	if (err)
		return err;
	if (ia.ia_valid & ATTR_SIZE) {
		/* As do_truncate(): no size change under a running binary. */
		err = get_write_access(inode);
		if (err)
			goto out;
	}
	inode_lock(inode);
	err = notify_change(&nop_mnt_idmap, d, &ia, NULL);
	inode_unlock(inode);
	if (ia.ia_valid & ATTR_SIZE)
		put_write_access(inode);
out:
	mnt_drop_write(mnt);
	return err;
}

/*
 * ACCESS, as nfsd_access(): the ACCESS3_* bits of @want that
 * zcnfsd_permission() grants the current credentials, with NFSD's tables
 * for regular files, directories and other objects.
 */
u32 zcnfsd_access(struct vfsmount *mnt, struct dentry *d, u32 want)
{
	struct zcnfsd_accessmap {
		u32 bit;
		int acc;
	};
	static const struct zcnfsd_accessmap reg[] = {
		{ 0x01, MAY_READ },				/* READ */
		{ 0x20, MAY_EXEC },				/* EXECUTE */
		{ 0x04, MAY_WRITE | ZCNFSD_MAY_TRUNC },		/* MODIFY */
		{ 0x08, MAY_WRITE },				/* EXTEND */
		{ 0, 0 },
	};
	static const struct zcnfsd_accessmap dir[] = {
		{ 0x01, MAY_READ },				/* READ */
		{ 0x02, MAY_EXEC },				/* LOOKUP */
		{ 0x04, MAY_EXEC | MAY_WRITE | ZCNFSD_MAY_TRUNC }, /* MODIFY */
		{ 0x08, MAY_EXEC | MAY_WRITE },			/* EXTEND */
		{ 0x10, MAY_EXEC | MAY_WRITE | ZCNFSD_MAY_TRUNC }, /* DELETE */
		{ 0, 0 },
	};
	static const struct zcnfsd_accessmap any[] = {
		{ 0x01, MAY_READ },				/* READ */
		{ 0x20, MAY_EXEC },				/* EXECUTE */
		{ 0x04, MAY_WRITE | ZCNFSD_MAY_LOCAL_ACCESS },	/* MODIFY */
		{ 0x08, MAY_WRITE | ZCNFSD_MAY_LOCAL_ACCESS },	/* EXTEND */
		{ 0, 0 },
	};
	const struct zcnfsd_accessmap *map;
	u32 granted = 0;

	if (d_is_reg(d))
		map = reg;
	else if (d_is_dir(d))
		map = dir;
	else
		map = any;
	for (; map->bit; map++)
		if ((want & map->bit) && !zcnfsd_permission(mnt, d, map->acc))
			granted |= map->bit;
	return granted;
}

/* LOOKUP of one name ("." and ".." are the caller's business). */
struct dentry *zcnfsd_lookup(struct dentry *dir, const char *name, u32 len)
{
	return lookup_one_positive_unlocked(&nop_mnt_idmap,
					    &QSTR_LEN(name, len), dir);
}

/*
 * Write access to @mnt and @name in @dir locked for creating it
 * (start_creating()); on error, neither.
 */
static struct dentry *zcnfsd_start_creating(struct vfsmount *mnt,
					    struct dentry *dir,
					    const char *name, u32 len)
{
	struct dentry *child;
	int err;

	err = mnt_want_write(mnt);
	if (err)
		return ERR_PTR(err);
	child = start_creating(&nop_mnt_idmap, dir, &QSTR_LEN(name, len));
	if (IS_ERR(child))
		mnt_drop_write(mnt);
	return child;
}

/*
 * CREATE of a regular file, or the existing object of that name
 * (*existed set): the caller decides what UNCHECKED, GUARDED and
 * EXCLUSIVE make of it.  Returns a referenced positive dentry.
 */
struct dentry *zcnfsd_create(struct vfsmount *mnt, struct dentry *dir,
			     const char *name, u32 len, u32 mode, bool *existed)
{
	struct dentry *child;
	int err;

	*existed = false;
	child = zcnfsd_start_creating(mnt, dir, name, len);
	if (IS_ERR(child))
		return child;
	if (d_really_is_positive(child)) {
		*existed = true;
	} else {
		err = vfs_create(&nop_mnt_idmap, child,
				 (mode & S_IALLUGO) | S_IFREG, NULL);
		if (err) {
			end_creating(child);
			child = ERR_PTR(err);
			goto out;
		}
	}
	child = end_creating_keep(child);
out:
	mnt_drop_write(mnt);
	return child;
}

/* MKDIR; EEXIST if the name exists.  Returns a referenced dentry. */
struct dentry *zcnfsd_mkdir(struct vfsmount *mnt, struct dentry *dir,
			    const char *name, u32 len, u32 mode)
{
	struct dentry *child;

	child = zcnfsd_start_creating(mnt, dir, name, len);
	if (IS_ERR(child))
		return child;
	if (d_really_is_positive(child)) {
		end_creating(child);
		child = ERR_PTR(-EEXIST);
		goto out;
	}
	/* On failure vfs_mkdir() has ended the creation itself. */
	child = vfs_mkdir(&nop_mnt_idmap, d_inode(dir), child,
			  mode & (S_IRWXUGO | S_ISVTX), NULL);
	if (IS_ERR(child))
		goto out;
	child = end_creating_keep(child);
	if (d_is_negative(child)) {
		/* The filesystem did not instantiate it: look it up. */
		dput(child);
		child = lookup_one_positive_unlocked(&nop_mnt_idmap,
						     &QSTR_LEN(name, len), dir);
	}
out:
	mnt_drop_write(mnt);
	return child;
}

/* REMOVE (a non-directory) or RMDIR (a directory). */
int zcnfsd_remove(struct vfsmount *mnt, struct dentry *dir, const char *name,
		  u32 len, bool rmdir)
{
	struct dentry *victim;
	struct inode *inode;
	int err;

	err = mnt_want_write(mnt);
	if (err)
		return err;
	victim = start_removing(&nop_mnt_idmap, dir, &QSTR_LEN(name, len));
	if (IS_ERR(victim)) {
		err = PTR_ERR(victim);
		goto out;
	}
	inode = d_inode(victim);
	/* As nfsd_unlink(): the final iput only after the locks are gone. */
	ihold(inode);
	if (rmdir)
		err = d_is_dir(victim) ?
			vfs_rmdir(&nop_mnt_idmap, d_inode(dir), victim, NULL) :
			-ENOTDIR;
	else
		err = d_is_dir(victim) ? -EISDIR :
			vfs_unlink(&nop_mnt_idmap, d_inode(dir), victim, NULL);
	end_removing(victim);
	iput(inode);
out:
	mnt_drop_write(mnt);
	return err;
}

/* RENAME (over an existing target, which is then unlinked). */
int zcnfsd_rename(struct vfsmount *mnt, struct dentry *fdir,
		  const char *fname, u32 flen, struct dentry *tdir,
		  const char *tname, u32 tlen)
{
	struct renamedata rd = {
		.mnt_idmap = &nop_mnt_idmap,
		.old_parent = fdir,
		.new_parent = tdir,
	};
	int err;

	err = mnt_want_write(mnt);
	if (err)
		return err;
	err = start_renaming(&rd, 0, &QSTR_LEN(fname, flen),
			     &QSTR_LEN(tname, tlen));
	if (err)
		goto out;
	err = vfs_rename(&rd);
	end_renaming(&rd);
out:
	mnt_drop_write(mnt);
	return err;
}

/*
 * The open flags for @d (read-write if @write) in *@flags, after the
 * permission checks of nfsd_open() / nfsd_file_acquire() for the current
 * credentials (dentry_open() checks none; open(2) does, in may_open()).
 */
int zcnfsd_may_open(struct vfsmount *mnt, struct dentry *d, int write,
		    int *flags)
{
	int acc;

	*flags = O_LARGEFILE;
	if (d_is_dir(d)) {
		if (write)
			return -EISDIR;
		*flags |= O_RDONLY | O_DIRECTORY;
		acc = MAY_READ;
	} else if (!d_is_reg(d)) {
		return -EINVAL;
	} else {
		*flags |= write ? O_RDWR : O_RDONLY;
		acc = (write ? MAY_WRITE : MAY_READ) | ZCNFSD_MAY_OWNER_OVERRIDE;
	}
	return zcnfsd_permission(mnt, d, acc);
}

/*
 * An open file on the export (O_RDWR if @write, else read-only), for the
 * current credentials.
 */
struct file *zcnfsd_open(struct vfsmount *mnt, struct dentry *d, int write)
{
	struct path p = { .mnt = mnt, .dentry = d };
	int flags, err;

	err = zcnfsd_may_open(mnt, d, write, &flags);
	if (err)
		return ERR_PTR(err);
	return dentry_open(&p, flags, current_cred());
}

/* The identity of @d's inode (the file cache's key; NULL never). */
unsigned long zcnfsd_dentry_inode_key(struct dentry *d)
{
	return (unsigned long)d_inode(d);
}

/* The identity of @f's inode: equal to zcnfsd_dentry_inode_key() of its dentry. */
unsigned long zcnfsd_file_inode_key(struct file *f)
{
	return (unsigned long)file_inode(f);
}

/* Whether @f's inode has no name left (removed: its space is kept while open). */
bool zcnfsd_file_unlinked(struct file *f)
{
	return !READ_ONCE(file_inode(f)->i_nlink);
}

/*
 * Drop a reference on @f; if it is the last, close it now (__fput()) rather
 * than through the delayed-fput work a kernel thread's fput() queues.  The
 * callers are the server's threads and module exit, with no lock held:
 * neither is needed by an unmount, so the synchronous close cannot deadlock
 * against one.
 */
void zcnfsd_fput_sync(struct file *f)
{
	__fput_sync(f);
}

int zcnfsd_statfs(struct vfsmount *mnt, struct dentry *d,
		  struct zcnfsd_statfs *out)
{
	struct path p = { .mnt = mnt, .dentry = d };
	struct kstatfs st;
	int err;

	err = vfs_statfs(&p, &st);
	if (err)
		return err;
	out->bsize = st.f_bsize;
	out->blocks = st.f_blocks;
	out->bfree = st.f_bfree;
	out->bavail = st.f_bavail;
	out->files = st.f_files;
	out->ffree = st.f_ffree;
	out->namelen = st.f_namelen;
	out->maxbytes = d->d_sb->s_maxbytes;
	return 0;
}

struct zcnfsd_readdir_ctx {
	struct dir_context ctx;
	zcnfsd_dirent_fn emit;
	void *priv;
	bool full;
};

/* The actor: hands each entry to the caller's callback. */
static bool zcnfsd_filldir(struct dir_context *ctx, const char *name,
			   int namlen, loff_t offset, u64 ino,
			   unsigned int d_type)
{
	struct zcnfsd_readdir_ctx *c =
		container_of(ctx, struct zcnfsd_readdir_ctx, ctx);

	if (namlen < 0 || !c->emit(c->priv, (const u8 *)name, namlen, ino)) {
		c->full = true;
		return false;
	}
	return true;
}

/*
 * Call @emit for each entry of directory @f from position @pos on, until
 * it returns false (that entry is not taken) or the directory ends.
 */
int zcnfsd_readdir(struct file *f, s64 pos, zcnfsd_dirent_fn emit, void *priv,
		   struct zcnfsd_readdir_res *res)
{
	struct zcnfsd_readdir_ctx c = {
		.ctx.actor = zcnfsd_filldir,
		.emit = emit,
		.priv = priv,
	};
	loff_t off;
	int err;

	off = vfs_llseek(f, pos, SEEK_SET);
	if (off < 0)
		return off;
	err = iterate_dir(f, &c.ctx);
	if (err < 0 && !c.full)
		return err;
	res->next_pos = c.ctx.pos;
	res->eof = !c.full;
	res->pad = 0;
	return 0;
}
