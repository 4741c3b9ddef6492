// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs's memory is bounded: the size= mount option (statfs, /proc/mounts,
 * remount, bad values), ENOSPC from a full mount to write(2), to a
 * zero-copy write loan, to the copy-on-write of a loaned page, to a
 * symlink and (SIGBUS) to a read fault of a hole; space given back by
 * unlink and truncate; and reads of holes (read(2) and zero-copy read
 * loans) return zeros and allocate nothing (st_blocks, statfs and
 * /proc/meminfo's Unevictable unchanged).
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "kselftest.h"
#include "zcfs_util.h"

#define SP	"/tmp/zcfs-space"
#define MIB	(1024 * 1024)
#define SIZE_PAGES 1024		/* size=4m */

static unsigned char buf[MIB];

static long long bfree(void)
{
	struct statfs s;

	return statfs(SP, &s) ? -1 : (long long)s.f_bfree;
}

static long long blocks_of(const char *path)
{
	struct stat s;

	return stat(path, &s) ? -1 : (long long)s.st_blocks;
}

/* A /proc/meminfo field in kB, or -1. */
static long long meminfo(const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':') {
			v = atoll(line + n + 1);
			break;
		}
	fclose(f);
	return v;
}

static bool all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Write `path` full with 1 MiB write(2)s: the bytes written, or -1. */
static long long fill_up(const char *path, int *err)
{
	int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	long long total = 0;
	ssize_t n;

	if (f < 0)
		return -1;
	memset(buf, 0x5a, sizeof(buf));
	*err = 0;
	for (;;) {
		n = write(f, buf, sizeof(buf));
		if (n < 0) {
			*err = errno;
			break;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(f);
	return total;
}

static bool t_statfs_mounts(void)
{
	struct statfs s;
	char line[512];
	bool found = false;
	FILE *f;

	EXPECT(statfs(SP, &s) == 0, "statfs: %s\n", strerror(errno));
	EXPECT(s.f_bsize == PG && s.f_blocks == SIZE_PAGES && s.f_bfree == SIZE_PAGES &&
	       s.f_bavail == SIZE_PAGES, "statfs bsize %ld blocks %llu bfree %llu bavail %llu\n",
	       (long)s.f_bsize, (unsigned long long)s.f_blocks, (unsigned long long)s.f_bfree,
	       (unsigned long long)s.f_bavail);
	f = fopen("/proc/mounts", "r");
	EXPECT(f, "/proc/mounts\n");
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " " SP " zcfs ") && strstr(line, "size=4096k"))
			found = true;
	fclose(f);
	EXPECT(found, "size=4096k not in /proc/mounts\n");
	return true;
}

static bool t_bad_sizes(void)
{
	static const char *const bad[] = { "size=abc", "size=4q", "size=101%", "nr_blocks=1k1",
					   "max_loan_pages=999999999999" };
	struct statfs s;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT(zcfs_mount(SP ".bad", bad[i]) == -EINVAL, "mount -o %s not EINVAL\n",
		       bad[i]);
	EXPECT(zcfs_mount(SP ".bad", "size=1%") == 0, "size=1%%\n");
	EXPECT(statfs(SP ".bad", &s) == 0 && s.f_blocks > 0, "size=1%% blocks %llu\n",
	       (unsigned long long)s.f_blocks);
	EXPECT(umount(SP ".bad") == 0, "umount\n");
	EXPECT(zcfs_mount(SP ".bad", "nr_blocks=3") == 0 && statfs(SP ".bad", &s) == 0 &&
	       s.f_blocks == 3, "nr_blocks=3\n");
	EXPECT(umount(SP ".bad") == 0, "umount\n");
	return true;
}

