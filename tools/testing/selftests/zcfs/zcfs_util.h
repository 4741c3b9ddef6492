/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the zcfs selftests: the zcvfs test driver
 * (/dev/zcvfs_test, through ../zcvfs/zcvfs_testdrv.h), setup, mounts and
 * statistics.  Include after kselftest.h.
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

#endif /* ZCFS_UTIL_H */
