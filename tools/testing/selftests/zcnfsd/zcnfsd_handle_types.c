// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd and the type of what a file handle names: a raw-socket RPC client
 * (zcnfsd_rpc.h) gives every procedure handles of the wrong type and
 * checks the exact nfsstat3, as Linux's nfsd answers (fh_verify(type)):
 *
 *  - a directory handle (LOOKUP, CREATE UNCHECKED/GUARDED/EXCLUSIVE,
 *    MKDIR, REMOVE, RMDIR, RENAME's from and to, READDIR, READDIRPLUS)
 *    naming a regular file, an executable one (mode set by SETATTR, as a
 *    client can) or a symlink: NFS3ERR_NOTDIR, nothing created or removed;
 *  - READ, WRITE, COMMIT and a size-changing SETATTR of a directory:
 *    NFS3ERR_ISDIR; of a symlink: NFS3ERR_INVAL;
 *  - GETATTR, ACCESS, FSSTAT, FSINFO, PATHCONF of any type: NFS3_OK;
 *  - SYMLINK, MKNOD, LINK, READLINK (not implemented): NFS3ERR_NOTSUPP;
 *  - SETATTR (and CREATE, MKDIR) with a time whose nseconds is >= 10^9:
 *    NFS3ERR_INVAL, nothing changed or created;
 *  - 30 oversized records log at most a burst of lines (ratelimited).
 *
 * Each wrong-type call is preceded by the same call with a handle of the
 * right type where that can succeed (so that the arguments are known to be
 * right), and followed by a NULL call on a fresh connection (the server
 * still answers).  A kernel report (the NULL dereference this guards
 * against) is caught by the guest's log check.  The symlink is made on the
 * exported file system directly (the server has no SYMLINK).
 *
 *   zcnfsd_handle_types [-p PORT] [-m MOUNTPORT] [-e EXPORT]
 */
#include <sys/stat.h>

#include "kselftest.h"
#include "zcnfsd_rpc.h"

#ifndef NFSPROC3_ACCESS
#define NFSPROC3_ACCESS		4
#endif
#ifndef NFSPROC3_READLINK
#define NFSPROC3_READLINK	5
#endif
#ifndef NFSPROC3_MKDIR
#define NFSPROC3_MKDIR		9
#endif
#ifndef NFSPROC3_SYMLINK
#define NFSPROC3_SYMLINK	10
#endif
#ifndef NFSPROC3_MKNOD
#define NFSPROC3_MKNOD		11
#endif
#ifndef NFSPROC3_RMDIR
#define NFSPROC3_RMDIR		13
#endif
#ifndef NFSPROC3_RENAME
#define NFSPROC3_RENAME		14
#endif
#ifndef NFSPROC3_LINK
#define NFSPROC3_LINK		15
#endif
#ifndef NFSPROC3_READDIR
#define NFSPROC3_READDIR	16
#endif
#ifndef NFSPROC3_READDIRPLUS
#define NFSPROC3_READDIRPLUS	17
#endif
#ifndef NFSPROC3_FSSTAT
#define NFSPROC3_FSSTAT		18
#endif
#ifndef NFSPROC3_FSINFO
#define NFSPROC3_FSINFO		19
#endif
#ifndef NFSPROC3_PATHCONF
#define NFSPROC3_PATHCONF	20
#endif
#ifndef NF3LNK
#define NF3LNK			5
#endif
#ifndef NF3FIFO
#define NF3FIFO			7
#endif

static int nfs_port = 2049, mnt_port = 20048;
static const char *export_path = "/mnt/zcfs";

#define BASE		"zcnfsd-handle-types"
#define REG_DATA	"0123456789abcdef"
#define REG_LEN		16

#define MSG(...)	ksft_print_msg(__VA_ARGS__)
#define FAIL(...)	do { MSG(__VA_ARGS__); return false; } while (0)
#define EXPECT(c, ...)	do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

struct fh {
	uint8_t b[FHSIZE3];
	uint32_t len;
	const char *what;
};

static struct fh root, base, reg, exe, lnk, dir;
/* The handles that are not directories, given where one is needed. */
static struct fh *const nondirs[] = { &reg, &exe, &lnk };

static char path_buf[4096];

/* EXPORT/BASE/name (or EXPORT/BASE for NULL). */
static const char *lpath(const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s%s%s", export_path, BASE, name ? "/" : "",
		 name ? name : "");
	return path_buf;
}

