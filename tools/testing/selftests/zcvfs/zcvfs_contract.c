// SPDX-License-Identifier: GPL-2.0
/*
 * zcvfs contract tests (Documentation/zcvfs.rst, "Semantics": the
 * feature, requests and their errors, reads, writes with copies, returns,
 * the safe Rust API, pins, monitors, fsnotify) through the test driver
 * /dev/zcvfs_test.
 *
 * Loads zcvfs.ko and zcvfs_test.ko, mounts two tmpfs: on "zc" the test
 * provider offers zero-copy (feature set on that super_block only), on
 * "plain" nothing does (ENOTSUP, plain xuio through the normal VFS path).
 * Unloads everything at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest.h"
#include "zcvfs_testdrv.h"

#define ZC_DIR		"/tmp/zcvfs-zc"
#define PLAIN_DIR	"/tmp/zcvfs-plain"
#define PIN_DIR		"/tmp/zcvfs-pin"

static int zc_fd = -1, zc2_fd = -1, plain_fd = -1;

#define FAIL(...) do { ksft_print_msg(__VA_ARGS__); return false; } while (0)
#define EXPECT(cond, ...) do { if (!(cond)) FAIL(__VA_ARGS__); } while (0)

static long long outstanding(void)
{
	return zt_stat("tmpfs", "loans_outstanding");
}

static int open_file(const char *path, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644);

	if (fd < 0 || ftruncate(fd, len))
		ksft_exit_fail_msg("%s: %s\n", path, strerror(errno));
	return fd;
}

/* ---- the tests ---- */

static bool t_feature(void)
{
	struct zcvfs_test_req r = { .fd = zc_fd };

	EXPECT(zt(ZT_HAS_FEATURE, &r) == 1, "zc tmpfs lacks the feature\n");
	r.fd = plain_fd;
	EXPECT(zt(ZT_HAS_FEATURE, &r) == 0, "other tmpfs has the feature\n");
	return true;
}

static bool t_enotsup(void)
{
	long long before = zt_stat("tmpfs", "enotsup");

	EXPECT(zt_req(0, plain_fd, 0, 0, PG, ZT_REQ_FRESH) == -EOPNOTSUPP,
	       "READ request on plain tmpfs not ENOTSUP\n");
	EXPECT(zt_req(0, plain_fd, 1, 0, PG, ZT_REQ_FRESH) == -EOPNOTSUPP,
	       "WRITE request on plain tmpfs not ENOTSUP\n");
	EXPECT(zt_stat("tmpfs", "enotsup") == before + 2, "enotsup not counted\n");
	EXPECT(outstanding() == 0, "a loan leaked\n");
	return true;
}

static bool t_plain_read(void)
{
	unsigned char want[10000], got[10000];

	pattern(want, sizeof(want), 3);
	EXPECT(fill_file(plain_fd, sizeof(want), 3), "setup\n");
	memset(got, 0, sizeof(got));
	EXPECT(zt_buf(ZT_PLAIN_READ, 0, plain_fd, 0, got, sizeof(got), 0) == sizeof(got),
	       "plain kvec read failed\n");
	EXPECT(!memcmp(got, want, sizeof(got)), "plain kvec read: wrong data\n");
	memset(got, 0, sizeof(got));
	EXPECT(zt_buf(ZT_PLAIN_READ, 0, plain_fd, 100, got, 5000, 1) == 5000,
	       "plain page read failed\n");
	EXPECT(!memcmp(got, want + 100, 5000), "plain page read: wrong data\n");
	EXPECT(zt_buf(ZT_PLAIN_READ, 0, plain_fd, 20000, got, 100, 0) == 0,
	       "plain read beyond EOF not 0\n");
	EXPECT(zt_buf(ZT_PLAIN_READ, 0, plain_fd, -1, got, 100, 0) == -EINVAL,
	       "plain read at -1 not EINVAL\n");
	return true;
}

static bool t_plain_write(void)
{
	unsigned char b[9000];

	EXPECT(fill_file(plain_fd, 0, 0), "setup\n");
	pattern(b, sizeof(b), 5);
	EXPECT(zt_buf(ZT_PLAIN_WRITE, 0, plain_fd, 0, b, sizeof(b), 0) == sizeof(b),
	       "plain kvec write failed\n");
	EXPECT(zt_buf(ZT_PLAIN_WRITE, 0, plain_fd, sizeof(b), b, 4096, 1) == 4096,
	       "plain page write failed\n");
	EXPECT(file_is(plain_fd, 0, b, sizeof(b)), "kvec-written data wrong\n");
	EXPECT(file_is(plain_fd, sizeof(b), b, 4096), "page-written data wrong\n");
	return true;
}

