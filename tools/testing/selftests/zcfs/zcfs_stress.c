// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs_stress: bounded concurrency stress of zcfs.
 *
 * 1. Torn reads: writers rewrite one range with uniform buffers (a new
 *    byte value each time) by write(2) and by zero-copy writes; readers
 *    read the same range by read(2) and by zero-copy reads, and every
 *    buffer they get must be uniform.  Once page-aligned (donations), once
 *    unaligned (copies).  Then the control run: the same check on a mount
 *    with range locks off (debug_norangelock) must see torn reads, which
 *    shows that the check can fail; SKIP if none shows in bounded time.
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

#include "kselftest.h"
#include "zcfs_util.h"

#define DIR	"/tmp/zcfs-stress"
#define DIR2	"/tmp/zcfs-stress-umount"
#define DIR3	"/tmp/zcfs-stress-nolock"
#define CONTROL_ROUNDS	5
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
	long long torn, zc_torn;	/* readers: non-uniform buffers */
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
			/* Two calls and one call, in turn. */
			r.arg = (a->zc_ops & 1) ? ZT_LOAN_READ_ONE_CALL : 0;
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
					/* The first of each reader tells where. */
					if (!a->torn && !a->zc_torn)
						fprintf(stderr, "# reader %d (%s): torn read at %lld: %#x vs %#x\n",
							a->id, a->ops & 1 ? "zero-copy" : "read(2)",
							a->off + i, b[i], b[0]);
					if (a->ops & 1)
						a->zc_torn++;
					else
						a->torn++;
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

/* What one run of writers and readers on a range saw. */
struct torn_result {
	long long reads, zreads, writes, zwrites, errors, torn, zc_torn;
};

/* Writers and readers on [off, off + len) of a new file in dir for secs. */
static bool torn_run(const char *dir, long long off, long long len, int run_secs,
		     struct torn_result *res)
{
	struct range_arg w[NW], r[NR];
	pthread_t tw[NW], tr[NR];
	unsigned char *init = malloc(len);
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/torn", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	*res = (struct torn_result){ 0 };
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
	sleep(run_secs);
	stop = 1;
	for (int i = 0; i < NW; i++) {
		pthread_join(tw[i], NULL);
		res->writes += w[i].ops;
		res->zwrites += w[i].zc_ops;
		res->errors += w[i].errors;
	}
	for (int i = 0; i < NR; i++) {
		pthread_join(tr[i], NULL);
		res->reads += r[i].ops;
		res->zreads += r[i].zc_ops;
		res->errors += r[i].errors;
		res->torn += r[i].torn;
		res->zc_torn += r[i].zc_torn;
	}
	ksft_print_msg("%s [%lld, +%lld): %lld writes (%lld zero-copy), %lld reads (%lld zero-copy), %lld errors, torn reads: %lld read(2), %lld zero-copy\n",
		       dir, off, len, res->writes, res->zwrites, res->reads, res->zreads,
		       res->errors, res->torn, res->zc_torn);
	close(fd);
	unlink(path);
	free(init);
	return true;
}

/* Phase 1: with range locks, no read may be torn. */
static bool torn_reads(long long off, long long len)
{
	struct torn_result res;

	if (!torn_run(DIR, off, len, secs, &res))
		return false;
	return !res.errors && !res.torn && !res.zc_torn && res.writes > NW &&
	       res.reads > NR && res.zreads > 0 && res.zwrites > 0;
}

/* Whether /proc/mounts shows option `opt` for the mount at `dir`. */
static bool mounted_with(const char *dir, const char *opt)
{
	char line[512], mnt[256], opts[256];
	FILE *f = fopen("/proc/mounts", "r");
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %255s %*s %255s", mnt, opts) == 2 && !strcmp(mnt, dir))
			found = strstr(opts, opt) != NULL;
	fclose(f);
	return found;
}

/*
 * The control run: the same check on a mount without range locks must see
 * torn reads.  Rounds of secs seconds, aligned and unaligned ranges in
 * turn, until it does; none in CONTROL_ROUNDS rounds is a SKIP, not a pass.
 */
static void torn_control(void)
{
	struct torn_result res;
	long long torn = 0, zc_torn = 0;
	int round;

	if (zcfs_mount(DIR3, "debug_norangelock")) {
		ksft_test_result_fail("control run: mount with debug_norangelock: %s\n",
				      strerror(errno));
		return;
	}
	if (!mounted_with(DIR3, "debug_norangelock")) {
		umount(DIR3);
		ksft_test_result_fail("control run: debug_norangelock not in /proc/mounts\n");
		return;
	}
	for (round = 0; round < CONTROL_ROUNDS && !torn && !zc_torn; round++) {
		bool aligned = !(round & 1);

		if (!torn_run(DIR3, aligned ? 0 : 1000, aligned ? 16 * PG : 50000, secs, &res) ||
		    res.errors) {
			umount(DIR3);
			ksft_test_result_fail("control run: I/O failed\n");
			return;
		}
		torn += res.torn;
		zc_torn += res.zc_torn;
	}
	if (umount(DIR3)) {
		ksft_test_result_fail("control run: umount: %s\n", strerror(errno));
		return;
	}
	if (torn || zc_torn)
		ksft_test_result_pass("control run: without range locks the check sees torn reads (%lld read(2), %lld zero-copy, %d round(s) of %d s)\n",
				      torn, zc_torn, round, secs);
	else
		ksft_test_result_skip("control run: no torn read seen without range locks in %d s (too little parallelism here?)\n",
				      round * secs);
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
	ksft_set_plan(6);
	zcfs_start(DIR, "");

	ksft_test_result(torn_reads(0, 16 * PG),
			 "no torn reads: aligned range, write(2) and donated writes\n");
	ksft_test_result(torn_reads(1000, 50000),
			 "no torn reads: unaligned range, write(2) and copied writes\n");
	torn_control();
	ksft_test_result(held_loans(), "loans held across truncate and unlink are stable\n");
	ksft_test_result(umount_attempts(), "umount EBUSY while loans are outstanding\n");

	ok = !failed && zcvfs_stat("loans_outstanding") == 0;
	close(zt_dev);
	err = umount(DIR) | zcfs_unload_all();
	ok = ok && !err;
	ksft_test_result(ok, "no loan left, clean umount and unload\n");
	ksft_finished();
}
