/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a `name value` statistics file (debugfs), shared by the zcvfs,
 * zcfs and zcnfsd kselftests.
 */
#ifndef ZCVFS_STAT_FILE_H
#define ZCVFS_STAT_FILE_H

#include <stdio.h>
#include <string.h>

/* `name`'s value in the `name value` statistics file `path`, or -1. */
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

#endif /* ZCVFS_STAT_FILE_H */
