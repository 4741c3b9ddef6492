/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal ONC RPC (RFC 5531) / MOUNT v3 / NFSv3 (RFC 1813) client over
 * TCP for the zcnfsd selftests: hand-built XDR, record marking, AUTH_SYS,
 * no libtirpc.  Everything is exposed, including the raw byte level, so
 * that the tests can send malformed traffic on purpose.
 *
 * Identity: AUTH_SYS credentials carry rpc_uid / rpc_gid (0 / 0 unless a
 * test sets them) and, with rpc_gids set, those supplementary groups.
 * Connections come from a reserved source port (below 1024, as the Linux
 * NFS client's, which zcnfsd's default `secure` option requires; the
 * tests run as root) unless rpc_resvport is false.
 */
#ifndef ZCNFSD_RPC_H
#define ZCNFSD_RPC_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../zcvfs/stat_file.h"

/* RFC 5531. */
#define RPC_VERS	2
#define MSG_CALL	0
#define MSG_REPLY	1
#define MSG_ACCEPTED	0
#define MSG_DENIED	1
#define SUCCESS		0
#define PROG_UNAVAIL	1
#define PROG_MISMATCH	2
#define PROC_UNAVAIL	3
#define GARBAGE_ARGS	4
#define SYSTEM_ERR	5
#define RPC_MISMATCH	0
#define AUTH_ERROR	1
#define AUTH_NONE	0
#define AUTH_SYS	1
#define AUTH_BADCRED	1
#define AUTH_BADVERF	3
#define AUTH_TOOWEAK	5
#define LAST_FRAG	0x80000000u

/* RFC 1813: MOUNT v3 and NFSv3. */
#define MNT_PROG	100005
#define MNT_VERS	3
#define MNTPROC_NULL	0
#define MNTPROC_MNT	1
#define NFS_PROG	100003
#define NFS_VERS	3
#define NFSPROC3_NULL	0
#define NFSPROC3_GETATTR 1
#define NFSPROC3_SETATTR 2
#define NFSPROC3_LOOKUP	3
#define NFSPROC3_READ	6
#define NFSPROC3_WRITE	7
#define NFSPROC3_CREATE	8
#define NFSPROC3_REMOVE	12
#define NFSPROC3_COMMIT	21
#define NFS3_OK		0
#define NFS3ERR_NOENT	2
#define NFS3ERR_IO	5
#define NFS3ERR_ACCES	13
#define NFS3ERR_EXIST	17
#define NFS3ERR_NOTDIR	20
#define NFS3ERR_ISDIR	21
#define NFS3ERR_INVAL	22
#define NFS3ERR_FBIG	27
#define NFS3ERR_NAMETOOLONG 63
#define NFS3ERR_STALE	70
#define NFS3ERR_BADHANDLE 10001
#define NFS3ERR_NOTSUPP	10004
#define NF3REG		1
#define NF3DIR		2
#define UNSTABLE	0
#define DATA_SYNC	1
#define FILE_SYNC	2
#define FHSIZE3		64
#define FATTR3_LEN	84

#define RPC_CLOSED	(-10000)	/* the peer closed or reset the connection */
#define RPC_TIMEOUT	(-10001)	/* nothing within the timeout */
#define RPC_PROTO	(-10002)	/* a reply we cannot parse */

/*
 * The client's settings and its xid counter: weak, so that a program built
 * from several files that include this header has one of each.
 */
#define RPC_STATE	__attribute__((weak))
RPC_STATE int rpc_timeout_ms = 30000;
/* The AUTH_SYS identity. */
RPC_STATE uint32_t rpc_uid, rpc_gid;
RPC_STATE const uint32_t *rpc_gids;	/* NULL: the groups 0, 1, 2, ... */
/* Bind connections to a reserved source port (see rpc_socket). */
RPC_STATE bool rpc_resvport = true;
RPC_STATE uint32_t rpc_next_xid = 0x5a000001;