static bool lexists(const char *name)
{
	struct stat st;

	return lstat(lpath(name), &st) == 0;
}

static void put_fh3(struct xbuf *b, const struct fh *f)
{
	put_opaque(b, f->b, f->len);
}

static void put_dirop(struct xbuf *b, const struct fh *d, const char *name)
{
	put_fh3(b, d);
	put_string(b, name);
}

/* sattr3: mode (if >= 0), size (if >= 0), times (how 0/1/2 and value). */
struct sattr {
	long mode;
	long long size;
	uint32_t atime_how, asec, ansec;
	uint32_t mtime_how, msec, mnsec;
};

static const struct sattr sattr_none = { .mode = -1, .size = -1 };

static void put_sattr(struct xbuf *b, const struct sattr *s)
{
	put_u32(b, s->mode >= 0);
	if (s->mode >= 0)
		put_u32(b, s->mode);
	put_u32(b, 0);	/* uid */
	put_u32(b, 0);	/* gid */
	put_u32(b, s->size >= 0);
	if (s->size >= 0)
		put_u64(b, s->size);
	put_u32(b, s->atime_how);
	if (s->atime_how == 2) {
		put_u32(b, s->asec);
		put_u32(b, s->ansec);
	}
	put_u32(b, s->mtime_how);
	if (s->mtime_how == 2) {
		put_u32(b, s->msec);
		put_u32(b, s->mnsec);
	}
}

/* One NFS call on a fresh connection: the reply in r (accepted SUCCESS). */
static long nfs_call(uint32_t proc, const struct xbuf *args, struct reply *r)
{
	int fd = rpc_connect(nfs_port), err;
	long st;

	if (fd < 0)
		return fd;
	err = rpc_proc(fd, NFS_PROG, NFS_VERS, proc, args, r);
	rpc_close(fd);
	if (err)
		return err;
	if (r->rstat != MSG_ACCEPTED || r->astat != SUCCESS) {
		describe_reply("NFS call", r);
		return RPC_PROTO;
	}
	st = get_u32(&r->res);
	return r->res.bad ? RPC_PROTO : st;
}

/* The nfsstat3 of a call (args consumed), or RPC_*. */
static long call_st(uint32_t proc, struct xbuf *args)
{
	struct reply r = {0};
	long st = nfs_call(proc, args, &r);

	xb_free(args);
	xb_free(&r.raw);
	return st;
}

static const char *st_name(long st)
{
	switch (st) {
	case NFS3_OK: return "NFS3_OK";
	case NFS3ERR_NOENT: return "NOENT";
	case NFS3ERR_ACCES: return "ACCES";
	case NFS3ERR_EXIST: return "EXIST";
	case NFS3ERR_NOTDIR: return "NOTDIR";
	case NFS3ERR_ISDIR: return "ISDIR";
	case NFS3ERR_INVAL: return "INVAL";
	case NFS3ERR_STALE: return "STALE";
	case NFS3ERR_BADHANDLE: return "BADHANDLE";
	case NFS3ERR_NOTSUPP: return "NOTSUPP";
	default: return st < 0 ? rpc_strerr(st) : "?";
	}
}

/*
 * The call's status is want, and the server still answers NULL on a
 * fresh connection afterwards.
 */
static bool expect_st(const char *what, const char *on, uint32_t proc, struct xbuf *args,
		      long want)
{
	long st = call_st(proc, args);
	int err = rpc_ping(nfs_port, NFS_PROG);
	bool ok = true;

	if (st != want) {
		MSG("%s of %s: %s (%ld), expected %s (%ld)\n", what, on, st_name(st), st,
		    st_name(want), want);
		ok = false;
	}
	if (err) {
		MSG("%s of %s: no answer to NULL afterwards: %s\n", what, on, rpc_strerr(err));
		ok = false;
	}
	return ok;
}

struct fattr_full {
	uint32_t type, mode;
	uint64_t size, fileid;
	uint32_t atime[2], mtime[2], ctime[2];
};

static void get_fattr_full(struct dec *d, struct fattr_full *fa)
{
	fa->type = get_u32(d);
	fa->mode = get_u32(d);
	skip(d, 12);		/* nlink, uid, gid */
	fa->size = get_u64(d);
	skip(d, 8 + 8 + 8);	/* used, rdev, fsid */
	fa->fileid = get_u64(d);
	for (int i = 0; i < 2; i++)
		fa->atime[i] = get_u32(d);
	for (int i = 0; i < 2; i++)
		fa->mtime[i] = get_u32(d);
	for (int i = 0; i < 2; i++)
		fa->ctime[i] = get_u32(d);
}