static bool t_write_enospc(void)
{
	long long total;
	int err;

	total = fill_up(SP "/big", &err);
	EXPECT(total == (long long)SIZE_PAGES * PG && err == ENOSPC,
	       "filled %lld bytes, then %s\n", total, strerror(err));
	EXPECT(bfree() == 0, "bfree %lld when full\n", bfree());
	EXPECT(blocks_of(SP "/big") == SIZE_PAGES * (PG / 512), "st_blocks %lld\n",
	       blocks_of(SP "/big"));
	return true;
}

/* With the mount full: zero-copy write, COW, symlink, fault of a hole. */
static bool t_full(void)
{
	int big = open(SP "/big", O_RDWR), f = open(SP "/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	unsigned char page[PG];
	long long outst;
	struct stat st;
	int status;
	pid_t pid;

	EXPECT(big >= 0 && f >= 0, "open\n");
	EXPECT(bfree() == 0, "not full\n");
	/* A zero-copy write of a whole page (donation) and of a partial one. */
	memset(page, 0x11, sizeof(page));
	EXPECT(zt_fresh(2, f, 1, 0, PG) == 0, "WRITE request\n");
	EXPECT(zt_data(ZT_FILL, 2, 0, page, PG) == PG, "fill\n");
	EXPECT(zt_write(2, f, -1) == -ENOSPC, "donated write on a full mount not ENOSPC\n");
	EXPECT(zt_op(ZT_RET, 2, f, NULL) == 0, "return\n");
	EXPECT(zt_fresh(2, f, 1, 100, 200) == 0, "WRITE request\n");
	EXPECT(zt_data(ZT_FILL, 2, 0, page, 200) == 200, "fill\n");
	EXPECT(zt_write(2, f, -1) == -ENOSPC, "copied write on a full mount not ENOSPC\n");
	EXPECT(zt_op(ZT_RET, 2, f, NULL) == 0, "return\n");
	EXPECT(zt_loan_write(f, 0, page, PG, 0) == -ENOSPC, "loan write API not ENOSPC\n");
	EXPECT(fstat(f, &st) == 0 && st.st_size == 0 && st.st_blocks == 0,
	       "failed writes changed the file: size %lld blocks %lld\n", (long long)st.st_size,
	       (long long)st.st_blocks);
	/* Overwriting a page in place needs no space... */
	EXPECT(pwrite(big, page, 100, 5 * PG) == 100, "overwrite on a full mount\n");
	/* ...but a loaned page is copied first, which does. */
	EXPECT(zt_fresh(0, big, 0, 0, PG) == 0 && zt_op(ZT_READ, 0, big, NULL) == PG, "loan\n");
	errno = 0;
	EXPECT(pwrite(big, page, 100, 10) == -1 && errno == ENOSPC,
	       "write(2) over a loaned page of a full mount: %s\n", strerror(errno));
	EXPECT(zt_op(ZT_RET, 0, big, NULL) == 0, "return\n");
	EXPECT(pwrite(big, page, 100, 10) == 100, "write after the return\n");
	EXPECT(bfree() == 0, "bfree %lld\n", bfree());
	errno = 0;
	EXPECT(symlink("/some/where", SP "/link") == -1 && errno == ENOSPC,
	       "symlink on a full mount: %s\n", strerror(errno));
	/* A read fault of a hole needs a page: SIGBUS, as on a full tmpfs. */
	EXPECT(ftruncate(f, 4 * PG) == 0, "ftruncate\n");
	pid = fork();
	if (pid == 0) {
		volatile unsigned char *m = mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, f, 0);

		if (m == MAP_FAILED)
			_exit(2);
		_exit(m[PG] == 0 ? 0 : 3);
	}
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid, "fork\n");
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS,
	       "read fault of a hole on a full mount: status %#x\n", status);
	EXPECT(fstat(f, &st) == 0 && st.st_blocks == 0, "failed fault left %lld blocks\n",
	       (long long)st.st_blocks);
	outst = zcvfs_stat("loans_outstanding");
	EXPECT(outst == 0, "%lld loans outstanding\n", outst);
	close(f);
	close(big);
	return true;
}

