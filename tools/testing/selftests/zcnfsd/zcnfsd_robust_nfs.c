// SPDX-License-Identifier: GPL-2.0
/*
 * zcnfsd robustness, NFS arguments and procedures (the cases run from
 * zcnfsd_robust.c): GETATTR, CREATE, WRITE and READ of the test file
 * (aligned or not), truncated and oversized arguments, bad file handles,
 * bad XDR, LOOKUP names, READ and WRITE at the edges (EOF, overflowing
 * offsets, counts beyond the payload, 2 GiB), a directory, REMOVE.
 */
#include "zcnfsd_robust.h"

bool t_getattr_root(void)
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

bool t_create_write_read(void)
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

bool t_unaligned(void)
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
bool t_garbage_args(void)
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

bool t_bad_fh(void)
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

bool t_bad_xdr(void)
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

bool t_lookup(void)
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

bool t_read_eof(void)
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

bool t_read_edges(void)
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

bool t_dir_io(void)
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

bool t_write_count_vs_len(void)
{
	return write_short(100, 100, "WRITE count 8192, data length 100");
}

bool t_write_past_record(void)
{
	return write_short(8192, 100, "WRITE count 8192, 100 bytes in the record") &&
	       write_short(8192, 4096 + 12, "WRITE count 8192, 4108 bytes in the record");
}

bool t_write_cut(void)
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

bool t_write_huge(void)
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

bool t_write_edges(void)
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
bool t_remove(void)
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
