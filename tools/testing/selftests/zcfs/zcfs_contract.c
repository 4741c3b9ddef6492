// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs as a zero-copy provider, through the zcvfs test driver
 * (/dev/zcvfs_test; the contract of Documentation/zcvfs.rst, "Semantics",
 * as zcfs keeps it, Documentation/zcfs.rst): loaned reads of the page
 * cache, trimmed at EOF; stable snapshots (COW on write(2), truncate,
 * zero-copy write, mmap write, and of pages still referenced after the
 * loan's return); donated and copied writes; pins (truncate, unlink,
 * umount EBUSY, rmmod); size, timestamps, inotify; and the mount options
 * (limits, nozerocopy).  The statistics
 * prove that a whole-page loaned read copies nothing and a whole-page
 * loaned write is donated.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* vmsplice */
#endif
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <poll.h>
#include <time.h>

#include "kselftest.h"
#include "zcfs_util.h"

#define ZC	"/tmp/zcfs-c"
#define NOZC	"/tmp/zcfs-nozc"
#define LIM	"/tmp/zcfs-lim"
#define BUSY	"/tmp/zcfs-busy"

static int fd = -1;	/* ZC/file */

static bool peek_is(int slot, long long skip, const unsigned char *want, size_t len)
{
	unsigned char *b = malloc(len ? len : 1);
	bool ok = zt_data(ZT_PEEK, slot, skip, b, len) == (long long)len &&
		  !memcmp(b, want, len);

	free(b);
	return ok;
}

static long long outstanding(void)
{
	return zcvfs_stat("loans_outstanding");
}

/* ---- the tests ---- */

static bool t_feature(void)
{
	struct zcvfs_test_req r = { .fd = fd };
	int nz = open(NOZC "/f", O_RDWR | O_CREAT, 0644);

	EXPECT(nz >= 0, "open nozerocopy file\n");
	EXPECT(zt(ZT_HAS_FEATURE, &r) == 1, "zcfs lacks the feature\n");
	r.fd = nz;
	EXPECT(zt(ZT_HAS_FEATURE, &r) == 0, "nozerocopy mount has the feature\n");
	EXPECT(zt_fresh(0, nz, 0, 0, PG) == -EOPNOTSUPP, "READ on nozerocopy not ENOTSUP\n");
	EXPECT(zt_fresh(0, nz, 1, 0, PG) == -EOPNOTSUPP, "WRITE on nozerocopy not ENOTSUP\n");
	close(nz);
	return true;
}

static bool t_read_whole_pages(void)
{
	unsigned char want[3 * PG], b[16];
	struct zcvfs_test_req st;
	long long pages = zcfs_stat("read_pages_loaned");
	long long bytes = zcvfs_stat("zc_read_bytes");

	pattern(want, sizeof(want), 1);
	EXPECT(fill_file(fd, sizeof(want), 1), "setup\n");
	EXPECT(zt_fresh(0, fd, 0, 0, 2 * PG) == 0, "READ request refused\n");
	zt_op(ZT_STATE, 0, fd, &st);
	EXPECT(st.out[ZT_ST_EXTFLAG] & UIO_XUIO, "no UIO_XUIO\n");
	EXPECT(st.out[ZT_ST_TYPE] == UIOTYPE_ZEROCOPY, "not zero-copy\n");
	EXPECT(st.out[ZT_ST_ZCSTATE] == ZC_LOANED, "not loaned\n");
	/* No placeholder segments: the read publishes the folios. */
	EXPECT(st.out[ZT_ST_NSEGS] == 0, "%lld segments before the read\n", st.out[ZT_ST_NSEGS]);
	EXPECT(zt_data(ZT_PEEK, 0, 0, b, sizeof(b)) == -EINVAL,
	       "READ segments readable before the read\n");
	EXPECT(zt_op(ZT_READ, 0, fd, &st) == 2 * PG, "read not 2 pages\n");
	EXPECT(st.out[ZT_ST_ZCSTATE] == ZC_FILLED && st.out[ZT_ST_NSEGS] == 2 &&
	       st.out[ZT_ST_SEGLEN] == 2 * PG, "state after read: %lld segs %lld bytes\n",
	       st.out[ZT_ST_NSEGS], st.out[ZT_ST_SEGLEN]);
	EXPECT(peek_is(0, 0, want, 2 * PG), "loaned data differs from the file\n");
	EXPECT(zcfs_stat("read_pages_loaned") == pages + 2, "2 page-cache pages not loaned\n");
	EXPECT(zcvfs_stat("zc_read_bytes") == bytes + 2 * PG, "zcvfs did not count the read\n");
	EXPECT(outstanding() == 1, "loan not outstanding\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return failed\n");
	EXPECT(outstanding() == 0, "loan outstanding after return\n");
	return true;
}

/*
 * The loan is the page-cache page itself, not a copy: a write(2) to it
 * must copy the page away (cow_pages + 1) and leave the loan unchanged,
 * while a write to an unloaned page, or to the page after the return,
 * copies nothing.
 */