static inline uint32_t rpc_xid(void)
{
	return rpc_next_xid++;
}

static inline const char *rpc_strerr(int e)
{
	switch (e) {
	case RPC_CLOSED: return "connection closed by the server";
	case RPC_TIMEOUT: return "no answer within the timeout";
	case RPC_PROTO: return "malformed reply";
	default: return strerror(-e);
	}
}

static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ---- XDR encoding -------------------------------------------------- */

struct xbuf {
	uint8_t *p;
	size_t len, cap;
};

static inline void xb_reserve(struct xbuf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	b->cap = (b->len + n) * 2 + 64;
	b->p = realloc(b->p, b->cap);
	if (!b->p) {
		perror("realloc");
		exit(2);
	}
}

static inline void xb_free(struct xbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static inline void put_bytes(struct xbuf *b, const void *d, size_t n)
{
	xb_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static inline void put_u32(struct xbuf *b, uint32_t v)
{
	uint32_t w = htonl(v);

	put_bytes(b, &w, 4);
}

static inline void put_u64(struct xbuf *b, uint64_t v)
{
	put_u32(b, v >> 32);
	put_u32(b, (uint32_t)v);
}

static inline void put_pad(struct xbuf *b, size_t n)
{
	static const uint8_t zero[4];

	put_bytes(b, zero, (4 - (n & 3)) & 3);
}

/* Variable-length opaque: length, bytes, padding. */
static inline void put_opaque(struct xbuf *b, const void *d, size_t n)
{
	put_u32(b, n);
	put_bytes(b, d, n);
	put_pad(b, n);
}

static inline void put_string(struct xbuf *b, const char *s)
{
	put_opaque(b, s, strlen(s));
}

/*
 * An AUTH_SYS credential body (stamp, machine name, rpc_uid, rpc_gid, ngids
 * groups: rpc_gids[], or 0, 1, 2, ...).
 */
static inline void put_authsys_body(struct xbuf *b, uint32_t ngids)
{
	put_u32(b, 0x1234);
	put_string(b, "zcnfsd-robust");
	put_u32(b, rpc_uid);
	put_u32(b, rpc_gid);
	put_u32(b, ngids);
	for (uint32_t i = 0; i < ngids; i++)
		put_u32(b, rpc_gids ? rpc_gids[i] : i);
}

enum cred_kind { CRED_SYS, CRED_NONE };

/* Call header through the verifier (AUTH_NONE). */
static inline void put_call_ex(struct xbuf *b, uint32_t xid, uint32_t rpcvers, uint32_t prog,
			       uint32_t vers, uint32_t proc, enum cred_kind cred)
{
	put_u32(b, xid);
	put_u32(b, MSG_CALL);
	put_u32(b, rpcvers);
	put_u32(b, prog);
	put_u32(b, vers);
	put_u32(b, proc);
	if (cred == CRED_SYS) {
		struct xbuf body = {0};

		put_authsys_body(&body, 1);
		put_u32(b, AUTH_SYS);
		put_opaque(b, body.p, body.len);
		xb_free(&body);
	} else {
		put_u32(b, AUTH_NONE);
		put_u32(b, 0);
	}
	put_u32(b, AUTH_NONE);
	put_u32(b, 0);
}

/* The credential flavor of put_call() (and so of rpc_proc()). */
RPC_STATE enum cred_kind rpc_cred = CRED_SYS;

static inline void put_call(struct xbuf *b, uint32_t xid, uint32_t prog, uint32_t vers,
			    uint32_t proc)
{
	put_call_ex(b, xid, RPC_VERS, prog, vers, proc, rpc_cred);
}

/* sattr3 setting only the mode (or nothing with mode < 0). */
static inline void put_sattr_mode(struct xbuf *b, long mode)
{
	put_u32(b, mode >= 0);
	if (mode >= 0)
		put_u32(b, mode);
	put_u32(b, 0);	/* uid */
	put_u32(b, 0);	/* gid */
	put_u32(b, 0);	/* size */
	put_u32(b, 0);	/* atime DONT_CHANGE */
	put_u32(b, 0);	/* mtime DONT_CHANGE */
}

/* ---- XDR decoding -------------------------------------------------- */

struct dec {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

static inline const uint8_t *get_raw(struct dec *d, size_t n)
{
	const uint8_t *r;

	if (d->bad || n > d->len - d->pos) {
		d->bad = true;
		return NULL;
	}
	r = d->p + d->pos;
	d->pos += n;
	return r;
}

static inline uint32_t get_u32(struct dec *d)
{
	const uint8_t *r = get_raw(d, 4);
	uint32_t w;

	if (!r)
		return 0xdeadbeef;
	memcpy(&w, r, 4);
	return ntohl(w);
}

static inline uint64_t get_u64(struct dec *d)
{
	uint64_t hi = get_u32(d);

	return hi << 32 | get_u32(d);
}

static inline void skip(struct dec *d, size_t n)
{
	get_raw(d, n);
}

/* Variable-length opaque of at most max bytes: pointer, *len set. */
static inline const uint8_t *get_opaque(struct dec *d, uint32_t *len, uint32_t max)
{
	const uint8_t *r;

	*len = get_u32(d);
	if (d->bad || *len > max) {
		d->bad = true;
		return NULL;
	}
	r = get_raw(d, *len);
	skip(d, (4 - (*len & 3)) & 3);
	return r;
}

struct fattr {
	uint32_t type, mode, nlink;
	uint64_t size, fileid;
};

static inline void get_fattr(struct dec *d, struct fattr *fa)
{
	fa->type = get_u32(d);
	fa->mode = get_u32(d);
	fa->nlink = get_u32(d);
	skip(d, 8);		/* uid, gid */
	fa->size = get_u64(d);
	skip(d, 8 + 8 + 8);	/* used, rdev, fsid */
	fa->fileid = get_u64(d);
	skip(d, 24);		/* atime, mtime, ctime */
}

/* post_op_attr: returns whether attributes followed. */
static inline bool get_post_op_attr(struct dec *d, struct fattr *fa)
{
	struct fattr tmp;

	if (!get_u32(d))
		return false;
	get_fattr(d, fa ? fa : &tmp);
	return !d->bad;
}

static inline void skip_wcc(struct dec *d)
{
	if (get_u32(d))
		skip(d, 24);
	get_post_op_attr(d, NULL);
}

/* ---- Connections and records --------------------------------------- */

/* Reserved ports rpc_socket() takes in turn: 1023 down to this. */
#define RPC_RESVPORT_LOW	600

/*
 * A TCP socket (type flags: SOCK_NONBLOCK, SOCK_CLOEXEC) with TCP_NODELAY,
 * bound to the next free reserved port if rpc_resvport (as bindresvport()
 * does, which needs CAP_NET_BIND_SERVICE), else to an ephemeral one at
 * connect.  Returns the fd or -errno.
 */
static inline int rpc_socket(int flags)
{
	static int next = 1023;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | flags, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!rpc_resvport)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	for (int tries = 0; tries <= 1023 - RPC_RESVPORT_LOW; tries++) {
		struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(next) };

		next = next > RPC_RESVPORT_LOW ? next - 1 : 1023;
		if (!bind(fd, (struct sockaddr *)&me, sizeof(me)))
			return fd;
		if (errno != EADDRINUSE)
			break;
	}
	one = -errno;
	close(fd);
	return one;
}

/* Connected TCP socket to addr:port (or -errno). */
static inline int rpc_connect_addr(const char *addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct pollfd pfd;
	int fd, err = 0, tries = 0;
	socklen_t el = sizeof(err);

	inet_pton(AF_INET, addr, &sa.sin_addr);
again:
	fd = rpc_socket(SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		/* That reserved port still names a connection to port: the next. */
		if (err == -EADDRNOTAVAIL && rpc_resvport && ++tries < 16)
			goto again;
		return err;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&pfd, 1, rpc_timeout_ms) != 1) {
		close(fd);
		return -ETIMEDOUT;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err) {
		close(fd);
		return -err;
	}
	fcntl(fd, F_SETFL, 0);
	return fd;
}

