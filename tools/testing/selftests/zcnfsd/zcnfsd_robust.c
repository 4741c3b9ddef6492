// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd robustness: a raw-socket ONC RPC client (zcnfsd_rpc.h, hand-built
 * XDR) sends well-formed and malformed traffic to the server -- record marks
 * of length 0 and 2^31-1, truncated records, fragment chains, bad XDR, wrong
 * RPC version, unknown program, version and procedure, garbage credentials,
 * bad file handles, READ beyond EOF, WRITEs whose count exceeds their
 * payload, 64 connections at once -- and checks that every case gets the
 * proper RPC or NFS error or a closed connection (RFC 5531, RFC 1813, and
 * what Linux's nfsd answers), that after every case the server still
 * answers NULL on a fresh connection, and at the end that it holds no loan,
 * no zero-copy send and no connection.  Leaks are caught by the guest's
 * kmemleak scan at the end of the run.
 *
 *   zcnfsd_robust [-p PORT] [-m MOUNTPORT] [-e EXPORT]   the test (KTAP)
 *   zcnfsd_robust [-p PORT] [-m MOUNTPORT] ping          exit 0 iff both NULLs answer
 *   zcnfsd_robust [-p PORT] [-m MOUNTPORT] [-e EXPORT] conns N
 *                   N (<= 64) connections at once, held open: prints
 *                   "answered A closed C"
 *
 * The server must be loaded with EXPORT (a zcfs mount) exported.
 */
#include "kselftest.h"
#include "zcnfsd_rpc.h"

static int nfs_port = 2049, mnt_port = 20048;
static const char *export_path = "/mnt/zcfs";

static uint8_t root_fh[FHSIZE3], file_fh[FHSIZE3];
static uint32_t root_fh_len, file_fh_len;

#define FILE_NAME	"zcnfsd-robust.dat"
#define FILE_LEN	10000
static uint8_t file_data[FILE_LEN];

#define MSG(...)	ksft_print_msg(__VA_ARGS__)
#define FAIL(...)	do { MSG(__VA_ARGS__); return false; } while (0)
#define EXPECT(c, ...)	do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill_random(uint8_t *b, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)splitmix(&seed);
}

static int port_of(uint32_t prog)
{
	return prog == MNT_PROG ? mnt_port : nfs_port;
}

/* One call on a fresh connection (AUTH_SYS). */
static int call1(uint32_t prog, uint32_t vers, uint32_t proc, const struct xbuf *args,
		 struct reply *r)
{
	int fd = rpc_connect(port_of(prog)), err;

	if (fd < 0)
		return fd;
	err = rpc_proc(fd, prog, vers, proc, args, r);
	rpc_close(fd);
	return err;
}

/* A raw record body (its first word the xid) on a fresh connection. */
static int raw1(int port, const struct xbuf *body, struct reply *r)
{
	int fd = rpc_connect(port), err;

	if (fd < 0)
		return fd;
	err = rpc_call(fd, body, r);
	rpc_close(fd);
	return err;
}

static bool accepted(const char *what, int err, const struct reply *r, uint32_t astat)
{
	if (err)
		FAIL("%s: %s (expected %s)\n", what, rpc_strerr(err), accept_name(astat));
	if (r->rstat != MSG_ACCEPTED || r->astat != astat) {
		describe_reply(what, r);
		FAIL("%s: expected MSG_ACCEPTED %s\n", what, accept_name(astat));
	}
	return true;
}

/* The nfsstat3 (or mountstat3) of a successful RPC, or -1. */
static long res_status(struct reply *r)
{
	uint32_t s;

	if (r->rstat != MSG_ACCEPTED || r->astat != SUCCESS)
		return -1;
	s = get_u32(&r->res);
	return r->res.bad ? -1 : (long)s;
}

/* An accepted call whose nfsstat3 is one of want[] (terminated by -1). */
static bool nfs_status_in(const char *what, int err, struct reply *r, const long *want)
{
	long st;

	if (!accepted(what, err, r, SUCCESS))
		return false;
	st = res_status(r);
	for (const long *w = want; *w != -1; w++)
		if (st == *w)
			return true;
	MSG("%s: nfsstat3 %ld; expected one of:", what, st);
	for (const long *w = want; *w != -1; w++)
		printf(" %ld", *w);
	printf("\n");
	return false;
}

static void put_fh(struct xbuf *b, const uint8_t *fh, uint32_t len)
{
	put_opaque(b, fh, len);
}

static void put_root_fh(struct xbuf *b)
{
	put_fh(b, root_fh, root_fh_len);
}

/* READ: nfsstat3 (data copied to out, *got, *eof) or RPC_*. */
static long nfs_read(int fd, const uint8_t *fh, uint32_t fhlen, uint64_t off, uint32_t count,
		     uint8_t *out, size_t outmax, uint32_t *got, bool *eof)
{
	struct xbuf a = {0};
	struct reply r = {0};
	long st;
	int err;

	put_fh(&a, fh, fhlen);
	put_u64(&a, off);
	put_u32(&a, count);
	err = rpc_proc(fd, NFS_PROG, NFS_VERS, NFSPROC3_READ, &a, &r);
	xb_free(&a);
	if (err) {
		xb_free(&r.raw);
		return err;
	}
	st = res_status(&r);
	if (st == NFS3_OK) {
		uint32_t n, dlen;
		const uint8_t *data;

		get_post_op_attr(&r.res, NULL);
		n = get_u32(&r.res);
		*eof = get_u32(&r.res);
		data = get_opaque(&r.res, &dlen, 64u << 20);
		if (r.res.bad || n != dlen || dlen > outmax) {
			MSG("READ reply: count %u, data length %u (room %zu)%s\n", n, dlen, outmax,
			    r.res.bad ? ", truncated" : "");
			st = RPC_PROTO;
		} else {
			if (dlen)
				memcpy(out, data, dlen);
			*got = dlen;
		}
	} else if (st < 0) {
		describe_reply("READ", &r);
		st = RPC_PROTO;
	}
	xb_free(&r.raw);
	return st;
}

/* WRITE args up to and including the data length word. */
static void put_write_hdr(struct xbuf *b, const uint8_t *fh, uint32_t fhlen, uint64_t off,
			  uint32_t count, uint32_t stable, uint32_t dlen)
{
	put_fh(b, fh, fhlen);
	put_u64(b, off);
	put_u32(b, count);
	put_u32(b, stable);
	put_u32(b, dlen);
}

/* WRITE: nfsstat3 (*count, *committed) or RPC_*. */
static long nfs_write(int fd, const uint8_t *fh, uint32_t fhlen, uint64_t off,
		      const uint8_t *data, uint32_t len, uint32_t stable, uint32_t *count,
		      uint32_t *committed)
{
	struct xbuf a = {0};
	struct reply r = {0};
	long st;
	int err;

	put_write_hdr(&a, fh, fhlen, off, len, stable, len);
	put_bytes(&a, data, len);
	put_pad(&a, len);
	err = rpc_proc(fd, NFS_PROG, NFS_VERS, NFSPROC3_WRITE, &a, &r);
	xb_free(&a);
	if (err) {
		xb_free(&r.raw);
		return err;
	}
	st = res_status(&r);
	if (st == NFS3_OK) {
		skip_wcc(&r.res);
		*count = get_u32(&r.res);
		*committed = get_u32(&r.res);
		skip(&r.res, 8);
		if (r.res.bad)
			st = RPC_PROTO;
	} else if (st < 0) {
		describe_reply("WRITE", &r);
		st = RPC_PROTO;
	}
	xb_free(&r.raw);
	return st;
}

/* The file's whole content through READ equals `want` (FILE_LEN bytes). */
static bool file_is(const uint8_t *want, const char *when)
{
	static uint8_t got[FILE_LEN + 8192];
	uint32_t n = 0;
	bool eof = false;
	int fd = rpc_connect(nfs_port);
	long st;

	EXPECT(fd >= 0, "%s: connect: %s\n", when, rpc_strerr(fd));
	st = nfs_read(fd, file_fh, file_fh_len, 0, FILE_LEN + 4096, got, sizeof(got), &n, &eof);
	rpc_close(fd);
	EXPECT(st == NFS3_OK, "%s: READ: status %ld (%s)\n", when, st, st < 0 ? rpc_strerr(st) : "");
	EXPECT(n == FILE_LEN && eof, "%s: READ of the whole file: %u bytes, eof %d; expected %u, 1\n",
	       when, n, eof, FILE_LEN);
	for (uint32_t i = 0; i < n; i++)
		EXPECT(got[i] == want[i], "%s: byte %u is %#x, expected %#x\n", when, i, got[i],
		       want[i]);
	return true;
}

/*
 * After a malformed call with xid on fd, the server either answers it with
 * one of the accept_stat values in astat_mask (bit per value; AUTH_ERROR
 * with auth_ok), or closes the connection.  If it answered and kept the
 * connection, the record framing must be intact: a NULL call on the same
 * connection gets its own reply (or the connection closes).
 */
