// SPDX-License-Identifier: GPL-2.0
/*
 * The zcnfsd data-integrity matrix: files of 0, 1, 4095, 4096, 4097,
 * 1 MiB + 13 and 64 MiB bytes written sequentially, and (all but the
 * 64 MiB one) at random offsets in random-sized pieces with overlapping
 * rewrites, with seeded pseudo-random content; read back sequentially or
 * at random offsets, buffered or O_DIRECT, and compared byte for byte.
 * The content of byte P of file K is a function of (seed, K, P) only, so
 * the writer and the checker need not share anything but the seed -- the
 * check runs through the NFS mount and again through the local export.
 *
 *   zcnfsd_matrix [-s SEED] [-q] write DIR      create the files in DIR
 *   zcnfsd_matrix [-s SEED] [-q] [-d] verify DIR check them (-d: O_DIRECT)
 *   zcnfsd_matrix [-s SEED] one write|verify PATH SIZE KEY   one file
 *
 * -q leaves out the 64 MiB file.  Prints "# ..." diagnostics, the seed and
 * "# totals files=N bytes=B page_bytes=P ms=T" (page_bytes: the bytes in
 * whole pages); exit 0 when everything matched.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PG		4096
#define MAXCHUNK	(1 << 20)
#define MIB		(1 << 20)

static uint64_t seed;
static bool direct;
static uint8_t *want, *got;

static const struct spec {
	size_t size;
	bool rnd;
} files[] = {
	{ 0, false }, { 1, false }, { 4095, false }, { 4096, false }, { 4097, false },
	{ MIB + 13, false }, { 64 * MIB, false },
	{ 1, true }, { 4095, true }, { 4096, true }, { 4097, true }, { MIB + 13, true },
};

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The content of file `key`, bytes [off, off + len): little-endian words. */
static void gen(uint8_t *b, uint64_t key, uint64_t off, size_t len)
{
	uint64_t k = mix(seed ^ mix(key));
	size_t i = 0;

	/* The head, up to a word boundary of the file. */
	for (; i < len && ((off + i) & 7); i++)
		b[i] = mix(k ^ ((off + i) >> 3)) >> (8 * ((off + i) & 7));
	for (; i + 8 <= len; i += 8) {
		uint64_t v = htole64(mix(k ^ ((off + i) >> 3)));

		memcpy(b + i, &v, 8);
	}
	for (; i < len; i++)
		b[i] = mix(k ^ ((off + i) >> 3)) >> (8 * ((off + i) & 7));
}

/* A PRNG for offsets and sizes, seeded from the seed and the file. */
struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix(r->s);
}

