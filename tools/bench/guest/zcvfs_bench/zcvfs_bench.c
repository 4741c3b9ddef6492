// SPDX-License-Identifier: GPL-2.0
/*
 * zcvfs_bench: the measuring tool of `make bench`, run inside the guest by
 * zcvfs_bench.sh.  Every measurement prints one JSON object on one line
 * (the host's tools/bench/report.py turns them into tables); problems go
 * to stderr and make the tool exit non-zero.
 *
 *   zcvfs_bench mkfile PATH MIB          fill PATH with the test pattern
 *   zcvfs_bench verify PATH MIB          check PATH holds the pattern
 *   zcvfs_bench verify-heads PATH MIB    ... in the first word of each block
 *   zcvfs_bench read  [TAGS] PATH        sequential read(2), 1 MiB at a time
 *   zcvfs_bench write [TAGS] PATH MIB    sequential write(2) + fsync + close
 *   zcvfs_bench sock  [TAGS] sendfile|readwrite PATH
 *                                        PATH into a loopback TCP socket
 *                                        drained by a reader thread
 *   zcvfs_bench micro [TAGS] PATH LEN SAMPLES BATCH_MS RANGES
 *                                        in-kernel loan vs copy of LEN bytes
 *                                        of RANGES consecutive ranges, and
 *                                        the loan's phases (the test
 *                                        driver's ZT_BENCH_READ); with
 *                                        ZCVFS_MICRO_METHOD=loan|copy|phases
 *                                        in the environment, only that one
 *   zcvfs_bench nfsmount SOURCE DIR OPTIONS
 *                                        mount(2) of type nfs, text options
 *
 * TAGS (before the other arguments): -b BENCH -v VARIANT -r REP label the output line;
 * -s NAME=FILE (repeatable) adds the change of every counter of a
 * `name value` statistics file (e.g. zcnfsd=/sys/kernel/debug/zcnfsd/stats)
 * over the measurement, as "NAME.counter".
 *
 * Timed lines carry "ns" (CLOCK_MONOTONIC) and the change of the busy and
 * total CPU time of all CPUs in /proc/stat ("busy_ticks", "total_ticks",
 * "hz"): busy = user + nice + system + irq + softirq + steal.
 *
 * The pattern: every 8-byte word holds its file offset XOR a constant, so
 * any misplaced or stale block is caught.  Timed reads check the first
 * word of every 4 KiB block (cheap); `verify` checks every word.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "../../../testing/selftests/zcvfs/test_ioctl.h"
#include "bench_util.h"

#define MIB		(1024 * 1024)
#define CHUNK		MIB
#define BLOCK		4096
#define PATTERN		0x5a6376667362656eULL	/* "ZcvfsBen" */
#define MAX_STATS	4
#define MAX_COUNTERS	64


struct counters {
	int n;
	char name[MAX_COUNTERS][48];
	unsigned long long val[MAX_COUNTERS];
};

static int nstats;
static struct {
	char prefix[32];
	const char *path;
	struct counters before, after;
} stats[MAX_STATS];


/* The system-wide CPU times of /proc/stat's first line. */
static struct cpu cpu_now(void)
{
	char line[512];
	struct cpu c;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		die("/proc/stat");
	if (!fgets(line, sizeof(line), f) || !cpu_parse(line, &c))
		fail("cannot parse /proc/stat");
	fclose(f);
	return c;
}

static void counters_read(const char *path, struct counters *c)
{
	char line[128];
	FILE *f = fopen(path, "r");

	if (!f)
		die(path);
	c->n = 0;
	while (fgets(line, sizeof(line), f) && c->n < MAX_COUNTERS) {
		if (sscanf(line, "%47s %llu", c->name[c->n], &c->val[c->n]) == 2)
			c->n++;
	}
	fclose(f);
}

static void stats_snap(int after)
{
	for (int i = 0; i < nstats; i++)
		counters_read(stats[i].path, after ? &stats[i].after : &stats[i].before);
}

/* Accumulated deltas, for measurements made of several snapshots. */
static struct counters acc[MAX_STATS];

static void stats_accumulate(void)
{
	for (int i = 0; i < nstats; i++) {
		struct counters *b = &stats[i].before, *a = &stats[i].after;

		for (int j = 0; j < a->n; j++) {
			unsigned long long d = a->val[j];
			int k;

			for (k = 0; k < b->n; k++)
				if (!strcmp(b->name[k], a->name[j]))
					break;
			/* Gauges (in flight, open, outstanding) may go down. */
			d = k < b->n && b->val[k] <= d ? d - b->val[k] : 0;
			for (k = 0; k < acc[i].n; k++)
				if (!strcmp(acc[i].name[k], a->name[j]))
					break;
			if (k == acc[i].n) {
				if (acc[i].n == MAX_COUNTERS)
					continue;
				strcpy(acc[i].name[k], a->name[j]);
				acc[i].val[k] = 0;
				acc[i].n++;
			}
			acc[i].val[k] += d;
		}
	}
}