static bool error_or_closed(int fd, uint32_t xid, unsigned int astat_mask, bool auth_ok,
			    const char *what)
{
	struct reply r = {0}, n = {0};
	struct xbuf c = {0};
	uint32_t nx = rpc_xid();
	int err = recv_reply(fd, xid, &r);
	bool ok = true;

	if (err == RPC_CLOSED) {
		MSG("%s: connection closed\n", what);
		goto out;
	}
	if (err) {
		MSG("%s: %s; expected an error reply or a closed connection\n", what,
		    rpc_strerr(err));
		ok = false;
		goto out;
	}
	describe_reply(what, &r);
	if (!((r.rstat == MSG_ACCEPTED && r.astat < 32 && (astat_mask & (1u << r.astat))) ||
	      (auth_ok && r.rstat == MSG_DENIED && r.jstat == AUTH_ERROR))) {
		MSG("%s: unexpected answer\n", what);
		ok = false;
		goto out;
	}
	put_call(&c, nx, NFS_PROG, NFS_VERS, NFSPROC3_NULL);
	err = send_record(fd, &c);
	if (!err)
		err = recv_reply(fd, nx, &n);
	if (err == RPC_CLOSED)
		MSG("%s: connection closed after the reply\n", what);
	else if (err || n.rstat != MSG_ACCEPTED || n.astat != SUCCESS) {
		MSG("%s: the NULL call after it on the same connection: %s\n", what,
		    err ? rpc_strerr(err) : "not SUCCESS");
		ok = false;
	}
out:
	xb_free(&r.raw);
	xb_free(&n.raw);
	xb_free(&c);
	return ok;
}

/* Something that is not an answerable call was sent: dropped or closed. */
static bool dropped(int fd, const char *what)
{
	struct reply r = {0};
	struct xbuf c = {0};
	uint32_t xid = rpc_xid();
	int err;

	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_NULL);
	err = send_record(fd, &c);
	if (!err)
		err = recv_reply(fd, xid, &r);
	xb_free(&c);
	xb_free(&r.raw);
	if (err == RPC_CLOSED) {
		MSG("%s: connection closed\n", what);
		return true;
	}
	if (err)
		FAIL("%s: %s; expected the call dropped (the next NULL answered) or the connection closed\n",
		     what, rpc_strerr(err));
	if (r.rstat != MSG_ACCEPTED || r.astat != SUCCESS)
		FAIL("%s: the next NULL was not answered SUCCESS\n", what);
	MSG("%s: dropped, the connection still serves\n", what);
	return true;
}

/* ---- The cases ----------------------------------------------------- */

static bool t_null(void)
{
	struct reply r = {0};
	bool ok;
	int err = call1(NFS_PROG, NFS_VERS, NFSPROC3_NULL, NULL, &r);

	ok = accepted("NFS NULL", err, &r, SUCCESS) && r.res.len == 0;
	err = call1(MNT_PROG, MNT_VERS, MNTPROC_NULL, NULL, &r);
	ok = accepted("MOUNT NULL", err, &r, SUCCESS) && r.res.len == 0 && ok;
	xb_free(&r.raw);
	return ok;
}

static bool t_mnt(void)
{
	struct xbuf a = {0};
	struct reply r = {0};
	const uint8_t *fh;
	uint32_t n, flavors;
	bool sys = false;
	long st;
	int err;

	put_string(&a, export_path);
	err = call1(MNT_PROG, MNT_VERS, MNTPROC_MNT, &a, &r);
	xb_free(&a);
	if (!accepted("MNT", err, &r, SUCCESS))
		return false;
	st = get_u32(&r.res);
	EXPECT(st == 0, "MNT %s: mountstat3 %ld\n", export_path, st);
	fh = get_opaque(&r.res, &n, FHSIZE3);
	EXPECT(fh && n > 0, "MNT: no valid file handle (length %u)\n", n);
	memcpy(root_fh, fh, n);
	root_fh_len = n;
	flavors = get_u32(&r.res);
	for (uint32_t i = 0; i < flavors && !r.res.bad; i++)
		sys |= get_u32(&r.res) == AUTH_SYS;
	EXPECT(!r.res.bad && sys, "MNT: AUTH_SYS not among %u flavors%s\n", flavors,
	       r.res.bad ? " (truncated reply)" : "");
	MSG("root handle: %u bytes, %u flavors\n", root_fh_len, flavors);

	put_string(&a, "/no/such/export");
	err = call1(MNT_PROG, MNT_VERS, MNTPROC_MNT, &a, &r);
	xb_free(&a);
	if (!accepted("MNT of a bogus path", err, &r, SUCCESS))
		return false;
	st = res_status(&r);
	xb_free(&r.raw);
	EXPECT(st > 0, "MNT of a path that is not exported: mountstat3 %ld, expected an error\n", st);
	return true;
}

static bool t_getattr_root(void)
{
	struct xbuf a = {0};
	struct reply r = {0};
	struct fattr fa;
	long st;
	int err;

	put_root_fh(&a);
	err = call1(NFS_PROG, NFS_VERS, NFSPROC3_GETATTR, &a, &r);
	xb_free(&a);
	if (!accepted("GETATTR", err, &r, SUCCESS))
		return false;
	st = get_u32(&r.res);
	get_fattr(&r.res, &fa);
	xb_free(&r.raw);
	EXPECT(st == NFS3_OK && !r.res.bad, "GETATTR root: status %ld\n", st);
	EXPECT(fa.type == NF3DIR, "GETATTR root: type %u, expected NF3DIR\n", fa.type);
	return true;
}

/* CREATE FILE_NAME (UNCHECKED, size 0), or LOOKUP it; file_fh set. */
static bool create_file(void)
{
	struct xbuf a = {0};
	struct reply r = {0};
	const uint8_t *fh;
	uint32_t n;
	long st;
	int err;

	put_root_fh(&a);
	put_string(&a, FILE_NAME);
	put_u32(&a, 0);			/* UNCHECKED */
	put_u32(&a, 1);			/* mode 0644 */
	put_u32(&a, 0644);
	put_u32(&a, 0);
	put_u32(&a, 0);
	put_u32(&a, 1);			/* size 0 */
	put_u64(&a, 0);
	put_u32(&a, 1);			/* atime, mtime: server time */
	put_u32(&a, 1);
	err = call1(NFS_PROG, NFS_VERS, NFSPROC3_CREATE, &a, &r);
	xb_free(&a);
	if (!accepted("CREATE", err, &r, SUCCESS))
		return false;
	st = get_u32(&r.res);
	EXPECT(st == NFS3_OK, "CREATE %s: status %ld\n", FILE_NAME, st);
	if (get_u32(&r.res)) {
		fh = get_opaque(&r.res, &n, FHSIZE3);
		EXPECT(fh && n, "CREATE: bad post_op_fh3\n");
		memcpy(file_fh, fh, n);
		file_fh_len = n;
		xb_free(&r.raw);
		return true;
	}
	/* No handle in the reply: LOOKUP, as clients do. */
	put_root_fh(&a);
	put_string(&a, FILE_NAME);
	err = call1(NFS_PROG, NFS_VERS, NFSPROC3_LOOKUP, &a, &r);
	xb_free(&a);
	if (!accepted("LOOKUP", err, &r, SUCCESS))
		return false;
	st = get_u32(&r.res);
	fh = get_opaque(&r.res, &n, FHSIZE3);
	EXPECT(st == NFS3_OK && fh && n, "LOOKUP %s: status %ld\n", FILE_NAME, st);
	memcpy(file_fh, fh, n);
	file_fh_len = n;
	xb_free(&r.raw);
	return true;
}

static bool t_create_write_read(void)
{
	static uint8_t got[FILE_LEN];
	uint32_t count = 0, committed = 0, n = 0;
	bool eof = true;
	long st;
	int fd;

	if (!create_file())
		return false;
	fill_random(file_data, FILE_LEN, 42);
	fd = rpc_connect(nfs_port);
	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	st = nfs_write(fd, file_fh, file_fh_len, 0, file_data, FILE_LEN, FILE_SYNC, &count,
		       &committed);
	if (st != NFS3_OK || count != FILE_LEN || committed != FILE_SYNC) {
		rpc_close(fd);
		FAIL("WRITE %u bytes FILE_SYNC: status %ld count %u committed %u\n", FILE_LEN, st,
		     count, committed);
	}
	/* Not at EOF: eof false. */
	st = nfs_read(fd, file_fh, file_fh_len, 0, 8192, got, sizeof(got), &n, &eof);
	if (st != NFS3_OK || n != 8192 || eof || memcmp(got, file_data, n)) {
		rpc_close(fd);
		FAIL("READ 0+8192: status %ld count %u eof %d%s\n", st, n, eof,
		     st == NFS3_OK && n == 8192 ? " (data differs)" : "");
	}
	/* Across EOF: trimmed, eof true. */
	st = nfs_read(fd, file_fh, file_fh_len, 4096, 8192, got, sizeof(got), &n, &eof);
	rpc_close(fd);
	EXPECT(st == NFS3_OK && n == FILE_LEN - 4096 && eof,
	       "READ 4096+8192 of %u bytes: status %ld count %u eof %d; expected %u, eof\n",
	       FILE_LEN, st, n, eof, FILE_LEN - 4096);
	EXPECT(!memcmp(got, file_data + 4096, n), "READ 4096+8192: data differs\n");
	return file_is(file_data, "READ of the whole file");
}