static bool t_freed(void)
{
	long long total;
	int f, err;

	EXPECT(unlink(SP "/big") == 0, "unlink\n");
	EXPECT(bfree() == SIZE_PAGES, "bfree %lld after unlink\n", bfree());
	/* The space is usable again; truncate gives it back too. */
	total = fill_up(SP "/big", &err);
	EXPECT(total == (long long)SIZE_PAGES * PG && err == ENOSPC, "refill %lld\n", total);
	f = open(SP "/big", O_RDWR);
	EXPECT(f >= 0 && ftruncate(f, 3 * PG + 1) == 0, "truncate\n");
	EXPECT(bfree() == SIZE_PAGES - 4, "bfree %lld after truncate to 4 pages\n", bfree());
	/* A zero-copy write succeeds once there is room. */
	memset(buf, 0x22, PG);
	EXPECT(zt_loan_write(f, 8 * PG, buf, PG, 0) == PG, "loan write with room\n");
	EXPECT(bfree() == SIZE_PAGES - 5, "bfree %lld after a donated page\n", bfree());
	close(f);
	EXPECT(unlink(SP "/big") == 0 && unlink(SP "/f") == 0, "unlink\n");
	EXPECT(bfree() == SIZE_PAGES, "bfree %lld at the end\n", bfree());
	return true;
}

static bool t_remount(void)
{
	struct statfs s;
	long long total;
	int err;

	EXPECT(mount("none", SP, "zcfs", MS_REMOUNT, "size=8m") == 0, "remount size=8m: %s\n",
	       strerror(errno));
	EXPECT(statfs(SP, &s) == 0 && s.f_blocks == 2 * SIZE_PAGES, "blocks %llu\n",
	       (unsigned long long)s.f_blocks);
	total = fill_up(SP "/big", &err);
	EXPECT(total == 2LL * SIZE_PAGES * PG && err == ENOSPC, "filled %lld\n", total);
	EXPECT(mount("none", SP, "zcfs", MS_REMOUNT, "size=4m") == -1 && errno == EINVAL,
	       "remount below the use not EINVAL\n");
	EXPECT(unlink(SP "/big") == 0, "unlink\n");
	EXPECT(mount("none", SP, "zcfs", MS_REMOUNT, "size=4m") == 0, "remount size=4m\n");
	EXPECT(statfs(SP, &s) == 0 && s.f_blocks == SIZE_PAGES && s.f_bfree == SIZE_PAGES,
	       "blocks %llu free %llu\n", (unsigned long long)s.f_blocks,
	       (unsigned long long)s.f_bfree);
	return true;
}

/*
 * 64 MiB of holes (16 times the mount's size) read by read(2) and by 64
 * zero-copy read loans of 1 MiB: zeros, and nothing allocated.
 */