static void print_stats(void)
{
	printf(",\"stats\":{");
	for (int i = 0, first = 1; i < nstats; i++)
		for (int j = 0; j < acc[i].n; j++, first = 0)
			printf("%s\"%s.%s\":%llu", first ? "" : ",", stats[i].prefix,
			       acc[i].name[j], acc[i].val[j]);
	printf("}");
}

/* One timed measurement: time, CPU and counters around fn(arg). */
struct timed {
	unsigned long long ns;
	struct cpu cpu;
};

static void print_timed(const struct timed *t, unsigned long long bytes)
{
	print_head();
	printf(",\"bytes\":%llu,\"ns\":%llu,\"busy_ticks\":%llu,\"total_ticks\":%llu,\"hz\":%ld",
	       bytes, t->ns, t->cpu.busy, t->cpu.total, sysconf(_SC_CLK_TCK));
	print_stats();
	printf("}\n");
	fflush(stdout);
}

static void timed_begin(struct timed *t)
{
	stats_snap(0);
	t->cpu = cpu_now();
	t->ns = now_ns();
}

static void timed_end(struct timed *t)
{
	struct cpu c;

	t->ns = now_ns() - t->ns;
	c = cpu_now();
	t->cpu.busy = c.busy - t->cpu.busy;
	t->cpu.total = c.total - t->cpu.total;
	stats_snap(1);
	stats_accumulate();
}

static void pattern_fill(unsigned char *buf, size_t len, unsigned long long off)
{
	uint64_t *w = (uint64_t *)buf;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = (off + 8 * i) ^ PATTERN;
}

/* Stamp only the first word of each block (the buffer holds the rest). */
static void pattern_stamp(unsigned char *buf, size_t len, unsigned long long off)
{
	for (size_t b = 0; b < len; b += BLOCK)
		*(uint64_t *)(buf + b) = (off + b) ^ PATTERN;
}

static int pattern_check(const unsigned char *buf, size_t len, unsigned long long off,
			 size_t step)
{
	for (size_t i = 0; i + 8 <= len; i += step)
		if (*(const uint64_t *)(buf + i) != ((off + i) ^ PATTERN)) {
			fprintf(stderr, "zcvfs_bench: wrong data at offset %llu\n", off + i);
			return -1;
		}
	return 0;
}

static unsigned char *chunk_buf(void)
{
	unsigned char *buf = aligned_alloc(BLOCK, CHUNK);

	if (!buf)
		die("malloc");
	memset(buf, 0, CHUNK);
	return buf;
}

/*
 * Create PATH with MIB chunks of BUF, `fill(buf, CHUNK, offset)` before
 * each; the data is on the server (NFS: WRITE + COMMIT) when it returns.
 */
static void write_file(const char *path, long mib, unsigned char *buf,
		       void (*fill)(unsigned char *, size_t, unsigned long long))
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die(path);
	for (long i = 0; i < mib; i++) {
		fill(buf, CHUNK, (unsigned long long)i * CHUNK);
		write_all(fd, buf, CHUNK);
	}
	if (fsync(fd) || close(fd))
		die("fsync/close");
}

static int cmd_mkfile(const char *path, long mib)
{
	unsigned char *buf = chunk_buf();

	write_file(path, mib, buf, pattern_fill);
	free(buf);
	return 0;
}

/* Read PATH to the end; returns bytes read, -1 on wrong data. */
static long long read_to_end(const char *path, size_t step)
{
	unsigned char *buf = chunk_buf();
	unsigned long long off = 0;
	int fd = open(path, O_RDONLY);
	int bad = 0;

	if (fd < 0)
		die(path);
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (n == 0)
			break;
		if (!bad && pattern_check(buf, n, off, step))
			bad = 1;
		off += n;
	}
	close(fd);
	free(buf);
	return bad ? -1 : (long long)off;
}

/* Check PATH holds MIB MiB of the pattern, one word every `step` bytes. */
static int cmd_verify(const char *path, long mib, size_t step)
{
	long long n = read_to_end(path, step);

	if (n != mib * (long long)MIB) {
		fprintf(stderr, "zcvfs_bench: %s: %lld bytes of good data, want %lld\n", path, n,
			mib * (long long)MIB);
		return 1;
	}
	return 0;
}

static int cmd_read(const char *path)
{
	struct timed t;
	long long n;

	timed_begin(&t);
	n = read_to_end(path, BLOCK);
	timed_end(&t);
	if (n <= 0)
		fail("read: no data or wrong data");
	print_timed(&t, n);
	return 0;
}

