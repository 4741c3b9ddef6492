// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs_fsx: an fsx-style random-operation exerciser for zcfs.
 *
 * Mixes write(2), read(2), zero-copy reads and writes (offset and
 * anonymous loans, through the zcvfs test driver), truncate (ftruncate and
 * fop_truncate), mmap reads and writes, and read loans held across other
 * operations (their data must not change), and checks every byte against
 * an in-memory model of the file.  Offsets and lengths are page-aligned
 * half of the time, so that whole pages are donated and loaned pages are
 * copied on write.
 *
 *   zcfs_fsx [-n OPS] [-s SEED] [-m MAXSIZE]
 *
 * OPS defaults to $ZCFS_FSX_OPS or 100000, SEED to the time; the seed is
 * printed first, so a failure can be replayed with -s.
 */
#include <getopt.h>
#include <sys/mman.h>
#include <time.h>

#include "../zcvfs/kselftest.h"
#include "zcfs_util.h"

#define DIR		"/tmp/zcfs-fsx"
#define MAXOP		(16 * 1024)
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

static unsigned char *model, *buf, *got;
static size_t fsize, maxsize;
static int fd;
static unsigned long long rng;
static long long counts[OP_COUNT];

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

/* An offset and length, page-aligned half of the time. */
static void pick(long long *off, long long *len, size_t limit)
{
	if (rnd() & 1) {
		*off = below(limit / PG) * PG;
		*len = (1 + below(MAXOP / PG)) * PG;
	} else {
		*off = below(limit);
		*len = 1 + below(MAXOP);
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

static void dump_history(long long n)
{
	long long first = n >= HISTORY ? n - HISTORY + 1 : 0;

	ksft_print_msg("last operations (size now %zu):\n", fsize);
	for (long long i = first; i <= n; i++) {
		int h = i % HISTORY;

		ksft_print_msg("  %lld %s off %lld len %lld\n", history[h].n,
			       op_names[history[h].op], history[h].off, history[h].len);
	}
}

static bool compare(const char *what, const unsigned char *data, long long off, long long len)
{
	for (long long i = 0; i < len; i++) {
		if (data[i] != model[off + i]) {
			ksft_print_msg("%s: byte %lld is %#x, model %#x\n", what, off + i,
				       data[i], model[off + i]);
			return false;
		}
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

static long long expect_len(long long off, long long len)
{
	if (off >= (long long)fsize)
		return 0;
	return len < (long long)fsize - off ? len : (long long)fsize - off;
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

static bool full_check(void)
{
	struct stat s;

	if (fstat(fd, &s) || (size_t)s.st_size != fsize) {
		ksft_print_msg("size %lld, model %zu\n", (long long)s.st_size, fsize);
		return false;
	}
	if (pread(fd, got, fsize, 0) != (ssize_t)fsize)
		return false;
	return compare("full check", got, 0, fsize);
}

static bool do_op(long long n, int op)
{
	long long off, len, r, want;
	unsigned char *m;
	struct zcvfs_test_req req;

	pick(&off, &len, maxsize);
	history[n % HISTORY].n = n;
	history[n % HISTORY].op = op;
	history[n % HISTORY].off = off;
	history[n % HISTORY].len = len;
	counts[op]++;
	switch (op) {
	case OP_WRITE:
		fill_random(buf, len);
		if (pwrite(fd, buf, len, off) != len)
			return false;
		wrote(off, buf, len);
		return true;
	case OP_READ:
		r = pread(fd, got, len, off);
		want = expect_len(off, len);
		if (r != want) {
			ksft_print_msg("read returned %lld, want %lld\n", r, want);
			return false;
		}
		return compare("read", got, off, r);
	case OP_ZC_READ:
		r = zt_loan_read(fd, off, got, len);
		want = expect_len(off, len);
		if (r != want) {
			ksft_print_msg("zc read returned %lld, want %lld\n", r, want);
			return false;
		}
		return compare("zc read", got, off, r);
	case OP_ZC_WRITE:
	case OP_ZC_WRITE_ANON:
		fill_random(buf, len);
		r = zt_loan_write(fd, op == OP_ZC_WRITE ? off : -1, buf, len, off);
		if (r != len) {
			ksft_print_msg("zc write returned %lld\n", r);
			return false;
		}
		wrote(off, buf, len);
		return true;
	case OP_TRUNCATE:
	case OP_FOP_TRUNCATE:
		off = below(maxsize + 1);
		if (rnd() & 1)
			off &= ~(long long)(PG - 1);
		history[n % HISTORY].off = off;
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
		set_size(off);
		return true;
	case OP_MMAP_READ:
	case OP_MMAP_WRITE:
		if (!fsize)
			return true;
		off = below(fsize);
		len = 1 + below(fsize - off < MAXOP ? fsize - off : MAXOP);
		history[n % HISTORY].off = off;
		history[n % HISTORY].len = len;
		{
			long long base = off & ~(long long)(PG - 1);
			size_t mlen = off + len - base;

			m = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, base);
			if (m == MAP_FAILED) {
				ksft_print_msg("mmap: %s\n", strerror(errno));
				return false;
			}
			if (op == OP_MMAP_READ) {
				memcpy(got, m + (off - base), len);
			} else {
				fill_random(buf, len);
				memcpy(m + (off - base), buf, len);
			}
			munmap(m, mlen);
		}
		if (op == OP_MMAP_READ)
			return compare("mmap read", got, off, len);
		wrote(off, buf, len);
		return true;
	case OP_HOLD:
		if (held)
			return release_held();
		r = zt_req(0, fd, 0, off, len);
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
	long long ops = env ? atoll(env) : 20000;
	unsigned long long seed = (unsigned long long)time(NULL) * 2654435761ULL;
	long long n;
	struct timespec t0, t1;
	bool ok = true;
	int c, err;

	maxsize = 256 * 1024;
	while ((c = getopt(argc, argv, "n:s:m:")) != -1) {
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
		default:
			fprintf(stderr, "usage: zcfs_fsx [-n OPS] [-s SEED] [-m MAXSIZE]\n");
			return KSFT_FAIL;
		}
	}
	ksft_print_header();
	ksft_set_plan(2);
	ksft_print_msg("zcfs_fsx: seed %llu, %lld operations, max size %zu (replay: zcfs_fsx -s %llu -n %lld)\n",
		       seed, ops, maxsize, seed, ops);
	rng = seed ? seed : 1;
	if (maxsize < PG || maxsize > (16 << 20))
		ksft_exit_fail_msg("bad max size\n");
	model = calloc(1, maxsize);
	buf = malloc(maxsize);
	got = malloc(maxsize);
	held_data = malloc(maxsize);
	if (!model || !buf || !got || !held_data)
		ksft_exit_fail_msg("out of memory\n");
	err = zcfs_setup_driver();
	if (err)
		ksft_exit_fail_msg("modules / test driver: %s\n", strerror(-err));
	err = zcfs_mount(DIR, "max_loan_pages=1024");
	if (err)
		ksft_exit_fail_msg("mount: %s\n", strerror(-err));
	fd = open(DIR "/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		ksft_exit_fail_msg("open: %s\n", strerror(errno));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < ops && ok; n++) {
		int op = below(OP_COUNT);

		ok = do_op(n, op);
		if (ok && held && n >= held_until)
			ok = release_held();
		if (ok && held && !(n % 16))
			ok = check_held();
		if (ok && !(n % 1000))
			ok = full_check();
	}
	if (ok)
		ok = release_held() && full_check();
	if (!ok) {
		ksft_print_msg("FAILED at operation %lld (seed %llu)\n", n - 1, seed);
		dump_history(n - 1);
		release_held();
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("%lld operations in %.1f s\n", n,
		       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (int i = 0; i < OP_COUNT; i++)
		ksft_print_msg("  %-14s %lld\n", op_names[i], counts[i]);
	ksft_print_msg("zcfs counters: read_pages_loaned %lld write_pages_donated %lld write_pages_copied %lld cow_pages %lld\n",
		       zcfs_stat("read_pages_loaned"), zcfs_stat("write_pages_donated"),
		       zcfs_stat("write_pages_copied"), zcfs_stat("cow_pages"));
	ksft_test_result(ok, "%lld random operations checked against the model (seed %llu)\n",
			 n, seed);

	close(fd);
	close(zt_dev);
	ok = zcfs_stat("loans_outstanding") == 0;
	err = umount(DIR) | zcfs_unload("zcvfs_test") | zcfs_unload("zcfs") |
	      zcfs_unload("zcvfs");
	ok = ok && !err;
	ksft_test_result(ok, "no loan left, clean umount and unload\n");
	ksft_finished();
}
