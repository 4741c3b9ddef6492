// SPDX-License-Identifier: GPL-2.0
/*
 * mount(2) and umount2(2) with text options, for the guest's NFS client:
 * busybox mount hands NFS binary mount data (struct nfs_mount_data) to the
 * kernel, which needs rpcbind; the kernel's own text parser takes
 * "vers=3,proto=tcp,port=P,mountport=M,mountproto=tcp,nolock,addr=A".
 *
 *   zcnfsd_mount mount SOURCE DIR TYPE [DATA]    e.g. 127.0.0.1:/mnt/zcfs /mnt/nfs nfs vers=3,...
 *   zcnfsd_mount umount DIR [force|detach]
 *
 * Exit 0 on success; otherwise the errno name on stderr and exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

static int usage(void)
{
	fprintf(stderr, "usage: zcnfsd_mount mount SOURCE DIR TYPE [DATA]\n"
			"       zcnfsd_mount umount DIR [force|detach]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "mount")) {
		const char *data = argc > 5 ? argv[5] : NULL;

		mkdir(argv[3], 0755);
		if (mount(argv[2], argv[3], argv[4], 0, data)) {
			fprintf(stderr, "zcnfsd_mount: mount %s on %s (%s, %s): %s\n", argv[2],
				argv[3], argv[4], data ? data : "", strerror(errno));
			return 1;
		}
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "umount")) {
		int flags = 0;

		if (argc > 3 && !strcmp(argv[3], "force"))
			flags = MNT_FORCE;
		else if (argc > 3 && !strcmp(argv[3], "detach"))
			flags = MNT_DETACH;
		else if (argc > 3)
			return usage();
		if (umount2(argv[2], flags)) {
			fprintf(stderr, "zcnfsd_mount: umount %s%s: %s\n", argv[2],
				flags ? (flags == MNT_FORCE ? " (force)" : " (detach)") : "",
				strerror(errno));
			return 1;
		}
		return 0;
	}
	return usage();
}