static inline int rpc_connect(int port)
{
	return rpc_connect_addr("127.0.0.1", port);
}

/* Abortive close (RST), so that no TIME_WAIT piles up over many cases. */
static inline void rpc_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* All of buf: 0, RPC_CLOSED (EPIPE/ECONNRESET) or -errno. */
static inline int send_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t r = send(fd, p, n, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return (errno == EPIPE || errno == ECONNRESET) ? RPC_CLOSED : -errno;
		p += r;
		n -= r;
	}
	return 0;
}

/* The record-marking word. */
static inline int send_mark(int fd, uint32_t word)
{
	uint32_t w = htonl(word);

	return send_all(fd, &w, 4);
}

/* buf as one record in one (last) fragment, in one send. */
static inline int send_record(int fd, const struct xbuf *b)
{
	struct xbuf r = {0};
	int err;

	put_u32(&r, LAST_FRAG | b->len);
	put_bytes(&r, b->p, b->len);
	err = send_all(fd, r.p, r.len);
	xb_free(&r);
	return err;
}

/* Exactly n bytes before the deadline: 0, RPC_CLOSED, RPC_TIMEOUT, -errno. */
static inline int recv_exact(int fd, void *buf, size_t n, long long deadline)
{
	uint8_t *p = buf;

	while (n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0)
			return RPC_TIMEOUT;
		if (poll(&pfd, 1, left) == 0)
			return RPC_TIMEOUT;
		r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return RPC_CLOSED;
		if (r < 0)
			return -errno;
		p += r;
		n -= r;
	}
	return 0;
}