static int cmd_write(const char *path, long mib)
{
	unsigned char *buf = chunk_buf();
	struct timed t;

	pattern_fill(buf, CHUNK, 0);
	timed_begin(&t);
	write_file(path, mib, buf, pattern_stamp);
	timed_end(&t);
	free(buf);
	/*
	 * Only the block heads carry the offset (the rest of each chunk is
	 * chunk 0's pattern): check written files with `verify-heads`.
	 */
	print_timed(&t, (unsigned long long)mib * MIB);
	return 0;
}

/* The socket anchor: a reader thread drains the connection. */
struct drain {
	int fd;
	unsigned long long bytes;
};

static void *drain_thread(void *arg)
{
	struct drain *d = arg;
	unsigned char *buf = chunk_buf();

	for (;;) {
		ssize_t n = recv(d->fd, buf, CHUNK, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		d->bytes += n;
	}
	free(buf);
	return NULL;
}

static int cmd_sock(const char *method, const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	int lfd, cfd, sfd, fd, sendf;
	struct drain d = { 0 };
	unsigned char *buf = NULL;
	pthread_t th;
	struct timed t;
	struct stat st;
	off_t off = 0;

	if (!strcmp(method, "sendfile"))
		sendf = 1;
	else if (!strcmp(method, "readwrite"))
		sendf = 0;
	else
		fail("sock: method is sendfile or readwrite");
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die(path);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen))
		die("listen");
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect");
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		die("accept");
	close(lfd);
	d.fd = sfd;
	if (!sendf)
		buf = chunk_buf();

	timed_begin(&t);
	if (pthread_create(&th, NULL, drain_thread, &d))
		fail("pthread_create");
	while (off < st.st_size) {
		if (sendf) {
			ssize_t n = sendfile(cfd, fd, &off, st.st_size - off);

			if (n < 0 && errno != EINTR)
				die("sendfile");
			if (n == 0)
				fail("sendfile: unexpected end of file");
		} else {
			ssize_t n = read(fd, buf, CHUNK);

			if (n < 0 && errno != EINTR)
				die("read");
			if (n == 0)
				fail("read: unexpected end of file");
			if (n > 0) {
				write_all(cfd, buf, n);
				off += n;
			}
		}
	}
	shutdown(cfd, SHUT_WR);
	pthread_join(th, NULL);
	timed_end(&t);

	if (d.bytes != (unsigned long long)st.st_size)
		fail("sock: the reader did not get every byte");
	close(cfd);
	close(sfd);
	close(fd);
	free(buf);
	print_timed(&t, d.bytes);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The micro benchmark: SAMPLES calls per method, the methods alternating,
 * each call running its method for at least BATCH_MS ms in the kernel
 * over RANGES consecutive ranges of LEN bytes (the guest clock may be as
 * coarse as a jiffy); a sample is the mean time of one iteration in a
 * call.  Methods: loan (request + read + return, one loan at a time),
 * copy (a plain read into a kernel buffer) and phases (the loan's phases,
 * each timed over a batch of RANGES loans).  One line per method with the
 * quartiles of the samples; the phases line adds the mean time of each
 * phase per loan over all its calls.
 */