static bool getattr(const struct fh *f, struct fattr_full *fa)
{
	struct xbuf a = {0};
	struct reply r = {0};
	long st;

	put_fh3(&a, f);
	st = nfs_call(NFSPROC3_GETATTR, &a, &r);
	xb_free(&a);
	if (st == NFS3_OK)
		get_fattr_full(&r.res, fa);
	xb_free(&r.raw);
	EXPECT(st == NFS3_OK && !r.res.bad, "GETATTR of %s: %s\n", f->what, st_name(st));
	return true;
}

/* LOOKUP name in d: its handle in out, its type checked. */
static bool lookup(const struct fh *d, const char *name, struct fh *out, uint32_t type)
{
	struct xbuf a = {0};
	struct reply r = {0};
	struct fattr_full fa = {0};
	const uint8_t *p;
	uint32_t n = 0;
	bool attrs;
	long st;

	put_dirop(&a, d, name);
	st = nfs_call(NFSPROC3_LOOKUP, &a, &r);
	xb_free(&a);
	if (st != NFS3_OK) {
		xb_free(&r.raw);
		FAIL("LOOKUP %s: %s\n", name, st_name(st));
	}
	p = get_opaque(&r.res, &n, FHSIZE3);
	if (p)
		memcpy(out->b, p, n);
	out->len = n;
	attrs = get_u32(&r.res);
	if (attrs)
		get_fattr_full(&r.res, &fa);
	xb_free(&r.raw);
	EXPECT(!r.res.bad && n > 0 && attrs, "LOOKUP %s: malformed reply\n", name);
	EXPECT(fa.type == type, "LOOKUP %s: type %u, expected %u\n", name, fa.type, type);
	return true;
}

static bool write_local(const char *name, const char *data, mode_t mode)
{
	FILE *f = fopen(lpath(name), "w");

	EXPECT(f, "create %s: %s\n", lpath(name), strerror(errno));
	fputs(data, f);
	EXPECT(fclose(f) == 0 && chmod(lpath(name), mode) == 0, "write %s: %s\n", lpath(name),
	       strerror(errno));
	return true;
}

/* The test directory as it must be after every case. */
static bool base_intact(void)
{
	static const char *const want[] = { "reg", "exe", "lnk", "dir", "victim" };
	char buf[64] = "";
	struct stat st;
	FILE *f;

	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		EXPECT(lexists(want[i]), "%s is gone\n", lpath(want[i]));
	EXPECT(lstat(lpath("lnk"), &st) == 0 && S_ISLNK(st.st_mode), "lnk is not a symlink\n");
	EXPECT(lstat(lpath("dir"), &st) == 0 && S_ISDIR(st.st_mode), "dir is not a directory\n");
	f = fopen(lpath("reg"), "r");
	EXPECT(f, "open reg: %s\n", strerror(errno));
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	EXPECT(!strcmp(buf, REG_DATA), "reg holds \"%s\", expected \"%s\"\n", buf, REG_DATA);
	/* What the wrong-type calls asked for exists nowhere. */
	EXPECT(!lexists("new") && !lexists("newdir") && !lexists("moved") &&
	       !lexists("dir/new") && !lexists("dir/newdir"), "a refused call created something\n");
	return true;
}

/* ---- The cases ----------------------------------------------------- */

