#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a file handle names, checked by every procedure: zcnfsd_handle_types
# (a raw-socket RPC client, one KTAP result per case) gives directory
# handles of files and symlinks, file handles of directories and symlinks,
# and times that cannot be stored, to zcnfsd exporting a zcfs mount; this
# script loads the modules around it and checks that the server unloads
# and zcfs unmounts afterwards.
. "$(dirname "$0")/lib.sh"

if [ ! -f "$ZCVFS_MODULES/zcnfsd.ko" ]; then
	ktap_print_header
	zn_require_server
fi
if ! zn_setup_zcfs || ! zn_server_load $ZCFS_DIR threads=80; then
	ktap_print_header
	ktap_exit_fail_msg "cannot load the modules and export the zcfs mount"
fi

"$HERE/zcnfsd_handle_types" -p $NFS_PORT -m $MNT_PORT -e $ZCFS_DIR
rc=$?
ktap_print_msg "server counters: $(tr '\n' ' ' < $SRV_STATS)"
if ! zn_teardown; then
	ktap_print_msg "after the cases: rmmod zcnfsd, umount zcfs or rmmod failed"
	rc=1
fi
ktap_print_msg "time: zcnfsd_handle_types.sh: $(( $(date +%s) - ZN_T0 )) s in all"
exit $rc