/* A chunk size in [1, max]: often small, sometimes page-sized or large. */
static size_t chunk_size(struct rng *r, size_t max)
{
	static const size_t caps[] = { 17, 512, PG, 3 * PG + 5, 65536, 300000, MAXCHUNK };
	size_t cap = caps[next(r) % (sizeof(caps) / sizeof(caps[0]))];

	if (cap > max)
		cap = max;
	return 1 + next(r) % cap;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct piece {
	uint64_t off;
	size_t len;
};

/* Pieces covering [0, size), shuffled; *n set.  Caller frees. */
static struct piece *pieces(struct rng *r, size_t size, size_t max, size_t *n)
{
	size_t cap = size / 2 + 16, k = 0;
	struct piece *p = malloc(cap * sizeof(*p));

	for (uint64_t off = 0; off < size; k++) {
		size_t len = chunk_size(r, max);

		if (len > size - off)
			len = size - off;
		if (k == cap)
			p = realloc(p, (cap *= 2) * sizeof(*p));
		p[k] = (struct piece){ off, len };
		off += len;
	}
	for (size_t i = k; i > 1; i--) {
		size_t j = next(r) % i;
		struct piece t = p[i - 1];

		p[i - 1] = p[j];
		p[j] = t;
	}
	*n = k;
	return p;
}

static bool write_all_at(int fd, const char *path, const uint8_t *b, size_t len, uint64_t off)
{
	while (len) {
		ssize_t w = pwrite(fd, b, len, off);

		if (w <= 0) {
			printf("# %s: pwrite %zu at %llu: %s\n", path, len, (unsigned long long)off,
			       w ? strerror(errno) : "wrote 0");
			return false;
		}
		b += w;
		len -= w;
		off += w;
	}
	return true;
}

static bool write_file(const char *path, uint64_t key, size_t size, bool rnd)
{
	struct rng r = { mix(seed ^ key ^ 0x5752495445ULL) };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool ok = true;

	if (fd < 0) {
		printf("# %s: open: %s\n", path, strerror(errno));
		return false;
	}
	if (!rnd) {
		for (uint64_t off = 0; off < size && ok;) {
			size_t len = chunk_size(&r, MAXCHUNK);

			if (len > size - off)
				len = size - off;
			gen(want, key, off, len);
			ok = write_all_at(fd, path, want, len, off);
			off += len;
		}
	} else {
		size_t n;
		struct piece *p = pieces(&r, size, 65536, &n);

		for (size_t i = 0; i < n && ok; i++) {
			gen(want, key, p[i].off, p[i].len);
			ok = write_all_at(fd, path, want, p[i].len, p[i].off);
		}
		/* Overlapping rewrites of what is there (same content). */
		for (int i = 0; i < 8 && ok && size; i++) {
			uint64_t off = next(&r) % size;
			size_t len = chunk_size(&r, 65536);

			if (len > size - off)
				len = size - off;
			gen(want, key, off, len);
			ok = write_all_at(fd, path, want, len, off);
		}
		free(p);
	}
	if (ok && fsync(fd)) {
		printf("# %s: fsync: %s\n", path, strerror(errno));
		ok = false;
	}
	if (close(fd) && ok) {
		printf("# %s: close: %s\n", path, strerror(errno));
		ok = false;
	}
	return ok;
}

static bool compare(const char *path, uint64_t key, uint64_t off, size_t len)
{
	gen(want, key, off, len);
	if (!memcmp(want, got, len))
		return true;
	for (size_t i = 0; i < len; i++)
		if (want[i] != got[i]) {
			printf("# %s: byte %llu is %#04x, expected %#04x (read of %zu at %llu)\n", path,
			       (unsigned long long)(off + i), got[i], want[i], len,
			       (unsigned long long)off);
			break;
		}
	return false;
}

/* Exactly len bytes at off (short only at EOF): bytes read or -1. */
static ssize_t read_at(int fd, const char *path, uint8_t *b, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, b + done, len - done, off + done);

		if (n < 0) {
			printf("# %s: pread %zu at %llu: %s\n", path, len - done,
			       (unsigned long long)(off + done), strerror(errno));
			return -1;
		}
		if (!n)
			break;
		done += n;
	}
	return done;
}

static bool verify_file(const char *path, uint64_t key, size_t size, bool rnd)
{
	struct rng r = { mix(seed ^ key ^ 0x52454144ULL) };
	int fd = open(path, O_RDONLY | (direct ? O_DIRECT : 0));
	struct stat st;
	bool ok = true;
	ssize_t n = 0;

	if (fd < 0) {
		printf("# %s: open%s: %s\n", path, direct ? " O_DIRECT" : "", strerror(errno));
		return false;
	}
	if (fstat(fd, &st) || (size_t)st.st_size != size) {
		printf("# %s: size %lld, expected %zu\n", path, (long long)st.st_size, size);
		close(fd);
		return false;
	}
	if (!rnd) {
		uint64_t off = 0;

		for (;;) {
			size_t len = chunk_size(&r, MAXCHUNK);

			n = read_at(fd, path, got, len, off);
			if (n < 0 || (n < (ssize_t)len && off + n != size)) {
				printf("# %s: read %zd of %zu at %llu (size %zu)\n", path, n, len,
				       (unsigned long long)off, size);
				ok = false;
				break;
			}
			if (!compare(path, key, off, n)) {
				ok = false;
				break;
			}
			off += n;
			if (n < (ssize_t)len)
				break;
		}
	} else {
		size_t np;
		struct piece *p = pieces(&r, size, 65536, &np);

		for (size_t i = 0; i < np && ok; i++) {
			n = read_at(fd, path, got, p[i].len, p[i].off);
			if (n != (ssize_t)p[i].len) {
				printf("# %s: read %zd of %zu at %llu\n", path, n, p[i].len,
				       (unsigned long long)p[i].off);
				ok = false;
			} else {
				ok = compare(path, key, p[i].off, n);
			}
		}
		free(p);
	}
	/* Past the end: nothing. */
	if (ok && (n = pread(fd, got, PG, size + 1)) != 0) {
		printf("# %s: pread past EOF returned %zd\n", path, n);
		ok = false;
	}
	close(fd);
	return ok;
}