static bool t_unaligned(void)
{
	static uint8_t got[8192];
	uint8_t buf[4097];
	uint32_t count = 0, committed = 0, n = 0;
	bool eof;
	long st;
	int fd = rpc_connect(nfs_port);

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	fill_random(buf, sizeof(buf), 7);
	/* 4097 bytes at 4095: three pages touched, 3 bytes of XDR padding. */
	st = nfs_write(fd, file_fh, file_fh_len, 4095, buf, sizeof(buf), UNSTABLE, &count,
		       &committed);
	if (st != NFS3_OK || count != sizeof(buf)) {
		rpc_close(fd);
		FAIL("WRITE 4097 bytes at 4095: status %ld count %u\n", st, count);
	}
	memcpy(file_data + 4095, buf, sizeof(buf));
	/* 1 byte at 1 (padding 3), then an unaligned READ. */
	st = nfs_write(fd, file_fh, file_fh_len, 1, buf, 1, DATA_SYNC, &count, &committed);
	if (st != NFS3_OK || count != 1 || committed < DATA_SYNC) {
		rpc_close(fd);
		FAIL("WRITE 1 byte DATA_SYNC: status %ld count %u committed %u\n", st, count,
		     committed);
	}
	file_data[1] = buf[0];
	st = nfs_read(fd, file_fh, file_fh_len, 1, 5001, got, sizeof(got), &n, &eof);
	rpc_close(fd);
	EXPECT(st == NFS3_OK && n == 5001 && !eof, "READ 1+5001: status %ld count %u eof %d\n",
	       st, n, eof);
	EXPECT(!memcmp(got, file_data + 1, n), "READ 1+5001: data differs\n");
	return file_is(file_data, "after the unaligned writes");
}

/* The same record cut into fragments at the given lengths (last: the rest). */
static int send_fragmented(int fd, const struct xbuf *rec, const size_t *cuts, size_t ncuts)
{
	size_t pos = 0;
	int err = 0;

	for (size_t i = 0; i <= ncuts && !err; i++) {
		size_t len = i < ncuts ? cuts[i] : rec->len - pos;
		bool last = i == ncuts;

		if (len > rec->len - pos) {
			fprintf(stderr, "send_fragmented: cuts beyond the record\n");
			exit(2);
		}
		struct xbuf f = {0};

		put_u32(&f, (last ? LAST_FRAG : 0) | len);
		put_bytes(&f, rec->p + pos, len);
		err = send_all(fd, f.p, f.len);
		xb_free(&f);
		pos += len;
	}
	return err;
}

static bool t_write_fragments(void)
{
	uint8_t buf[8192];
	/* Cuts inside the header, the data length word and the payload. */
	const size_t cuts[] = { 50, 1, 3000, 2000, 3000 };
	struct xbuf c = {0};
	struct reply r = {0};
	uint32_t xid = rpc_xid();
	long st;
	int err, fd = rpc_connect(nfs_port);

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	fill_random(buf, sizeof(buf), 99);
	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_WRITE);
	put_write_hdr(&c, file_fh, file_fh_len, 0, sizeof(buf), FILE_SYNC, sizeof(buf));
	put_bytes(&c, buf, sizeof(buf));
	err = send_fragmented(fd, &c, cuts, ARRAY_SIZE(cuts));
	if (!err)
		err = recv_reply(fd, xid, &r);
	rpc_close(fd);
	xb_free(&c);
	if (!accepted("fragmented WRITE", err, &r, SUCCESS))
		return false;
	st = get_u32(&r.res);
	skip_wcc(&r.res);
	EXPECT(st == NFS3_OK && get_u32(&r.res) == sizeof(buf) && !r.res.bad,
	       "fragmented WRITE: status %ld\n", st);
	xb_free(&r.raw);
	memcpy(file_data, buf, sizeof(buf));
	return file_is(file_data, "after a WRITE in 6 fragments");
}

static bool t_rm_zero(void)
{
	int fd = rpc_connect(nfs_port);
	bool ok;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	ok = !send_mark(fd, LAST_FRAG | 0) && dropped(fd, "empty record");
	rpc_close(fd);
	return ok;
}

static bool t_rm_oversized(void)
{
	const uint32_t marks[] = { LAST_FRAG | 0x7fffffff, 0x7fffffff };
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(marks); i++) {
		struct xbuf c = {0};
		int fd = rpc_connect(nfs_port), err;

		EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
		/* The mark, then the start of a plausible call. */
		put_u32(&c, marks[i]);
		put_call(&c, rpc_xid(), NFS_PROG, NFS_VERS, NFSPROC3_NULL);
		err = send_all(fd, c.p, c.len);
		xb_free(&c);
		if (!err && wait_closed(fd, rpc_timeout_ms)) {
			MSG("record mark %#x: the connection is still open after %d ms\n", marks[i],
			    rpc_timeout_ms);
			ok = false;
		}
		rpc_close(fd);
	}
	return ok;
}

static bool t_rm_truncated(void)
{
	struct xbuf c = {0};
	int fd = rpc_connect(nfs_port), err;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	put_u32(&c, LAST_FRAG | 200);
	put_call(&c, rpc_xid(), NFS_PROG, NFS_VERS, NFSPROC3_GETATTR);
	put_u32(&c, 32);
	err = send_all(fd, c.p, c.len);
	xb_free(&c);
	usleep(200 * 1000);
	/* A graceful close, so that the server sees EOF mid-record. */
	close(fd);
	EXPECT(!err, "send: %s\n", rpc_strerr(err));
	return true;
}

static bool t_rm_mark_truncated(void)
{
	const uint8_t half[2] = { 0x80, 0x00 };
	int fd = rpc_connect(nfs_port), err;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	err = send_all(fd, half, sizeof(half));
	usleep(200 * 1000);
	close(fd);
	EXPECT(!err, "send: %s\n", rpc_strerr(err));
	return true;
}

static bool t_rm_chains(void)
{
	struct xbuf c = {0};
	struct reply r = {0};
	size_t ones[256];
	uint32_t xid = rpc_xid();
	bool ok = true;
	int err, fd = rpc_connect(nfs_port);

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	/* A GETATTR in 1-byte fragments. */
	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_GETATTR);
	put_root_fh(&c);
	for (size_t i = 0; i < ARRAY_SIZE(ones); i++)
		ones[i] = 1;
	err = send_fragmented(fd, &c, ones, c.len - 1 < ARRAY_SIZE(ones) ? c.len - 1 : ARRAY_SIZE(ones));
	if (!err)
		err = recv_reply(fd, xid, &r);
	ok = accepted("GETATTR in 1-byte fragments", err, &r, SUCCESS) && res_status(&r) == NFS3_OK;
	/* A NULL in three fragments, then one ended by an empty last fragment. */
	c.len = 0;
	xid = rpc_xid();
	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_NULL);
	{
		const size_t cuts[] = { 5, 11 };

		err = send_fragmented(fd, &c, cuts, 2);
	}
	if (!err)
		err = recv_reply(fd, xid, &r);
	ok = accepted("NULL in 3 fragments", err, &r, SUCCESS) && ok;
	c.len = 0;
	xid = rpc_xid();
	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_NULL);
	{
		const size_t cuts[] = { c.len };

		err = send_fragmented(fd, &c, cuts, 1);
	}
	if (!err)
		err = recv_reply(fd, xid, &r);
	ok = accepted("NULL ended by an empty last fragment", err, &r, SUCCESS) && ok;
	rpc_close(fd);
	xb_free(&c);
	xb_free(&r.raw);
	return ok;
}

static bool t_rm_chain_huge(void)
{
	static uint8_t zero[1 << 20];
	struct xbuf c = {0};
	struct timeval tv = { .tv_sec = rpc_timeout_ms / 1000 };
	uint32_t xid = rpc_xid();
	int err, fd = rpc_connect(nfs_port), i;
	bool ok;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_NULL);
	err = send_mark(fd, c.len);
	if (!err)
		err = send_all(fd, c.p, c.len);
	xb_free(&c);
	/* 16 MiB of non-last fragments: more than any call needs. */
	for (i = 0; i < 16 && !err; i++) {
		err = send_mark(fd, sizeof(zero));
		if (!err)
			err = send_all(fd, zero, sizeof(zero));
	}
	if (!err)
		err = send_mark(fd, LAST_FRAG | 0);
	if (err == RPC_CLOSED) {
		MSG("closed by the server after %d MiB\n", i);
		rpc_close(fd);
		return true;
	}
	if (err) {
		rpc_close(fd);
		FAIL("sending 16 MiB of fragments: %s (the server neither reads nor closes)\n",
		     rpc_strerr(err));
	}
	/* Everything was taken: the answer is a reply or a close. */
	ok = error_or_closed(fd, xid, 1u << SUCCESS | 1u << GARBAGE_ARGS | 1u << SYSTEM_ERR,
			     false, "16 MiB NULL record");
	rpc_close(fd);
	return ok;
}

