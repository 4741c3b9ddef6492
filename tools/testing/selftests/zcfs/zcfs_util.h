/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the zcfs selftests: the zcvfs test driver
 * (/dev/zcvfs_test), module loading, mounts and statistics.
 */
#ifndef ZCFS_UTIL_H
#define ZCFS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <zcvfs/test_ioctl.h>

#define PG		4096
#define UIO_XUIO	4
#define UIOTYPE_ZEROCOPY 1
#define ZC_LOANED	1
#define ZC_FILLED	2
#define ZC_WRITTEN	3

static int zt_dev = -1;

/* One ioctl of the test driver; returns req->result (-100000: no ioctl). */
static inline long long zt(unsigned long cmd, struct zcvfs_test_req *r)
{
	if (ioctl(zt_dev, cmd, r) != 0) {
		fprintf(stderr, "# ioctl %#lx: %s\n", cmd, strerror(errno));
		return -100000;
	}
	return r->result;
}

/* reqzcbuf on a slot (a fresh xuio). */
static inline long long zt_req(int slot, int fd, int rw, long long off, long long len)
{
	struct zcvfs_test_req r = { .fd = fd, .slot = slot, .rw = rw,
				    .offset = off, .length = len, .arg = ZT_REQ_FRESH };
	return zt(ZT_REQ, &r);
}

/* ZT_READ / ZT_RET / ZT_STATE / ZT_SLOT_FREE on a slot. */
static inline long long zt_op(unsigned long cmd, int slot, int fd, struct zcvfs_test_req *out)
{
	struct zcvfs_test_req r = { .fd = fd, .slot = slot };
	long long res = zt(cmd, &r);

	if (out)
		*out = r;
	return res;
}

/* ZT_WRITE; with `off >= 0` the anonymous loan's offset is set first. */
static inline long long zt_write(int slot, int fd, long long off)
{
	struct zcvfs_test_req r = { .fd = fd, .slot = slot, .offset = off,
				    .arg = off >= 0 ? ZT_WRITE_SET_OFFSET : 0 };
	return zt(ZT_WRITE, &r);
}

/* ZT_PEEK / ZT_FILL: copy between a slot's segments (from `skip`) and buf. */
static inline long long zt_data(unsigned long cmd, int slot, long long skip, void *buf,
				size_t len)
{
	struct zcvfs_test_req r = { .slot = slot, .offset = skip,
				    .buf = (uintptr_t)buf, .buf_len = len };
	return zt(cmd, &r);
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

/* `name` of a `name value` statistics file, or -1. */
static inline long long stat_file(const char *path, const char *name)
{
	char key[64];
	long long v, found = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

/* zcfs's own counters and zcvfs's counters of the zcfs type. */
static inline long long zcfs_stat(const char *name)
{
	return stat_file("/sys/kernel/debug/zcfs/stats", name);
}

static inline long long zcvfs_stat(const char *name)
{
	return stat_file("/sys/kernel/debug/zcvfs/zcfs/stats", name);
}

/* Load one of our modules (already loaded is fine): 0 or -errno. */
static inline int zcfs_load(const char *name)
{
	char path[256];
	const char *dir = getenv("ZCVFS_MODULES");
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s.ko", dir ? dir : "/zcvfs/modules", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = syscall(__NR_finit_module, fd, "", 0);
	r = (r && errno != EEXIST) ? -errno : 0;
	close(fd);
	return r;
}

static inline int zcfs_unload(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* Load zcvfs, zcfs and the test driver, open the driver. */
static inline int zcfs_setup_driver(void)
{
	int err = zcfs_load("zcvfs");

	if (!err)
		err = zcfs_load("zcfs");
	if (!err)
		err = zcfs_load("zcvfs_test");
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

/* A deterministic byte pattern. */
static inline void pattern(unsigned char *b, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 12));
}

#endif /* ZCFS_UTIL_H */