static bool t_setup(void)
{
	struct xbuf a = {0};
	struct reply r = {0};
	struct fattr_full fa;
	struct sattr s = sattr_none;
	const uint8_t *p;
	uint32_t n = 0;
	long st;
	int fd;

	static const char *const files[] = { "dir/new", "new", "moved", "victim2", "reg", "exe",
					     "lnk", "victim" };
	static const char *const dirs[] = { "dir/newdir", "newdir", "dir" };

	/* Left over by an earlier run: remove (the names are ours). */
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		unlink(lpath(files[i]));
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		rmdir(lpath(dirs[i]));
	rmdir(lpath(NULL));
	EXPECT(mkdir(lpath(NULL), 0755) == 0, "mkdir %s: %s\n", lpath(NULL), strerror(errno));
	EXPECT(mkdir(lpath("dir"), 0755) == 0, "mkdir dir: %s\n", strerror(errno));
	if (!write_local("reg", REG_DATA, 0644) || !write_local("exe", "#!/bin/sh\n", 0644) ||
	    !write_local("victim", "", 0644))
		return false;
	EXPECT(symlink("reg", lpath("lnk")) == 0, "symlink: %s\n", strerror(errno));

	/* MNT: the root handle. */
	fd = rpc_connect(mnt_port);
	EXPECT(fd >= 0, "connect to MOUNT: %s\n", rpc_strerr(fd));
	put_string(&a, export_path);
	st = rpc_proc(fd, MNT_PROG, MNT_VERS, MNTPROC_MNT, &a, &r);
	rpc_close(fd);
	xb_free(&a);
	if (!st)
		st = r.rstat == MSG_ACCEPTED && r.astat == SUCCESS ? (long)get_u32(&r.res) : -1;
	if (st == 0) {
		p = get_opaque(&r.res, &n, FHSIZE3);
		if (p)
			memcpy(root.b, p, n);
		root.len = n;
	}
	xb_free(&r.raw);
	EXPECT(st == 0 && root.len > 0, "MNT %s: %ld\n", export_path, st);

	if (!lookup(&root, BASE, &base, NF3DIR) || !lookup(&base, "reg", &reg, NF3REG) ||
	    !lookup(&base, "exe", &exe, NF3REG) || !lookup(&base, "lnk", &lnk, NF3LNK) ||
	    !lookup(&base, "dir", &dir, NF3DIR))
		return false;

	/* The execute bits, set by the client. */
	s.mode = 0755;
	put_fh3(&a, &exe);
	put_sattr(&a, &s);
	put_u32(&a, 0);		/* no guard */
	st = call_st(NFSPROC3_SETATTR, &a);
	EXPECT(st == NFS3_OK, "SETATTR mode 0755 of exe: %s\n", st_name(st));
	if (!getattr(&exe, &fa))
		return false;
	EXPECT((fa.mode & 0777) == 0755, "exe: mode %o after SETATTR 0755\n", fa.mode);
	MSG("handles: root %u, base %u, reg %u, exe %u, lnk %u, dir %u bytes\n", root.len,
	    base.len, reg.len, exe.len, lnk.len, dir.len);
	return base_intact();
}

/*
 * Builds a call's arguments with fh as the handle under test; `in_dir`
 * (the right directory) for a control call.
 */
typedef void (*build_fn)(struct xbuf *b, const struct fh *f);

static bool remove_made(uint32_t proc, const char *name);

/*
 * The control call (if ok_on) with the right handle, undone by REMOVE or
 * RMDIR (undo) of dir/made if it made that; then every nondir.
 */
static bool dir_case_undo(const char *what, uint32_t proc, build_fn build,
			  const struct fh *ok_on, uint32_t undo, const char *made)
{
	struct xbuf a = {0};
	bool ok = true;

	if (ok_on) {
		build(&a, ok_on);
		ok = expect_st(what, ok_on->what, proc, &a, NFS3_OK);
		if (made)
			ok = remove_made(undo, made) && ok;
	}
	for (size_t i = 0; i < ARRAY_SIZE(nondirs); i++) {
		build(&a, nondirs[i]);
		ok = expect_st(what, nondirs[i]->what, proc, &a, NFS3ERR_NOTDIR) && ok;
	}
	return base_intact() && ok;
}

static bool dir_case(const char *what, uint32_t proc, build_fn build, const struct fh *ok_on)
{
	return dir_case_undo(what, proc, build, ok_on, 0, NULL);
}

static void b_lookup(struct xbuf *b, const struct fh *f)
{
	put_dirop(b, f, f == &base ? "reg" : "zcnfsd-x");
}

static bool t_lookup(void)
{
	return dir_case("LOOKUP", NFSPROC3_LOOKUP, b_lookup, &base);
}

static void put_create(struct xbuf *b, const struct fh *f, uint32_t how)
{
	struct sattr s = sattr_none;

	put_dirop(b, f, "new");
	put_u32(b, how);
	if (how == 2) {		/* EXCLUSIVE: the verifier */
		put_u32(b, 0x12345678);
		put_u32(b, 0x9abcdef0);
	} else {
		s.mode = 0644;
		put_sattr(b, &s);
	}
}

static void b_create_unchecked(struct xbuf *b, const struct fh *f) { put_create(b, f, 0); }
static void b_create_guarded(struct xbuf *b, const struct fh *f) { put_create(b, f, 1); }
static void b_create_exclusive(struct xbuf *b, const struct fh *f) { put_create(b, f, 2); }