static int usage(void)
{
	fprintf(stderr, "usage: zcnfsd_matrix [-s SEED] [-q] [-d] write|verify DIR\n"
			"       zcnfsd_matrix [-s SEED] [-d] one write|verify PATH SIZE KEY\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long long bytes = 0, page_bytes = 0;
	bool quick = false, ok = true, writing;
	int c, nfiles = 0, nbad = 0;
	long long t0 = now_ms();
	char path[4096];

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((c = getopt(argc, argv, "s:qd")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'q': quick = true; break;
		case 'd': direct = true; break;
		default: return usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (posix_memalign((void **)&want, PG, MAXCHUNK) ||
	    posix_memalign((void **)&got, PG, MAXCHUNK + PG))
		return 2;
	if (optind < argc && !strcmp(argv[optind], "one")) {
		size_t size;
		uint64_t key;

		if (argc - optind != 5)
			return usage();
		writing = !strcmp(argv[optind + 1], "write");
		size = strtoull(argv[optind + 3], NULL, 0);
		key = strtoull(argv[optind + 4], NULL, 0);
		ok = writing ? write_file(argv[optind + 2], key, size, false)
			     : verify_file(argv[optind + 2], key, size, false);
		printf("# %s %s (%zu bytes, seed %#llx): %s in %lld ms\n",
		       writing ? "write" : "verify", argv[optind + 2], size,
		       (unsigned long long)seed, ok ? "ok" : "FAILED", now_ms() - t0);
		return ok ? 0 : 1;
	}
	if (argc - optind != 2)
		return usage();
	writing = !strcmp(argv[optind], "write");
	if (!writing && strcmp(argv[optind], "verify"))
		return usage();
	printf("# matrix %s %s%s: seed %#llx\n", argv[optind], argv[optind + 1],
	       direct ? " (O_DIRECT)" : "", (unsigned long long)seed);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct spec *f = &files[i];
		long long t = now_ms();
		bool fok;

		if (quick && f->size > 2 * MIB)
			continue;
		snprintf(path, sizeof(path), "%s/%s_%zu", argv[optind + 1], f->rnd ? "rnd" : "seq",
			 f->size);
		fok = writing ? write_file(path, i, f->size, f->rnd)
			      : verify_file(path, i, f->size, f->rnd);
		t = now_ms() - t;
		if (f->size >= MIB)
			printf("# %s %s: %lld ms, %.1f MB/s\n", writing ? "wrote" : "checked", path, t,
			       t ? f->size / 1000.0 / t : 0.0);
		if (!fok) {
			printf("# %s: FAILED\n", path);
			nbad++;
		}
		nfiles++;
		bytes += f->size;
		page_bytes += f->size / PG * PG;
	}
	printf("# totals files=%d bytes=%llu page_bytes=%llu ms=%lld bad=%d\n", nfiles, bytes,
	       page_bytes, now_ms() - t0, nbad);
	return nbad ? 1 : 0;
}
