// SPDX-License-Identifier: GPL-2.0
/*
 * zcfs_mmap FILE: mmap on zcfs.  Writes through a shared mapping reach the
 * file (read(2) sees them, also after munmap and msync), write(2) reaches
 * the mapping, and a private mapping's writes stay private.  Exit 0 if
 * all holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LEN (3 * 4096 + 100)

static int fail(const char *what)
{
	fprintf(stderr, "# zcfs_mmap: %s (%s)\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned char buf[LEN], got[LEN];
	unsigned char *m, *p;
	int fd;

	if (argc != 2)
		return fail("usage: zcfs_mmap FILE");
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, LEN))
		return fail("create");
	m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return fail("mmap shared");
	for (int i = 0; i < LEN; i++)
		m[i] = (unsigned char)(i * 13 + 1);
	if (msync(m, LEN, MS_SYNC))
		return fail("msync");
	if (pread(fd, got, LEN, 0) != LEN || memcmp(got, m, LEN))
		return fail("read after mapped write");
	memset(buf, 0x5a, 5000);
	if (pwrite(fd, buf, 5000, 2000) != 5000)
		return fail("pwrite");
	if (memcmp(m + 2000, buf, 5000))
		return fail("mapping does not see write(2)");
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap private");
	p[10] = 0xee;
	if (pread(fd, got, 1, 10) != 1 || got[0] == 0xee)
		return fail("private write reached the file");
	munmap(p, LEN);
	memcpy(buf, m, LEN);
	if (munmap(m, LEN))
		return fail("munmap");
	if (pread(fd, got, LEN, 0) != LEN || memcmp(got, buf, LEN))
		return fail("data after munmap");
	close(fd);
	return unlink(argv[1]) ? fail("unlink") : 0;
}
