// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd robustness, the transport (the cases run from zcnfsd_robust.c):
 * record marking (marks of length 0 and 2^31-1, records and marks cut
 * short, fragment chains, a WRITE in fragments), a call sent a byte at a
 * time, pipelined calls, random bytes, 64 connections at once.
 */
#include "zcnfsd_robust.h"

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

bool t_write_fragments(void)
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

bool t_rm_zero(void)
{
	int fd = rpc_connect(nfs_port);
	bool ok;

	EXPECT(fd >= 0, "connect: %s\n", rpc_strerr(fd));
	ok = !send_mark(fd, LAST_FRAG | 0) && dropped(fd, "empty record");
	rpc_close(fd);
	return ok;
}

bool t_rm_oversized(void)
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

bool t_rm_truncated(void)
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

bool t_rm_mark_truncated(void)
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

bool t_rm_chains(void)
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

bool t_rm_chain_huge(void)
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

bool t_slow_sender(void)
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

bool t_pipelined(void)
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
bool t_garbage_stream(void)
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

/*
 * NCONN connections at once (n of them), each sending one GETATTR of the
 * root: how many were answered and how many closed by the server.  With
 * `hold`, answered connections stay open until every one is resolved (so
 * that the server serves them all at the same time); otherwise each is
 * closed once answered.
 */
void many(int n, bool hold, int *answered_out, int *closed_out)
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

bool t_many(void)
{
	long long conn0 = srv_stat("connections_accepted");
	int answered, closed;

	many(NCONN, false, &answered, &closed);
	MSG("%d of %d connections answered, %d failed; connections_accepted +%lld\n", answered,
	    NCONN, closed, srv_stat("connections_accepted") - conn0);
	return answered == NCONN;
}