/* One whole record (all fragments) into out (reset first). */
static inline int recv_record_until(int fd, struct xbuf *out, long long deadline)
{
	bool last = false;

	out->len = 0;
	while (!last) {
		uint32_t w;
		size_t len;
		int err = recv_exact(fd, &w, 4, deadline);

		if (err)
			return err;
		w = ntohl(w);
		last = w & LAST_FRAG;
		len = w & ~LAST_FRAG;
		if (out->len + len > (64u << 20))
			return RPC_PROTO;
		xb_reserve(out, len);
		err = recv_exact(fd, out->p + out->len, len, deadline);
		if (err)
			return err;
		out->len += len;
	}
	return 0;
}

static inline int recv_record(int fd, struct xbuf *out)
{
	return recv_record_until(fd, out, now_ms() + rpc_timeout_ms);
}

/* Wait for the server to close the connection: 0 (closed) or RPC_TIMEOUT. */
static inline int wait_closed(int fd, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	uint8_t sink[4096];

	for (;;) {
		int err = recv_exact(fd, sink, sizeof(sink), deadline);

		if (err == RPC_CLOSED)
			return 0;
		if (err == RPC_TIMEOUT)
			return err;
		if (err)
			return 0;	/* any other error: the connection is gone */
	}
}

/* ---- Replies ------------------------------------------------------- */

struct reply {
	struct xbuf raw;
	uint32_t xid, rstat, astat, jstat, auth, lo, hi;
	struct dec res;		/* accepted SUCCESS: the procedure's results */
};