/* REMOVE dir/new (or RMDIR dir/newdir): the control call made it. */
static bool remove_made(uint32_t proc, const char *name)
{
	struct xbuf a = {0};

	put_dirop(&a, &dir, name);
	return expect_st(proc == NFSPROC3_RMDIR ? "RMDIR" : "REMOVE", dir.what, proc, &a,
			 NFS3_OK);
}

static bool t_create(void)
{
	static const struct { const char *what; build_fn b; } how[] = {
		{ "CREATE UNCHECKED", b_create_unchecked },
		{ "CREATE GUARDED", b_create_guarded },
		{ "CREATE EXCLUSIVE", b_create_exclusive },
	};
	bool ok = true;

	/* Made in dir, removed again, then refused in every nondir. */
	for (size_t i = 0; i < ARRAY_SIZE(how); i++)
		ok = dir_case_undo(how[i].what, NFSPROC3_CREATE, how[i].b, &dir, NFSPROC3_REMOVE,
				   "new") && ok;
	return ok;
}

static void b_mkdir(struct xbuf *b, const struct fh *f)
{
	put_dirop(b, f, "newdir");
	put_sattr(b, &(struct sattr){ .mode = 0755, .size = -1 });
}

static bool t_mkdir(void)
{
	return dir_case_undo("MKDIR", NFSPROC3_MKDIR, b_mkdir, &dir, NFSPROC3_RMDIR, "newdir");
}

/* REMOVE and RMDIR of names that exist in base: refused in a nondir. */
static void b_remove(struct xbuf *b, const struct fh *f) { put_dirop(b, f, "reg"); }
static void b_rmdir(struct xbuf *b, const struct fh *f) { put_dirop(b, f, "dir"); }

static bool t_remove(void)
{
	return dir_case("REMOVE", NFSPROC3_REMOVE, b_remove, NULL) &&
	       dir_case("RMDIR", NFSPROC3_RMDIR, b_rmdir, NULL);
}

static void b_rename_from(struct xbuf *b, const struct fh *f)
{
	put_dirop(b, f, "victim");
	put_dirop(b, &base, "moved");
}

static void b_rename_to(struct xbuf *b, const struct fh *f)
{
	put_dirop(b, &base, "victim");
	put_dirop(b, f, "moved");
}

static bool t_rename(void)
{
	struct xbuf a = {0};
	bool ok;

	/* Control: victim -> victim2 -> victim. */
	put_dirop(&a, &base, "victim");
	put_dirop(&a, &base, "victim2");
	ok = expect_st("RENAME", "the directory", NFSPROC3_RENAME, &a, NFS3_OK);
	put_dirop(&a, &base, "victim2");
	put_dirop(&a, &base, "victim");
	ok = expect_st("RENAME back", "the directory", NFSPROC3_RENAME, &a, NFS3_OK) && ok;
	ok = dir_case("RENAME (from)", NFSPROC3_RENAME, b_rename_from, NULL) && ok;
	ok = dir_case("RENAME (to)", NFSPROC3_RENAME, b_rename_to, NULL) && ok;
	return ok;
}

static void b_readdir(struct xbuf *b, const struct fh *f)
{
	put_fh3(b, f);
	put_u64(b, 0);		/* cookie */
	put_u64(b, 0);		/* verifier */
	put_u32(b, 4096);
}

static void b_readdirplus(struct xbuf *b, const struct fh *f)
{
	put_fh3(b, f);
	put_u64(b, 0);
	put_u64(b, 0);
	put_u32(b, 4096);	/* dircount */
	put_u32(b, 16384);	/* maxcount */
}

static bool t_readdir(void)
{
	return dir_case("READDIR", NFSPROC3_READDIR, b_readdir, &base) &&
	       dir_case("READDIRPLUS", NFSPROC3_READDIRPLUS, b_readdirplus, &base);
}

