// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd's security model, from the outside: a raw-socket ONC RPC client
 * (zcnfsd_rpc.h) calls as a given AUTH_SYS identity, as AUTH_NONE, or from
 * an unprivileged source port, and checks what NFSD would answer and what
 * the file system holds afterwards (stat(2) of the export's local path);
 * and it holds idle, trickling and non-reading connections while a fresh
 * client must be served, or waits for the server to close idle and stalled
 * connections.
 *
 *   zcnfsd_security [-p PORT] [-m MOUNTPORT] -e EXPORT CASE [ARG]
 *
 * One case per run, exit 0 on success ("# " lines say what was seen).  The
 * export (set up by zcnfsd_security.sh, all owned by root) holds:
 *   secret    0600 file        public  0644 file       big   4 MiB file
 *   rootdir/  0755 directory, with rootdir/victim (0644)
 *   open/     1777 directory (anyone creates there)
 */
#include <stdarg.h>
#include <sys/stat.h>

#include "zcnfsd_rpc.h"

static int nfs_port = 2049, mnt_port = 20048;
static const char *export_path;

#define NFSPROC3_ACCESS	4
#define NFSPROC3_MKDIR	9
#define NFS3ERR_PERM	1
#define MNT3ERR_ACCES	13
#define GUARDED		1

/* ACCESS3 bits. */
#define A_READ		0x01
#define A_LOOKUP	0x02
#define A_MODIFY	0x04
#define A_EXTEND	0x08
#define A_DELETE	0x10
#define A_EXECUTE	0x20

static void msg(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

#define FAIL(...)	do { msg(__VA_ARGS__); return false; } while (0)
#define EXPECT(c, ...)	do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

struct fh {
	uint8_t b[FHSIZE3];
	uint32_t len;
};

static struct fh root;

/* Who calls: AUTH_SYS uid/gid (no supplementary group), or AUTH_NONE. */
static void as_user(uint32_t uid, uint32_t gid)
{
	rpc_cred = CRED_SYS;
	rpc_uid = uid;
	rpc_gid = gid;
}

static void as_none(void)
{
	rpc_cred = CRED_NONE;
}

/*
 * One call on a fresh connection: the status word of the results (nfsstat3
 * or mountstat3) with r->res after it, or a negative RPC_* / -errno (r is
 * then freed).
 */
static long call(uint32_t prog, uint32_t proc, const struct xbuf *args, struct reply *r)
{
	int fd = rpc_connect(prog == MNT_PROG ? mnt_port : nfs_port), err;
	uint32_t st;

	if (fd < 0)
		return fd;
	err = rpc_proc(fd, prog, 3, proc, args, r);
	rpc_close(fd);
	if (!err && (r->rstat != MSG_ACCEPTED || r->astat != SUCCESS)) {
		describe_reply("call", r);
		err = RPC_PROTO;
	}
	if (err) {
		xb_free(&r->raw);
		return err;
	}
	st = get_u32(&r->res);
	return r->res.bad ? RPC_PROTO : (long)st;
}

/* A call whose results only matter by their status. */
static long call_st(uint32_t prog, uint32_t proc, struct xbuf *args)
{
	struct reply r = {0};
	long st = call(prog, proc, args, &r);

	xb_free(args);
	if (st >= 0)
		xb_free(&r.raw);
	return st;
}

static void put_fh(struct xbuf *b, const struct fh *f)
{
	put_opaque(b, f->b, f->len);
}

static bool get_fh(struct dec *d, struct fh *out)
{
	const uint8_t *p = get_opaque(d, &out->len, FHSIZE3);

	if (!p || !out->len)
		return false;
	memcpy(out->b, p, out->len);
	return true;
}

static long mnt(struct fh *out)
{
	struct xbuf a = {0};
	struct reply r = {0};
	long st;

	put_string(&a, export_path);
	st = call(MNT_PROG, MNTPROC_MNT, &a, &r);
	xb_free(&a);
	if (st == 0 && out && !get_fh(&r.res, out))
		st = RPC_PROTO;
	if (st >= 0)
		xb_free(&r.raw);
	return st;
}

static long lookup(const struct fh *dir, const char *name, struct fh *out)
{
	struct xbuf a = {0};
	struct reply r = {0};
	long st;

	put_fh(&a, dir);
	put_string(&a, name);
	st = call(NFS_PROG, NFSPROC3_LOOKUP, &a, &r);
	xb_free(&a);
	if (st == NFS3_OK && !get_fh(&r.res, out))
		st = RPC_PROTO;
	if (st >= 0)
		xb_free(&r.raw);
	return st;
}

/* sattr3: mode, uid, gid, size (each -1: unchanged), times unchanged. */
static void put_sattr(struct xbuf *b, long mode, long uid, long gid, long long size)
{
	put_u32(b, mode >= 0);
	if (mode >= 0)
		put_u32(b, mode);
	put_u32(b, uid >= 0);
	if (uid >= 0)
		put_u32(b, uid);
	put_u32(b, gid >= 0);
	if (gid >= 0)
		put_u32(b, gid);
	put_u32(b, size >= 0);
	if (size >= 0)
		put_u64(b, size);
	put_u32(b, 0);
	put_u32(b, 0);
}

/* CREATE (GUARDED) of a regular file with `mode`. */
static long create(const struct fh *dir, const char *name, long mode)
{
	struct xbuf a = {0};

	put_fh(&a, dir);
	put_string(&a, name);
	put_u32(&a, GUARDED);
	put_sattr(&a, mode, -1, -1, -1);
	return call_st(NFS_PROG, NFSPROC3_CREATE, &a);
}

static long mkdir_(const struct fh *dir, const char *name, long mode)
{
	struct xbuf a = {0};

	put_fh(&a, dir);
	put_string(&a, name);
	put_sattr(&a, mode, -1, -1, -1);
	return call_st(NFS_PROG, NFSPROC3_MKDIR, &a);
}

static long remove_(const struct fh *dir, const char *name)
{
	struct xbuf a = {0};

	put_fh(&a, dir);
	put_string(&a, name);
	return call_st(NFS_PROG, NFSPROC3_REMOVE, &a);
}

static long setattr(const struct fh *f, long mode, long uid, long gid, long long size)
{
	struct xbuf a = {0};

	put_fh(&a, f);
	put_sattr(&a, mode, uid, gid, size);
	put_u32(&a, 0);			/* no guard */
	return call_st(NFS_PROG, NFSPROC3_SETATTR, &a);
}

static long access_(const struct fh *f, uint32_t want, uint32_t *granted)
{
	struct xbuf a = {0};
	struct reply r = {0};
	long st;

	put_fh(&a, f);
	put_u32(&a, want);
	st = call(NFS_PROG, NFSPROC3_ACCESS, &a, &r);
	xb_free(&a);
	if (st == NFS3_OK) {
		get_post_op_attr(&r.res, NULL);
		*granted = get_u32(&r.res);
		if (r.res.bad)
			st = RPC_PROTO;
	}
	if (st >= 0)
		xb_free(&r.raw);
	return st;
}

static long read_(const struct fh *f, uint32_t count)
{
	struct xbuf a = {0};

	put_fh(&a, f);
	put_u64(&a, 0);
	put_u32(&a, count);
	return call_st(NFS_PROG, NFSPROC3_READ, &a);
}

/* WRITE of len bytes of 'x' at 0, FILE_SYNC, as one record. */
static long write_(const struct fh *f, uint32_t len)
{
	struct xbuf a = {0};
	uint8_t *data = malloc(len);
	long st;

	memset(data, 'x', len);
	put_fh(&a, f);
	put_u64(&a, 0);
	put_u32(&a, len);
	put_u32(&a, FILE_SYNC);
	put_u32(&a, len);
	put_bytes(&a, data, len);
	put_pad(&a, len);
	free(data);
	st = call_st(NFS_PROG, NFSPROC3_WRITE, &a);
	return st;
}

/* The local path of a name in the export. */
static const char *local(const char *name)
{
	static char p[4096];

	snprintf(p, sizeof(p), "%s/%s", export_path, name);
	return p;
}

static bool stat_of(const char *name, struct stat *st)
{
	if (stat(local(name), st)) {
		msg("stat %s: %s\n", local(name), strerror(errno));
		return false;
	}
	return true;
}

/* The object `name` (a path under the export) exists locally: 1, 0, or -1. */
static int exists(const char *name)
{
	struct stat st;

	if (!stat(local(name), &st))
		return 1;
	return errno == ENOENT ? 0 : -1;
}

static bool lookup_ok(const char *path, struct fh *out)
{
	struct fh dir = root;
	char buf[256], *save, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		long st = lookup(&dir, part, out);

		EXPECT(st == NFS3_OK, "LOOKUP %s (uid %u): status %ld\n", part, rpc_uid, st);
		dir = *out;
	}
	return true;
}

#define EXPECT_ST(what, got, want)                                                      \
	do {                                                                            \
		long g_ = (got);                                                        \
		EXPECT(g_ == (want), "%s: status %ld, expected %ld\n", what, g_, (long)(want)); \
		msg("%s: status %ld as expected\n", what, g_);                          \
	} while (0)

/* ---- Cases ----------------------------------------------------------- */

static bool c_read_write_denied(void)
{
	struct fh f;
	struct stat st;

	as_user(1000, 1000);
	if (!lookup_ok("secret", &f))
		return false;
	EXPECT_ST("uid 1000 READ of root's 0600 file", read_(&f, 4096), NFS3ERR_ACCES);
	EXPECT_ST("uid 1000 WRITE of 64 KiB to it", write_(&f, 65536), NFS3ERR_ACCES);
	EXPECT_ST("uid 1000 WRITE of 10 bytes to it", write_(&f, 10), NFS3ERR_ACCES);
	if (!stat_of("secret", &st))
		return false;
	EXPECT(st.st_size == 7, "secret: size %lld, expected 7 (unchanged)\n",
	       (long long)st.st_size);
	/* The same file as a file handle of another caller does not help. */
	as_user(1000, 0);
	EXPECT_ST("uid 1000 gid 0 READ of it (mode 0600: no group access)", read_(&f, 4096),
		  NFS3ERR_ACCES);
	return true;
}

static bool c_create_denied(void)
{
	struct fh d;

	as_user(1000, 1000);
	if (!lookup_ok("rootdir", &d))
		return false;
	EXPECT_ST("uid 1000 CREATE in root's 0755 directory", create(&d, "new", 0644),
		  NFS3ERR_ACCES);
	EXPECT_ST("uid 1000 MKDIR in it", mkdir_(&d, "newdir", 0755), NFS3ERR_ACCES);
	EXPECT_ST("uid 1000 REMOVE of root's file in it", remove_(&d, "victim"), NFS3ERR_ACCES);
	EXPECT(exists("rootdir/new") == 0 && exists("rootdir/newdir") == 0,
	       "something was created in rootdir\n");
	EXPECT(exists("rootdir/victim") == 1, "rootdir/victim is gone\n");
	return true;
}

static bool c_setattr_denied(void)
{
	struct fh f;
	struct stat st;

	as_user(1000, 1000);
	if (!lookup_ok("public", &f))
		return false;
	EXPECT_ST("uid 1000 chmod 0666 of root's file", setattr(&f, 0666, -1, -1, -1),
		  NFS3ERR_PERM);
	EXPECT_ST("uid 1000 chown to 1000 of root's file", setattr(&f, -1, 1000, -1, -1),
		  NFS3ERR_PERM);
	EXPECT_ST("uid 1000 chgrp to 1000 of root's file", setattr(&f, -1, -1, 1000, -1),
		  NFS3ERR_PERM);
	EXPECT_ST("uid 1000 truncate of root's 0644 file", setattr(&f, -1, -1, -1, 0),
		  NFS3ERR_ACCES);
	if (!stat_of("public", &st))
		return false;
	EXPECT((st.st_mode & 07777) == 0644 && st.st_uid == 0 && st.st_gid == 0 &&
		       st.st_size == 7,
	       "public: mode %o owner %u:%u size %lld after the refusals\n", st.st_mode & 07777,
	       st.st_uid, st.st_gid, (long long)st.st_size);
	return true;
}

/* No set-user-ID file owned by root in the export's open/ directory. */
static bool no_setuid_root(void)
{
	static const char *names[] = { "open/suid", "open/rsuid", "open/anon-suid" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct stat st;

		if (stat(local(names[i]), &st))
			continue;
		msg("%s: mode %o owner %u:%u\n", names[i], st.st_mode & 07777, st.st_uid,
		    st.st_gid);
		EXPECT(!(st.st_uid == 0 && (st.st_mode & S_ISUID)),
		       "%s is a set-user-ID file owned by root\n", names[i]);
	}
	return true;
}

static bool c_setuid(void)
{
	struct fh open, f, pub;
	struct stat st;

	as_user(1000, 1000);
	if (!lookup_ok("open", &open) || !lookup_ok("public", &pub))
		return false;
	EXPECT_ST("uid 1000 CREATE open/suid mode 04755", create(&open, "suid", 04755), NFS3_OK);
	if (!lookup_ok("open/suid", &f) || !stat_of("open/suid", &st))
		return false;
	EXPECT(st.st_uid == 1000, "open/suid: owner %u, expected 1000\n", st.st_uid);
	EXPECT_ST("uid 1000 chown of its set-user-ID file to root", setattr(&f, -1, 0, -1, -1),
		  NFS3ERR_PERM);
	EXPECT_ST("uid 1000 chmod 04755 of root's file", setattr(&pub, 04755, -1, -1, -1),
		  NFS3ERR_PERM);
	/* Its own set-user-ID file: the bit is cleared by a write (the VFS's
	 * file_remove_privs for a caller without CAP_FSETID). */
	EXPECT_ST("uid 1000 chmod 06755 of its own file", setattr(&f, 06755, -1, -1, -1),
		  NFS3_OK);
	EXPECT_ST("uid 1000 WRITE of 8 KiB to it", write_(&f, 8192), NFS3_OK);
	if (!stat_of("open/suid", &st))
		return false;
	msg("open/suid after the write: mode %o\n", st.st_mode & 07777);
	EXPECT(!(st.st_mode & S_ISUID), "the write left the set-user-ID bit\n");
	/* Root (squashed) and AUTH_NONE cannot plant one either. */
	as_user(0, 0);
	EXPECT_ST("root CREATE open/rsuid mode 04755", create(&open, "rsuid", 04755), NFS3_OK);
	as_none();
	EXPECT_ST("AUTH_NONE CREATE open/anon-suid mode 04755", create(&open, "anon-suid", 04755),
		  NFS3_OK);
	return no_setuid_root();
}

static bool c_owner(void)
{
	static const uint32_t groups[] = { 2000 };
	struct fh open, f;
	struct stat st;

	as_user(1000, 1000);
	rpc_gids = groups;
	if (!lookup_ok("open", &open))
		return false;
	EXPECT_ST("uid 1000 CREATE open/mine", create(&open, "mine", 0644), NFS3_OK);
	EXPECT_ST("uid 1000 MKDIR open/mydir", mkdir_(&open, "mydir", 0755), NFS3_OK);
	if (!stat_of("open/mine", &st))
		return false;
	EXPECT(st.st_uid == 1000 && st.st_gid == 1000, "open/mine: owner %u:%u, expected 1000:1000\n",
	       st.st_uid, st.st_gid);
	if (!stat_of("open/mydir", &st))
		return false;
	EXPECT(st.st_uid == 1000 && st.st_gid == 1000,
	       "open/mydir: owner %u:%u, expected 1000:1000\n", st.st_uid, st.st_gid);
	msg("open/mine and open/mydir owned by 1000:1000\n");
	if (!lookup_ok("open/mine", &f))
		return false;
	/* Supplementary groups count: chgrp to one of them, not to another. */
	EXPECT_ST("uid 1000 (groups 1000, 2000) chgrp to 2000", setattr(&f, -1, -1, 2000, -1),
		  NFS3_OK);
	EXPECT_ST("uid 1000 chgrp to 3000 (not a member)", setattr(&f, -1, -1, 3000, -1),
		  NFS3ERR_PERM);
	if (!stat_of("open/mine", &st))
		return false;
	EXPECT(st.st_gid == 2000, "open/mine: group %u, expected 2000\n", st.st_gid);
	rpc_gids = NULL;
	return true;
}

struct access_case {
	const char *path;
	uint32_t uid, gid, want, granted;
};

static bool c_access(void)
{
	static const struct access_case cases[] = {
		{ "secret", 1000, 1000, A_READ | A_MODIFY | A_EXTEND | A_EXECUTE, 0 },
		{ "public", 1000, 1000, A_READ | A_MODIFY | A_EXTEND | A_EXECUTE, A_READ },
		{ "open/mine", 1000, 1000, A_READ | A_MODIFY | A_EXTEND | A_EXECUTE,
		  A_READ | A_MODIFY | A_EXTEND },
		{ "rootdir", 1000, 1000, 0x1f, A_READ | A_LOOKUP },
		{ "open", 1000, 1000, 0x1f, 0x1f },
		/* root is squashed to 65534: other's bits. */
		{ "secret", 0, 0, A_READ | A_MODIFY, 0 },
		{ "public", 0, 0, A_READ | A_MODIFY, A_READ },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct access_case *c = &cases[i];
		uint32_t got = ~0u;
		struct fh f;
		long st;

		as_user(c->uid, c->gid);
		if (!lookup_ok(c->path, &f))
			return false;
		st = access_(&f, c->want, &got);
		EXPECT(st == NFS3_OK, "ACCESS %s: status %ld\n", c->path, st);
		msg("ACCESS %#x of %s for uid %u: %#x\n", c->want, c->path, c->uid, got);
		EXPECT(got == c->granted, "ACCESS of %s for uid %u: %#x, expected %#x\n", c->path,
		       c->uid, got, c->granted);
	}
	return true;
}

/*
 * As root: READ of root's 0600 file gets read_st, and a CREATE of open/NAME
 * succeeds with a file owned by owner:owner (root_squash: NFS3ERR_ACCES
 * and 65534, nobody; root_squash=0: NFS3_OK and 0).
 */
static bool root_reads_and_creates(const char *how, long read_st, const char *name,
				   unsigned int owner)
{
	char what[96], path[64];
	struct fh f, open;
	struct stat st;

	as_user(0, 0);
	if (!lookup_ok("secret", &f) || !lookup_ok("open", &open))
		return false;
	snprintf(what, sizeof(what), "root READ of root's 0600 file (%s)", how);
	EXPECT_ST(what, read_(&f, 4096), read_st);
	snprintf(path, sizeof(path), "open/%s", name);
	snprintf(what, sizeof(what), "root CREATE %s", path);
	EXPECT_ST(what, create(&open, name, 0644), NFS3_OK);
	if (!stat_of(path, &st))
		return false;
	EXPECT(st.st_uid == owner && st.st_gid == owner, "%s: owner %u:%u, expected %u:%u\n",
	       path, st.st_uid, st.st_gid, owner, owner);
	msg("%s owned by %u:%u\n", path, owner, owner);
	return true;
}

static bool c_root_squashed(void)
{
	return root_reads_and_creates("squashed", NFS3ERR_ACCES, "byroot", 65534);
}

static bool c_root_unsquashed(void)
{
	return root_reads_and_creates("root_squash=0", NFS3_OK, "byroot0", 0);
}

static bool c_auth_none(void)
{
	struct fh f, pub, open;
	struct stat st;

	as_none();
	if (!lookup_ok("secret", &f) || !lookup_ok("public", &pub) || !lookup_ok("open", &open))
		return false;
	EXPECT_ST("AUTH_NONE READ of root's 0600 file", read_(&f, 4096), NFS3ERR_ACCES);
	EXPECT_ST("AUTH_NONE READ of root's 0644 file", read_(&pub, 4096), NFS3_OK);
	EXPECT_ST("AUTH_NONE CREATE open/anon", create(&open, "anon", 0644), NFS3_OK);
	if (!stat_of("open/anon", &st))
		return false;
	EXPECT(st.st_uid == 65534 && st.st_gid == 65534,
	       "open/anon: owner %u:%u, expected 65534:65534\n", st.st_uid, st.st_gid);
	return true;
}

static bool c_insecure_refused(void)
{
	struct fh f;
	struct xbuf a = {0};
	long st;

	/* The handles, from a reserved port. */
	as_user(0, 0);
	if (!lookup_ok("public", &f))
		return false;
	rpc_resvport = false;
	EXPECT(rpc_ping(nfs_port, NFS_PROG) == 0, "NULL from an unprivileged port: no answer\n");
	msg("NULL from an unprivileged port answered\n");
	put_fh(&a, &root);
	EXPECT_ST("GETATTR from an unprivileged port", call_st(NFS_PROG, NFSPROC3_GETATTR, &a),
		  NFS3ERR_PERM);
	EXPECT_ST("WRITE from an unprivileged port", write_(&f, 4096), NFS3ERR_PERM);
	EXPECT_ST("READ from an unprivileged port", read_(&f, 4096), NFS3ERR_PERM);
	st = mnt(NULL);
	EXPECT_ST("MNT from an unprivileged port", st, MNT3ERR_ACCES);
	EXPECT(srv_stat("rpc_insecure_port") >= 4, "rpc_insecure_port %lld, expected >= 4\n",
	       srv_stat("rpc_insecure_port"));
	return true;
}

static bool c_insecure_accepted(void)
{
	struct xbuf a = {0};

	rpc_resvport = false;
	EXPECT_ST("MNT from an unprivileged port (secure=0)", mnt(&root), 0);
	put_fh(&a, &root);
	EXPECT_ST("GETATTR from an unprivileged port (secure=0)",
		  call_st(NFS_PROG, NFSPROC3_GETATTR, &a), NFS3_OK);
	return true;
}

/* ---- Connections ---------------------------------------------------- */

/* A connection that sent `bytes` bytes of a call, and then nothing. */
static int open_partial(size_t bytes)
{
	struct xbuf c = {0};
	int fd = rpc_connect(nfs_port);

	if (fd < 0 || !bytes)
		return fd;
	put_u32(&c, LAST_FRAG | 40);
	put_call(&c, rpc_xid(), NFS_PROG, NFS_VERS, 0);
	if (send_all(fd, c.p, bytes < c.len ? bytes : c.len)) {
		rpc_close(fd);
		fd = -1;
	}
	xb_free(&c);
	return fd;
}

/*
 * A connection that asks for four 1 MiB READs of "big" and reads none of
 * the replies: the server's send blocks with loaned pages in flight.
 */
static int open_nonreader(const struct fh *big)
{
	int fd = rpc_connect(nfs_port);

	if (fd < 0)
		return fd;
	for (int i = 0; i < 4; i++) {
		struct xbuf c = {0};
		int err;

		put_u32(&c, 0);
		put_call(&c, rpc_xid(), NFS_PROG, NFS_VERS, NFSPROC3_READ);
		put_fh(&c, big);
		put_u64(&c, (uint64_t)i << 20);
		put_u32(&c, 1 << 20);
		*(uint32_t *)c.p = htonl(LAST_FRAG | (c.len - 4));
		err = send_all(fd, c.p, c.len);
		xb_free(&c);
		if (err) {
			rpc_close(fd);
			return -1;
		}
	}
	return fd;
}

/* NULL from a fresh client, within `ms`: how long it took, or -1. */
static long long fresh_null(int ms)
{
	int saved = rpc_timeout_ms, err;
	long long t0 = now_ms();

	rpc_timeout_ms = ms;
	err = rpc_ping(nfs_port, NFS_PROG);
	rpc_timeout_ms = saved;
	if (err) {
		msg("fresh client: %s after %lld ms\n", rpc_strerr(err), now_ms() - t0);
		return -1;
	}
	return now_ms() - t0;
}

/*
 * `limit` (the server's threads) connections that never send, `limit`
 * that trickle a call one byte a second, and `limit` / 2 that do not read
 * their READ replies: fresh clients must still be served, each within 3
 * seconds, by evicting the least recently active connections.
 */
static bool c_fresh_served(int limit)
{
	int nidle = limit, ntrickle = limit, nstuck = limit / 2 > 0 ? limit / 2 : 1;
	int n = nidle + ntrickle + nstuck, fds[3 * 256 + 2], sent[3 * 256 + 2] = {0};
	long long ev0 = srv_stat("connections_evicted"), worst = 0;
	struct xbuf call = {0};
	struct fh big;
	bool ok = true;

	EXPECT(limit >= 1 && limit <= 256, "limit %d\n", limit);
	as_user(0, 0);
	if (!lookup_ok("big", &big))
		return false;
	put_u32(&call, LAST_FRAG | 40);
	put_call(&call, rpc_xid(), NFS_PROG, NFS_VERS, 0);
	for (int i = 0; i < n; i++) {
		if (i < nidle)
			fds[i] = open_partial(0);
		else if (i < nidle + ntrickle)
			fds[i] = open_partial(1);
		else
			fds[i] = open_nonreader(&big);
		if (fds[i] < 0)
			msg("connection %d: %s\n", i, rpc_strerr(fds[i]));
		sent[i] = 1;
	}
	msg("%d idle, %d trickling, %d not reading (threads=%d)\n", nidle, ntrickle, nstuck,
	    limit);
	for (int round = 0; round < 6; round++) {
		long long t;

		/* One more byte on each trickling connection. */
		for (int i = nidle; i < nidle + ntrickle; i++)
			if (fds[i] >= 0 && sent[i] < (int)call.len &&
			    send(fds[i], call.p + sent[i], 1, MSG_NOSIGNAL) == 1)
				sent[i]++;
		t = fresh_null(3000);
		if (t < 0) {
			ok = false;
			break;
		}
		worst = t > worst ? t : worst;
		usleep(1000 * 1000);
	}
	msg("fresh clients: 6 served, the slowest in %lld ms; connections_evicted +%lld\n", worst,
	    srv_stat("connections_evicted") - ev0);
	for (int i = 0; i < n; i++)
		rpc_close(fds[i]);
	xb_free(&call);
	EXPECT(ok, "a fresh client was not served within 3 s\n");
	EXPECT(srv_stat("connections_evicted") - ev0 >= n - limit,
	       "connections_evicted +%lld, expected at least %d\n",
	       srv_stat("connections_evicted") - ev0, n - limit);
	return true;
}

/*
 * With idle_timeout=T (seconds) and record_timeout=R < T: a connection
 * that never sends, and one that answered a call and then stays silent,
 * are closed after about T seconds; one that trickles a call a byte every
 * 300 ms is closed after about R seconds although bytes keep coming.
 */
static bool c_timeouts(int t_s, int r_s)
{
	long long idle0 = srv_stat("connections_idle_closed");
	long long rec0 = srv_stat("records_timed_out");
	int silent = rpc_connect(nfs_port), used = rpc_connect(nfs_port), err;
	struct xbuf call = {0};
	struct reply r = {0};
	long long t0, t_trickle = -1, t_silent = -1, t_used = -1;
	int trickle;
	size_t sent = 0;

	EXPECT(silent >= 0 && used >= 0, "connect failed\n");
	err = rpc_proc(used, NFS_PROG, NFS_VERS, 0, NULL, &r);
	xb_free(&r.raw);
	EXPECT(!err, "NULL on the used connection: %s\n", rpc_strerr(err));
	trickle = rpc_connect(nfs_port);
	EXPECT(trickle >= 0, "connect failed\n");
	put_u32(&call, LAST_FRAG | 40);
	put_call(&call, rpc_xid(), NFS_PROG, NFS_VERS, 0);
	t0 = now_ms();
	while (now_ms() - t0 < (t_s + 5) * 1000LL &&
	       (t_trickle < 0 || t_silent < 0 || t_used < 0)) {
		struct pollfd p[3] = {
			{ .fd = t_trickle < 0 ? trickle : -1, .events = POLLIN },
			{ .fd = t_silent < 0 ? silent : -1, .events = POLLIN },
			{ .fd = t_used < 0 ? used : -1, .events = POLLIN },
		};
		long long *when[3] = { &t_trickle, &t_silent, &t_used };

		if (t_trickle < 0 && sent < call.len &&
		    send(trickle, call.p + sent, 1, MSG_NOSIGNAL) == 1)
			sent++;
		poll(p, 3, 300);
		for (int i = 0; i < 3; i++) {
			uint8_t b;

			if (p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    recv(p[i].fd, &b, 1, MSG_DONTWAIT) <= 0)
				*when[i] = now_ms() - t0;
		}
	}
	rpc_close(trickle);
	rpc_close(silent);
	rpc_close(used);
	xb_free(&call);
	msg("closed by the server after: trickling %lld ms (%zu bytes sent), silent %lld ms, "
	    "after a call %lld ms; connections_idle_closed +%lld records_timed_out +%lld\n",
	    t_trickle, sent, t_silent, t_used, srv_stat("connections_idle_closed") - idle0,
	    srv_stat("records_timed_out") - rec0);
	EXPECT(t_trickle >= (r_s - 1) * 1000LL && t_trickle <= (r_s + 3) * 1000LL,
	       "the trickling connection was not closed after about %d s\n", r_s);
	EXPECT(t_silent >= (t_s - 1) * 1000LL && t_silent <= (t_s + 4) * 1000LL,
	       "the silent connection was not closed after about %d s\n", t_s);
	EXPECT(t_used >= (t_s - 1) * 1000LL && t_used <= (t_s + 4) * 1000LL,
	       "the connection idle after a call was not closed after about %d s\n", t_s);
	EXPECT(srv_stat("connections_idle_closed") - idle0 >= 2 &&
		       srv_stat("records_timed_out") - rec0 >= 1,
	       "the counters do not show the closes\n");
	return true;
}

static int usage(void)
{
	fprintf(stderr, "usage: zcnfsd_security [-p PORT] [-m MOUNTPORT] -e EXPORT CASE [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		bool (*fn)(void);
	} cases[] = {
		{ "read-write-denied", c_read_write_denied },
		{ "create-denied", c_create_denied },
		{ "setattr-denied", c_setattr_denied },
		{ "setuid", c_setuid },
		{ "owner", c_owner },
		{ "access", c_access },
		{ "root-squashed", c_root_squashed },
		{ "root-unsquashed", c_root_unsquashed },
		{ "auth-none", c_auth_none },
		{ "insecure-refused", c_insecure_refused },
		{ "insecure-accepted", c_insecure_accepted },
	};
	const char *name;
	long st;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "p:m:e:")) != -1) {
		switch (c) {
		case 'p': nfs_port = atoi(optarg); break;
		case 'm': mnt_port = atoi(optarg); break;
		case 'e': export_path = optarg; break;
		default: return usage();
		}
	}
	if (!export_path || optind >= argc)
		return usage();
	name = argv[optind];
	rpc_timeout_ms = 20000;
	if (!strcmp(name, "fresh-served") && optind + 2 == argc) {
		if ((st = mnt(&root)) != 0)
			return msg("MNT: %ld\n", st), 1;
		return c_fresh_served(atoi(argv[optind + 1])) ? 0 : 1;
	}
	if (!strcmp(name, "timeouts") && optind + 3 == argc)
		return c_timeouts(atoi(argv[optind + 1]), atoi(argv[optind + 2])) ? 0 : 1;
	if (optind + 1 != argc)
		return usage();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(name, cases[i].name))
			continue;
		/* The root handle, as root from a reserved port. */
		if (cases[i].fn != c_insecure_accepted) {
			as_user(0, 0);
			st = mnt(&root);
			if (st != 0) {
				msg("MNT %s: %ld\n", export_path, st);
				return 1;
			}
		}
		return cases[i].fn() ? 0 : 1;
	}
	return usage();
}