static bool t_slow_sender(void)
{
	struct xbuf c = {0};
	struct reply r = {0};
	uint32_t xid = rpc_xid();
	int err = 0, fd = rpc_connect(nfs_port);
	bool ok;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	put_u32(&c, 0);
	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_GETATTR);
	put_root_fh(&c);
	*(uint32_t *)c.p = htonl(LAST_FRAG | (c.len - 4));
	for (size_t i = 0; i < c.len && !err; i++) {
		err = send_all(fd, c.p + i, 1);
		if (i % 16 == 0)
			usleep(1000);
	}
	if (!err)
		err = recv_reply(fd, xid, &r);
	ok = accepted("GETATTR one byte per send", err, &r, SUCCESS) && res_status(&r) == NFS3_OK;
	rpc_close(fd);
	xb_free(&c);
	xb_free(&r.raw);
	return ok;
}

static bool t_pipelined(void)
{
	struct xbuf all = {0}, c = {0};
	struct reply r = {0};
	uint32_t xid[3];
	const uint32_t proc[3] = { NFSPROC3_NULL, NFSPROC3_GETATTR, NFSPROC3_NULL };
	bool ok = true;
	int err, fd = rpc_connect(nfs_port);

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	for (int i = 0; i < 3; i++) {
		xid[i] = rpc_xid();
		c.len = 0;
		put_call(&c, xid[i], NFS_PROG, NFS_VERS, proc[i]);
		if (proc[i] == NFSPROC3_GETATTR)
			put_root_fh(&c);
		put_u32(&all, LAST_FRAG | c.len);
		put_bytes(&all, c.p, c.len);
	}
	err = send_all(fd, all.p, all.len);
	for (int i = 0; i < 3 && ok; i++) {
		if (!err)
			err = recv_reply(fd, xid[i], &r);
		ok = accepted("pipelined call", err, &r, SUCCESS);
	}
	rpc_close(fd);
	xb_free(&all);
	xb_free(&c);
	xb_free(&r.raw);
	return ok;
}

static bool t_not_call(void)
{
	const uint32_t types[] = { MSG_REPLY, 7 };
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct xbuf c = {0};
		int fd = rpc_connect(nfs_port), err;

		EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
		put_call(&c, rpc_xid(), NFS_PROG, NFS_VERS, NFSPROC3_NULL);
		((uint32_t *)c.p)[1] = htonl(types[i]);
		err = send_record(fd, &c);
		ok = !err && dropped(fd, types[i] == MSG_REPLY ? "msg_type REPLY" : "msg_type 7") &&
		     ok;
		xb_free(&c);
		rpc_close(fd);
	}
	return ok;
}

static bool t_rpcvers(void)
{
	struct xbuf c = {0};
	struct reply r = {0};
	int err;

	put_call_ex(&c, rpc_xid(), 3, NFS_PROG, NFS_VERS, NFSPROC3_NULL, CRED_SYS);
	err = raw1(nfs_port, &c, &r);
	xb_free(&c);
	xb_free(&r.raw);
	EXPECT(!err, "rpcvers 3: %s\n", rpc_strerr(err));
	if (r.rstat != MSG_DENIED || r.jstat != RPC_MISMATCH || r.lo != 2 || r.hi != 2) {
		describe_reply("rpcvers 3", &r);
		FAIL("rpcvers 3: expected MSG_DENIED RPC_MISMATCH 2..2\n");
	}
	return true;
}

static bool t_prog_unavail(void)
{
	struct reply r = {0};
	int err;
	bool ok;

	/* On the NFS port and on the MOUNT port. */
	{
		struct xbuf c = {0};

		put_call(&c, rpc_xid(), 12345, 1, 0);
		err = raw1(nfs_port, &c, &r);
		ok = accepted("program 12345 (NFS port)", err, &r, PROG_UNAVAIL);
		c.len = 0;
		put_call(&c, rpc_xid(), 12345, 1, 0);
		err = raw1(mnt_port, &c, &r);
		ok = accepted("program 12345 (MOUNT port)", err, &r, PROG_UNAVAIL) && ok;
		xb_free(&c);
	}
	xb_free(&r.raw);
	return ok;
}

static bool t_prog_mismatch(void)
{
	const struct { uint32_t prog, vers; const char *name; } v[] = {
		{ NFS_PROG, 4, "NFS version 4" },
		{ NFS_PROG, 2, "NFS version 2" },
		{ MNT_PROG, 1, "MOUNT version 1" },
	};
	struct reply r = {0};
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		int err = call1(v[i].prog, v[i].vers, 0, NULL, &r);

		if (!accepted(v[i].name, err, &r, PROG_MISMATCH)) {
			ok = false;
			continue;
		}
		if (r.lo != 3 || r.hi != 3) {
			MSG("%s: PROG_MISMATCH %u..%u, expected 3..3\n", v[i].name, r.lo, r.hi);
			ok = false;
		}
	}
	xb_free(&r.raw);
	return ok;
}

static bool t_proc_unavail(void)
{
	const struct { uint32_t prog, proc; const char *name; } v[] = {
		{ NFS_PROG, 99, "NFS procedure 99" },
		{ NFS_PROG, 22, "NFS procedure 22" },
		{ NFS_PROG, 0xffffffff, "NFS procedure 2^32-1" },
		{ MNT_PROG, 99, "MOUNT procedure 99" },
	};
	struct reply r = {0};
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct xbuf a = {0};
		int err;

		put_root_fh(&a);	/* plausible arguments */
		err = call1(v[i].prog, 3, v[i].proc, &a, &r);
		ok = accepted(v[i].name, err, &r, PROC_UNAVAIL) && ok;
		xb_free(&a);
	}
	xb_free(&r.raw);
	return ok;
}

/* A NULL call with a credential made of raw words. */
static int call_with_cred(uint32_t flavor, const struct xbuf *credbody, uint32_t claimed_len,
			  uint32_t verf_flavor, uint32_t verf_len, struct reply *r,
			  uint32_t *xid_out)
{
	struct xbuf c = {0};
	uint32_t xid = rpc_xid();
	int err;

	put_u32(&c, xid);
	put_u32(&c, MSG_CALL);
	put_u32(&c, RPC_VERS);
	put_u32(&c, NFS_PROG);
	put_u32(&c, NFS_VERS);
	put_u32(&c, NFSPROC3_NULL);
	put_u32(&c, flavor);
	put_u32(&c, claimed_len);
	put_bytes(&c, credbody->p, credbody->len);
	put_u32(&c, verf_flavor);
	put_u32(&c, verf_len);
	for (uint32_t i = 0; i < verf_len; i += 4)
		put_u32(&c, 0x11111111);
	{
		int fd = rpc_connect(nfs_port);

		if (fd < 0) {
			xb_free(&c);
			return fd;
		}
		err = send_record(fd, &c);
		if (!err)
			err = recv_reply(fd, xid, r);
		rpc_close(fd);
	}
	if (xid_out)
		*xid_out = xid;
	xb_free(&c);
	return err;
}

static bool auth_err_or_garbage(const char *what, int err, const struct reply *r,
				bool garbage_ok)
{
	if (err == RPC_CLOSED && garbage_ok) {
		MSG("%s: connection closed\n", what);
		return true;
	}
	if (err)
		FAIL("%s: %s\n", what, rpc_strerr(err));
	if (r->rstat == MSG_DENIED && r->jstat == AUTH_ERROR && r->auth == AUTH_BADCRED)
		return true;
	if (garbage_ok && r->rstat == MSG_ACCEPTED && r->astat == GARBAGE_ARGS)
		return true;
	describe_reply(what, r);
	FAIL("%s: expected MSG_DENIED AUTH_ERROR AUTH_BADCRED%s\n", what,
	     garbage_ok ? " or GARBAGE_ARGS" : "");
}

static bool t_auth_bogus_len(void)
{
	struct xbuf body = {0};
	struct reply r = {0};
	bool ok;
	int err;

	put_authsys_body(&body, 1);
	err = call_with_cred(AUTH_SYS, &body, 0xfffffff0, AUTH_NONE, 0, &r, NULL);
	ok = auth_err_or_garbage("AUTH_SYS length 0xfffffff0", err, &r, true);
	/* 404 bytes present, 404 claimed: over MAX_AUTH_BYTES (400). */
	body.len = 0;
	for (int i = 0; i < 101; i++)
		put_u32(&body, 0);
	err = call_with_cred(AUTH_SYS, &body, 404, AUTH_NONE, 0, &r, NULL);
	ok = auth_err_or_garbage("AUTH_SYS of 404 bytes", err, &r, true) && ok;
	/* Claimed length beyond the record by 4 bytes. */
	body.len = 0;
	put_authsys_body(&body, 1);
	err = call_with_cred(AUTH_SYS, &body, body.len + 12, AUTH_NONE, 0, &r, NULL);
	ok = auth_err_or_garbage("AUTH_SYS length past the record", err, &r, true) && ok;
	xb_free(&body);
	xb_free(&r.raw);
	return ok;
}

