// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs_fsx: an fsx-style random-operation exerciser for zcfs.
 *
 * Mixes write(2), read(2), zero-copy reads and writes (offset and
 * anonymous loans, through the zcvfs test driver), truncate (ftruncate and
 * fop_truncate), reads and writes through a shared mapping, and read loans
 * held across other operations (their data must not change), and checks
 * every byte against an in-memory model of the file.  Offsets and lengths
 * are page-aligned half of the time, so that whole pages are donated and
 * loaned pages are copied on write.
 *
 * Checking, so that every operation is verified without re-reading the
 * whole file each time:
 * - every read (read(2), zero-copy, through the mapping) is compared with
 *   the model;
 * - after every write or truncate the touched range is read back with
 *   read(2) (a truncate: the size and the pages around the old and new
 *   end of file);
 * - a held loan is compared with its snapshot every 16 operations and
 *   when it is returned;
 * - the whole file every CHECK operations (-c, default 500), by read(2),
 *   by zero-copy reads and through the mapping in turn, and all three at
 *   the end.
 *
 * The shared mapping of the file is kept between operations (mmap and
 * munmap are the most expensive calls here under the debug kernel), so
 * that it also sees the file change under it (writes, donations,
 * copy-on-write, truncation); it is dropped before a zero-copy read or a
 * held loan's request, which zcfs refuses (EINVAL) while the file is
 * mapped: that refusal is checked first.
 *
 *   zcfs_fsx [-n OPS] [-s SEED] [-m MAXSIZE] [-o MAXOP] [-c CHECK]
 *
 * OPS defaults to $ZCFS_FSX_OPS or 100000 (zcfs_fsx.sh chooses it per
 * architecture), SEED to the time; the seed is printed first, so a failure
 * can be replayed with -s (and the same -n, -m, -o, -c).
 */
#include <getopt.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "kselftest.h"
#include "zcfs_util.h"

#define DIR		"/tmp/zcfs-fsx"
#define HISTORY		32

enum op {
	OP_WRITE, OP_READ, OP_ZC_READ, OP_ZC_WRITE, OP_ZC_WRITE_ANON,
	OP_TRUNCATE, OP_FOP_TRUNCATE, OP_MMAP_READ, OP_MMAP_WRITE, OP_HOLD,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"write", "read", "zc_read", "zc_write", "zc_write_anon",
	"truncate", "fop_truncate", "mmap_read", "mmap_write", "hold",
};

/*
 * How often each operation is drawn, in parts of 100.  A zero-copy
 * operation costs about ten ordinary ones in the debug guest (measured:
 * each goes through the test driver, zcvfs's checks, loan table and
 * statistics, and the provider, with allocations), so they are drawn less
 * often than ordinary I/O; over 100000 operations each kind still runs
 * thousands of times (more than every kind did in the earlier 20000-op
 * runs with equal weights).
 */
static const int op_weight[OP_COUNT] = {
	[OP_WRITE] = 20, [OP_READ] = 18, [OP_ZC_READ] = 6, [OP_ZC_WRITE] = 5,
	[OP_ZC_WRITE_ANON] = 3, [OP_TRUNCATE] = 7, [OP_FOP_TRUNCATE] = 5,
	[OP_MMAP_READ] = 16, [OP_MMAP_WRITE] = 16, [OP_HOLD] = 4,
};

/* Kinds of whole-file checks, used in turn. */
enum check { CHECK_READ, CHECK_ZC, CHECK_MAP, CHECK_KINDS };

static unsigned char *model, *buf, *got;
static size_t fsize, maxsize, maxop = 16 * 1024;
static long long check_every = 500;
static int fd;
static unsigned long long rng;
static long long counts[OP_COUNT], checks[CHECK_KINDS], maps, refusals;
static double op_secs[OP_COUNT];

/* The shared mapping of [0, maxsize), while it exists. */
static unsigned char *map;

/* Held read loan (slot 0): its range and the data it must keep showing. */
static bool held;
static long long held_off, held_len, held_until;
static unsigned char *held_data;

static struct {
	long long n;
	int op;
	long long off, len;
} history[HISTORY];

static unsigned long long rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned long long below(unsigned long long n)
{
	return n ? rnd() % n : 0;
}

