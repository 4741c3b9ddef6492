// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd robustness, the RPC call header (the cases run from
 * zcnfsd_robust.c): message type, RPC version, unknown program, version and
 * procedure, malformed and unknown credentials, a header cut inside the
 * credential.
 */
#include "zcnfsd_robust.h"

bool t_not_call(void)
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

bool t_rpcvers(void)
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

bool t_prog_unavail(void)
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

bool t_prog_mismatch(void)
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

bool t_proc_unavail(void)
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

bool t_auth_bogus_len(void)
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

bool t_auth_bad_body(void)
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

bool t_auth_flavor(void)
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

bool t_auth_none(void)
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
bool t_header_truncated(void)
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
