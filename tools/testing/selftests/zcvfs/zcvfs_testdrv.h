/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The zcvfs test driver (/dev/zcvfs_test, test_ioctl.h) from user space,
 * shared by the zcvfs and zcfs kselftests (the latter include it as
 * "../zcvfs/zcvfs_testdrv.h"): the ioctl wrappers, module loading, the
 * statistics files and file helpers.  Include after kselftest.h.
 */
#ifndef ZCVFS_TESTDRV_H
#define ZCVFS_TESTDRV_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test_ioctl.h"
#include "stat_file.h"

#define PG		4096
#define UIO_XUIO	4
#define UIOTYPE_ZEROCOPY 1
#define ZC_LOANED	1
#define ZC_FILLED	2
#define ZC_WRITTEN	3
#define ZC_RETURNED	4

/* The open test driver. */
static int zt_dev = -1;

/* One ioctl of the test driver; returns req->result (-100000: no ioctl). */
static inline long long zt(unsigned long cmd, struct zcvfs_test_req *r)
{
	if (ioctl(zt_dev, cmd, r) != 0) {
		ksft_print_msg("ioctl %#lx: %s\n", cmd, strerror(errno));
		return -100000;
	}
	return r->result;
}

/* ZT_REQ: reqzcbuf on a slot; arg: ZT_REQ_* (0: the slot's xuio as is). */
static inline long long zt_req(int slot, int fd, int rw, long long off, long long len,
			       long long arg)
{
	struct zcvfs_test_req r = { .fd = fd, .slot = slot, .rw = rw,
				    .offset = off, .length = len, .arg = arg };
	return zt(ZT_REQ, &r);
}

/* ZT_READ / ZT_RET / ZT_STATE / ZT_SLOT_FREE / ... on a slot; the answer in *out. */
static inline long long zt_op(unsigned long cmd, int slot, int fd, struct zcvfs_test_req *out)
{
	struct zcvfs_test_req r = { .fd = fd, .slot = slot };
	long long res = zt(cmd, &r);

	if (out)
		*out = r;
	return res;
}

/* An ioctl with a user buffer (ZT_PEEK, ZT_FILL, ZT_PLAIN_*, ZT_C_READ, ...). */
static inline long long zt_buf(unsigned long cmd, int slot, int fd, long long off, void *buf,
			       size_t len, long long arg)
{
	struct zcvfs_test_req r = { .fd = fd, .slot = slot, .offset = off,
				    .buf = (uintptr_t)buf, .buf_len = len, .arg = arg };
	return zt(cmd, &r);
}

/* Load one of our modules (already loaded is fine): 0 or -errno. */
static inline int zt_load(const char *name)
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

/* Unload a module: 0 or -errno. */
static inline int zt_unload(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* A zcvfs statistics counter of a filesystem type, or -1. */
static inline long long zt_stat(const char *fs, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/debug/zcvfs/%s/stats", fs);
	return stat_file(path, name);
}

/* A deterministic byte pattern. */
static inline void pattern(unsigned char *b, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 12));
}

/*
 * Put `len` bytes of pattern `seed` into fd at 0, truncating to len.  One
 * write(2) per page, so that a filesystem with large folios caches the
 * file a page per folio, as the page-granular tests expect.
 */
static inline bool fill_file(int fd, size_t len, unsigned int seed)
{
	unsigned char *b = malloc(len ? len : 1);
	bool ok;

	pattern(b, len, seed);
	ok = ftruncate(fd, 0) == 0;
	for (size_t off = 0; ok && off < len; off += 4096) {
		size_t n = len - off < 4096 ? len - off : 4096;

		ok = pwrite(fd, b + off, n, off) == (ssize_t)n;
	}
	free(b);
	return ok;
}

/* Whether fd holds `want` at `off`. */
static inline bool file_is(int fd, off_t off, const unsigned char *want, size_t len)
{
	unsigned char *b = malloc(len ? len : 1);
	bool ok = pread(fd, b, len, off) == (ssize_t)len && !memcmp(b, want, len);

	free(b);
	return ok;
}

#endif /* ZCVFS_TESTDRV_H */