static int cmd_micro(const char *path, long len, long nsamples, long batch_ms, long ranges)
{
	enum { NMETHODS = 3 };
	static const struct { const char *name; long long arg; } methods[NMETHODS] = {
		{ "loan", ZT_BENCH_LOAN }, { "copy", ZT_BENCH_COPY }, { "phases", ZT_BENCH_PHASES },
	};
	double *samples[NMETHODS];
	long long bytes[NMETHODS] = { 0 }, segs[NMETHODS] = { 0 }, iters[NMETHODS] = { 0 };
	long long phases[NMETHODS][3] = { { 0 } };	/* request, read, return ns */
	struct counters macc[NMETHODS][MAX_STATS];
	const char *only;	/* one method only (tools/bench/profile) */
	int dev, fd;

	if (nsamples < 1 || batch_ms < 1 || ranges < 1)
		fail("micro: SAMPLES, BATCH_MS and RANGES must be positive");
	only = getenv("ZCVFS_MICRO_METHOD");
	memset(macc, 0, sizeof(macc));
	dev = open("/dev/zcvfs_test", O_RDWR);
	fd = open(path, O_RDONLY);
	if (dev < 0 || fd < 0)
		die("open /dev/zcvfs_test or the file");
	for (int m = 0; m < NMETHODS; m++) {
		samples[m] = calloc(nsamples, sizeof(**samples));
		if (!samples[m])
			die("calloc");
	}
	for (long i = 0; i < nsamples; i++) {
		for (int m = 0; m < NMETHODS; m++) {
			if (only && strcmp(only, methods[m].name))
				continue;
			struct zcvfs_test_req r = {
				.fd = fd, .offset = 0, .length = len, .slot = ranges,
				.arg = methods[m].arg, .rw = batch_ms * 1000000LL,
			};

			/* Each method's counters accumulate apart. */
			memcpy(acc, macc[m], sizeof(acc));
			stats_snap(0);
			if (ioctl(dev, ZT_BENCH_READ, &r))
				die("ioctl ZT_BENCH_READ");
			stats_snap(1);
			stats_accumulate();
			memcpy(macc[m], acc, sizeof(acc));
			if (r.result <= 0) {
				fprintf(stderr, "zcvfs_bench: micro %s: result %lld\n",
					methods[m].name, (long long)r.result);
				return 1;
			}
			if (r.out[0] != len) {
				fprintf(stderr, "zcvfs_bench: micro %s: %lld bytes, want %ld\n",
					methods[m].name, (long long)r.out[0], len);
				return 1;
			}
			samples[m][i] = (double)r.out[2] / r.result;
			iters[m] += r.result;
			for (int p = 0; p < 3; p++)
				phases[m][p] += r.out[3 + p];
			bytes[m] = r.out[0];
			segs[m] = r.out[1];
		}
	}
	for (int m = 0; m < NMETHODS; m++) {
		double *s = samples[m];

		if (only && strcmp(only, methods[m].name))
			continue;
		qsort(s, nsamples, sizeof(*s), cmp_double);
		tag_variant = methods[m].name;
		memcpy(acc, macc[m], sizeof(acc));
		print_head();
		printf(",\"bytes\":%lld,\"segments\":%lld,\"samples\":%ld,\"iters\":%lld,"
		       "\"batch_ms\":%ld,\"ranges\":%ld,\"min_ns\":%.0f,\"p25_ns\":%.0f,"
		       "\"median_ns\":%.0f,\"p75_ns\":%.0f,\"max_ns\":%.0f",
		       bytes[m], segs[m], nsamples, iters[m], batch_ms, ranges, s[0],
		       s[nsamples / 4],
		       nsamples % 2 ? s[nsamples / 2] : (s[nsamples / 2 - 1] + s[nsamples / 2]) / 2,
		       s[(3 * nsamples) / 4], s[nsamples - 1]);
		if (methods[m].arg == ZT_BENCH_PHASES)
			printf(",\"request_ns\":%.0f,\"read_ns\":%.0f,\"return_ns\":%.0f",
			       (double)phases[m][0] / iters[m], (double)phases[m][1] / iters[m],
			       (double)phases[m][2] / iters[m]);
		print_stats();
		printf("}\n");
		free(s);
	}
	close(fd);
	close(dev);
	return 0;
}

static int cmd_nfsmount(const char *src, const char *dir, const char *opts)
{
	if (mount(src, dir, "nfs", 0, opts))
		die("mount nfs");
	return 0;
}

/* -s NAME=FILE: one more counters file for print_stats(). */
static bool stats_option(int opt, char *arg)
{
	char *eq;

	if (opt != 's')
		return false;
	eq = strchr(arg, '=');
	if (!eq || nstats == MAX_STATS || eq - arg >= 32)
		usage();
	memcpy(stats[nstats].prefix, arg, eq - arg);
	stats[nstats].path = eq + 1;
	nstats++;
	return true;
}

int main(int argc, char **argv)
{
	const char *cmd = command_line(&argc, &argv, "+b:v:r:s:", stats_option);

	if (!strcmp(cmd, "mkfile") && argc == 2)
		return cmd_mkfile(argv[0], atol(argv[1]));
	if (!strcmp(cmd, "verify") && argc == 2)
		return cmd_verify(argv[0], atol(argv[1]), 8);
	if (!strcmp(cmd, "verify-heads") && argc == 2)
		return cmd_verify(argv[0], atol(argv[1]), BLOCK);
	if (!strcmp(cmd, "read") && argc == 1)
		return cmd_read(argv[0]);
	if (!strcmp(cmd, "write") && argc == 2)
		return cmd_write(argv[0], atol(argv[1]));
	if (!strcmp(cmd, "sock") && argc == 2)
		return cmd_sock(argv[0], argv[1]);
	if (!strcmp(cmd, "micro") && argc == 5)
		return cmd_micro(argv[0], atol(argv[1]), atol(argv[2]), atol(argv[3]),
				 atol(argv[4]));
	if (!strcmp(cmd, "nfsmount") && argc == 3)
		return cmd_nfsmount(argv[0], argv[1], argv[2]);
	usage();
	return 1;
}