static bool t_read_is_cache_page(void)
{
	unsigned char old[2 * PG], neu[100];
	long long cow;

	pattern(old, sizeof(old), 2);
	memset(neu, 0xab, sizeof(neu));
	EXPECT(fill_file(fd, sizeof(old), 2), "setup\n");
	EXPECT(zt_fresh(0, fd, 0, 0, PG) == 0 && zt_op(ZT_READ, 0, fd, NULL) == PG,
	       "read loan\n");
	cow = zcfs_stat("cow_pages");
	EXPECT(pwrite(fd, neu, sizeof(neu), PG + 10) == sizeof(neu), "pwrite page 1\n");
	EXPECT(zcfs_stat("cow_pages") == cow, "unloaned page copied\n");
	EXPECT(pwrite(fd, neu, sizeof(neu), 10) == sizeof(neu), "pwrite page 0\n");
	EXPECT(zcfs_stat("cow_pages") == cow + 1, "loaned page written in place\n");
	EXPECT(peek_is(0, 0, old, PG), "loan changed by write(2)\n");
	EXPECT(file_is(fd, 10, neu, sizeof(neu)), "write(2) lost\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return\n");
	EXPECT(pwrite(fd, neu, sizeof(neu), 20) == sizeof(neu), "pwrite after return\n");
	EXPECT(zcfs_stat("cow_pages") == cow + 1, "page copied after the return\n");
	return true;
}

/*
 * A consumer may hand the loaned pages on by reference (zcnfsd splices
 * them to the network) and return the loan while they are still
 * referenced: a write must still copy the page away, and write in place
 * again once nothing else references it.  The other reference here is a
 * pipe's (vmsplice of a read-only mapping of the page).
 */
static bool t_refs_after_return(void)
{
	unsigned char old[PG], neu[100], got[PG];
	struct iovec iov;
	unsigned char *m;
	long long cow;
	ssize_t n;
	int p[2];
	bool ok;

	pattern(old, sizeof(old), 14);
	memset(neu, 0xcd, sizeof(neu));
	EXPECT(fill_file(fd, sizeof(old), 14), "setup\n");
	EXPECT(zt_fresh(0, fd, 0, 0, PG) == 0 && zt_op(ZT_READ, 0, fd, NULL) == PG,
	       "read loan\n");
	m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap\n");
	EXPECT(pipe(p) == 0, "pipe\n");
	iov.iov_base = m;
	iov.iov_len = PG;
	n = vmsplice(p[1], &iov, 1, 0);
	munmap(m, PG);
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return\n");
	cow = zcfs_stat("cow_pages");
	ok = n == PG && pwrite(fd, neu, sizeof(neu), 10) == sizeof(neu) &&
	     zcfs_stat("cow_pages") == cow + 1 &&
	     read(p[0], got, PG) == PG && !memcmp(got, old, PG);
	close(p[0]);
	close(p[1]);
	EXPECT(ok, "vmsplice %zd; cow %lld: a returned page still referenced was written in place\n",
	       n, zcfs_stat("cow_pages") - cow);
	/* The copy is referenced by nobody else: written in place. */
	EXPECT(pwrite(fd, neu, sizeof(neu), 200) == sizeof(neu), "pwrite\n");
	EXPECT(zcfs_stat("cow_pages") == cow + 1, "unreferenced page copied\n");
	memcpy(old + 10, neu, sizeof(neu));
	memcpy(old + 200, neu, sizeof(neu));
	EXPECT(file_is(fd, 0, old, PG), "file data\n");
	return true;
}

