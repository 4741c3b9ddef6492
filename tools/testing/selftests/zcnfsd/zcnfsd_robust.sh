#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Malformed and hostile traffic against zcnfsd exporting a zcfs mount:
# zcnfsd_robust (a raw-socket RPC client, one KTAP result per case) does
# the work; this script loads the modules around it and checks that the
# server unloads and zcfs unmounts afterwards (no loan or socket left).
. "$(dirname "$0")/lib.sh"

if [ ! -f "$ZCVFS_MODULES/zcnfsd.ko" ]; then
	ktap_print_header
	zn_require_server
fi
if ! zn_setup_zcfs || ! zn_server_load $ZCFS_DIR threads=80; then
	ktap_print_header
	ktap_exit_fail_msg "cannot load the modules and export the zcfs mount"
fi

t0=$(date +%s)
"$HERE/zcnfsd_robust" -p $NFS_PORT -m $MNT_PORT -e $ZCFS_DIR
rc=$?
ktap_print_msg "time: robust: $(( $(date +%s) - t0 )) s"
ktap_print_msg "server counters: $(tr '\n' ' ' < $SRV_STATS)"
if ! zn_teardown; then
	ktap_print_msg "after the cases: rmmod zcnfsd, umount zcfs or rmmod failed"
	rc=1
fi
ktap_print_msg "time: zcnfsd_robust.sh: $(( $(date +%s) - ZN_T0 )) s in all"
exit $rc
