/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcnfsd: the C helpers the Rust server calls for VFS operations
 * (zcnfsd_vfs.c) and kernel threads (zcnfsd_thread.c).  The structures
 * here are mirrored, field for field, by the files of vfs/: only fixed-size
 * integer fields, 8-byte aligned, so the layout is the same everywhere.
 */
#ifndef ZCNFSD_VFS_H
#define ZCNFSD_VFS_H

#include <linux/types.h>

struct cred;
struct dentry;
struct file;
struct path;
struct vfsmount;
struct task_struct;

/* Attributes of an inode, as NFSv3's fattr3 needs them (vfs_getattr). */
struct zcnfsd_attr {
	u64 ino;
	u64 size;
	u64 used;		/* bytes: blocks * 512 */
	u64 fsid;		/* new_encode_dev(s_dev) */
	s64 atime_sec;
	s64 mtime_sec;
	s64 ctime_sec;
	u32 atime_nsec;
	u32 mtime_nsec;
	u32 ctime_nsec;
	u32 mode;		/* type and permission bits */
	u32 nlink;
	u32 uid;		/* in the initial user namespace */
	u32 gid;
	u32 rdev_major;
	u32 rdev_minor;
	u32 generation;
};

/* Attributes to set (SETATTR, CREATE, MKDIR); ZCNFSD_SET_* in valid. */
#define ZCNFSD_SET_MODE		0x01
#define ZCNFSD_SET_UID		0x02
#define ZCNFSD_SET_GID		0x04
#define ZCNFSD_SET_SIZE		0x08
#define ZCNFSD_SET_ATIME	0x10	/* to atime_* */
#define ZCNFSD_SET_ATIME_NOW	0x20
#define ZCNFSD_SET_MTIME	0x40	/* to mtime_* */
#define ZCNFSD_SET_MTIME_NOW	0x80

struct zcnfsd_sattr {
	u64 size;
	s64 atime_sec;
	s64 mtime_sec;
	u32 atime_nsec;
	u32 mtime_nsec;
	u32 valid;
	u32 mode;
	u32 uid;
	u32 gid;
};

/* File system statistics (vfs_statfs). */
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

/*
 * Called by zcnfsd_readdir with each directory entry (the name is valid
 * for the call only); returns false to stop before this entry.
 */
typedef bool (*zcnfsd_dirent_fn)(void *priv, const u8 *name, u32 namelen,
				 u64 ino);

/* Result of zcnfsd_readdir. */
struct zcnfsd_readdir_res {
	s64 next_pos;		/* position of the first entry not taken */
	u32 eof;		/* the directory has no more entries */
	u32 pad;
};

/* The ids a request runs with (after squashing), for zcnfsd_cred_override. */
#define ZCNFSD_MAX_GROUPS	16
struct zcnfsd_ids {
	u32 uid;
	u32 gid;
	u32 ngroups;
	u32 groups[ZCNFSD_MAX_GROUPS];
};

/*
 * zcnfsd_permission() flags besides MAY_READ, MAY_WRITE and MAY_EXEC (the
 * NFSD_MAY_* of fs/nfsd/vfs.h).
 */
#define ZCNFSD_MAY_SATTR		0x100
#define ZCNFSD_MAY_TRUNC		0x200
#define ZCNFSD_MAY_OWNER_OVERRIDE	0x400
#define ZCNFSD_MAY_LOCAL_ACCESS		0x800

const char *zcnfsd_export_path_param(void);
const struct cred *zcnfsd_cred_override(const struct zcnfsd_ids *ids);
void zcnfsd_cred_revert(const struct cred *old);
int zcnfsd_permission(struct vfsmount *mnt, struct dentry *d, int acc);
int zcnfsd_export_open(struct path *out);
struct dentry *zcnfsd_dget(struct dentry *d);
int zcnfsd_encode_fid(struct dentry *d, u32 *fid, int *words);
struct dentry *zcnfsd_decode_fid(struct vfsmount *mnt, struct dentry *export_root,
				 u32 *fid, int words, int type);
int zcnfsd_mode_check(struct dentry *d, u32 type);
int zcnfsd_getattr(struct vfsmount *mnt, struct dentry *d,
		   struct zcnfsd_attr *out);
int zcnfsd_setattr(struct vfsmount *mnt, struct dentry *d,
		   const struct zcnfsd_sattr *sa);
u32 zcnfsd_access(struct vfsmount *mnt, struct dentry *d, u32 want);
struct dentry *zcnfsd_lookup(struct dentry *dir, const char *name, u32 len);
struct dentry *zcnfsd_create(struct vfsmount *mnt, struct dentry *dir,
			     const char *name, u32 len, u32 mode, bool *existed);
struct dentry *zcnfsd_mkdir(struct vfsmount *mnt, struct dentry *dir,
			    const char *name, u32 len, u32 mode);
int zcnfsd_remove(struct vfsmount *mnt, struct dentry *dir, const char *name,
		  u32 len, bool rmdir);
int zcnfsd_rename(struct vfsmount *mnt, struct dentry *fdir,
		  const char *fname, u32 flen, struct dentry *tdir,
		  const char *tname, u32 tlen);
int zcnfsd_may_open(struct vfsmount *mnt, struct dentry *d, int write,
		    int *flags);
struct file *zcnfsd_open(struct vfsmount *mnt, struct dentry *d, int write);
unsigned long zcnfsd_dentry_inode_key(struct dentry *d);
unsigned long zcnfsd_file_inode_key(struct file *f);
bool zcnfsd_file_unlinked(struct file *f);
void zcnfsd_fput_sync(struct file *f);
int zcnfsd_statfs(struct vfsmount *mnt, struct dentry *d,
		  struct zcnfsd_statfs *out);
int zcnfsd_readdir(struct file *f, s64 pos, zcnfsd_dirent_fn emit, void *priv,
		   struct zcnfsd_readdir_res *res);

typedef int (*zcnfsd_thread_fn)(void *data);
struct task_struct *zcnfsd_thread_start(zcnfsd_thread_fn fn, void *data,
					const char *name);
int zcnfsd_thread_stop(struct task_struct *task);

#endif /* ZCNFSD_VFS_H */