/* Not implemented: NOTSUPP whatever the handles name. */
static bool t_notsupp(void)
{
	const struct fh *const all[] = { &base, &reg, &exe, &lnk };
	struct xbuf a = {0};
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		const struct fh *f = all[i];

		put_dirop(&a, f, "zcnfsd-s");
		put_sattr(&a, &sattr_none);
		put_string(&a, "reg");
		ok = expect_st("SYMLINK", f->what, NFSPROC3_SYMLINK, &a, NFS3ERR_NOTSUPP) && ok;
		put_dirop(&a, f, "zcnfsd-n");
		put_u32(&a, NF3FIFO);
		put_sattr(&a, &sattr_none);
		ok = expect_st("MKNOD", f->what, NFSPROC3_MKNOD, &a, NFS3ERR_NOTSUPP) && ok;
		put_fh3(&a, &reg);
		put_dirop(&a, f, "zcnfsd-l");
		ok = expect_st("LINK", f->what, NFSPROC3_LINK, &a, NFS3ERR_NOTSUPP) && ok;
		put_fh3(&a, f);
		ok = expect_st("READLINK", f->what, NFSPROC3_READLINK, &a, NFS3ERR_NOTSUPP) && ok;
	}
	return base_intact() && !lexists("zcnfsd-s") && !lexists("zcnfsd-n") &&
	       !lexists("zcnfsd-l") && ok;
}

/* READ, WRITE, COMMIT, SETATTR of the size: a regular file only. */
static bool t_file_io(void)
{
	static const struct { struct fh *f; long st; } cases[] = {
		{ &reg, NFS3_OK }, { &base, NFS3ERR_ISDIR }, { &dir, NFS3ERR_ISDIR },
		{ &lnk, NFS3ERR_INVAL },
	};
	struct xbuf a = {0};
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct fh *f = cases[i].f;
		long want = cases[i].st;

		put_fh3(&a, f);
		put_u64(&a, 0);
		put_u32(&a, 4096);
		ok = expect_st("READ", f->what, NFSPROC3_READ, &a, want) && ok;
		/* WRITE of the file's own first bytes: nothing changes. */
		put_fh3(&a, f);
		put_u64(&a, 0);
		put_u32(&a, 4);
		put_u32(&a, FILE_SYNC);
		put_opaque(&a, REG_DATA, 4);
		ok = expect_st("WRITE", f->what, NFSPROC3_WRITE, &a, want) && ok;
		put_fh3(&a, f);
		put_u64(&a, 0);
		put_u32(&a, 0);
		ok = expect_st("COMMIT", f->what, NFSPROC3_COMMIT, &a, want) && ok;
		put_fh3(&a, f);
		put_sattr(&a, &(struct sattr){ .mode = -1, .size = REG_LEN });
		put_u32(&a, 0);
		ok = expect_st("SETATTR of the size", f->what, NFSPROC3_SETATTR, &a, want) && ok;
	}
	return base_intact() && ok;
}

/* GETATTR, ACCESS, FSSTAT, FSINFO, PATHCONF, SETATTR (no size): any type. */
static bool t_any_type(void)
{
	const struct fh *const all[] = { &base, &reg, &exe, &lnk };
	static const uint32_t procs[] = { NFSPROC3_GETATTR, NFSPROC3_FSSTAT, NFSPROC3_FSINFO,
					  NFSPROC3_PATHCONF };
	static const char *const names[] = { "GETATTR", "FSSTAT", "FSINFO", "PATHCONF" };
	struct xbuf a = {0};
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		const struct fh *f = all[i];

		for (size_t j = 0; j < ARRAY_SIZE(procs); j++) {
			put_fh3(&a, f);
			ok = expect_st(names[j], f->what, procs[j], &a, NFS3_OK) && ok;
		}
		put_fh3(&a, f);
		put_u32(&a, 0x3f);
		ok = expect_st("ACCESS", f->what, NFSPROC3_ACCESS, &a, NFS3_OK) && ok;
		/* The server's time as atime: changes nothing that matters. */
		put_fh3(&a, f);
		put_sattr(&a, &(struct sattr){ .mode = -1, .size = -1, .atime_how = 1 });
		put_u32(&a, 0);
		ok = expect_st("SETATTR atime", f->what, NFSPROC3_SETATTR, &a, NFS3_OK) && ok;
	}
	return base_intact() && ok;
}

static bool same_attrs(const struct fattr_full *x, const struct fattr_full *y, const char *when)
{
	EXPECT(x->mode == y->mode && x->size == y->size, "%s: mode %o size %llu, was %o %llu\n",
	       when, y->mode, (unsigned long long)y->size, x->mode, (unsigned long long)x->size);
	EXPECT(!memcmp(x->atime, y->atime, 8) && !memcmp(x->mtime, y->mtime, 8) &&
	       !memcmp(x->ctime, y->ctime, 8),
	       "%s: times changed: atime %u.%u mtime %u.%u ctime %u.%u, were %u.%u %u.%u %u.%u\n",
	       when, y->atime[0], y->atime[1], y->mtime[0], y->mtime[1], y->ctime[0], y->ctime[1],
	       x->atime[0], x->atime[1], x->mtime[0], x->mtime[1], x->ctime[0], x->ctime[1]);
	return true;
}