static bool t_auth_bad_body(void)
{
	struct xbuf body = {0};
	struct reply r = {0};
	bool ok;
	int err;

	/* Machine name length 200 in a 28-byte body. */
	put_u32(&body, 1);
	put_u32(&body, 200);
	put_u32(&body, 0x41414141);
	put_u32(&body, 0);
	put_u32(&body, 0);
	put_u32(&body, 0);
	put_u32(&body, 0);
	err = call_with_cred(AUTH_SYS, &body, body.len, AUTH_NONE, 0, &r, NULL);
	ok = auth_err_or_garbage("AUTH_SYS machine name overrun", err, &r, true);
	/* 17 supplementary groups (at most 16). */
	body.len = 0;
	put_authsys_body(&body, 17);
	err = call_with_cred(AUTH_SYS, &body, body.len, AUTH_NONE, 0, &r, NULL);
	ok = auth_err_or_garbage("AUTH_SYS with 17 gids", err, &r, true) && ok;
	/* Group count 0x40000000. */
	body.len = 0;
	put_authsys_body(&body, 0);
	((uint32_t *)(body.p + body.len))[-1] = htonl(0x40000000);
	err = call_with_cred(AUTH_SYS, &body, body.len, AUTH_NONE, 0, &r, NULL);
	ok = auth_err_or_garbage("AUTH_SYS gid count 2^30", err, &r, true) && ok;
	/* Trailing bytes after a valid body. */
	body.len = 0;
	put_authsys_body(&body, 1);
	put_u32(&body, 0xdeadbeef);
	err = call_with_cred(AUTH_SYS, &body, body.len, AUTH_NONE, 0, &r, NULL);
	ok = auth_err_or_garbage("AUTH_SYS with trailing bytes", err, &r, true) && ok;
	/* AUTH_NONE with a body. */
	body.len = 0;
	put_u32(&body, 0);
	put_u32(&body, 0);
	err = call_with_cred(AUTH_NONE, &body, body.len, AUTH_NONE, 0, &r, NULL);
	ok = auth_err_or_garbage("AUTH_NONE with an 8-byte body", err, &r, true) && ok;
	xb_free(&body);
	xb_free(&r.raw);
	return ok;
}

static bool t_auth_flavor(void)
{
	struct xbuf body = {0};
	struct reply r = {0};
	bool ok = true;
	int err;

	err = call_with_cred(0x4242, &body, 0, AUTH_NONE, 0, &r, NULL);
	if (err) {
		MSG("unknown flavor: %s\n", rpc_strerr(err));
		ok = false;
	} else if (r.rstat != MSG_DENIED || r.jstat != AUTH_ERROR ||
		   (r.auth != AUTH_BADCRED && r.auth != AUTH_TOOWEAK)) {
		describe_reply("credential flavor 0x4242", &r);
		MSG("unknown flavor: expected AUTH_ERROR AUTH_BADCRED or AUTH_TOOWEAK\n");
		ok = false;
	}
	put_authsys_body(&body, 0);
	err = call_with_cred(AUTH_SYS, &body, body.len, AUTH_SYS, 8, &r, NULL);
	if (err) {
		MSG("AUTH_SYS verifier: %s\n", rpc_strerr(err));
		ok = false;
	} else if (r.rstat != MSG_DENIED || r.jstat != AUTH_ERROR || r.auth != AUTH_BADVERF) {
		describe_reply("verifier of flavor AUTH_SYS", &r);
		MSG("non-NONE verifier: expected AUTH_ERROR AUTH_BADVERF\n");
		ok = false;
	}
	xb_free(&body);
	xb_free(&r.raw);
	return ok;
}

static bool t_auth_none(void)
{
	struct xbuf c = {0};
	struct reply r = {0};
	bool ok;
	int err;

	put_call_ex(&c, rpc_xid(), RPC_VERS, NFS_PROG, NFS_VERS, NFSPROC3_GETATTR, CRED_NONE);
	put_root_fh(&c);
	err = raw1(nfs_port, &c, &r);
	ok = accepted("GETATTR with AUTH_NONE", err, &r, SUCCESS);
	xb_free(&c);
	xb_free(&r.raw);
	return ok;
}

/* Truncated header: the record ends inside the credential. */
static bool t_header_truncated(void)
{
	struct xbuf c = {0};
	uint32_t xid = rpc_xid();
	int fd = rpc_connect(nfs_port), err;
	bool ok;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_NULL);
	c.len = 6 * 4 + 8 + 6;		/* into the machine name */
	err = send_record(fd, &c);
	ok = !err && error_or_closed(fd, xid, 1u << GARBAGE_ARGS, true, "call header cut in the credential");
	rpc_close(fd);
	xb_free(&c);
	return ok;
}

static bool t_garbage_args(void)
{
	struct {
		const char *name;
		uint32_t proc;
		int kind;
	} v[] = {
		{ "GETATTR without arguments", NFSPROC3_GETATTR, 0 },
		{ "GETATTR, handle length 32 with 8 bytes", NFSPROC3_GETATTR, 1 },
		{ "GETATTR, handle length 65", NFSPROC3_GETATTR, 2 },
		{ "GETATTR, handle length 2^32-1", NFSPROC3_GETATTR, 3 },
		{ "READ without its count", NFSPROC3_READ, 4 },
		{ "MNT path length 2000", MNTPROC_MNT, 5 },
	};
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct xbuf c = {0};
		uint32_t xid = rpc_xid();
		bool mnt = v[i].kind == 5;
		int fd = rpc_connect(mnt ? mnt_port : nfs_port), err;

		EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
		put_call(&c, xid, mnt ? MNT_PROG : NFS_PROG, 3, v[i].proc);
		switch (v[i].kind) {
		case 1:
			put_u32(&c, 32);
			put_u64(&c, 0x0102030405060708ULL);
			break;
		case 2: {
			uint8_t fh[68] = {0};

			put_opaque(&c, fh, 65);
			break;
		}
		case 3:
			put_u32(&c, 0xffffffff);
			put_u32(&c, 0);
			break;
		case 4:
			put_root_fh(&c);
			put_u64(&c, 0);
			break;
		case 5: {
			static char path[2001];

			memset(path, 'a', 2000);
			put_string(&c, path);
			break;
		}
		}
		err = send_record(fd, &c);
		ok = !err && error_or_closed(fd, xid, 1u << GARBAGE_ARGS, false, v[i].name) && ok;
		rpc_close(fd);
		xb_free(&c);
	}
	return ok;
}

static bool t_bad_fh(void)
{
	static const long want[] = { NFS3ERR_BADHANDLE, NFS3ERR_STALE, -1 };
	uint8_t fh[FHSIZE3];
	struct reply r = {0};
	bool ok = true;

	for (int k = 0; k < 5; k++) {
		struct xbuf a = {0};
		uint32_t len = 16;
		const char *name;
		int err;

		switch (k) {
		case 0:
			name = "16 random bytes";
			fill_random(fh, 16, 1234);
			break;
		case 1:
			name = "empty handle";
			len = 0;
			break;
		case 2:
			name = "64 bytes of 0xff";
			memset(fh, 0xff, FHSIZE3);
			len = FHSIZE3;
			break;
		case 3:
			name = "root handle with its last byte flipped";
			memcpy(fh, root_fh, root_fh_len);
			fh[root_fh_len - 1] ^= 0x5a;
			len = root_fh_len;
			break;
		default:
			name = "root handle truncated by 4 bytes";
			memcpy(fh, root_fh, root_fh_len);
			len = root_fh_len > 4 ? root_fh_len - 4 : 0;
			break;
		}
		put_fh(&a, fh, len);
		err = call1(NFS_PROG, NFS_VERS, NFSPROC3_GETATTR, &a, &r);
		if (!nfs_status_in(name, err, &r, want))
			ok = false;
		/* And a READ with it. */
		put_u64(&a, 0);
		put_u32(&a, 4096);
		err = call1(NFS_PROG, NFS_VERS, NFSPROC3_READ, &a, &r);
		if (!nfs_status_in(name, err, &r, want))
			ok = false;
		xb_free(&a);
	}
	xb_free(&r.raw);
	return ok;
}