static bool t_holes(void)
{
	long long unev, unev2, zero = zcfs_stat("read_zero_pages");
	long long loaned = zcfs_stat("read_pages_loaned");
	int f = open(SP "/sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct zcvfs_test_req st;
	unsigned char page[PG];

	EXPECT(f >= 0 && ftruncate(f, 64 * MIB) == 0, "sparse file\n");
	unev = meminfo("Unevictable");
	for (int i = 0; i < 64; i++) {
		memset(buf, 0xff, sizeof(buf));
		EXPECT(pread(f, buf, MIB, (off_t)i * MIB) == MIB, "read(2) of holes\n");
		EXPECT(all_zero(buf, MIB), "read(2) of a hole not zero\n");
	}
	EXPECT(blocks_of(SP "/sparse") == 0, "read(2) allocated: st_blocks %lld\n",
	       blocks_of(SP "/sparse"));
	EXPECT(bfree() == SIZE_PAGES, "read(2) allocated: bfree %lld\n", bfree());
	for (int i = 0; i < 64; i++) {
		EXPECT(zt_fresh(0, f, 0, (long long)i * MIB, MIB) == 0, "READ request\n");
		EXPECT(zt_op(ZT_READ, 0, f, &st) == MIB, "zero-copy read of holes\n");
		memset(buf, 0xff, sizeof(buf));
		EXPECT(zt_data(ZT_PEEK, 0, 0, buf, MIB) == MIB && all_zero(buf, MIB),
		       "loaned hole not zero\n");
		EXPECT(zt_op(ZT_RET, 0, f, NULL) == 0, "return\n");
	}
	unev2 = meminfo("Unevictable");
	EXPECT(blocks_of(SP "/sparse") == 0, "loans allocated: st_blocks %lld\n",
	       blocks_of(SP "/sparse"));
	EXPECT(bfree() == SIZE_PAGES, "loans allocated: bfree %lld\n", bfree());
	EXPECT(zcfs_stat("read_zero_pages") == zero + 64 * (MIB / PG) &&
	       zcfs_stat("read_pages_loaned") == loaned, "zero pages %lld, cache pages %lld\n",
	       zcfs_stat("read_zero_pages") - zero, zcfs_stat("read_pages_loaned") - loaned);
	/* 128 MiB of reads; allow 4 MiB of unrelated noise. */
	EXPECT(unev >= 0 && unev2 >= 0 && unev2 - unev < 4096,
	       "Unevictable grew by %lld kB\n", unev2 - unev);
	/* Data and hole in one loan: the cache page, then the zero page. */
	pattern(page, PG, 41);
	EXPECT(pwrite(f, page, PG, 2 * MIB) == PG, "pwrite\n");
	EXPECT(zt_fresh(0, f, 0, 2 * MIB, 2 * PG) == 0 &&
	       zt_op(ZT_READ, 0, f, &st) == 2 * PG && st.out[ZT_ST_NSEGS] == 2, "mixed loan\n");
	EXPECT(zt_data(ZT_PEEK, 0, 0, buf, 2 * PG) == 2 * PG && !memcmp(buf, page, PG) &&
	       all_zero(buf + PG, PG), "mixed loan data\n");
	/* A write into the hole while the loan holds the zero page there. */
	EXPECT(pwrite(f, page, PG, 2 * MIB + PG) == PG, "pwrite into the loaned hole\n");
	EXPECT(zt_data(ZT_PEEK, 0, 0, buf, 2 * PG) == 2 * PG && all_zero(buf + PG, PG),
	       "the loan's hole changed\n");
	EXPECT(zt_op(ZT_RET, 0, f, NULL) == 0, "return\n");
	EXPECT(file_is(f, 2 * MIB + PG, page, PG), "write into the hole lost\n");
	EXPECT(blocks_of(SP "/sparse") == 2 * (PG / 512), "st_blocks %lld after 2 pages\n",
	       blocks_of(SP "/sparse"));
	close(f);
	EXPECT(unlink(SP "/sparse") == 0 && bfree() == SIZE_PAGES, "bfree %lld\n", bfree());
	return true;
}

static const struct zcfs_case tests[] = {
	{ t_statfs_mounts, "size=4m: statfs and /proc/mounts" },
	{ t_bad_sizes, "bad size=, nr_blocks=, max_loan_pages= refused; 1%, nr_blocks= work" },
	{ t_write_enospc, "write(2) fills the mount, then ENOSPC" },
	{ t_full, "full: zero-copy write, COW of a loaned page, symlink ENOSPC; fault SIGBUS" },
	{ t_freed, "unlink and truncate give the space back" },
	{ t_remount, "remount changes size=, not below the use" },
	{ t_holes, "hole reads (read(2), zero-copy) are zeros and allocate nothing" },
};

int main(void)
{
	static const char *const mounts[] = { SP };

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests) + 1);
	zcfs_start(SP, "size=4m");

	zcfs_run_cases(tests, ARRAY_SIZE(tests));
	zcfs_finish(mounts, ARRAY_SIZE(mounts));
}