/* SETATTR with nseconds >= 10^9: INVAL, nothing changed. */
static bool t_setattr_time(void)
{
	static const struct sattr bad[] = {
		/* With a mode change: not made either. */
		{ .mode = 0600, .size = -1, .mtime_how = 2, .msec = 1000, .mnsec = 1000000000 },
		{ .mode = 0600, .size = -1, .atime_how = 2, .asec = 1000, .ansec = 0xffffffff },
		{ .mode = -1, .size = 0, .atime_how = 2, .asec = 1000, .ansec = 5,
		  .mtime_how = 2, .msec = 1000, .mnsec = 0xffffffff },
	};
	struct fattr_full before, after;
	struct xbuf a = {0};
	struct sattr good = { .mode = -1, .size = -1, .mtime_how = 2, .msec = 1000,
			      .mnsec = 999999999 };
	bool ok = true;

	if (!getattr(&reg, &before))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		put_fh3(&a, &reg);
		put_sattr(&a, &bad[i]);
		put_u32(&a, 0);
		ok = expect_st("SETATTR with nseconds >= 10^9", reg.what, NFSPROC3_SETATTR, &a,
			       NFS3ERR_INVAL) && ok;
		if (!getattr(&reg, &after) || !same_attrs(&before, &after, "after a refused SETATTR"))
			ok = false;
	}
	/* CREATE and MKDIR with such a time: refused, nothing created. */
	put_dirop(&a, &dir, "new");
	put_u32(&a, 0);
	put_sattr(&a, &bad[0]);
	ok = expect_st("CREATE with mtime nseconds 10^9", dir.what, NFSPROC3_CREATE, &a,
		       NFS3ERR_INVAL) && ok;
	put_dirop(&a, &dir, "newdir");
	put_sattr(&a, &bad[1]);
	ok = expect_st("MKDIR with atime nseconds 2^32-1", dir.what, NFSPROC3_MKDIR, &a,
		       NFS3ERR_INVAL) && ok;
	/* Control: the largest valid nseconds is kept. */
	put_fh3(&a, &reg);
	put_sattr(&a, &good);
	put_u32(&a, 0);
	ok = expect_st("SETATTR mtime 1000.999999999", reg.what, NFSPROC3_SETATTR, &a, NFS3_OK) &&
	     ok;
	if (!getattr(&reg, &after))
		return false;
	if (after.mtime[0] != 1000 || after.mtime[1] != 999999999) {
		MSG("mtime %u.%u after SETATTR 1000.999999999\n", after.mtime[0], after.mtime[1]);
		ok = false;
	}
	return base_intact() && ok;
}

/* Lines in the kernel log (/dev/kmsg, from its start) containing s. */
static long kmsg_count(const char *s)
{
	char rec[8192];
	long n = 0;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t r = read(fd, rec, sizeof(rec) - 1);

		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (r <= 0)
			break;
		rec[r] = 0;
		n += strstr(rec, s) != NULL;
	}
	close(fd);
	return n;
}

#define FLOOD		50
#define RL_BURST	10	/* lines per window and call site */
#define RL_WINDOW_MS	5000

/*
 * n connections, each served by its thread, then an oversized record mark
 * on each, all at once: how many the server closed; *ms: how long the
 * marks took from the first sent to the last connection closed.
 */
static int oversized(int n, long long *ms)
{
	int fds[FLOOD], closed = 0;
	long long t0, deadline = now_ms() + 20000;

	for (int i = 0; i < n; i++)
		fds[i] = rpc_connect(nfs_port);
	/* Every connection has its thread (connections_open counts them). */
	while (srv_stat("connections_open") < n && now_ms() < deadline)
		usleep(50 * 1000);
	t0 = now_ms();
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0 && send_mark(fds[i], 0x7fffffff)) {
			rpc_close(fds[i]);
			fds[i] = -1;
		}
	}
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		closed += !wait_closed(fds[i], 10000);
		rpc_close(fds[i]);
	}
	if (ms)
		*ms = now_ms() - t0;
	return closed;
}