static bool t_request_read_return(void)
{
	unsigned char want[5000], got[20000];
	struct zcvfs_test_req st;
	long long n0 = zt_stat("tmpfs", "nreqzcbuf"), r0 = zt_stat("tmpfs", "nretzcbuf");

	pattern(want, sizeof(want), 7);
	EXPECT(fill_file(zc_fd, sizeof(want), 7), "setup\n");
	/* 1, 4: resid/loffset in, UIO_XUIO + ZEROCOPY + direction out. */
	EXPECT(zt_req(1, zc_fd, 0, 0, 16384, ZT_REQ_FRESH) == 0, "READ request failed\n");
	zt_op(ZT_STATE, 1, zc_fd, &st);
	EXPECT(st.out[ZT_ST_EXTFLAG] & UIO_XUIO, "no UIO_XUIO after request\n");
	EXPECT(st.out[ZT_ST_TYPE] == UIOTYPE_ZEROCOPY, "type not zero-copy\n");
	EXPECT(st.out[ZT_ST_ZCSTATE] == ZC_LOANED, "state %lld not LOANED\n", st.out[ZT_ST_ZCSTATE]);
	EXPECT(st.out[ZT_ST_RESID] == 16384 && st.out[ZT_ST_LOFFSET] == 0, "resid/loffset changed\n");
	/* 2: all or nothing: the segments cover the whole length. */
	EXPECT(st.out[ZT_ST_NSEGS] == 4, "%lld segments for 16 KiB\n", st.out[ZT_ST_NSEGS]);
	EXPECT(zt_stat("tmpfs", "loans_outstanding") == 1 &&
	       zt_stat("tmpfs", "bytes_on_loan") == 16384, "loan not counted\n");
	/* 5: READ segments are not accessible before the read. */
	EXPECT(zt_buf(ZT_PEEK, 1, zc_fd, 0, got, 100, 0) == -EINVAL,
	       "segments readable before the read\n");
	EXPECT(st.out[ZT_ST_SEGLEN] == -EINVAL, "segment length visible before read\n");
	/* The read trims at EOF and sets the residual count. */
	EXPECT(zt_op(ZT_READ, 1, zc_fd, &st) == 5000, "read returned %lld\n", st.result);
	EXPECT(st.out[ZT_ST_ZCSTATE] == ZC_FILLED, "state not FILLED\n");
	EXPECT(st.out[ZT_ST_RESID] == 16384 - 5000, "resid %lld\n", st.out[ZT_ST_RESID]);
	EXPECT(st.out[ZT_ST_SEGLEN] == 5000 && st.out[ZT_ST_NSEGS] == 2,
	       "segments not trimmed: %lld bytes in %lld\n", st.out[ZT_ST_SEGLEN], st.out[ZT_ST_NSEGS]);
	memset(got, 0, sizeof(got));
	EXPECT(zt_buf(ZT_PEEK, 1, zc_fd, 0, got, sizeof(got), 0) == 5000, "peek failed\n");
	EXPECT(!memcmp(got, want, 5000), "loaned data differs from the file\n");
	EXPECT(zt_op(ZT_READ, 1, zc_fd, NULL) == -EINVAL, "second read not EINVAL\n");
	/* 8: one return; a second one is refused. */
	EXPECT(zt_op(ZT_RET, 1, zc_fd, &st) == 0, "return failed\n");
	EXPECT(st.out[ZT_ST_ZCSTATE] == ZC_RETURNED && st.out[ZT_ST_NSEGS] == 0,
	       "xuio not cleared by the return\n");
	EXPECT(zt_op(ZT_RET, 1, zc_fd, NULL) == -EALREADY, "double return not EALREADY\n");
	EXPECT(zt_buf(ZT_PEEK, 1, zc_fd, 0, got, 100, 0) == -EINVAL, "segments readable after return\n");
	EXPECT(zt_op(ZT_READ, 1, zc_fd, NULL) == -EINVAL, "read after return not EINVAL\n");
	EXPECT(zt_op(ZT_WRITE, 1, zc_fd, NULL) == -EINVAL, "write after return not EINVAL\n");
	EXPECT(zt_stat("tmpfs", "nreqzcbuf") == n0 + 1 && zt_stat("tmpfs", "nretzcbuf") == r0 + 1,
	       "nreqzcbuf/nretzcbuf not counted once\n");
	EXPECT(outstanding() == 0 && zt_stat("tmpfs", "bytes_on_loan") == 0, "loan leaked\n");
	/* The returned xuio can be used for a new request. */
	EXPECT(zt_req(1, zc_fd, 0, 4096, 100, 0) == 0, "re-request on returned xuio failed\n");
	EXPECT(zt_op(ZT_READ, 1, zc_fd, NULL) == 100, "read at 4096\n");
	EXPECT(zt_buf(ZT_PEEK, 1, zc_fd, 0, got, 100, 0) == 100 && !memcmp(got, want + 4096, 100),
	       "data at offset 4096 wrong\n");
	EXPECT(zt_op(ZT_RET, 1, zc_fd, NULL) == 0, "return\n");
	return true;
}

static bool t_bad_requests(void)
{
	long long einval = zt_stat("tmpfs", "einval");
	int n = 0;

	EXPECT(zt_req(2, zc_fd, 0, 0, 0, ZT_REQ_FRESH) == -EINVAL, "length 0\n"); n++;
	EXPECT(zt_req(2, zc_fd, 0, 0, -4096, ZT_REQ_FRESH) == -EINVAL, "negative length\n"); n++;
	EXPECT(zt_req(2, zc_fd, 0, LLONG_MAX - 10, 4096, ZT_REQ_FRESH) == -EOVERFLOW,
	       "offset+length overflow not EOVERFLOW\n");
	EXPECT(zt_req(2, zc_fd, 0, -5, 4096, ZT_REQ_FRESH) == -EINVAL, "offset -5\n"); n++;
	EXPECT(zt_req(2, zc_fd, 0, -1, 4096, ZT_REQ_FRESH) == -EINVAL, "anonymous READ\n"); n++;
	EXPECT(zt_req(2, zc_fd, 7, 0, 4096, ZT_REQ_FRESH) == -EINVAL, "direction 7\n"); n++;
	EXPECT(zt_req(2, zc_fd, 0, 0, 4096, ZT_REQ_FRESH | ZT_REQ_ASYNCIO) == -EINVAL,
	       "async-I/O xuio accepted\n"); n++;
	/* The provider is short of buffers beyond its limit (256 KiB). */
	EXPECT(zt_req(2, zc_fd, 0, 0, 1 << 20, ZT_REQ_FRESH) == -EINVAL,
	       "oversized loan not EINVAL\n"); n++;
	EXPECT(zt_req(2, zc_fd, 0, 0, 1LL << 40, ZT_REQ_FRESH) == -EINVAL,
	       "length above MAX_RW_COUNT\n"); n++;
	EXPECT(zt_stat("tmpfs", "einval") == einval + n, "einval %lld, want %lld\n",
	       zt_stat("tmpfs", "einval"), einval + n);
	EXPECT(outstanding() == 0, "a refused request leaked a loan\n");
	return true;
}