static bool t_bad_xdr(void)
{
	bool ok = true;

	for (int k = 0; k < 4; k++) {
		struct xbuf c = {0};
		uint32_t xid = rpc_xid();
		const char *name = "";
		bool nametoolong_ok = false;
		int fd = rpc_connect(nfs_port), err;

		EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
		switch (k) {
		case 0:
			name = "WRITE with stable_how 7";
			put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_WRITE);
			put_write_hdr(&c, file_fh, file_fh_len, 0, 4, 7, 4);
			put_u32(&c, 0x41414141);
			break;
		case 1:
			name = "CREATE with createmode 9";
			put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_CREATE);
			put_root_fh(&c);
			put_string(&c, "zcnfsd-robust-bad");
			put_u32(&c, 9);
			put_sattr_mode(&c, 0644);
			break;
		case 2:
			name = "SETATTR with set_mode bool 2";
			put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_SETATTR);
			put_fh(&c, file_fh, file_fh_len);
			put_u32(&c, 2);
			put_u32(&c, 0644);
			put_sattr_mode(&c, -1);		/* the rest, shifted */
			put_u32(&c, 0);			/* guard */
			break;
		case 3:
			name = "LOOKUP of a 300-byte name";
			nametoolong_ok = true;
			put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_LOOKUP);
			put_root_fh(&c);
			{
				char n[301];

				memset(n, 'n', 300);
				n[300] = 0;
				put_string(&c, n);
			}
			break;
		}
		err = send_record(fd, &c);
		if (err) {
			MSG("%s: send: %s\n", name, rpc_strerr(err));
			ok = false;
		} else if (nametoolong_ok) {
			struct reply r = {0};

			err = recv_reply(fd, xid, &r);
			if (err == RPC_CLOSED) {
				MSG("%s: connection closed\n", name);
			} else if (err) {
				MSG("%s: %s\n", name, rpc_strerr(err));
				ok = false;
			} else if (!(r.rstat == MSG_ACCEPTED && r.astat == GARBAGE_ARGS) &&
				   res_status(&r) != NFS3ERR_NAMETOOLONG) {
				describe_reply(name, &r);
				MSG("%s: expected GARBAGE_ARGS or NFS3ERR_NAMETOOLONG, got nfsstat3 %ld\n",
				    name, res_status(&r));
				ok = false;
			}
			xb_free(&r.raw);
		} else {
			ok = error_or_closed(fd, xid, 1u << GARBAGE_ARGS, false, name) && ok;
		}
		rpc_close(fd);
		xb_free(&c);
	}
	return ok;
}

static bool t_lookup(void)
{
	static const long noent[] = { NFS3ERR_NOENT, -1 };
	const char *bad[] = { "a/b", "" };
	struct xbuf a = {0};
	struct reply r = {0};
	bool ok;
	int err;

	put_root_fh(&a);
	put_string(&a, "zcnfsd-no-such-file");
	err = call1(NFS_PROG, NFS_VERS, NFSPROC3_LOOKUP, &a, &r);
	ok = nfs_status_in("LOOKUP of a missing name", err, &r, noent);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		long st;

		a.len = 0;
		put_root_fh(&a);
		put_string(&a, bad[i]);
		err = call1(NFS_PROG, NFS_VERS, NFSPROC3_LOOKUP, &a, &r);
		if (!accepted("LOOKUP of a bad name", err, &r, SUCCESS)) {
			ok = false;
			continue;
		}
		st = res_status(&r);
		if (st == NFS3_OK) {
			MSG("LOOKUP of \"%s\": NFS3_OK, expected an error\n", bad[i]);
			ok = false;
		}
	}
	xb_free(&a);
	xb_free(&r.raw);
	return ok;
}

static bool t_read_eof(void)
{
	uint8_t buf[4096];
	uint32_t n = 1;
	bool eof = false;
	long st;
	int fd = rpc_connect(nfs_port);

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	st = nfs_read(fd, file_fh, file_fh_len, 1 << 20, 4096, buf, sizeof(buf), &n, &eof);
	if (st != NFS3_OK || n != 0 || !eof) {
		rpc_close(fd);
		FAIL("READ at 1 MiB of a %u-byte file: status %ld count %u eof %d; expected OK 0 eof\n",
		     FILE_LEN, st, n, eof);
	}
	/* Exactly at EOF. */
	n = 1;
	eof = false;
	st = nfs_read(fd, file_fh, file_fh_len, FILE_LEN, 4096, buf, sizeof(buf), &n, &eof);
	rpc_close(fd);
	EXPECT(st == NFS3_OK && n == 0 && eof,
	       "READ at EOF: status %ld count %u eof %d; expected OK 0 eof\n", st, n, eof);
	return true;
}

static bool t_read_edges(void)
{
	static uint8_t buf[FILE_LEN + 8192];
	const struct { uint64_t off; uint32_t count; const char *name; } far[] = {
		{ 0x7fffffffffffffffULL, 4096, "offset 2^63-1" },
		{ 0xfffffffffffff000ULL, 0x20000, "offset+count past 2^64" },
	};
	uint32_t n;
	bool eof, ok = true;
	long st;
	int fd = rpc_connect(nfs_port);

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	for (size_t i = 0; i < ARRAY_SIZE(far); i++) {
		n = 1;
		eof = false;
		st = nfs_read(fd, file_fh, file_fh_len, far[i].off, far[i].count, buf, sizeof(buf),
			      &n, &eof);
		if (!((st == NFS3_OK && n == 0 && eof) || st == NFS3ERR_INVAL ||
		      st == NFS3ERR_FBIG)) {
			MSG("READ at %s: status %ld count %u eof %d; expected OK 0 eof, INVAL or FBIG\n",
			    far[i].name, st, n, eof);
			ok = false;
		}
		if (st == RPC_CLOSED || st == RPC_TIMEOUT)
			goto out;
	}
	n = 1;
	st = nfs_read(fd, file_fh, file_fh_len, 0, 0, buf, sizeof(buf), &n, &eof);
	if (st != NFS3_OK || n != 0) {
		MSG("READ count 0: status %ld count %u\n", st, n);
		ok = false;
	}
	/* count 2^32-1: clamped to the server's maximum; the whole file. */
	n = 0;
	st = nfs_read(fd, file_fh, file_fh_len, 0, 0xffffffff, buf, sizeof(buf), &n, &eof);
	if (st != NFS3_OK || n != FILE_LEN || !eof || memcmp(buf, file_data, n)) {
		MSG("READ count 2^32-1: status %ld count %u eof %d%s\n", st, n, eof,
		    st == NFS3_OK && n == FILE_LEN ? " (data differs)" : "");
		ok = false;
	}
out:
	rpc_close(fd);
	return ok;
}

static bool t_dir_io(void)
{
	static const long want[] = { NFS3ERR_ISDIR, NFS3ERR_INVAL, -1 };
	struct xbuf a = {0};
	struct reply r = {0};
	bool ok;
	int err;

	put_root_fh(&a);
	put_u64(&a, 0);
	put_u32(&a, 4096);
	err = call1(NFS_PROG, NFS_VERS, NFSPROC3_READ, &a, &r);
	ok = nfs_status_in("READ of a directory", err, &r, want);
	a.len = 0;
	put_write_hdr(&a, root_fh, root_fh_len, 0, 4, FILE_SYNC, 4);
	put_u32(&a, 0x41414141);
	err = call1(NFS_PROG, NFS_VERS, NFSPROC3_WRITE, &a, &r);
	ok = nfs_status_in("WRITE to a directory", err, &r, want) && ok;
	xb_free(&a);
	xb_free(&r.raw);
	return ok;
}

/* WRITE, count 8192, data length word dlen, ndata bytes sent in the record. */
static bool write_short(uint32_t dlen, uint32_t ndata, const char *what)
{
	static uint8_t junk[8192];
	struct xbuf c = {0};
	uint32_t xid = rpc_xid();
	int fd = rpc_connect(nfs_port), err;
	bool ok;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	memset(junk, 0xee, sizeof(junk));
	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_WRITE);
	put_write_hdr(&c, file_fh, file_fh_len, 0, 8192, FILE_SYNC, dlen);
	put_bytes(&c, junk, ndata);
	err = send_record(fd, &c);
	ok = !err && error_or_closed(fd, xid, 1u << GARBAGE_ARGS, false, what);
	rpc_close(fd);
	xb_free(&c);
	return ok && file_is(file_data, what);
}

static bool t_write_count_vs_len(void)
{
	return write_short(100, 100, "WRITE count 8192, data length 100");
}

static bool t_write_past_record(void)
{
	return write_short(8192, 100, "WRITE count 8192, 100 bytes in the record") &&
	       write_short(8192, 4096 + 12, "WRITE count 8192, 4108 bytes in the record");
}

static bool t_write_cut(void)
{
	static uint8_t junk[4096];
	struct xbuf c = {0};
	int fd = rpc_connect(nfs_port), err;
	size_t hdr;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	memset(junk, 0xdd, sizeof(junk));
	put_u32(&c, 0);
	put_call(&c, rpc_xid(), NFS_PROG, NFS_VERS, NFSPROC3_WRITE);
	put_write_hdr(&c, file_fh, file_fh_len, 0, 3 * 4096, FILE_SYNC, 3 * 4096);
	hdr = c.len - 4;
	*(uint32_t *)c.p = htonl(LAST_FRAG | (hdr + 3 * 4096));
	put_bytes(&c, junk, sizeof(junk));	/* one page of three */
	err = send_all(fd, c.p, c.len);
	xb_free(&c);
	usleep(300 * 1000);
	close(fd);				/* EOF mid-payload */
	EXPECT(!err, "send: %s\n", rpc_strerr(err));
	usleep(100 * 1000);
	return file_is(file_data, "WRITE payload cut by a close");
}

