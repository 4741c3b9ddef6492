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
 *
 * The cases are grouped by topic: zcnfsd_robust_transport.c (record
 * marking, fragments, connections), zcnfsd_robust_rpc.c (the call header,
 * programs, versions, credentials) and zcnfsd_robust_nfs.c (NFS arguments
 * and procedures); this file holds the shared helpers and the table that
 * runs them in order (later cases use the handles and the file the first
 * ones make), a NULL call after each, and the final check.
 */
#include "zcnfsd_robust.h"

int nfs_port = 2049, mnt_port = 20048;
const char *export_path = "/mnt/zcfs";

uint8_t root_fh[FHSIZE3], file_fh[FHSIZE3];
uint32_t root_fh_len, file_fh_len;
uint8_t file_data[FILE_LEN];

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void fill_random(uint8_t *b, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)splitmix(&seed);
}

static int port_of(uint32_t prog)
{
	return prog == MNT_PROG ? mnt_port : nfs_port;
}

/* One call on a fresh connection (AUTH_SYS). */
int call1(uint32_t prog, uint32_t vers, uint32_t proc, const struct xbuf *args,
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
int raw1(int port, const struct xbuf *body, struct reply *r)
{
	int fd = rpc_connect(port), err;

	if (fd < 0)
		return fd;
	err = rpc_call(fd, body, r);
	rpc_close(fd);
	return err;
}

bool accepted(const char *what, int err, const struct reply *r, uint32_t astat)
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
long res_status(struct reply *r)
{
	uint32_t s;

	if (r->rstat != MSG_ACCEPTED || r->astat != SUCCESS)
		return -1;
	s = get_u32(&r->res);
	return r->res.bad ? -1 : (long)s;
}

/* An accepted call whose nfsstat3 is one of want[] (terminated by -1). */
bool nfs_status_in(const char *what, int err, struct reply *r, const long *want)
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

void put_fh(struct xbuf *b, const uint8_t *fh, uint32_t len)
{
	put_opaque(b, fh, len);
}

void put_root_fh(struct xbuf *b)
{
	put_fh(b, root_fh, root_fh_len);
}

/*
 * NFS procedure proc with the arguments a (freed) on fd: the reply in r
 * and its nfsstat3 (-1: not accepted) in *st, or an RPC_* error (r freed).
 */
static int nfs_call(int fd, uint32_t proc, struct xbuf *a, struct reply *r, long *st)
{
	int err = rpc_proc(fd, NFS_PROG, NFS_VERS, proc, a, r);

	xb_free(a);
	if (err) {
		xb_free(&r->raw);
		return err;
	}
	*st = res_status(r);
	return 0;
}

/* READ: nfsstat3 (data copied to out, *got, *eof) or RPC_*. */
long nfs_read(int fd, const uint8_t *fh, uint32_t fhlen, uint64_t off, uint32_t count,
	      uint8_t *out, size_t outmax, uint32_t *got, bool *eof)
{
	struct xbuf a = {0};
	struct reply r = {0};
	long st;
	int err;

	put_fh(&a, fh, fhlen);
	put_u64(&a, off);
	put_u32(&a, count);
	err = nfs_call(fd, NFSPROC3_READ, &a, &r, &st);
	if (err)
		return err;
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
void put_write_hdr(struct xbuf *b, const uint8_t *fh, uint32_t fhlen, uint64_t off,
		   uint32_t count, uint32_t stable, uint32_t dlen)
{
	put_fh(b, fh, fhlen);
	put_u64(b, off);
	put_u32(b, count);
	put_u32(b, stable);
	put_u32(b, dlen);
}

/* WRITE: nfsstat3 (*count, *committed) or RPC_*. */
long nfs_write(int fd, const uint8_t *fh, uint32_t fhlen, uint64_t off,
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
	err = nfs_call(fd, NFSPROC3_WRITE, &a, &r, &st);
	if (err)
		return err;
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
bool file_is(const uint8_t *want, const char *when)
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
bool error_or_closed(int fd, uint32_t xid, unsigned int astat_mask, bool auth_ok,
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
bool dropped(int fd, const char *what)
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