/* An operation, drawn by op_weight. */
static int pick_op(void)
{
	int w = below(100);

	for (int op = 0; op < OP_COUNT; op++) {
		if (w < op_weight[op])
			return op;
		w -= op_weight[op];
	}
	return OP_READ;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* An offset and length, page-aligned half of the time. */
static void pick(long long *off, long long *len, size_t limit)
{
	if (rnd() & 1) {
		*off = below(limit / PG) * PG;
		*len = (1 + below(maxop / PG)) * PG;
	} else {
		*off = below(limit);
		*len = 1 + below(maxop);
	}
	if (*off + *len > (long long)maxsize)
		*len = maxsize - *off;
	if (*len <= 0) {
		*off = 0;
		*len = 1;
	}
}

static void fill_random(unsigned char *b, size_t n)
{
	unsigned long long v = rnd();

	for (size_t i = 0; i < n; i++) {
		if (!(i & 7))
			v = rnd();
		b[i] = (unsigned char)(v >> (8 * (i & 7)));
	}
}

static void record(long long n, int op, long long off, long long len)
{
	history[n % HISTORY].n = n;
	history[n % HISTORY].op = op;
	history[n % HISTORY].off = off;
	history[n % HISTORY].len = len;
}

static void dump_history(long long n)
{
	long long first = n >= HISTORY ? n - HISTORY + 1 : 0;

	ksft_print_msg("last operations (size now %zu, %s):\n", fsize,
		       map ? "mapped" : "not mapped");
	for (long long i = first; i <= n; i++) {
		int h = i % HISTORY;

		ksft_print_msg("  %lld %s off %lld len %lld\n", history[h].n,
			       op_names[history[h].op], history[h].off, history[h].len);
	}
}

static bool compare(const char *what, const unsigned char *data, long long off, long long len)
{
	if (!memcmp(data, model + off, len))
		return true;
	for (long long i = 0; i < len; i++) {
		if (data[i] != model[off + i]) {
			ksft_print_msg("%s: byte %lld is %#x, model %#x\n", what, off + i,
				       data[i], model[off + i]);
			break;
		}
	}
	return false;
}

static long long expect_len(long long off, long long len)
{
	if (off >= (long long)fsize)
		return 0;
	return len < (long long)fsize - off ? len : (long long)fsize - off;
}

/* Read [off, off + len) back with read(2) and compare with the model. */
static bool verify_range(const char *what, long long off, long long len)
{
	long long want = expect_len(off, len);
	long long r = pread(fd, got, len, off);

	if (r != want) {
		ksft_print_msg("%s: read back %lld bytes at %lld, want %lld\n", what, r, off, want);
		return false;
	}
	return compare(what, got, off, r);
}

static bool verify_size(void)
{
	struct stat s;

	if (fstat(fd, &s) || (size_t)s.st_size != fsize) {
		ksft_print_msg("size %lld, model %zu\n", (long long)s.st_size, fsize);
		return false;
	}
	return true;
}

static void set_size(size_t n)
{
	if (n < fsize)
		memset(model + n, 0, fsize - n);
	fsize = n;
}

static void wrote(long long off, const unsigned char *data, long long len)
{
	memcpy(model + off, data, len);
	if ((size_t)(off + len) > fsize)
		fsize = off + len;
}

/* Map the whole possible file (not beyond maxsize); kept until unmap(). */
static bool ensure_map(void)
{
	if (map)
		return true;
	map = mmap(NULL, maxsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		ksft_print_msg("mmap: %s\n", strerror(errno));
		return false;
	}
	maps++;
	return true;
}

/*
 * Drop the mapping, so that zero-copy reads are allowed again.  While it
 * exists zcfs must refuse them (EINVAL): check that first, at `off`, one
 * time in four (each check is a zero-copy request).
 */
static bool unmap(long long off)
{
	long long r;

	if (!map)
		return true;
	if (!(maps & 3)) {
		r = zt_loan_read(fd, off, got, 1);
		if (r != -EINVAL) {
			ksft_print_msg("zero-copy read of a mapped file: %lld, want %d\n", r,
				       -EINVAL);
			return false;
		}
		refusals++;
	}
	if (munmap(map, maxsize)) {
		ksft_print_msg("munmap: %s\n", strerror(errno));
		return false;
	}
	map = NULL;
	return true;
}

static bool check_held(void)
{
	unsigned char *b = got;

	if (!held)
		return true;
	if (zt_data(ZT_PEEK, 0, 0, b, held_len) != held_len) {
		ksft_print_msg("peek of the held loan failed\n");
		return false;
	}
	if (memcmp(b, held_data, held_len)) {
		for (long long i = 0; i < held_len; i++)
			if (b[i] != held_data[i]) {
				ksft_print_msg("held loan at %lld changed: byte %lld %#x, was %#x\n",
					       held_off, held_off + i, b[i], held_data[i]);
				break;
			}
		return false;
	}
	return true;
}

static bool release_held(void)
{
	bool ok = check_held();

	if (held && zt_op(ZT_RET, 0, fd, NULL) != 0) {
		ksft_print_msg("return of the held loan failed\n");
		ok = false;
	}
	held = false;
	return ok;
}

/* The whole file, one way; zero-copy in max_loan-sized pieces. */
static bool full_check(enum check how)
{
	static const char *const what[CHECK_KINDS] = {
		"full check by read(2)", "full check by zero-copy reads",
		"full check through the mapping",
	};
	long long off, n, piece = 256 * 1024;

	checks[how]++;
	if (!verify_size())
		return false;
	switch (how) {
	case CHECK_READ:
		return verify_range(what[how], 0, fsize);
	case CHECK_ZC:
		if (!unmap(0))
			return false;
		for (off = 0; off < (long long)fsize; off += n) {
			n = (long long)fsize - off < piece ? (long long)fsize - off : piece;
			if (zt_loan_read(fd, off, got, n) != n) {
				ksft_print_msg("%s: zero-copy read at %lld failed\n", what[how], off);
				return false;
			}
			if (!compare(what[how], got, off, n))
				return false;
		}
		return true;
	case CHECK_MAP:
		return ensure_map() && compare(what[how], map, 0, fsize);
	default:
		return false;
	}
}

/* Check after a truncate from `old` to fsize: the size, and both ends. */
static bool verify_truncate(const char *what, long long old)
{
	long long lo = old < (long long)fsize ? old : (long long)fsize;
	long long page = lo & ~(long long)(PG - 1);

	return verify_size() && verify_range(what, page, 2 * PG) &&
	       verify_range(what, (long long)fsize > PG ? (long long)fsize - PG : 0, 2 * PG);
}

static bool do_op(long long n, int op)
{
	long long off, len, r, want, old;
	struct zcvfs_test_req req;
	const char *what;

	pick(&off, &len, maxsize);
	record(n, op, off, len);
	switch (op) {
	case OP_WRITE:
		fill_random(buf, len);
		if (pwrite(fd, buf, len, off) != len)
			return false;
		wrote(off, buf, len);
		return verify_range("after write", off, len);
	case OP_READ:
	case OP_ZC_READ:
		what = op == OP_READ ? "read" : "zc read";
		if (op == OP_READ) {
			r = pread(fd, got, len, off);
		} else {
			if (!unmap(off))
				return false;
			r = zt_loan_read(fd, off, got, len);
		}
		want = expect_len(off, len);
		if (r != want) {
			ksft_print_msg("%s returned %lld, want %lld\n", what, r, want);
			return false;
		}
		return compare(what, got, off, r);
	case OP_ZC_WRITE:
	case OP_ZC_WRITE_ANON:
		fill_random(buf, len);
		r = zt_loan_write(fd, op == OP_ZC_WRITE ? off : -1, buf, len, off);
		if (r != len) {
			ksft_print_msg("zc write returned %lld\n", r);
			return false;
		}
		wrote(off, buf, len);
		return verify_range("after zc write", off, len);
	case OP_TRUNCATE:
	case OP_FOP_TRUNCATE:
		off = below(maxsize + 1);
		if (rnd() & 1)
			off &= ~(long long)(PG - 1);
		record(n, op, off, 0);
		if (op == OP_TRUNCATE) {
			r = ftruncate(fd, off);
		} else {
			req = (struct zcvfs_test_req){ .fd = fd, .length = off };
			r = zt(ZT_TRUNCATE, &req);
		}
		if (r) {
			ksft_print_msg("truncate to %lld: %lld\n", off, r);
			return false;
		}
		old = fsize;
		set_size(off);
		return verify_truncate("after truncate", old);
	case OP_MMAP_READ:
	case OP_MMAP_WRITE:
		if (!fsize)
			return true;
		off = below(fsize);
		len = 1 + below(fsize - off < maxop ? fsize - off : maxop);
		record(n, op, off, len);
		if (!ensure_map())
			return false;
		if (op == OP_MMAP_READ)
			return compare("mmap read", map + off, off, len);
		fill_random(buf, len);
		memcpy(map + off, buf, len);
		wrote(off, buf, len);
		return verify_range("after mmap write", off, len);
	case OP_HOLD:
		if (held)
			return release_held();
		if (!unmap(off))
			return false;
		r = zt_fresh(0, fd, 0, off, len);
		if (r) {
			ksft_print_msg("read loan request: %lld\n", r);
			return false;
		}
		r = zt_op(ZT_READ, 0, fd, NULL);
		want = expect_len(off, len);
		if (r != want) {
			ksft_print_msg("held read returned %lld, want %lld\n", r, want);
			zt_op(ZT_RET, 0, fd, NULL);
			return false;
		}
		held = true;
		held_off = off;
		held_len = r;
		held_until = n + 1 + below(200);
		memcpy(held_data, model + off, r);
		return check_held();
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *env = getenv("ZCFS_FSX_OPS");
	long long ops = env ? atoll(env) : 100000;
	unsigned long long seed = (unsigned long long)time(NULL) * 2654435761ULL;
	long long n;
	double t0, t1, t;
	struct rusage ru;
	bool ok = true;
	int c, err;

	maxsize = 256 * 1024;
	while ((c = getopt(argc, argv, "n:s:m:o:c:")) != -1) {
		switch (c) {
		case 'n':
			ops = atoll(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			maxsize = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			maxop = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			check_every = atoll(optarg);
			break;
		default:
			fprintf(stderr, "usage: zcfs_fsx [-n OPS] [-s SEED] [-m MAXSIZE] [-o MAXOP] [-c CHECK]\n");
			return KSFT_FAIL;
		}
	}
	ksft_print_header();
	ksft_set_plan(2);
	ksft_print_msg("zcfs_fsx: seed %llu, %lld operations, max size %zu, max op %zu, full check every %lld (replay: zcfs_fsx -s %llu -n %lld -m %zu -o %zu -c %lld)\n",
		       seed, ops, maxsize, maxop, check_every, seed, ops, maxsize, maxop,
		       check_every);
	for (int i = 0, sum = 0; i < OP_COUNT; i++) {
		sum += op_weight[i];
		if (i == OP_COUNT - 1 && sum != 100)
			ksft_exit_fail_msg("operation weights add up to %d\n", sum);
	}
	rng = seed ? seed : 1;
	if (maxsize < PG || maxsize > (16 << 20) || maxsize % PG || maxop < 1 ||
	    maxop > maxsize || check_every < 1)
		ksft_exit_fail_msg("bad -m, -o or -c\n");
	model = calloc(1, maxsize);
	buf = malloc(maxsize);
	got = malloc(maxsize);
	held_data = malloc(maxsize);
	if (!model || !buf || !got || !held_data)
		ksft_exit_fail_msg("out of memory\n");
	/* Loans of up to 256 KiB for the zero-copy full checks. */
	zcfs_start(DIR, "max_loan=262144,max_loan_pages=1024");
	fd = open(DIR "/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		ksft_exit_fail_msg("open: %s\n", strerror(errno));

	t0 = now();
	for (n = 0; n < ops && ok; n++) {
		int op = pick_op();

		t = now();
		ok = do_op(n, op);
		op_secs[op] += now() - t;
		counts[op]++;
		if (ok && held && n >= held_until)
			ok = release_held();
		if (ok && held && !(n % 16))
			ok = check_held();
		if (ok && !((n + 1) % check_every))
			ok = full_check((n / check_every) % CHECK_KINDS);
	}
	for (int k = 0; k < CHECK_KINDS && ok; k++)
		ok = full_check(k);
	if (ok)
		ok = release_held();
	if (!ok) {
		ksft_print_msg("FAILED at operation %lld (seed %llu)\n", n - 1, seed);
		dump_history(n - 1);
		release_held();
	}
	t1 = now();
	getrusage(RUSAGE_SELF, &ru);
	ksft_print_msg("%lld operations in %.1f s (user %.1f s, system %.1f s); %lld maps, %lld refused mapped zero-copy reads\n",
		       n, t1 - t0, ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
		       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, maps, refusals);
	for (int i = 0; i < OP_COUNT; i++)
		ksft_print_msg("  %-14s %7lld  %6.1f s  %6.0f us each\n", op_names[i], counts[i],
			       op_secs[i], counts[i] ? op_secs[i] * 1e6 / counts[i] : 0);
	ksft_print_msg("  full checks: %lld read(2), %lld zero-copy, %lld mapping\n",
		       checks[CHECK_READ], checks[CHECK_ZC], checks[CHECK_MAP]);
	ksft_print_msg("zcfs counters: read_pages_loaned %lld write_pages_donated %lld write_pages_copied %lld cow_pages %lld refused_mapped %lld\n",
		       zcfs_stat("read_pages_loaned"), zcfs_stat("write_pages_donated"),
		       zcfs_stat("write_pages_copied"), zcfs_stat("cow_pages"),
		       zcfs_stat("refused_mapped"));
	ksft_test_result(ok, "%lld random operations checked against the model (seed %llu)\n",
			 n, seed);

	if (map)
		munmap(map, maxsize);
	close(fd);
	close(zt_dev);
	ok = zcvfs_stat("loans_outstanding") == 0;
	err = umount(DIR) | zcfs_unload_all();
	ok = ok && !err;
	ksft_test_result(ok, "no loan left, clean umount and unload\n");
	ksft_finished();
}