static bool t_write_huge(void)
{
	struct xbuf c = {0};
	uint32_t xid = rpc_xid();
	int fd = rpc_connect(nfs_port), err;
	struct reply r = {0};
	bool ok = true;
	size_t hdr;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	put_u32(&c, 0);
	put_call(&c, xid, NFS_PROG, NFS_VERS, NFSPROC3_WRITE);
	put_write_hdr(&c, file_fh, file_fh_len, 0, 0x7fff0000, FILE_SYNC, 0x7fff0000);
	hdr = c.len - 4;
	*(uint32_t *)c.p = htonl(LAST_FRAG | (hdr + 0x7fff0000));
	put_bytes(&c, file_data, 4096);
	err = send_all(fd, c.p, c.len);
	xb_free(&c);
	if (!err)
		err = recv_reply(fd, xid, &r);
	if (err == RPC_CLOSED) {
		MSG("WRITE of 2 GiB: connection closed\n");
	} else if (err) {
		MSG("WRITE of 2 GiB: %s; expected an error reply or a closed connection without waiting for the payload\n",
		    rpc_strerr(err));
		ok = false;
	} else {
		long st = res_status(&r);

		describe_reply("WRITE of 2 GiB", &r);
		if (!(r.rstat == MSG_ACCEPTED && r.astat == GARBAGE_ARGS) && st <= 0) {
			MSG("WRITE of 2 GiB: nfsstat3 %ld, expected an error\n", st);
			ok = false;
		}
	}
	rpc_close(fd);
	xb_free(&r.raw);
	return ok && file_is(file_data, "WRITE of 2 GiB");
}

static bool t_write_edges(void)
{
	uint8_t buf[100];
	uint32_t count = 1, committed;
	bool ok = true;
	long st;
	int fd = rpc_connect(nfs_port);

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	memset(buf, 0xcc, sizeof(buf));
	st = nfs_write(fd, file_fh, file_fh_len, 0, buf, 0, FILE_SYNC, &count, &committed);
	if (st != NFS3_OK || count != 0) {
		MSG("WRITE of 0 bytes: status %ld count %u, expected OK 0\n", st, count);
		ok = false;
	}
	st = nfs_write(fd, file_fh, file_fh_len, 0x7fffffffffffffc0ULL, buf, sizeof(buf),
		       FILE_SYNC, &count, &committed);
	if (st != NFS3ERR_FBIG && st != NFS3ERR_INVAL) {
		MSG("WRITE ending past 2^63: status %ld, expected NFS3ERR_FBIG or NFS3ERR_INVAL\n",
		    st);
		ok = false;
	}
	st = nfs_write(fd, file_fh, file_fh_len, 0xffffffffffffffc0ULL, buf, sizeof(buf),
		       FILE_SYNC, &count, &committed);
	if (st != NFS3ERR_FBIG && st != NFS3ERR_INVAL) {
		MSG("WRITE at 2^64-64: status %ld, expected NFS3ERR_FBIG or NFS3ERR_INVAL\n", st);
		ok = false;
	}
	rpc_close(fd);
	return ok && file_is(file_data, "after the edge WRITEs");
}

static bool t_garbage_stream(void)
{
	static uint8_t junk[64 << 10];
	struct timeval tv = { .tv_sec = rpc_timeout_ms / 1000 };
	int fd = rpc_connect(nfs_port), err;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	fill_random(junk, sizeof(junk), 777);
	err = send_all(fd, junk, sizeof(junk));
	if (err && err != RPC_CLOSED) {
		rpc_close(fd);
		FAIL("sending 64 KiB of random bytes: %s\n", rpc_strerr(err));
	}
	rpc_close(fd);
	return true;
}

#define NCONN 64

/*
 * NCONN connections at once (n of them), each sending one GETATTR of the
 * root: how many were answered and how many closed by the server.  With
 * `hold`, answered connections stay open until every one is resolved (so
 * that the server serves them all at the same time); otherwise each is
 * closed once answered.
 */
static void many(int n, bool hold, int *answered_out, int *closed_out)
{
	struct pollfd pfd[NCONN];
	struct xbuf call[NCONN], in[NCONN];
	uint32_t xid[NCONN];
	int state[NCONN];	/* 0 connecting, 1 waiting, 2 answered */
	int answered = 0, failed = 0;
	long long deadline = now_ms() + 120000;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(nfs_port) };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < n; i++) {
		memset(&call[i], 0, sizeof(call[i]));
		memset(&in[i], 0, sizeof(in[i]));
		xid[i] = rpc_xid();
		put_u32(&call[i], 0);
		put_call(&call[i], xid[i], NFS_PROG, NFS_VERS, NFSPROC3_GETATTR);
		put_root_fh(&call[i]);
		*(uint32_t *)call[i].p = htonl(LAST_FRAG | (call[i].len - 4));
		pfd[i].fd = rpc_socket(SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (pfd[i].fd < 0 || (connect(pfd[i].fd, (struct sockaddr *)&sa, sizeof(sa)) &&
				      errno != EINPROGRESS)) {
			MSG("connection %d: %s\n", i, strerror(errno));
			failed++;
			state[i] = 2;
			pfd[i].events = 0;
			continue;
		}
		state[i] = 0;
		pfd[i].events = POLLOUT;
	}
	MSG("%d connections opened\n", n - failed);
	while (answered + failed < n && now_ms() < deadline) {
		if (poll(pfd, n, 1000) < 0)
			break;
		for (int i = 0; i < n; i++) {
			if (state[i] == 2 || !pfd[i].revents)
				continue;
			if (state[i] == 0) {
				int e = 0;
				socklen_t el = sizeof(e);

				getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &e, &el);
				if (e || send(pfd[i].fd, call[i].p, call[i].len, MSG_NOSIGNAL) !=
						 (ssize_t)call[i].len) {
					MSG("connection %d: connect/send: %s\n", i,
					    strerror(e ? e : errno));
					failed++;
					state[i] = 2;
					pfd[i].events = 0;
					continue;
				}
				state[i] = 1;
				pfd[i].events = POLLIN;
				continue;
			}
			/* Read what is there; a reply is complete once its mark's length is in. */
			xb_reserve(&in[i], 4096);
			{
				ssize_t r = recv(pfd[i].fd, in[i].p + in[i].len, 4096, 0);

				if (r <= 0) {
					MSG("connection %d: closed before its reply (%s)\n", i,
					    r ? strerror(errno) : "EOF");
					failed++;
					state[i] = 2;
					pfd[i].events = 0;
					continue;
				}
				in[i].len += r;
			}
			if (in[i].len >= 4) {
				uint32_t w = ntohl(*(uint32_t *)in[i].p);
				size_t len = w & ~LAST_FRAG;

				if (in[i].len >= 4 + len) {
					struct reply rr = { .raw = { .p = in[i].p + 4, .len = len } };

					if (!(w & LAST_FRAG) || !parse_reply(&rr) || rr.xid != xid[i] ||
					    rr.rstat != MSG_ACCEPTED || rr.astat != SUCCESS ||
					    get_u32(&rr.res) != NFS3_OK) {
						MSG("connection %d: bad reply\n", i);
						failed++;
					} else {
						answered++;
					}
					state[i] = 2;
					pfd[i].events = 0;
					/* Done: close now (unless held) so that a thread is freed. */
					if (!hold) {
						rpc_close(pfd[i].fd);
						pfd[i].fd = -1;
					}
				}
			}
		}
	}
	for (int i = 0; i < n; i++) {
		if (pfd[i].fd >= 0)
			rpc_close(pfd[i].fd);
		xb_free(&call[i]);
		xb_free(&in[i]);
	}
	*answered_out = answered;
	*closed_out = failed;
}

static bool t_many(void)
{
	long long conn0 = srv_stat("connections_accepted");
	int answered, closed;

	many(NCONN, false, &answered, &closed);
	MSG("%d of %d connections answered, %d failed; connections_accepted +%lld\n", answered,
	    NCONN, closed, srv_stat("connections_accepted") - conn0);
	return answered == NCONN;
}

static bool t_remove(void)
{
	struct xbuf a = {0};
	struct reply r = {0};
	static const long ok_st[] = { NFS3_OK, -1 };
	static const long stale[] = { NFS3ERR_STALE, -1 };
	bool ok;
	int err;

	if (!file_is(file_data, "before REMOVE"))
		return false;
	put_root_fh(&a);
	put_string(&a, FILE_NAME);
	err = call1(NFS_PROG, NFS_VERS, NFSPROC3_REMOVE, &a, &r);
	ok = nfs_status_in("REMOVE", err, &r, ok_st);
	/* The removed file's handle is stale. */
	a.len = 0;
	put_fh(&a, file_fh, file_fh_len);
	err = call1(NFS_PROG, NFS_VERS, NFSPROC3_GETATTR, &a, &r);
	ok = nfs_status_in("GETATTR of the removed file", err, &r, stale) && ok;
	xb_free(&a);
	xb_free(&r.raw);
	return ok;
}

struct snapshot {
	long long garbage, proc, prog, mismatch, auth, accepted;
};

static void snap(struct snapshot *s)
{
	s->garbage = srv_stat("rpc_garbage_args");
	s->proc = srv_stat("rpc_proc_unavail");
	s->prog = srv_stat("rpc_prog_unavail");
	s->mismatch = srv_stat("rpc_prog_mismatch");
	s->auth = srv_stat("rpc_auth_errors");
	s->accepted = srv_stat("connections_accepted");
}