/*
 * FLOOD oversized records at once: the server closes every connection but
 * logs at most a burst per window (the flood may straddle two, or more if
 * it is slow), then, in the next window, how many lines it left out.
 */
static bool t_log_ratelimited(void)
{
	const char *line = "record of 2147483647 bytes refused";
	const char *missed = "log lines suppressed";
	long before = kmsg_count(line), missed0 = kmsg_count(missed), n, m;
	long long ms = 0;
	int closed = oversized(FLOOD, &ms);
	long max;

	n = kmsg_count(line) - before;
	max = RL_BURST * (1 + (ms + RL_WINDOW_MS - 1) / RL_WINDOW_MS);
	MSG("%d oversized records in %lld ms: %d connections closed, %ld log lines (at most %ld)\n",
	    FLOOD, ms, closed, n, max);
	EXPECT(before >= 0, "/dev/kmsg: %s\n", strerror(errno));
	EXPECT(closed == FLOOD, "only %d of %d connections were closed\n", closed, FLOOD);
	EXPECT(n >= 1 && n <= max && n < FLOOD, "%ld lines logged for %d oversized records\n", n,
	       FLOOD);
	/* The next window: the line, and the count of those left out. */
	usleep((RL_WINDOW_MS + 500) * 1000);
	EXPECT(oversized(1, NULL) == 1, "an oversized record in the next window: not closed\n");
	m = kmsg_count(missed) - missed0;
	EXPECT(m >= 1, "no \"%s\" line in the next window\n", missed);
	return true;
}

static const struct {
	const char *name;
	bool (*fn)(void);
} tests[] = {
	{ "setup: MNT, LOOKUP of a file, a symlink, a directory; SETATTR mode 0755", t_setup },
	{ "LOOKUP in a file, an executable, a symlink: NOTDIR", t_lookup },
	{ "CREATE UNCHECKED, GUARDED, EXCLUSIVE in a file, an executable, a symlink: NOTDIR",
	  t_create },
	{ "MKDIR in a file, an executable, a symlink: NOTDIR", t_mkdir },
	{ "REMOVE and RMDIR in a file, an executable, a symlink: NOTDIR", t_remove },
	{ "RENAME from and to a file, an executable, a symlink: NOTDIR", t_rename },
	{ "READDIR and READDIRPLUS of a file, an executable, a symlink: NOTDIR", t_readdir },
	{ "SYMLINK, MKNOD, LINK, READLINK: NOTSUPP", t_notsupp },
	{ "READ, WRITE, COMMIT, SETATTR size of a directory: ISDIR; of a symlink: INVAL",
	  t_file_io },
	{ "GETATTR, ACCESS, FSSTAT, FSINFO, PATHCONF, SETATTR atime of any type: OK", t_any_type },
	{ "SETATTR, CREATE, MKDIR with nseconds >= 10^9: INVAL, nothing changed", t_setattr_time },
	{ "50 oversized records: all closed, log lines ratelimited", t_log_ratelimited },
};

int main(int argc, char **argv)
{
	bool set_up = true;
	int c;

	while ((c = getopt(argc, argv, "p:m:e:")) != -1) {
		switch (c) {
		case 'p': nfs_port = atoi(optarg); break;
		case 'm': mnt_port = atoi(optarg); break;
		case 'e': export_path = optarg; break;
		default:
			fprintf(stderr, "usage: zcnfsd_handle_types [-p PORT] [-m MOUNTPORT] [-e EXPORT]\n");
			return 2;
		}
	}
	root.what = "the export root";
	base.what = "a directory";
	reg.what = "a regular file";
	exe.what = "an executable file";
	lnk.what = "a symlink";
	dir.what = "a subdirectory";

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests));
	MSG("server 127.0.0.1 NFS port %d MOUNT port %d export %s\n", nfs_port, mnt_port,
	    export_path);
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		long long t0 = now_ms();
		bool ok;

		if (!set_up) {
			ksft_test_result_fail("%s (no handles: setup failed)\n", tests[i].name);
			continue;
		}
		ok = tests[i].fn();
		if (tests[i].fn == t_setup)
			set_up = ok;
		c = rpc_ping(nfs_port, NFS_PROG);
		if (c) {
			MSG("the server does not answer NULL after this case: %s\n", rpc_strerr(c));
			ok = false;
			set_up = false;
		}
		MSG("(%lld ms)\n", now_ms() - t0);
		ksft_test_result(ok, "%s\n", tests[i].name);
	}
	ksft_finished();
}
