/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the zcfs selftests: the zcvfs test driver
 * (/dev/zcvfs_test, through ../zcvfs/zcvfs_testdrv.h), setup, mounts and
 * statistics, and the case runner of zcfs_contract and zcfs_space.
 * Include after kselftest.h.
 */
#ifndef ZCFS_UTIL_H
#define ZCFS_UTIL_H

#include <sys/mount.h>
#include <sys/stat.h>

#include "../zcvfs/zcvfs_testdrv.h"

/* reqzcbuf on a slot, with a fresh xuio. */
static inline long long zt_fresh(int slot, int fd, int rw, long long off, long long len)
{
	return zt_req(slot, fd, rw, off, len, ZT_REQ_FRESH);
}

/* ZT_WRITE; with `off >= 0` the anonymous loan's offset is set first. */
static inline long long zt_write(int slot, int fd, long long off)
{
	return zt_buf(ZT_WRITE, slot, fd, off, NULL, 0, off >= 0 ? ZT_WRITE_SET_OFFSET : 0);
}

/* ZT_PEEK / ZT_FILL: copy between a slot's segments (from `skip`) and buf. */
static inline long long zt_data(unsigned long cmd, int slot, long long skip, void *buf,
				size_t len)
{
	return zt_buf(cmd, slot, 0, skip, buf, len, 0);
}

/* The safe Rust consumer API in one call: loan, read, copy out, return. */
static inline long long zt_loan_read(int fd, long long off, void *buf, size_t len)
{
	struct zcvfs_test_req r = { .fd = fd, .offset = off, .length = len,
				    .buf = (uintptr_t)buf, .buf_len = len };
	return zt(ZT_LOAN_READ, &r);
}

/* The same for a write: loan (offset, or anonymous with off2), fill, write. */
static inline long long zt_loan_write(int fd, long long off, const void *buf, size_t len,
				      long long off2)
{
	struct zcvfs_test_req r = { .fd = fd, .offset = off, .buf = (uintptr_t)buf,
				    .buf_len = len, .arg = off2 };
	return zt(ZT_LOAN_WRITE, &r);
}

/* zcfs's own counters and zcvfs's counters of the zcfs type. */
static inline long long zcfs_stat(const char *name)
{
	return stat_file("/sys/kernel/debug/zcfs/stats", name);
}

static inline long long zcvfs_stat(const char *name)
{
	return zt_stat("zcfs", name);
}

/* Load zcvfs, zcfs and the test driver, open the driver. */
static inline int zcfs_setup_driver(void)
{
	int err = zt_load("zcvfs");

	if (!err)
		err = zt_load("zcfs");
	if (!err)
		err = zt_load("zcvfs_test");
	if (err)
		return err;
	zt_dev = open("/dev/zcvfs_test", O_RDWR);
	return zt_dev < 0 ? -errno : 0;
}

/* Mount zcfs with options at dir (created). */
static inline int zcfs_mount(const char *dir, const char *opts)
{
	mkdir(dir, 0755);
	return mount("none", dir, "zcfs", 0, opts) ? -errno : 0;
}

/*
 * zcfs_setup_driver() and zcfs_mount(dir, opts), or the end of the
 * program with a KTAP failure naming which.
 */
static inline void zcfs_start(const char *dir, const char *opts)
{
	int err = zcfs_setup_driver();

	if (err)
		ksft_exit_fail_msg("modules / test driver: %s\n", strerror(-err));
	err = zcfs_mount(dir, opts);
	if (err)
		ksft_exit_fail_msg("mount: %s\n", strerror(-err));
}

/* Unload the test driver, zcfs and zcvfs; 0 or an error. */
static inline int zcfs_unload_all(void)
{
	return zt_unload("zcvfs_test") | zt_unload("zcfs") | zt_unload("zcvfs");
}

/* The cases of a program: each prints what went wrong, returns success. */
#define FAIL(...) do { ksft_print_msg(__VA_ARGS__); return false; } while (0)
#define EXPECT(cond, ...) do { if (!(cond)) FAIL(__VA_ARGS__); } while (0)

struct zcfs_case {
	bool (*fn)(void);
	const char *name;
};

/*
 * One KTAP result per case, in order; after each, every slot of the test
 * driver is freed (a failed case may leave loans).
 */
static inline void zcfs_run_cases(const struct zcfs_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ksft_test_result(cases[i].fn(), "%s\n", cases[i].name);
		for (int s = 0; s < ZT_SLOTS; s++)
			zt_op(ZT_SLOT_FREE, s, -1, NULL);
	}
}

/*
 * The last result: no loan outstanding (zcvfs's count for zcfs), as many
 * returns as requests; then, whatever happened, close the driver,
 * unmount the n mounts and unload the modules, which must succeed too.
 */
static inline void zcfs_finish(const char *const *mounts, size_t n)
{
	bool ok = zcvfs_stat("loans_outstanding") == 0 &&
		  zcvfs_stat("nreqzcbuf") == zcvfs_stat("nretzcbuf");
	int err = 0;

	if (!ok)
		ksft_print_msg("outstanding: %lld; nreqzcbuf %lld nretzcbuf %lld\n",
			       zcvfs_stat("loans_outstanding"),
			       zcvfs_stat("nreqzcbuf"), zcvfs_stat("nretzcbuf"));
	close(zt_dev);
	for (size_t i = 0; i < n; i++)
		err |= umount(mounts[i]);
	err |= zcfs_unload_all();
	if (err)
		ksft_print_msg("umount/unload failed\n");
	ksft_test_result(ok && !err, "%s\n", "balanced loans, clean umount and unload");
	ksft_finished();
}

#endif /* ZCFS_UTIL_H */