static bool final_check(const struct snapshot *s0)
{
	struct snapshot s1;
	long long loans, zc, open, zloans, req, ret;
	long long deadline = now_ms() + 20000;
	bool ok = true;

	EXPECT(srv_stat("rpc_calls") >= 0, "no %s\n", ZCNFSD_STATS);
	do {
		loans = srv_stat("loans_outstanding");
		zc = srv_stat("zc_sends_in_flight");
		open = srv_stat("connections_open");
		zloans = stat_file(ZCVFS_ZCFS_STATS, "loans_outstanding");
		if (!loans && !zc && !open && !zloans)
			break;
		usleep(100 * 1000);
	} while (now_ms() < deadline);
	req = stat_file(ZCVFS_ZCFS_STATS, "nreqzcbuf");
	ret = stat_file(ZCVFS_ZCFS_STATS, "nretzcbuf");
	MSG("server: loans_outstanding %lld zc_sends_in_flight %lld connections_open %lld; zcvfs/zcfs: loans_outstanding %lld nreqzcbuf %lld nretzcbuf %lld\n",
	    loans, zc, open, zloans, req, ret);
	if (loans || zc || open || zloans) {
		MSG("something is still held 20 s after the last case\n");
		ok = false;
	}
	snap(&s1);
	MSG("counted: garbage_args +%lld proc_unavail +%lld prog_unavail +%lld prog_mismatch +%lld auth_errors +%lld connections +%lld\n",
	    s1.garbage - s0->garbage, s1.proc - s0->proc, s1.prog - s0->prog,
	    s1.mismatch - s0->mismatch, s1.auth - s0->auth, s1.accepted - s0->accepted);
	/* What the cases above were answered (at least). */
	if (s1.garbage - s0->garbage < 1 || s1.proc - s0->proc < 4 || s1.prog - s0->prog < 2 ||
	    s1.mismatch - s0->mismatch < 3 || s1.auth - s0->auth < 2 ||
	    s1.accepted - s0->accepted < NCONN) {
		MSG("the error counters do not account for the errors answered\n");
		ok = false;
	}
	return ok;
}

static const struct {
	const char *name;
	bool (*fn)(void);
	bool needs_fh;
} tests[] = {
	{ "NULL on the NFS and MOUNT programs", t_null, false },
	{ "MNT of the export: root handle, AUTH_SYS; a bogus path refused", t_mnt, false },
	{ "GETATTR of the root handle: a directory", t_getattr_root, true },
	{ "CREATE, WRITE FILE_SYNC, READ back (eof at the end only)", t_create_write_read, true },
	{ "unaligned WRITE and READ with XDR padding", t_unaligned, true },
	{ "WRITE in 6 record fragments (cut inside the payload)", t_write_fragments, true },
	{ "record mark of length 0: dropped or closed", t_rm_zero, false },
	{ "record mark of length 2^31-1: connection closed", t_rm_oversized, false },
	{ "record cut short, then close", t_rm_truncated, false },
	{ "record mark cut short, then close", t_rm_mark_truncated, false },
	{ "calls in non-last fragment chains (1-byte fragments, empty last fragment)", t_rm_chains, true },
	{ "16 MiB of non-last fragments: closed or answered", t_rm_chain_huge, false },
	{ "a call sent one byte per send", t_slow_sender, true },
	{ "three pipelined calls: replies in order", t_pipelined, true },
	{ "msg_type REPLY and 7: dropped or closed", t_not_call, false },
	{ "rpcvers 3: MSG_DENIED RPC_MISMATCH 2..2", t_rpcvers, false },
	{ "program 12345: PROG_UNAVAIL", t_prog_unavail, false },
	{ "NFS versions 4 and 2, MOUNT version 1: PROG_MISMATCH 3..3", t_prog_mismatch, false },
	{ "unknown procedures: PROC_UNAVAIL", t_proc_unavail, true },
	{ "AUTH_SYS with bogus lengths: AUTH_BADCRED or GARBAGE_ARGS", t_auth_bogus_len, false },
	{ "malformed AUTH_SYS and AUTH_NONE bodies: AUTH_BADCRED or GARBAGE_ARGS", t_auth_bad_body, false },
	{ "unknown credential flavor: AUTH_BADCRED; AUTH_SYS verifier: AUTH_BADVERF", t_auth_flavor, false },
	{ "AUTH_NONE credential: served", t_auth_none, true },
	{ "call header cut inside the credential: GARBAGE_ARGS or closed", t_header_truncated, false },
	{ "truncated or oversized arguments: GARBAGE_ARGS", t_garbage_args, true },
	{ "bad file handles: NFS3ERR_BADHANDLE or NFS3ERR_STALE", t_bad_fh, true },
	{ "bad XDR in arguments (enum, bool, name length)", t_bad_xdr, true },
	{ "LOOKUP: missing name NOENT; \"a/b\" and \"\" refused", t_lookup, true },
	{ "READ beyond and at EOF: count 0, eof true", t_read_eof, true },
	{ "READ at overflowing offsets, count 0, count 2^32-1", t_read_edges, true },
	{ "READ and WRITE of a directory: ISDIR or INVAL", t_dir_io, true },
	{ "WRITE count 8192 with data length 100: GARBAGE_ARGS or closed", t_write_count_vs_len, true },
	{ "WRITE count beyond the record's payload: GARBAGE_ARGS or closed, nothing written", t_write_past_record, true },
	{ "WRITE payload cut by a close: nothing written", t_write_cut, true },
	{ "WRITE of 2 GiB: refused without waiting for the payload", t_write_huge, true },
	{ "WRITE of 0 bytes; WRITE past 2^63: FBIG or INVAL", t_write_edges, true },
	{ "64 KiB of random bytes", t_garbage_stream, false },
	{ "64 connections at once, all answered", t_many, true },
	{ "the file is unchanged; REMOVE; its handle is stale", t_remove, true },
};

static int usage(void)
{
	fprintf(stderr, "usage: zcnfsd_robust [-p PORT] [-m MOUNTPORT] [-e EXPORT] [ping | conns N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct snapshot s0;
	int c, dead = 0;
	bool have_fh = true;

	while ((c = getopt(argc, argv, "p:m:e:t:")) != -1) {
		switch (c) {
		case 'p': nfs_port = atoi(optarg); break;
		case 'm': mnt_port = atoi(optarg); break;
		case 'e': export_path = optarg; break;
		case 't': rpc_timeout_ms = atoi(optarg) * 1000; break;
		default: return usage();
		}
	}
	if (optind + 2 == argc && !strcmp(argv[optind], "conns")) {
		/* N connections at once, all held open: "answered A closed C". */
		int n = atoi(argv[optind + 1]), answered, closed;

		if (n < 1 || n > NCONN)
			return usage();
		if (!t_mnt())
			return 1;
		/* The MNT call's connection must be gone: it counts as served. */
		for (int i = 0; srv_stat("connections_open") > 0 && i < 100; i++)
			usleep(100000);
		many(n, true, &answered, &closed);
		printf("answered %d closed %d\n", answered, closed);
		return 0;
	}
	if (optind < argc) {
		if (strcmp(argv[optind], "ping"))
			return usage();
		/* NFS NULL on the NFS port, MOUNT NULL on the MOUNT port. */
		c = rpc_ping(nfs_port, NFS_PROG);
		if (c) {
			fprintf(stderr, "zcnfsd_robust: NFS NULL on port %d: %s\n", nfs_port,
				rpc_strerr(c));
			return 1;
		}
		c = rpc_ping(mnt_port, MNT_PROG);
		if (c)
			fprintf(stderr, "zcnfsd_robust: MOUNT NULL on port %d: %s\n", mnt_port,
				rpc_strerr(c));
		return c ? 1 : 0;
	}

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests) + 1);
	MSG("server 127.0.0.1 NFS port %d MOUNT port %d export %s\n", nfs_port, mnt_port,
	    export_path);
	snap(&s0);
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		long long t0 = now_ms();
		bool ok;

		if (dead >= 2) {
			ksft_test_result_fail("%s (the server stopped answering)\n", tests[i].name);
			continue;
		}
		if (tests[i].needs_fh && !have_fh) {
			ksft_test_result_fail("%s (no root or file handle: MNT/CREATE failed)\n",
					      tests[i].name);
			continue;
		}
		ok = tests[i].fn();
		if (tests[i].fn == t_mnt && !ok)
			have_fh = false;
		if (tests[i].fn == t_create_write_read && !file_fh_len)
			have_fh = false;
		c = rpc_ping(nfs_port, NFS_PROG);
		if (c) {
			MSG("the server does not answer NULL on a fresh connection after this case: %s\n",
			    rpc_strerr(c));
			ok = false;
			dead++;
		} else {
			dead = 0;
		}
		MSG("(%lld ms)\n", now_ms() - t0);
		ksft_test_result(ok, "%s\n", tests[i].name);
	}
	ksft_test_result(dead < 2 && final_check(&s0),
			 "no loan, zero-copy send or connection left; errors counted\n");
	ksft_finished();
}