static bool t_wrong_use(void)
{
	unsigned char b[100];

	EXPECT(fill_file(zc_fd, 8192, 9), "setup\n");
	/* A READ loan cannot be written, nor filled. */
	EXPECT(zt_req(3, zc_fd, 0, 0, 4096, ZT_REQ_FRESH) == 0, "request\n");
	EXPECT(zt_op(ZT_WRITE, 3, zc_fd, NULL) == -EINVAL, "write of a READ loan\n");
	EXPECT(zt_buf(ZT_FILL, 3, zc_fd, 0, b, sizeof(b), 0) == -EINVAL, "fill of a READ loan\n");
	/* A loaned xuio cannot be loaned again (the first loan would be lost). */
	EXPECT(zt_req(3, zc_fd, 0, 0, 4096, 0) == -EBUSY, "re-request of a loaned xuio\n");
	/* A loan is used with the file it was made for. */
	EXPECT(zt_op(ZT_READ, 3, zc2_fd, NULL) == -EINVAL, "read with another file\n");
	EXPECT(zt_op(ZT_RET, 3, zc2_fd, NULL) == -EINVAL, "return with another file\n");
	EXPECT(zt_op(ZT_RET, 3, zc_fd, NULL) == 0, "return\n");
	/* A WRITE loan cannot be read. */
	EXPECT(zt_req(3, zc_fd, 1, 0, 4096, ZT_REQ_FRESH) == 0, "request\n");
	EXPECT(zt_op(ZT_READ, 3, zc_fd, NULL) == -EINVAL, "read of a WRITE loan\n");
	EXPECT(zt_op(ZT_RET, 3, zc_fd, NULL) == 0, "return\n");
	EXPECT(file_is(zc_fd, 0, (pattern(b, 100, 9), b), 100), "an unwritten loan changed data\n");
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

static bool t_write_loan(void)
{
	unsigned char b[8192], got[8192];
	struct zcvfs_test_req st;
	long long copied = zt_stat("tmpfs", "write_pages_copied");
	struct stat s1, s2;

	EXPECT(fill_file(zc_fd, 0, 0), "setup\n");
	fstat(zc_fd, &s1);
	usleep(50000);
	pattern(b, sizeof(b), 11);
	EXPECT(zt_req(4, zc_fd, 1, 0, sizeof(b), ZT_REQ_FRESH) == 0, "WRITE request\n");
	zt_op(ZT_STATE, 4, zc_fd, &st);
	EXPECT(st.out[ZT_ST_SEGLEN] == sizeof(b), "WRITE segments not accessible before write\n");
	EXPECT(zt_buf(ZT_FILL, 4, zc_fd, 0, b, sizeof(b), 0) == sizeof(b), "fill\n");
	EXPECT(zt_op(ZT_WRITE, 4, zc_fd, &st) == sizeof(b), "write returned %lld\n", st.result);
	EXPECT(st.out[ZT_ST_ZCSTATE] == ZC_WRITTEN && st.out[ZT_ST_RESID] == 0, "state after write\n");
	/* After the write the caller no longer touches the segments. */
	EXPECT(zt_buf(ZT_FILL, 4, zc_fd, 0, b, 10, 0) == -EINVAL, "fill after write\n");
	EXPECT(zt_op(ZT_WRITE, 4, zc_fd, NULL) == -EINVAL, "second write\n");
	EXPECT(zt_op(ZT_RET, 4, zc_fd, NULL) == 0, "return\n");
	EXPECT(file_is(zc_fd, 0, b, sizeof(b)), "written data wrong\n");
	/* 11: i_size and mtime as write(2) would. */
	fstat(zc_fd, &s2);
	EXPECT(s2.st_size == sizeof(b), "size %lld\n", (long long)s2.st_size);
	EXPECT(s2.st_mtim.tv_sec != s1.st_mtim.tv_sec || s2.st_mtim.tv_nsec != s1.st_mtim.tv_nsec,
	       "mtime not updated\n");
	EXPECT(zt_stat("tmpfs", "write_pages_copied") == copied + 2, "copied pages not counted\n");
	/* Anonymous buffers: the offset is set before the write. */
	EXPECT(zt_req(4, zc_fd, 1, -1, 100, ZT_REQ_FRESH) == 0, "anonymous WRITE request\n");
	zt_op(ZT_STATE, 4, zc_fd, &st);
	EXPECT(st.out[ZT_ST_LOFFSET] == -1, "anonymous loffset\n");
	EXPECT(zt_buf(ZT_FILL, 4, zc_fd, 0, b + 1000, 100, 0) == 100, "fill\n");
	EXPECT(zt_op(ZT_WRITE, 4, zc_fd, NULL) == -EINVAL, "write with offset -1\n");
	{
		struct zcvfs_test_req r = { .fd = zc_fd, .slot = 4, .offset = 20000,
					    .arg = ZT_WRITE_SET_OFFSET };
		EXPECT(zt(ZT_WRITE, &r) == 100, "anonymous write: %lld\n", r.result);
	}
	EXPECT(zt_op(ZT_RET, 4, zc_fd, NULL) == 0, "return\n");
	EXPECT(file_is(zc_fd, 20000, b + 1000, 100), "anonymous write data\n");
	memset(got, 1, sizeof(got));
	EXPECT(pread(zc_fd, got, 100, 10000) == 100 && !got[0] && !got[99], "hole not zero\n");
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

static bool t_rust_api(void)
{
	unsigned char b[12288], got[12288];
	struct zcvfs_test_req r;

	pattern(b, sizeof(b), 13);
	EXPECT(fill_file(zc_fd, sizeof(b), 13), "setup\n");
	r = (struct zcvfs_test_req){ .fd = zc_fd, .offset = 4096, .length = 8192,
				    .buf = (uintptr_t)got, .buf_len = sizeof(got) };
	EXPECT(zt(ZT_LOAN_READ, &r) == 8192, "ReadLoan: %lld (step %lld)\n", r.result, r.out[0]);
	EXPECT(!memcmp(got, b + 4096, 8192) && r.out[1] == 2, "ReadLoan data\n");
	pattern(b, 6000, 17);
	r = (struct zcvfs_test_req){ .fd = zc_fd, .offset = 100, .buf = (uintptr_t)b,
				    .buf_len = 6000 };
	EXPECT(zt(ZT_LOAN_WRITE, &r) == 6000, "WriteLoan: %lld\n", r.result);
	EXPECT(file_is(zc_fd, 100, b, 6000), "WriteLoan data\n");
	r = (struct zcvfs_test_req){ .fd = zc_fd, .offset = -1, .arg = 30000,
				    .buf = (uintptr_t)b, .buf_len = 50 };
	EXPECT(zt(ZT_LOAN_WRITE, &r) == 50, "anonymous WriteLoan: %lld\n", r.result);
	EXPECT(file_is(zc_fd, 30000, b, 50), "anonymous WriteLoan data\n");
	/* On a filesystem without zero-copy, request fails: the fallback signal. */
	r = (struct zcvfs_test_req){ .fd = plain_fd, .offset = 0, .length = 100,
				    .buf = (uintptr_t)got, .buf_len = 100 };
	EXPECT(zt(ZT_LOAN_READ, &r) == -EOPNOTSUPP && r.out[0] == 1, "ReadLoan on plain tmpfs\n");
	EXPECT(outstanding() == 0, "leak: loans returned exactly once by Drop\n");
	return true;
}

static bool t_c_consumer(void)
{
	unsigned char want[6000], got[6000];
	struct zcvfs_test_req r;

	pattern(want, sizeof(want), 31);
	EXPECT(fill_file(zc_fd, sizeof(want), 31), "setup\n");
	EXPECT(fill_file(plain_fd, sizeof(want), 31), "setup\n");
	r = (struct zcvfs_test_req){ .fd = zc_fd, .offset = 1000, .buf = (uintptr_t)got,
				    .buf_len = 5000 };
	EXPECT(zt(ZT_C_READ, &r) == 5000 && r.out[0] == 1, "zero-copy C read: %lld, zc %lld\n",
	       r.result, r.out[0]);
	EXPECT(!memcmp(got, want + 1000, 5000), "zero-copy C read data\n");
	memset(got, 0, sizeof(got));
	r = (struct zcvfs_test_req){ .fd = plain_fd, .offset = 1000, .buf = (uintptr_t)got,
				    .buf_len = 5000 };
	EXPECT(zt(ZT_C_READ, &r) == 5000 && r.out[0] == 0, "fallback C read: %lld, zc %lld\n",
	       r.result, r.out[0]);
	EXPECT(!memcmp(got, want + 1000, 5000), "fallback C read data\n");
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

/* Several threads, each with its own device fd, loaning at once. */
struct worker {
	pthread_t t;
	int id;
	bool ok;
};

static void *worker_fn(void *p)
{
	struct worker *w = p;
	int d = open("/dev/zcvfs_test", O_RDWR);
	unsigned char buf[4096];

	w->ok = d >= 0;
	for (int i = 0; w->ok && i < 100; i++) {
		int rw = (i + w->id) & 1;
		struct zcvfs_test_req r = { .fd = zc_fd, .slot = i % ZT_SLOTS, .rw = rw,
					    .offset = (i % 4) * 4096, .length = 4096,
					    .arg = ZT_REQ_FRESH };

		if (ioctl(d, ZT_REQ, &r) || r.result) {
			w->ok = false;
			break;
		}
		r.buf = (uintptr_t)buf;
		r.buf_len = sizeof(buf);
		r.offset = 0;
		if (rw)
			w->ok = !ioctl(d, ZT_FILL, &r) && r.result == 4096 &&
				!ioctl(d, ZT_WRITE, &r) && r.result == 4096;
		else
			w->ok = !ioctl(d, ZT_READ, &r) && r.result == 4096;
		/* Every other loan is left for the slot reuse / close to return. */
		if (w->ok && (i & 1))
			w->ok = !ioctl(d, ZT_RET, &r) && r.result == 0;
		if (w->ok && !(i & 1))
			w->ok = !ioctl(d, ZT_SLOT_FREE, &r) && r.result == 0;
		/* Misuse in between: a double return. */
		if (w->ok && (i & 1))
			w->ok = !ioctl(d, ZT_RET, &r) && r.result == -EALREADY;
	}
	if (d >= 0)
		close(d);
	return NULL;
}

static bool t_concurrent(void)
{
	struct worker w[4];

	EXPECT(fill_file(zc_fd, 4 * 4096, 37), "setup\n");
	for (int i = 0; i < 4; i++) {
		w[i].id = i;
		EXPECT(pthread_create(&w[i].t, NULL, worker_fn, &w[i]) == 0, "thread\n");
	}
	for (int i = 0; i < 4; i++)
		pthread_join(w[i].t, NULL);
	for (int i = 0; i < 4; i++)
		EXPECT(w[i].ok, "worker %d failed\n", i);
	EXPECT(outstanding() == 0, "leak after concurrent use\n");
	return true;
}

static bool t_pins(void)
{
	struct zcvfs_test_req r = { 0 };
	int fd;

	/* A loan pins its file, so the mount: umount fails with EBUSY. */
	mkdir(PIN_DIR, 0755);
	EXPECT(mount("tmpfs", PIN_DIR, "tmpfs", 0, "size=8m") == 0, "mount\n");
	fd = open_file(PIN_DIR "/f", 4096);
	EXPECT(zt(ZT_PROVIDER_DISABLE, &r) == 0, "disable\n");
	r.fd = fd;
	EXPECT(zt(ZT_PROVIDER_ENABLE, &r) == 0, "enable on the new tmpfs\n");
	EXPECT(zt_req(5, fd, 0, 0, 4096, ZT_REQ_FRESH) == 0, "request\n");
	close(fd);
	r = (struct zcvfs_test_req){ 0 };
	EXPECT(zt(ZT_PROVIDER_DISABLE, &r) == 0, "disable\n");
	EXPECT(umount(PIN_DIR) != 0 && errno == EBUSY,
	       "umount with a loan outstanding: %s\n", strerror(errno));
	fd = open(PIN_DIR "/f", O_RDONLY);
	EXPECT(zt_op(ZT_RET, 5, fd, NULL) == 0, "return\n");
	close(fd);
	EXPECT(umount(PIN_DIR) == 0, "umount after the return: %s\n", strerror(errno));
	r = (struct zcvfs_test_req){ .fd = zc_fd };
	EXPECT(zt(ZT_PROVIDER_ENABLE, &r) == 0, "re-enable\n");
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

static long long mon_install(int fd, int kind, int mask, int err)
{
	struct zcvfs_test_req r = { .fd = fd, .arg = kind, .rw = mask, .offset = err };

	return zt(ZT_MON_INSTALL, &r);
}

static bool mon_counts(long long id, long long out[ZT_OUT])
{
	struct zcvfs_test_req r = { .arg = id };

	if (zt(ZT_MON_COUNTS, &r) != 0)
		return false;
	memcpy(out, r.out, sizeof(r.out));
	return true;
}

static bool mon_uninstall(long long id)
{
	struct zcvfs_test_req r = { .arg = id };

	return zt(ZT_MON_UNINSTALL, &r) == 0;
}

static bool t_monitors_count(void)
{
	long long a, b, ca[ZT_OUT], cb[ZT_OUT];
	unsigned char buf[100];
	struct stat s;

	EXPECT(fill_file(zc_fd, 8192, 21), "setup\n");
	a = mon_install(zc_fd, ZT_MON_COUNT, 0, 0);
	EXPECT(a > 0, "install: %lld\n", a);
	EXPECT(zt_req(6, zc_fd, 0, 0, 4096, ZT_REQ_FRESH) == 0, "request\n");
	EXPECT(zt_op(ZT_READ, 6, zc_fd, NULL) == 4096, "read\n");
	EXPECT(zt_op(ZT_RET, 6, zc_fd, NULL) == 0, "return\n");
	EXPECT(zt_buf(ZT_PLAIN_READ, 0, zc_fd, 0, buf, sizeof(buf), 0) == sizeof(buf), "plain\n");
	EXPECT(zt_buf(ZT_PLAIN_WRITE, 0, zc_fd, 0, buf, sizeof(buf), 0) == sizeof(buf), "plain w\n");
	{
		struct zcvfs_test_req r = { .fd = zc_fd, .length = 5000 };
		EXPECT(zt(ZT_TRUNCATE, &r) == 0, "truncate: %lld\n", r.result);
	}
	fstat(zc_fd, &s);
	EXPECT(s.st_size == 5000, "truncate did not truncate\n");
	{
		/* As ftruncate(2): not through a read-only file. */
		int ro = open(ZC_DIR "/file", O_RDONLY);
		struct zcvfs_test_req r = { .fd = ro, .length = 10 };

		EXPECT(ro >= 0 && zt(ZT_TRUNCATE, &r) == -EBADF, "read-only truncate: %lld\n",
		       r.result);
		close(ro);
	}
	EXPECT(mon_counts(a, ca), "counts\n");
	EXPECT(ca[ZT_OP_READ] == 2 && ca[ZT_OP_WRITE] == 1 && ca[ZT_OP_REQZCBUF] == 1 &&
	       ca[ZT_OP_RETZCBUF] == 1 && ca[ZT_OP_TRUNCATE] == 1,
	       "counts r%lld w%lld req%lld ret%lld t%lld\n", ca[0], ca[1], ca[2], ca[3], ca[4]);
	/* A second monitor goes on top and runs first. */
	b = mon_install(zc_fd, ZT_MON_COUNT, 0, 0);
	EXPECT(b > 0, "install b\n");
	EXPECT(zt_buf(ZT_PLAIN_READ, 0, zc_fd, 0, buf, sizeof(buf), 0) == sizeof(buf), "plain\n");
	EXPECT(mon_counts(a, ca) && mon_counts(b, cb), "counts\n");
	EXPECT(ca[ZT_OP_READ] == 3 && cb[ZT_OP_READ] == 1, "both not called\n");
	EXPECT(cb[6] < ca[6], "top monitor did not run first (%lld, %lld)\n", cb[6], ca[6]);
	/* The caller context reaches the monitors (the test driver's id is 1). */
	EXPECT(ca[7] == 1 && cb[7] == 1, "caller id %lld/%lld, not 1\n", ca[7], cb[7]);
	EXPECT(mon_uninstall(b) && mon_uninstall(a), "uninstall\n");
	EXPECT(zt_buf(ZT_PLAIN_READ, 0, zc_fd, 0, buf, sizeof(buf), 0) == sizeof(buf), "plain\n");
	EXPECT(!mon_uninstall(a), "second uninstall succeeded\n");
	return true;
}

static bool t_monitors_veto(void)
{
	unsigned char orig[8192], b[8192], got[100];
	long long v, c, cc[ZT_OUT], vetoed = zt_stat("tmpfs", "vetoed");
	struct stat s;

	pattern(orig, sizeof(orig), 23);
	EXPECT(fill_file(zc_fd, sizeof(orig), 23), "setup\n");
	c = mon_install(zc_fd, ZT_MON_COUNT, 0, 0);
	v = mon_install(zc_fd, ZT_MON_VETO, 1 << ZT_OP_REQZCBUF, EPERM);
	EXPECT(c > 0 && v > 0, "install\n");
	/* A vetoed request loans nothing. */
	EXPECT(zt_req(7, zc_fd, 0, 0, 4096, ZT_REQ_FRESH) == -EPERM, "request not vetoed\n");
	EXPECT(outstanding() == 0, "vetoed request leaked a loan\n");
	EXPECT(mon_counts(c, cc) && cc[ZT_OP_REQZCBUF] == 0, "the monitor below ran\n");
	EXPECT(mon_uninstall(v), "uninstall\n");
	/* Veto of writes: zero-copy and plain writes change nothing. */
	v = mon_install(zc_fd, ZT_MON_VETO, 1 << ZT_OP_WRITE, EACCES);
	EXPECT(zt_req(7, zc_fd, 1, 0, sizeof(b), ZT_REQ_FRESH) == 0, "request\n");
	pattern(b, sizeof(b), 99);
	EXPECT(zt_buf(ZT_FILL, 7, zc_fd, 0, b, sizeof(b), 0) == sizeof(b), "fill\n");
	EXPECT(zt_op(ZT_WRITE, 7, zc_fd, NULL) == -EACCES, "write not vetoed\n");
	EXPECT(zt_buf(ZT_PLAIN_WRITE, 0, zc_fd, 0, b, 100, 0) == -EACCES, "plain write not vetoed\n");
	EXPECT(zt_op(ZT_RET, 7, zc_fd, NULL) == 0, "return after vetoed write\n");
	EXPECT(file_is(zc_fd, 0, orig, sizeof(orig)), "a vetoed write changed data\n");
	EXPECT(mon_uninstall(v), "uninstall\n");
	/* Veto of reads: the segments stay inaccessible. */
	v = mon_install(zc_fd, ZT_MON_VETO, 1 << ZT_OP_READ, EACCES);
	EXPECT(zt_req(7, zc_fd, 0, 0, 4096, ZT_REQ_FRESH) == 0, "request\n");
	EXPECT(zt_op(ZT_READ, 7, zc_fd, NULL) == -EACCES, "read not vetoed\n");
	EXPECT(zt_buf(ZT_PEEK, 7, zc_fd, 0, got, sizeof(got), 0) == -EINVAL, "segments after veto\n");
	EXPECT(mon_uninstall(v), "uninstall\n");
	/* A return cannot be vetoed: the buffers come back anyway. */
	v = mon_install(zc_fd, ZT_MON_VETO, 1 << ZT_OP_RETZCBUF, EPERM);
	EXPECT(zt_op(ZT_RET, 7, zc_fd, NULL) == 0, "return vetoed\n");
	EXPECT(outstanding() == 0, "vetoed return leaked\n");
	EXPECT(mon_uninstall(v), "uninstall\n");
	/* Truncate. */
	v = mon_install(zc_fd, ZT_MON_VETO, 1 << ZT_OP_TRUNCATE, EPERM);
	{
		struct zcvfs_test_req r = { .fd = zc_fd, .length = 10 };
		EXPECT(zt(ZT_TRUNCATE, &r) == -EPERM, "truncate not vetoed\n");
	}
	fstat(zc_fd, &s);
	EXPECT(s.st_size == sizeof(orig), "vetoed truncate changed the size\n");
	EXPECT(mon_uninstall(v) && mon_uninstall(c), "uninstall\n");
	EXPECT(zt_stat("tmpfs", "vetoed") >= vetoed + 5, "vetoes not counted\n");
	return true;
}

/* 11: inotify and fanotify see zero-copy I/O as read(2)/write(2). */
static bool wait_inotify(int ifd, unsigned int mask)
{
	char buf[4096] __attribute__((aligned(8)));
	struct pollfd p = { .fd = ifd, .events = POLLIN };
	unsigned int seen = 0;

	while (poll(&p, 1, 500) > 0) {
		ssize_t n = read(ifd, buf, sizeof(buf));

		for (char *q = buf; n > 0 && q < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)q;

			seen |= e->mask;
			q += sizeof(*e) + e->len;
		}
		if ((seen & mask) == mask)
			return true;
	}
	ksft_print_msg("inotify: saw %#x, wanted %#x\n", seen, mask);
	return false;
}

static bool wait_fanotify(int ffd, unsigned long long mask)
{
	char buf[4096] __attribute__((aligned(8)));
	struct pollfd p = { .fd = ffd, .events = POLLIN };
	unsigned long long seen = 0;

	while (poll(&p, 1, 500) > 0) {
		ssize_t n = read(ffd, buf, sizeof(buf));
		struct fanotify_event_metadata *m = (void *)buf;

		for (; n > 0 && FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
			seen |= m->mask;
			if (m->fd >= 0)
				close(m->fd);
		}
		if ((seen & mask) == mask)
			return true;
	}
	ksft_print_msg("fanotify: saw %#llx, wanted %#llx\n", seen, mask);
	return false;
}

/* ReadData::request: fop_reqzcbuf_read, the request and the read in one call. */
static long long one_call_read(int fd, long long off, void *buf, size_t len, long long *step)
{
	struct zcvfs_test_req r = { .fd = fd, .offset = off, .length = len,
				    .buf = (uintptr_t)buf, .buf_len = len,
				    .arg = ZT_LOAN_READ_ONE_CALL };
	long long n = zt(ZT_LOAN_READ, &r);

	*step = r.out[0];
	return n;
}

static bool t_one_call_read(void)
{
	unsigned char b[12288], got[12288];
	long long c, v, cc[ZT_OUT], step;
	long long req = zt_stat("tmpfs", "nreqzcbuf"), ret = zt_stat("tmpfs", "nretzcbuf");
	long long reads = zt_stat("tmpfs", "zc_reads"), bytes = zt_stat("tmpfs", "zc_read_bytes");

	pattern(b, sizeof(b), 37);
	EXPECT(fill_file(zc_fd, sizeof(b), 37), "setup\n");
	/* Without monitors: the fused path, counted as a request and a read. */
	memset(got, 0, sizeof(got));
	EXPECT(one_call_read(zc_fd, 1000, got, 9000, &step) == 9000, "read: step %lld\n", step);
	EXPECT(!memcmp(got, b + 1000, 9000), "data\n");
	EXPECT(zt_stat("tmpfs", "nreqzcbuf") == req + 1 && zt_stat("tmpfs", "nretzcbuf") == ret + 1 &&
	       zt_stat("tmpfs", "zc_reads") == reads + 1 &&
	       zt_stat("tmpfs", "zc_read_bytes") == bytes + 9000, "statistics\n");
	/* Trimmed at end of file; at or past it, nothing. */
	EXPECT(one_call_read(zc_fd, 12000, got, 4096, &step) == 288, "tail: step %lld\n", step);
	EXPECT(!memcmp(got, b + 12000, 288), "tail data\n");
	EXPECT(one_call_read(zc_fd, 20000, got, 100, &step) == 0, "past the end\n");
	/* Bad requests fail at once, and nothing is on loan. */
	EXPECT(one_call_read(zc_fd, 0, got, 0, &step) == -EINVAL && step == 1, "length 0\n");
	EXPECT(one_call_read(plain_fd, 0, got, 100, &step) == -EOPNOTSUPP && step == 1,
	       "no zero-copy: not ENOTSUP\n");
	EXPECT(outstanding() == 0, "a loan leaked\n");
	/* With monitors: they see the two calls of the protocol, and the return. */
	c = mon_install(zc_fd, ZT_MON_COUNT, 0, 0);
	EXPECT(c > 0, "install\n");
	EXPECT(one_call_read(zc_fd, 0, got, 4096, &step) == 4096 && !memcmp(got, b, 4096),
	       "monitored read: step %lld\n", step);
	EXPECT(mon_counts(c, cc) && cc[ZT_OP_REQZCBUF] == 1 && cc[ZT_OP_READ] == 1 &&
	       cc[ZT_OP_RETZCBUF] == 1, "monitor counts req%lld r%lld ret%lld\n",
	       cc[ZT_OP_REQZCBUF], cc[ZT_OP_READ], cc[ZT_OP_RETZCBUF]);
	/* A vetoed read fails the call, and the loan is back. */
	v = mon_install(zc_fd, ZT_MON_VETO, 1 << ZT_OP_READ, EACCES);
	EXPECT(v > 0, "install veto\n");
	EXPECT(one_call_read(zc_fd, 0, got, 4096, &step) == -EACCES && step == 1, "veto\n");
	EXPECT(outstanding() == 0, "a vetoed read left its loan out\n");
	EXPECT(mon_counts(c, cc) && cc[ZT_OP_RETZCBUF] == 2, "return not seen after veto\n");
	EXPECT(mon_uninstall(v) && mon_uninstall(c), "uninstall\n");
	return true;
}

static bool t_fsnotify(void)
{
	unsigned char b[4096];
	int ifd, ffd;

	EXPECT(fill_file(zc_fd, sizeof(b), 29), "setup\n");
	ifd = inotify_init1(IN_NONBLOCK);
	EXPECT(ifd >= 0, "inotify_init1\n");
	EXPECT(inotify_add_watch(ifd, ZC_DIR "/file", IN_ACCESS | IN_MODIFY) >= 0, "watch\n");
	ffd = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDONLY);
	EXPECT(ffd >= 0, "fanotify_init: %s\n", strerror(errno));
	EXPECT(fanotify_mark(ffd, FAN_MARK_ADD, FAN_ACCESS | FAN_MODIFY, AT_FDCWD,
			     ZC_DIR "/file") == 0, "fanotify_mark: %s\n", strerror(errno));
	/* Zero-copy read: IN_ACCESS / FAN_ACCESS. */
	EXPECT(zt_req(0, zc_fd, 0, 0, sizeof(b), ZT_REQ_FRESH) == 0, "request\n");
	EXPECT(zt_op(ZT_READ, 0, zc_fd, NULL) == sizeof(b), "read\n");
	EXPECT(zt_op(ZT_RET, 0, zc_fd, NULL) == 0, "return\n");
	EXPECT(wait_inotify(ifd, IN_ACCESS), "no IN_ACCESS for a zero-copy read\n");
	EXPECT(wait_fanotify(ffd, FAN_ACCESS), "no FAN_ACCESS for a zero-copy read\n");
	/* Zero-copy write: IN_MODIFY / FAN_MODIFY. */
	EXPECT(zt_req(0, zc_fd, 1, 0, 100, ZT_REQ_FRESH) == 0, "request\n");
	EXPECT(zt_buf(ZT_FILL, 0, zc_fd, 0, b, 100, 0) == 100, "fill\n");
	EXPECT(zt_op(ZT_WRITE, 0, zc_fd, NULL) == 100, "write\n");
	EXPECT(zt_op(ZT_RET, 0, zc_fd, NULL) == 0, "return\n");
	EXPECT(wait_inotify(ifd, IN_MODIFY), "no IN_MODIFY for a zero-copy write\n");
	EXPECT(wait_fanotify(ffd, FAN_MODIFY), "no FAN_MODIFY for a zero-copy write\n");
	close(ffd);
	close(ifd);
	return true;
}

static bool t_unregistered_provider(void)
{
	struct zcvfs_test_req r = { 0 };

	/* Loans outlive the provider's registration. */
	EXPECT(zt_req(1, zc_fd, 0, 0, 4096, ZT_REQ_FRESH) == 0, "request\n");
	EXPECT(zt(ZT_PROVIDER_DISABLE, &r) == 0, "disable\n");
	r.fd = zc_fd;
	EXPECT(zt(ZT_HAS_FEATURE, &r) == 0, "feature still set after disable\n");
	EXPECT(zt_req(2, zc_fd, 0, 0, 4096, ZT_REQ_FRESH) == -EOPNOTSUPP, "request after disable\n");
	EXPECT(zt_op(ZT_READ, 1, zc_fd, NULL) == -EOPNOTSUPP, "read after disable\n");
	EXPECT(zt_op(ZT_RET, 1, zc_fd, NULL) == 0, "return after disable\n");
	EXPECT(outstanding() == 0, "leak\n");
	r = (struct zcvfs_test_req){ .fd = zc_fd };
	EXPECT(zt(ZT_PROVIDER_ENABLE, &r) == 0, "re-enable: %lld\n", r.result);
	return true;
}

static bool t_close_returns(void)
{
	/* Closing the device returns what a test left on loan. */
	EXPECT(zt_req(3, zc_fd, 0, 0, 8192, ZT_REQ_FRESH) == 0, "request\n");
	EXPECT(zt_req(4, zc_fd, 1, -1, 100, ZT_REQ_FRESH) == 0, "request\n");
	EXPECT(outstanding() == 2, "two loans not outstanding\n");
	close(zt_dev);
	zt_dev = open("/dev/zcvfs_test", O_RDWR);
	EXPECT(zt_dev >= 0, "reopen\n");
	EXPECT(outstanding() == 0, "close did not return the loans\n");
	return true;
}

/* The micro benchmark's ioctl (tools/bench/): each method, its checks. */
static bool t_bench(void)
{
	static const long long methods[] = { ZT_BENCH_LOAN, ZT_BENCH_COPY, ZT_BENCH_PHASES };
	struct zcvfs_test_req r;

	EXPECT(fill_file(zc_fd, 4 * 8192, 23), "setup\n");
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
		long long m = methods[i];

		r = (struct zcvfs_test_req){ .fd = zc_fd, .length = 8192, .slot = 4,
					    .rw = 1000000, .arg = m };
		EXPECT(zt(ZT_BENCH_READ, &r) > 0, "method %lld: %lld\n", m, r.result);
		EXPECT(r.out[0] == 8192, "method %lld: %lld bytes\n", m, r.out[0]);
		EXPECT(m == ZT_BENCH_COPY ? r.out[1] == 0 : r.out[1] == 2,
		       "method %lld: %lld segments\n", m, r.out[1]);
		EXPECT(m != ZT_BENCH_PHASES || r.result % 4 == 0,
		       "phases: %lld loans, not whole batches of 4\n", r.result);
		EXPECT(m == ZT_BENCH_PHASES ?
		       r.out[3] + r.out[4] + r.out[5] == r.out[2] && r.out[2] >= 0 :
		       !r.out[3] && !r.out[4] && !r.out[5],
		       "method %lld: phases %lld + %lld + %lld, total %lld\n", m, r.out[3],
		       r.out[4], r.out[5], r.out[2]);
		EXPECT(outstanding() == 0, "method %lld: leak\n", m);
		/*
		 * Of two ranges, the second is at the end of the file: its read
		 * gets 0 bytes, which fails the run (EIO) and keeps nothing on
		 * loan; only a run that stopped after the first iteration (a
		 * stalled guest) may not see it, except phases, whose first
		 * batch has both.
		 */
		r = (struct zcvfs_test_req){ .fd = zc_fd, .offset = 3 * 8192, .length = 8192,
					    .slot = 2, .rw = 100000000, .arg = m };
		EXPECT(zt(ZT_BENCH_READ, &r) < 0 || (m != ZT_BENCH_PHASES && r.result == 1),
		       "method %lld past EOF: %lld\n", m, r.result);
		EXPECT(outstanding() == 0, "method %lld past EOF: leak\n", m);
	}
	r = (struct zcvfs_test_req){ .fd = zc_fd, .length = 8192, .slot = 1025, .rw = 1000 };
	EXPECT(zt(ZT_BENCH_READ, &r) == -EINVAL, "1025 ranges: %lld\n", r.result);
	r = (struct zcvfs_test_req){ .fd = zc_fd, .length = 0, .rw = 1000 };
	EXPECT(zt(ZT_BENCH_READ, &r) == -EINVAL, "length 0: %lld\n", r.result);
	return true;
}

static const struct {
	const char *name;
	bool (*fn)(void);
} tests[] = {
	{ "feature set on one super_block only (vfs_has_feature)", t_feature },
	{ "ENOTSUP from a filesystem without the feature", t_enotsup },
	{ "plain xuio read through the VFS path (kvec and pages)", t_plain_read },
	{ "plain xuio write through the VFS path (kvec and pages)", t_plain_write },
	{ "request, read, return", t_request_read_return },
	{ "bad requests get clear errnos and leak nothing", t_bad_requests },
	{ "wrong direction, wrong file, busy xuio", t_wrong_use },
	{ "write loans and anonymous buffers", t_write_loan },
	{ "safe Rust consumer API: ReadLoan, WriteLoan", t_rust_api },
	{ "C consumer through the C ABI, zero-copy and fallback", t_c_consumer },
	{ "concurrent loans from several threads", t_concurrent },
	{ "a loan pins the mount: umount EBUSY until the return", t_pins },
	{ "counting monitors see every operation, top first", t_monitors_count },
	{ "vetoes change nothing and leak nothing", t_monitors_veto },
	{ "request and read in one call, with and without monitors", t_one_call_read },
	{ "inotify and fanotify see zero-copy I/O", t_fsnotify },
	{ "loans outlive the provider registration", t_unregistered_provider },
	{ "closing the test device returns its loans", t_close_returns },
	{ "the micro benchmark's loan, copy and phases, their checks", t_bench },
};

int main(void)
{
	struct zcvfs_test_req r = { 0 };
	bool ok;
	int err;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests) + 1);
	if ((err = zt_load("zcvfs")) || (err = zt_load("zcvfs_test")))
		ksft_exit_fail_msg("loading the modules: %s\n", strerror(-err));
	mkdir(ZC_DIR, 0755);
	mkdir(PLAIN_DIR, 0755);
	if (mount("tmpfs", ZC_DIR, "tmpfs", 0, "size=64m") ||
	    mount("tmpfs", PLAIN_DIR, "tmpfs", 0, "size=64m"))
		ksft_exit_fail_msg("mount tmpfs: %s\n", strerror(errno));
	zc_fd = open_file(ZC_DIR "/file", 0);
	zc2_fd = open_file(ZC_DIR "/other", 0);
	plain_fd = open_file(PLAIN_DIR "/file", 0);
	zt_dev = open("/dev/zcvfs_test", O_RDWR);
	if (zt_dev < 0)
		ksft_exit_fail_msg("/dev/zcvfs_test: %s\n", strerror(errno));
	r.fd = zc_fd;
	if (zt(ZT_PROVIDER_ENABLE, &r) != 0)
		ksft_exit_fail_msg("enabling the test provider: %lld\n", r.result);

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		ksft_test_result(tests[i].fn(), "%s\n", tests[i].name);
		/* A failed test may leave the provider elsewhere: restore it. */
		r = (struct zcvfs_test_req){ 0 };
		zt(ZT_PROVIDER_DISABLE, &r);
		r.fd = zc_fd;
		if (zt(ZT_PROVIDER_ENABLE, &r) != 0)
			ksft_exit_fail_msg("re-enabling the test provider: %lld\n", r.result);
	}

	/* Tear down: everything must unload, nothing may stay on loan. */
	ok = outstanding() == 0 &&
	     zt_stat("tmpfs", "nreqzcbuf") == zt_stat("tmpfs", "nretzcbuf");
	r = (struct zcvfs_test_req){ 0 };
	ok = ok && zt(ZT_PROVIDER_DISABLE, &r) == 0;
	close(zt_dev);
	close(zc_fd);
	close(zc2_fd);
	close(plain_fd);
	ok = ok && umount(ZC_DIR) == 0 && umount(PLAIN_DIR) == 0;
	ok = ok && zt_unload("zcvfs_test") == 0;
	ok = ok && zt_unload("zcvfs") == 0;
	ksft_test_result(ok, "%s\n", "balanced statistics, clean unmount and unload");
	ksft_finished();
}