/* Parse raw into the header fields; false if it is not a sane reply. */
static inline bool parse_reply(struct reply *r)
{
	struct dec d = { .p = r->raw.p, .len = r->raw.len };
	uint32_t vlen;

	r->xid = get_u32(&d);
	if (get_u32(&d) != MSG_REPLY)
		return false;
	r->rstat = get_u32(&d);
	r->astat = r->jstat = r->auth = r->lo = r->hi = ~0u;
	if (r->rstat == MSG_ACCEPTED) {
		get_u32(&d);			/* verifier flavor */
		get_opaque(&d, &vlen, 400);
		r->astat = get_u32(&d);
		if (r->astat == PROG_MISMATCH) {
			r->lo = get_u32(&d);
			r->hi = get_u32(&d);
		}
	} else if (r->rstat == MSG_DENIED) {
		r->jstat = get_u32(&d);
		if (r->jstat == RPC_MISMATCH) {
			r->lo = get_u32(&d);
			r->hi = get_u32(&d);
		} else {
			r->auth = get_u32(&d);
		}
	} else {
		return false;
	}
	if (d.bad)
		return false;
	r->res = (struct dec){ .p = d.p + d.pos, .len = d.len - d.pos };
	return true;
}

/* Receive and parse a reply, checking its xid: 0 or RPC_*. */
static inline int recv_reply(int fd, uint32_t xid, struct reply *r)
{
	int err = recv_record(fd, &r->raw);

	if (err)
		return err;
	if (!parse_reply(r)) {
		fprintf(stdout, "# unparsable reply of %zu bytes\n", r->raw.len);
		return RPC_PROTO;
	}
	if (r->xid != xid) {
		fprintf(stdout, "# reply xid %#x, expected %#x\n", r->xid, xid);
		return RPC_PROTO;
	}
	return 0;
}

/* Send call (a whole record whose first word is its xid), read the reply. */
static inline int rpc_call(int fd, const struct xbuf *call, struct reply *r)
{
	uint32_t xid = ntohl(*(uint32_t *)call->p);
	int err = send_record(fd, call);

	return err ? err : recv_reply(fd, xid, r);
}

/* A procedure call with AUTH_SYS: header + args, reply in r. */
static inline int rpc_proc(int fd, uint32_t prog, uint32_t vers, uint32_t proc,
			   const struct xbuf *args, struct reply *r)
{
	struct xbuf c = {0};
	int err;

	put_call(&c, rpc_xid(), prog, vers, proc);
	if (args)
		put_bytes(&c, args->p, args->len);
	err = rpc_call(fd, &c, r);
	xb_free(&c);
	return err;
}

static inline const char *accept_name(uint32_t s)
{
	static const char *n[] = { "SUCCESS", "PROG_UNAVAIL", "PROG_MISMATCH",
				   "PROC_UNAVAIL", "GARBAGE_ARGS", "SYSTEM_ERR" };
	return s < 6 ? n[s] : "?";
}

/* One line describing a reply, for diagnostics. */
static inline void describe_reply(const char *what, const struct reply *r)
{
	if (r->rstat == MSG_ACCEPTED)
		printf("# %s: MSG_ACCEPTED %s (%u)\n", what, accept_name(r->astat), r->astat);
	else if (r->jstat == RPC_MISMATCH)
		printf("# %s: MSG_DENIED RPC_MISMATCH %u..%u\n", what, r->lo, r->hi);
	else
		printf("# %s: MSG_DENIED reject_stat %u auth_stat %u\n", what, r->jstat, r->auth);
}

/* NULL on a fresh connection to port: 0 or RPC_* / -errno. */
static inline int rpc_ping(int port, uint32_t prog)
{
	struct reply r = {0};
	int fd = rpc_connect(port), err;

	if (fd < 0)
		return fd;
	err = rpc_proc(fd, prog, 3, 0, NULL, &r);
	if (!err && (r.rstat != MSG_ACCEPTED || r.astat != SUCCESS || r.res.len != 0))
		err = RPC_PROTO;
	rpc_close(fd);
	xb_free(&r.raw);
	return err;
}

#define ZCNFSD_STATS	"/sys/kernel/debug/zcnfsd/stats"
#define ZCVFS_ZCFS_STATS "/sys/kernel/debug/zcvfs/zcfs/stats"

static inline long long srv_stat(const char *name)
{
	return stat_file(ZCNFSD_STATS, name);
}

#endif /* ZCNFSD_RPC_H */
