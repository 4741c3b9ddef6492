// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs_stress: bounded concurrency stress of zcfs.
 *
 * 1. Torn reads: writers rewrite one range with uniform buffers (a new
 *    byte value each time) by write(2) and by zero-copy writes; readers
 *    read the same range by read(2) and by zero-copy reads, and every
 *    buffer they get must be uniform.  Once page-aligned (donations), once
 *    unaligned (copies).
 * 2. Loans held across truncate and unlink while writers run: the loaned
 *    data never changes.
 * 3. umount attempts while loans come and go: EBUSY while any is
 *    outstanding, success after the last return.
 *
 *   zcfs_stress [-t SECONDS_PER_PHASE]   (default $ZCFS_STRESS_SECS or 3)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>

#include "../zcvfs/kselftest.h"
#include "zcfs_util.h"

#define DIR	"/tmp/zcfs-stress"
#define DIR2	"/tmp/zcfs-stress-umount"
#define NW	2
#define NR	3

static int secs = 3;
static atomic_int stop;
static atomic_int failed;

/* One ioctl on a thread's own open of the test driver. */
static long long ztd(int dev, unsigned long cmd, struct zcvfs_test_req *r)
{
	if (ioctl(dev, cmd, r) != 0)
		return -100000;
	return r->result;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

struct range_arg {
	int id;
	int fd;
	long long off, len;
	long long ops, zc_ops, errors;
};

static void *writer(void *p)
{
	struct range_arg *a = p;
	unsigned char *b = malloc(a->len);
	int dev = open("/dev/zcvfs_test", O_RDWR);
	unsigned int v = a->id * 61;

	while (!stop && dev >= 0) {
		struct zcvfs_test_req r = { .fd = a->fd, .offset = a->off,
					    .buf = (uintptr_t)b, .buf_len = a->len };
		long long n;

		memset(b, ++v & 0xff, a->len);
		if (a->ops & 1) {
			n = ztd(dev, ZT_LOAN_WRITE, &r);
			a->zc_ops++;
		} else {
			n = pwrite(a->fd, b, a->len, a->off);
		}
		if (n != a->len) {
			fprintf(stderr, "# writer %d: %lld\n", a->id, n);
			a->errors++;
			failed = 1;
		}
		a->ops++;
	}
	if (dev >= 0)
		close(dev);
	free(b);
	return NULL;
}

static void *reader(void *p)
{
	struct range_arg *a = p;
	unsigned char *b = malloc(a->len);
	int dev = open("/dev/zcvfs_test", O_RDWR);

	while (!stop && dev >= 0) {
		struct zcvfs_test_req r = { .fd = a->fd, .offset = a->off, .length = a->len,
					    .buf = (uintptr_t)b, .buf_len = a->len };
		long long n;

		if (a->ops & 1) {
			n = ztd(dev, ZT_LOAN_READ, &r);
			a->zc_ops++;
		} else {
			n = pread(a->fd, b, a->len, a->off);
		}
		if (n != a->len) {
			fprintf(stderr, "# reader %d: %lld\n", a->id, n);
			a->errors++;
			failed = 1;
		} else {
			for (long long i = 1; i < n; i++)
				if (b[i] != b[0]) {
					fprintf(stderr, "# reader %d (%s): torn read at %lld: %#x vs %#x\n",
						a->id, a->ops & 1 ? "zero-copy" : "read(2)",
						a->off + i, b[i], b[0]);
					a->errors++;
					failed = 1;
					break;
				}
		}
		a->ops++;
	}
	if (dev >= 0)
		close(dev);
	free(b);
	return NULL;
}

static bool torn_reads(long long off, long long len)
{
	struct range_arg w[NW], r[NR];
	pthread_t tw[NW], tr[NR];
	unsigned char *init = malloc(len);
	long long reads = 0, zreads = 0, writes = 0, zwrites = 0, errors = 0;
	int fd = open(DIR "/torn", O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || !init)
		return false;
	memset(init, 0x11, len);
	if (pwrite(fd, init, len, off) != len)
		return false;
	stop = 0;
	for (int i = 0; i < NW; i++) {
		w[i] = (struct range_arg){ .id = i, .fd = fd, .off = off, .len = len };
		pthread_create(&tw[i], NULL, writer, &w[i]);
	}
	for (int i = 0; i < NR; i++) {
		r[i] = (struct range_arg){ .id = i, .fd = fd, .off = off, .len = len };
		pthread_create(&tr[i], NULL, reader, &r[i]);
	}
	sleep(secs);
	stop = 1;
	for (int i = 0; i < NW; i++) {
		pthread_join(tw[i], NULL);
		writes += w[i].ops;
		zwrites += w[i].zc_ops;
		errors += w[i].errors;
	}
	for (int i = 0; i < NR; i++) {
		pthread_join(tr[i], NULL);
		reads += r[i].ops;
		zreads += r[i].zc_ops;
		errors += r[i].errors;
	}
	ksft_print_msg("range [%lld, +%lld): %lld writes (%lld zero-copy), %lld reads (%lld zero-copy), %lld errors\n",
		       off, len, writes, zwrites, reads, zreads, errors);
	close(fd);
	free(init);
	return !errors && writes > NW && reads > NR && zreads > 0 && zwrites > 0;
}

/* Phase 2: loans held across truncate and unlink, with writers running. */
static bool held_loans(void)
{
	enum { N = 4, LEN = 8 * PG };
	unsigned char snap[N][LEN], b[LEN];
	struct range_arg w = { .id = 9, .off = 0, .len = LEN };
	pthread_t tw;
	char path[64];
	int fds[N], dev = open("/dev/zcvfs_test", O_RDWR);
	bool ok = dev >= 0;

	for (int i = 0; i < N && ok; i++) {
		struct zcvfs_test_req r = { .slot = i, .rw = 0, .offset = 0, .length = LEN,
					    .arg = ZT_REQ_FRESH };

		snprintf(path, sizeof(path), DIR "/held%d", i);
		fds[i] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		pattern(snap[i], LEN, 100 + i);
		ok = fds[i] >= 0 && pwrite(fds[i], snap[i], LEN, 0) == LEN;
		r.fd = fds[i];
		ok = ok && ztd(dev, ZT_REQ, &r) == 0;
		r = (struct zcvfs_test_req){ .slot = i, .fd = fds[i] };
		ok = ok && ztd(dev, ZT_READ, &r) == LEN;
	}
	if (!ok)
		return false;
	/* A writer keeps rewriting file 0 while the others are cut. */
	w.fd = fds[0];
	stop = 0;
	pthread_create(&tw, NULL, writer, &w);
	for (int round = 0; round < 50 && ok; round++) {
		for (int i = 1; i < N; i++) {
			ok = ok && ftruncate(fds[i], (round * 977 + i * 131) % LEN) == 0;
			ok = ok && pwrite(fds[i], b, 100, (round * 37) % LEN) == 100;
		}
	}
	for (int i = 1; i < N; i++) {
		snprintf(path, sizeof(path), DIR "/held%d", i);
		ok = ok && unlink(path) == 0 && ftruncate(fds[i], 0) == 0;
	}
	stop = 1;
	pthread_join(tw, NULL);
	for (int i = 0; i < N; i++) {
		struct zcvfs_test_req r = { .slot = i, .buf = (uintptr_t)b, .buf_len = LEN };

		if (ztd(dev, ZT_PEEK, &r) != LEN || memcmp(b, snap[i], LEN)) {
			ksft_print_msg("held loan %d changed\n", i);
			ok = false;
		}
		r = (struct zcvfs_test_req){ .slot = i, .fd = fds[i] };
		ok = ztd(dev, ZT_RET, &r) == 0 && ok;
		close(fds[i]);
	}
	close(dev);
	unlink(DIR "/held0");
	return ok && !w.errors;
}

/* Phase 3: umount attempts while loans come and go. */
struct loaner_arg {
	int fd;
	long long loans;
};

static void *loaner(void *p)
{
	struct loaner_arg *a = p;
	int dev = open("/dev/zcvfs_test", O_RDWR);

	while (!stop && dev >= 0) {
		struct zcvfs_test_req r = { .slot = 0, .fd = a->fd, .rw = a->loans & 1,
					    .offset = 0, .length = 2 * PG, .arg = ZT_REQ_FRESH };

		if (ztd(dev, ZT_REQ, &r) == 0) {
			a->loans++;
			r = (struct zcvfs_test_req){ .slot = 0, .fd = a->fd };
			if (!(a->loans & 1))
				ztd(dev, ZT_READ, &r);
			usleep(1000);
			ztd(dev, ZT_RET, &r);
		}
	}
	if (dev >= 0)
		close(dev);
	return NULL;
}

static bool umount_attempts(void)
{
	struct loaner_arg a = { 0 };
	struct zcvfs_test_req r;
	long long busy = 0;
	pthread_t t;
	int dev = open("/dev/zcvfs_test", O_RDWR);
	int fd, held_fd;
	double end;
	bool ok = dev >= 0;

	if (!ok || zcfs_mount(DIR2, ""))
		return false;
	fd = open(DIR2 "/f", O_RDWR | O_CREAT, 0644);
	held_fd = open(DIR2 "/g", O_RDWR | O_CREAT, 0644);
	if (fd < 0 || held_fd < 0 || ftruncate(fd, 4 * PG) || ftruncate(held_fd, PG))
		return false;
	/* One loan outlives its file descriptor. */
	r = (struct zcvfs_test_req){ .slot = 1, .fd = held_fd, .rw = 0, .offset = 0,
				     .length = PG, .arg = ZT_REQ_FRESH };
	ok = ztd(dev, ZT_REQ, &r) == 0;
	close(held_fd);
	a.fd = fd;
	stop = 0;
	pthread_create(&t, NULL, loaner, &a);
	end = now() + secs;
	while (now() < end) {
		if (umount(DIR2) == 0) {
			ksft_print_msg("umount succeeded with a loan outstanding\n");
			ok = false;
			break;
		}
		busy += errno == EBUSY;
		usleep(2000);
	}
	stop = 1;
	pthread_join(t, NULL);
	close(fd);
	r = (struct zcvfs_test_req){ .slot = 1 };
	ok = ok && umount(DIR2) == -1 && errno == EBUSY;
	ok = ok && ztd(dev, ZT_SLOT_FREE, &r) == 0;
	close(dev);
	ok = ok && umount(DIR2) == 0;
	ksft_print_msg("%lld loans, %lld umount attempts refused with EBUSY\n", a.loans, busy);
	return ok && busy > 0 && a.loans > 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("ZCFS_STRESS_SECS");
	int c, err;
	bool ok;

	if (env)
		secs = atoi(env);
	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c == 't')
			secs = atoi(optarg);
	}
	if (secs < 1)
		secs = 1;
	ksft_print_header();
	ksft_set_plan(5);
	err = zcfs_setup_driver();
	if (err)
		ksft_exit_fail_msg("modules / test driver: %s\n", strerror(-err));
	err = zcfs_mount(DIR, "");
	if (err)
		ksft_exit_fail_msg("mount: %s\n", strerror(-err));

	ksft_test_result(torn_reads(0, 16 * PG),
			 "no torn reads: aligned range, write(2) and donated writes\n");
	ksft_test_result(torn_reads(1000, 50000),
			 "no torn reads: unaligned range, write(2) and copied writes\n");
	ksft_test_result(held_loans(), "loans held across truncate and unlink are stable\n");
	ksft_test_result(umount_attempts(), "umount EBUSY while loans are outstanding\n");

	ok = !failed && zcfs_stat("loans_outstanding") == 0;
	close(zt_dev);
	err = umount(DIR) | zcfs_unload("zcvfs_test") | zcfs_unload("zcfs") |
	      zcfs_unload("zcvfs");
	ok = ok && !err;
	ksft_test_result(ok, "no loan left, clean umount and unload\n");
	ksft_finished();
}