static bool t_eof_trim(void)
{
	unsigned char want[5000];
	struct zcvfs_test_req st;

	pattern(want, sizeof(want), 3);
	EXPECT(fill_file(fd, sizeof(want), 3), "setup\n");
	EXPECT(zt_fresh(0, fd, 0, 0, 2 * PG) == 0, "request\n");
	EXPECT(zt_op(ZT_READ, 0, fd, &st) == 5000, "read not trimmed to 5000\n");
	EXPECT(st.out[ZT_ST_SEGLEN] == 5000 && st.out[ZT_ST_RESID] == 2 * PG - 5000,
	       "segments %lld resid %lld\n", st.out[ZT_ST_SEGLEN], st.out[ZT_ST_RESID]);
	EXPECT(peek_is(0, 0, want, 5000), "data\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return\n");
	EXPECT(zt_fresh(0, fd, 0, 2 * PG, PG) == 0, "request beyond EOF\n");
	EXPECT(zt_op(ZT_READ, 0, fd, &st) == 0 && st.out[ZT_ST_SEGLEN] == 0,
	       "read beyond EOF not empty\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return\n");
	EXPECT(zt_fresh(0, fd, 0, 100, 4000) == 0, "unaligned request\n");
	EXPECT(zt_op(ZT_READ, 0, fd, &st) == 4000 && st.out[ZT_ST_NSEGS] == 2,
	       "unaligned read: %lld segs\n", st.out[ZT_ST_NSEGS]);
	EXPECT(peek_is(0, 0, want + 100, 4000), "unaligned data\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return\n");
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

static bool t_truncate_stable(void)
{
	unsigned char want[3 * PG];
	struct zcvfs_test_req r = { .fd = fd, .length = 0 };
	struct stat s;

	pattern(want, sizeof(want), 4);
	EXPECT(fill_file(fd, sizeof(want), 4), "setup\n");
	EXPECT(zt_fresh(0, fd, 0, 0, sizeof(want)) == 0 &&
	       zt_op(ZT_READ, 0, fd, NULL) == sizeof(want), "read loan\n");
	EXPECT(ftruncate(fd, 1000) == 0, "ftruncate\n");
	EXPECT(peek_is(0, 0, want, sizeof(want)), "loan changed by truncate(1000)\n");
	EXPECT(zt(ZT_TRUNCATE, &r) == 0, "fop_truncate\n");
	EXPECT(peek_is(0, 0, want, sizeof(want)), "loan changed by truncate(0)\n");
	EXPECT(fstat(fd, &s) == 0 && s.st_size == 0, "size not 0\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return\n");
	return true;
}

static bool t_unlink_stable(void)
{
	unsigned char want[2 * PG];
	int u = open(ZC "/unlinked", O_RDWR | O_CREAT, 0644);

	pattern(want, sizeof(want), 5);
	EXPECT(u >= 0 && fill_file(u, sizeof(want), 5), "setup\n");
	EXPECT(zt_fresh(1, u, 0, 0, sizeof(want)) == 0 &&
	       zt_op(ZT_READ, 1, u, NULL) == sizeof(want), "read loan\n");
	EXPECT(unlink(ZC "/unlinked") == 0, "unlink\n");
	EXPECT(ftruncate(u, 0) == 0, "truncate of the unlinked file\n");
	EXPECT(peek_is(1, 0, want, sizeof(want)), "loan changed by unlink+truncate\n");
	EXPECT(zt_op(ZT_RET, 1, u, NULL) == 0, "return\n");
	close(u);
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

static bool wait_inotify(int ifd, unsigned int mask)
{
	char buf[4096] __attribute__((aligned(8))) /* no __aligned in libc */;
	struct pollfd p = { .fd = ifd, .events = POLLIN };
	ssize_t n;

	while (poll(&p, 1, 1000) == 1) {
		n = read(ifd, buf, sizeof(buf));
		for (char *q = buf; n > 0 && q < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)q;

			if (e->mask & mask)
				return true;
			q += sizeof(*e) + e->len;
		}
	}
	return false;
}

static bool t_write_donated(void)
{
	unsigned char want[2 * PG];
	long long don = zcvfs_stat("write_pages_donated");
	long long cop = zcvfs_stat("write_pages_copied");
	long long zdon = zcfs_stat("write_pages_donated");
	long long zbytes = zcfs_stat("write_bytes_copied");
	struct timespec zero[2] = { { 0, 0 }, { 0, 0 } };
	struct zcvfs_test_req st;
	struct stat s;
	int ifd;

	pattern(want, sizeof(want), 6);
	EXPECT(ftruncate(fd, 0) == 0 && futimens(fd, zero) == 0, "setup\n");
	ifd = inotify_init1(IN_NONBLOCK);
	EXPECT(ifd >= 0 && inotify_add_watch(ifd, ZC "/file", IN_MODIFY) >= 0, "inotify\n");
	EXPECT(zt_fresh(2, fd, 1, 0, sizeof(want)) == 0, "WRITE request\n");
	EXPECT(zt_data(ZT_FILL, 2, 0, want, sizeof(want)) == sizeof(want), "fill\n");
	EXPECT(zt_write(2, fd, -1) == sizeof(want), "write\n");
	zt_op(ZT_STATE, 2, fd, &st);
	EXPECT(st.out[ZT_ST_ZCSTATE] == ZC_WRITTEN, "not written\n");
	EXPECT(zt_op(ZT_RET, 2, fd, NULL) == 0, "return\n");
	EXPECT(zcvfs_stat("write_pages_donated") == don + 2 &&
	       zcvfs_stat("write_pages_copied") == cop, "whole pages not donated (%lld, %lld)\n",
	       zcvfs_stat("write_pages_donated") - don, zcvfs_stat("write_pages_copied") - cop);
	EXPECT(zcfs_stat("write_pages_donated") == zdon + 2 &&
	       zcfs_stat("write_bytes_copied") == zbytes, "zcfs copied bytes\n");
	EXPECT(file_is(fd, 0, want, sizeof(want)), "donated data\n");
	EXPECT(fstat(fd, &s) == 0 && s.st_size == sizeof(want), "i_size not updated\n");
	EXPECT(s.st_mtime != 0 && s.st_ctime != 0, "timestamps not updated\n");
	EXPECT(wait_inotify(ifd, IN_MODIFY), "no IN_MODIFY\n");
	close(ifd);
	return true;
}

static bool t_write_partial(void)
{
	unsigned char model[4 * PG], data[8392];
	long long don = zcvfs_stat("write_pages_donated");
	long long cop = zcvfs_stat("write_pages_copied");
	long long bytes = zcfs_stat("write_bytes_copied");

	pattern(model, sizeof(model), 7);
	EXPECT(fill_file(fd, sizeof(model), 7), "setup\n");
	pattern(data, sizeof(data), 8);
	/* [4000, 12392): 96 copied, 2 pages donated, 104 copied. */
	EXPECT(zt_fresh(2, fd, 1, 4000, sizeof(data)) == 0, "request\n");
	EXPECT(zt_data(ZT_FILL, 2, 0, data, sizeof(data)) == sizeof(data), "fill\n");
	EXPECT(zt_write(2, fd, -1) == sizeof(data), "write\n");
	EXPECT(zt_op(ZT_RET, 2, fd, NULL) == 0, "return\n");
	memcpy(model + 4000, data, sizeof(data));
	EXPECT(file_is(fd, 0, model, sizeof(model)), "data\n");
	EXPECT(zcvfs_stat("write_pages_donated") == don + 2 &&
	       zcvfs_stat("write_pages_copied") == cop + 2, "donated %lld copied %lld\n",
	       zcvfs_stat("write_pages_donated") - don, zcvfs_stat("write_pages_copied") - cop);
	EXPECT(zcfs_stat("write_bytes_copied") == bytes + 200, "copied bytes %lld\n",
	       zcfs_stat("write_bytes_copied") - bytes);
	return true;
}

static bool t_write_anonymous(void)
{
	unsigned char model[6 * PG], data[2 * PG];
	long long don = zcvfs_stat("write_pages_donated");
	long long cop = zcvfs_stat("write_pages_copied");
	struct stat s;

	memset(model, 0, sizeof(model));
	pattern(model, 4 * PG, 9);
	EXPECT(fill_file(fd, 4 * PG, 9), "setup\n");
	pattern(data, sizeof(data), 10);
	EXPECT(zt_fresh(2, fd, 1, -1, sizeof(data)) == 0, "anonymous request\n");
	EXPECT(zt_data(ZT_FILL, 2, 0, data, sizeof(data)) == sizeof(data), "fill\n");
	EXPECT(zt_write(2, fd, 4 * PG) == sizeof(data), "write at 4 pages\n");
	EXPECT(zt_op(ZT_RET, 2, fd, NULL) == 0, "return\n");
	memcpy(model + 4 * PG, data, sizeof(data));
	EXPECT(fstat(fd, &s) == 0 && s.st_size == 6 * PG, "size\n");
	EXPECT(file_is(fd, 0, model, sizeof(model)), "data\n");
	EXPECT(zcvfs_stat("write_pages_donated") == don + 2 &&
	       zcvfs_stat("write_pages_copied") == cop, "aligned anonymous not donated\n");
	/* At an unaligned offset nothing can be donated. */
	EXPECT(zt_fresh(2, fd, 1, -1, PG) == 0, "anonymous request\n");
	EXPECT(zt_data(ZT_FILL, 2, 0, data, PG) == PG, "fill\n");
	EXPECT(zt_write(2, fd, 100) == PG, "write at 100\n");
	EXPECT(zt_op(ZT_RET, 2, fd, NULL) == 0, "return\n");
	memcpy(model + 100, data, PG);
	EXPECT(file_is(fd, 0, model, sizeof(model)), "unaligned data\n");
	EXPECT(zcvfs_stat("write_pages_donated") == don + 2 &&
	       zcvfs_stat("write_pages_copied") == cop + 1, "unaligned write donated\n");
	/* Unconsumed write buffers are freed by the return. */
	EXPECT(zt_fresh(2, fd, 1, -1, 3 * PG) == 0 && zt_op(ZT_RET, 2, fd, NULL) == 0,
	       "return of an unused write loan\n");
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

/*
 * zcfs does not zero a write loan's pages (the consumer overwrites them):
 * the bytes the consumer leaves unfilled, a gap between two fills and the
 * tail, must reach the file as zeros, never as what the pages held before
 * (here a previous loan's 0xaa, returned unwritten so its pages are the
 * next loan's most likely).
 */
static bool t_write_unfilled(void)
{
	unsigned char model[4 * PG], junk[4 * PG], data[300];

	memset(model, 0, sizeof(model));
	EXPECT(fill_file(fd, 0, 0), "setup\n");
	memset(junk, 0xaa, sizeof(junk));
	pattern(data, sizeof(data), 12);
	for (int i = 0; i < 4; i++) {
		EXPECT(zt_fresh(2, fd, 1, 0, sizeof(junk)) == 0, "junk request\n");
		EXPECT(zt_data(ZT_FILL, 2, 0, junk, sizeof(junk)) == sizeof(junk), "junk fill\n");
		EXPECT(zt_op(ZT_RET, 2, fd, NULL) == 0, "junk return\n");
	}
	EXPECT(zt_fresh(2, fd, 1, 0, sizeof(model)) == 0, "request\n");
	EXPECT(zt_data(ZT_FILL, 2, 0, data, 100) == 100, "fill head\n");
	EXPECT(zt_data(ZT_FILL, 2, PG + 100, data + 100, 200) == 200, "fill middle\n");
	EXPECT(zt_write(2, fd, -1) == sizeof(model), "write\n");
	EXPECT(zt_op(ZT_RET, 2, fd, NULL) == 0, "return\n");
	memcpy(model, data, 100);
	memcpy(model + PG + 100, data + 100, 200);
	EXPECT(file_is(fd, 0, model, sizeof(model)), "unfilled bytes are not zero\n");
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

static bool t_zc_write_over_loan(void)
{
	unsigned char old[2 * PG], neu[2 * PG];
	long long cow;

	pattern(old, sizeof(old), 11);
	pattern(neu, sizeof(neu), 12);
	EXPECT(fill_file(fd, sizeof(old), 11), "setup\n");
	EXPECT(zt_fresh(0, fd, 0, 0, sizeof(old)) == 0 &&
	       zt_op(ZT_READ, 0, fd, NULL) == sizeof(old), "read loan\n");
	cow = zcfs_stat("cow_pages");
	/* Page 0 whole: donated over the loaned page (no copy needed). */
	EXPECT(zt_loan_write(fd, 0, neu, PG, 0) == PG, "donating write\n");
	/* Page 1 partly: the loaned page is copied away first. */
	EXPECT(zt_loan_write(fd, PG + 10, neu + PG + 10, 100, 0) == 100, "partial write\n");
	EXPECT(zcfs_stat("cow_pages") == cow + 1, "cow %lld\n", zcfs_stat("cow_pages") - cow);
	EXPECT(peek_is(0, 0, old, sizeof(old)), "loan changed by zero-copy writes\n");
	memcpy(old + PG + 10, neu + PG + 10, 100);
	memcpy(old, neu, PG);
	EXPECT(file_is(fd, 0, old, sizeof(old)), "file data\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return\n");
	return true;
}

/*
 * Large folios (the test kernels have THP, so zcfs caches a 1 MiB write(2)
 * in folios larger than a page): a READ loan lends each folio whole, one
 * segment per folio; a write(2) into a lent large folio copies it away
 * whole and leaves the loan its snapshot; a zero-copy write of whole pages
 * inside a cached large folio copies into it (nothing to donate into); a
 * truncate whose new end falls inside a lent large folio leaves the loan
 * its snapshot.
 */
static bool t_large_folios(void)
{
	static unsigned char want[256 * PG];
	unsigned char data[2 * PG], small[100];
	struct zcvfs_test_req st;
	long long cow = zcfs_stat("cow_pages");
	long long don = zcvfs_stat("write_pages_donated");

	pattern(want, sizeof(want), 13);
	EXPECT(ftruncate(fd, 0) == 0, "truncate\n");
	EXPECT(pwrite(fd, want, sizeof(want), 0) == sizeof(want), "setup write(2)\n");
	EXPECT(zt_fresh(0, fd, 0, 0, sizeof(want)) == 0, "READ request\n");
	EXPECT(zt_op(ZT_READ, 0, fd, &st) == sizeof(want), "read\n");
	EXPECT(st.out[ZT_ST_NSEGS] >= 1 && st.out[ZT_ST_NSEGS] < 256,
	       "1 MiB loaned in %lld segments: no large folio\n", st.out[ZT_ST_NSEGS]);
	ksft_print_msg("1 MiB written by one write(2), loaned as %lld segment(s)\n",
		       st.out[ZT_ST_NSEGS]);
	EXPECT(peek_is(0, 0, want, sizeof(want)), "loaned data differs from the file\n");
	memset(small, 0x5a, sizeof(small));
	EXPECT(pwrite(fd, small, sizeof(small), 5000) == sizeof(small), "write(2) into the loan\n");
	EXPECT(peek_is(0, 0, want, sizeof(want)), "loan changed by write(2)\n");
	EXPECT(zcfs_stat("cow_pages") > cow + 1, "large folio not copied away whole: %lld pages\n",
	       zcfs_stat("cow_pages") - cow);
	memcpy(want + 5000, small, sizeof(small));
	EXPECT(file_is(fd, 0, want, sizeof(want)), "file after write(2)\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return\n");
	pattern(data, sizeof(data), 14);
	EXPECT(zt_fresh(2, fd, 1, 8 * PG, sizeof(data)) == 0, "WRITE request\n");
	EXPECT(zt_data(ZT_FILL, 2, 0, data, sizeof(data)) == sizeof(data), "fill\n");
	EXPECT(zt_write(2, fd, -1) == sizeof(data), "zero-copy write\n");
	EXPECT(zt_op(ZT_RET, 2, fd, NULL) == 0, "return\n");
	memcpy(want + 8 * PG, data, sizeof(data));
	EXPECT(file_is(fd, 0, want, sizeof(want)), "file after the zero-copy write\n");
	EXPECT(zcvfs_stat("write_pages_donated") == don, "donated into a large folio\n");
	/* A truncate whose new end falls inside a lent large folio. */
	pattern(want, sizeof(want), 15);
	EXPECT(ftruncate(fd, 0) == 0, "truncate\n");
	EXPECT(pwrite(fd, want, sizeof(want), 0) == sizeof(want), "second write(2)\n");
	EXPECT(zt_fresh(0, fd, 0, 0, sizeof(want)) == 0, "second READ request\n");
	EXPECT(zt_op(ZT_READ, 0, fd, NULL) == sizeof(want), "second read\n");
	EXPECT(ftruncate(fd, 3 * PG + 100) == 0, "truncate inside the loan\n");
	EXPECT(peek_is(0, 0, want, sizeof(want)), "loan changed by the truncate\n");
	EXPECT(lseek(fd, 0, SEEK_END) == 3 * PG + 100, "size after the truncate\n");
	EXPECT(file_is(fd, 0, want, 3 * PG + 100), "file after the truncate\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "second return\n");
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

/*
 * Donation by folio: the whole pages of a write loan come in the largest
 * folios aligned in the file (a 64 KiB loan at offset 0: one folio of 16
 * pages, unless the allocator has none), each moved into the cache whole
 * (st_blocks; a READ loan of the range then takes fewer segments than
 * pages); a second such write replaces the cached folio and a READ loan
 * of the first keeps its snapshot; where smaller folios hold the range
 * (a page per write(2)), the loan's bytes are copied in instead.
 */
static bool t_write_by_folio(void)
{
	static unsigned char one[16 * PG], two[16 * PG];
	struct zcvfs_test_req st;
	struct stat s;
	long long don = zcvfs_stat("write_pages_donated");
	long long cop = zcvfs_stat("write_pages_copied");
	long long wsegs;

	pattern(one, sizeof(one), 16);
	pattern(two, sizeof(two), 17);
	EXPECT(ftruncate(fd, 0) == 0, "truncate\n");
	EXPECT(zt_fresh(2, fd, 1, 0, sizeof(one)) == 0, "WRITE request\n");
	zt_op(ZT_STATE, 2, fd, &st);
	wsegs = st.out[ZT_ST_NSEGS];
	ksft_print_msg("64 KiB write loan at 0: %lld segment(s)\n", wsegs);
	EXPECT(wsegs >= 1 && wsegs < 16, "write loan of a page per segment: %lld\n", wsegs);
	EXPECT(zt_data(ZT_FILL, 2, 0, one, sizeof(one)) == sizeof(one), "fill\n");
	EXPECT(zt_write(2, fd, -1) == sizeof(one), "write\n");
	EXPECT(zt_op(ZT_RET, 2, fd, NULL) == 0, "return\n");
	EXPECT(zcvfs_stat("write_pages_donated") == don + 16 &&
	       zcvfs_stat("write_pages_copied") == cop, "donated %lld copied %lld\n",
	       zcvfs_stat("write_pages_donated") - don, zcvfs_stat("write_pages_copied") - cop);
	EXPECT(fstat(fd, &s) == 0 && s.st_size == sizeof(one) && s.st_blocks == 16 * (PG / 512),
	       "size %lld, st_blocks %lld\n", (long long)s.st_size, (long long)s.st_blocks);
	EXPECT(file_is(fd, 0, one, sizeof(one)), "donated data\n");
	EXPECT(zt_fresh(0, fd, 0, 0, sizeof(one)) == 0 &&
	       zt_op(ZT_READ, 0, fd, &st) == sizeof(one), "READ loan\n");
	EXPECT(st.out[ZT_ST_NSEGS] == wsegs, "the cache's folios are not the loan's: %lld segments\n",
	       st.out[ZT_ST_NSEGS]);
	/* The same pages again: the cached folio is replaced, the loan keeps it. */
	EXPECT(zt_loan_write(fd, 0, two, sizeof(two), 0) == sizeof(two), "second write\n");
	EXPECT(zcvfs_stat("write_pages_donated") == don + 32, "second write not donated\n");
	EXPECT(peek_is(0, 0, one, sizeof(one)), "loan changed by the donation\n");
	EXPECT(file_is(fd, 0, two, sizeof(two)), "data after the second write\n");
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "READ return\n");
	/* A page per folio in the cache: copied in. */
	EXPECT(fill_file(fd, sizeof(one), 16), "page-by-page setup\n");
	cop = zcvfs_stat("write_pages_copied");
	EXPECT(zt_loan_write(fd, 0, two, sizeof(two), 0) == sizeof(two), "third write\n");
	EXPECT(zcvfs_stat("write_pages_donated") == don + 32 &&
	       zcvfs_stat("write_pages_copied") == cop + 16, "third: copied %lld\n",
	       zcvfs_stat("write_pages_copied") - cop);
	EXPECT(file_is(fd, 0, two, sizeof(two)), "data after the third write\n");
	EXPECT(fstat(fd, &s) == 0 && s.st_blocks == 16 * (PG / 512), "st_blocks %lld\n",
	       (long long)s.st_blocks);
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

static bool t_mmap(void)
{
	unsigned char old[2 * PG], got[16];
	long long mapped = zcfs_stat("refused_mapped");
	long long cow;
	unsigned char *m;

	pattern(old, sizeof(old), 13);
	EXPECT(fill_file(fd, sizeof(old), 13), "setup\n");
	m = mmap(NULL, sizeof(old), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap\n");
	EXPECT(zt_fresh(0, fd, 0, 0, PG) == -EINVAL, "read loan of a mapped file\n");
	EXPECT(zt_fresh(2, fd, 1, 0, PG) == 0 && zt_op(ZT_RET, 2, fd, NULL) == 0,
	       "write loan of a mapped file refused\n");
	munmap(m, sizeof(old));
	EXPECT(zt_fresh(0, fd, 0, 0, sizeof(old)) == 0, "request\n");
	/* Mapped between the request and the read: the read is refused. */
	m = mmap(NULL, sizeof(old), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap\n");
	EXPECT(zt_op(ZT_READ, 0, fd, NULL) == -EINVAL, "read of a mapped file\n");
	munmap(m, sizeof(old));
	EXPECT(zt_op(ZT_READ, 0, fd, NULL) == sizeof(old), "read after munmap\n");
	EXPECT(zcfs_stat("refused_mapped") == mapped + 2, "refusals not counted\n");
	/* Mapped after the read: a write fault copies the loaned page away. */
	cow = zcfs_stat("cow_pages");
	m = mmap(NULL, sizeof(old), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap\n");
	EXPECT(m[5] == old[5], "mapping reads the file\n");
	m[5] = old[5] ^ 0xff;
	m[PG + 5] = old[PG + 5] ^ 0xff;
	EXPECT(zcfs_stat("cow_pages") == cow + 2, "mapped writes: cow %lld\n",
	       zcfs_stat("cow_pages") - cow);
	EXPECT(peek_is(0, 0, old, sizeof(old)), "loan changed through the mapping\n");
	EXPECT(pread(fd, got, 1, 5) == 1 && got[0] == (old[5] ^ 0xff), "mapped write lost\n");
	EXPECT(pread(fd, got, 1, PG + 5) == 1 && got[0] == (old[PG + 5] ^ 0xff),
	       "mapped write lost (page 1)\n");
	munmap(m, sizeof(old));
	EXPECT(zt_op(ZT_RET, 0, fd, NULL) == 0, "return\n");
	return true;
}

static bool t_limits(void)
{
	int l = open(LIM "/f", O_RDWR | O_CREAT, 0644);
	long long size = zcfs_stat("refused_size");
	long long budget = zcfs_stat("refused_budget");

	/* min_loan=8192, max_loan=16384, max_loan_pages=5 */
	EXPECT(l >= 0 && fill_file(l, 8 * PG, 14), "setup\n");
	EXPECT(zt_fresh(0, l, 0, 0, PG) == -EINVAL, "below min_loan\n");
	EXPECT(zt_fresh(0, l, 1, 0, 5 * PG) == -EINVAL, "above max_loan\n");
	EXPECT(zcfs_stat("refused_size") == size + 2, "size refusals\n");
	EXPECT(zt_fresh(0, l, 0, 0, 4 * PG) == 0, "4 pages\n");
	EXPECT(zt_fresh(1, l, 1, -1, 2 * PG) == -EINVAL, "budget: 6 of 5 pages\n");
	EXPECT(zt_fresh(1, l, 0, 100, 2 * PG) == -EINVAL, "budget: 3 pages spanned\n");
	EXPECT(zcfs_stat("refused_budget") == budget + 2, "budget refusals\n");
	EXPECT(zt_fresh(1, l, 1, 4 * PG, 2 * PG - 1) == -EINVAL, "budget\n");
	EXPECT(zt_op(ZT_RET, 0, l, NULL) == 0, "return\n");
	EXPECT(zt_fresh(1, l, 1, -1, 4 * PG) == 0 && zt_fresh(0, l, 0, 0, 2 * PG) != 0,
	       "budget not given back\n");
	EXPECT(zt_op(ZT_RET, 1, l, NULL) == 0, "return\n");
	close(l);
	return true;
}

static bool t_bad_args(void)
{
	int d = open(ZC, O_RDONLY | O_DIRECTORY);

	EXPECT(zt_fresh(0, fd, 0, -1, PG) == -EINVAL, "anonymous READ\n");
	EXPECT(zt_fresh(0, fd, 0, 0, 0) < 0, "length 0\n");
	EXPECT(zt_fresh(0, fd, 0, 0x7fffffffffffff00LL, 2 * PG) == -EOVERFLOW ||
	       zt_fresh(0, fd, 0, 0x7fffffffffffff00LL, 2 * PG) == -EINVAL ||
	       zt_fresh(0, fd, 0, 0x7fffffffffffff00LL, 2 * PG) == -EFBIG, "offset overflow: %lld\n",
	       zt_fresh(0, fd, 0, 0x7fffffffffffff00LL, 2 * PG));
	EXPECT(d >= 0 && zt_fresh(1, d, 0, 0, PG) == -EINVAL, "loan of a directory: %lld\n",
	       zt_fresh(1, d, 0, 0, PG));
	close(d);
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

static bool t_umount_busy(void)
{
	int b;

	EXPECT(zcfs_mount(BUSY, "") == 0, "mount\n");
	b = open(BUSY "/f", O_RDWR | O_CREAT, 0644);
	EXPECT(b >= 0 && fill_file(b, 3 * PG, 15), "setup\n");
	EXPECT(zt_fresh(3, b, 0, 0, 3 * PG) == 0 && zt_op(ZT_READ, 3, b, NULL) == 3 * PG,
	       "read loan\n");
	EXPECT(zt_fresh(4, b, 1, -1, PG) == 0, "write loan\n");
	close(b);
	EXPECT(unlink(BUSY "/f") == 0, "unlink\n");
	EXPECT(umount(BUSY) == -1 && errno == EBUSY, "umount with loans not EBUSY\n");
	EXPECT(zt_op(ZT_SLOT_FREE, 3, -1, NULL) == 0, "return read loan\n");
	EXPECT(umount(BUSY) == -1 && errno == EBUSY, "umount with a write loan not EBUSY\n");
	EXPECT(zt_op(ZT_SLOT_FREE, 4, -1, NULL) == 0, "return write loan\n");
	EXPECT(umount(BUSY) == 0, "umount after the returns: %s\n", strerror(errno));
	EXPECT(outstanding() == 0, "leak\n");
	return true;
}

static bool t_rmmod_busy(void)
{
	EXPECT(zt_unload("zcfs") != 0, "zcfs unloaded while mounted\n");
	EXPECT(zt_unload("zcvfs") != 0, "zcvfs unloaded while in use\n");
	return true;
}

static const struct zcfs_case tests[] = {
	{ t_feature, "feature on zcfs, ENOTSUP with nozerocopy" },
	{ t_read_whole_pages, "loaned read of whole pages (state, data, counters)" },
	{ t_read_is_cache_page, "the loan is the cache page: COW on write(2) only when loaned" },
	{ t_refs_after_return, "returned page still referenced (a pipe): COW until released" },
	{ t_eof_trim, "reads trimmed at EOF, empty beyond, unaligned" },
	{ t_truncate_stable, "loan stable across truncate and fop_truncate" },
	{ t_unlink_stable, "loan stable across unlink" },
	{ t_write_donated, "whole-page write donated, not copied; size, times, inotify" },
	{ t_write_partial, "partial pages copied, whole pages donated" },
	{ t_write_anonymous, "anonymous write loans; unused buffers freed" },
	{ t_write_unfilled, "bytes of a write loan left unfilled reach the file as zeros" },
	{ t_zc_write_over_loan, "loan stable across zero-copy writes" },
	{ t_large_folios, "large folios: lent whole, copied away whole, written into" },
	{ t_write_by_folio, "write loans donated by folio; replaced; copied into small folios" },
	{ t_mmap, "read loans refused while mapped; mapped writes COW" },
	{ t_limits, "min_loan, max_loan, max_loan_pages" },
	{ t_bad_args, "bad arguments: clear errors" },
	{ t_umount_busy, "umount with loans EBUSY, then succeeds" },
	{ t_rmmod_busy, "rmmod zcfs and zcvfs refused while in use" },
};

int main(void)
{
	static const char *const mounts[] = { ZC, NOZC, LIM };
	int err;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests) + 1);
	zcfs_start(ZC, "");
	err = zcfs_mount(NOZC, "nozerocopy");
	if (!err)
		err = zcfs_mount(LIM, "min_loan=8192,max_loan=16384,max_loan_pages=5");
	if (err)
		ksft_exit_fail_msg("mount: %s\n", strerror(-err));
	fd = open(ZC "/file", O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		ksft_exit_fail_msg("open: %s\n", strerror(errno));

	zcfs_run_cases(tests, ARRAY_SIZE(tests));
	close(fd);
	zcfs_finish(mounts, ARRAY_SIZE(mounts));
}
