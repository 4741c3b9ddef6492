#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The data-integrity matrix on zcnfsd's two copy paths, with identical
# results on the wire:
#  - the export on tmpfs: zcvfs answers ENOTSUP, every READ and WRITE falls
#    back to the copy path (fallbacks counted, 0 zero-copy bytes, two
#    copies per payload byte);
#  - the zcfs export with zerocopy=0: the copy path by choice (no loan asked
#    for, no fallback, two copies per payload byte).
. "$(dirname "$0")/lib.sh"

ktap_print_header
zn_require_server
ktap_set_plan $((2 * (3 + MX_PLAN) + 1))

zn_setup_zcfs && zn_setup_tmpfs || ktap_exit_fail_msg "cannot set up the zcfs and tmpfs exports"
# With the 64 MiB file on x86_64 (see mx_quick).
[ "$(uname -m)" = x86_64 ] || mx_quick

# export_matrix DIR MODE TAG LABEL: run the matrix (mx_all MODE TAG LABEL)
# on export DIR, mounted on $NFS_DIR.
export_matrix() {
	MX_EXPORT=$1
	MX_MNT=$NFS_DIR
	MX_NFS=$NFS_DIR/matrix
	MX_LOCAL=$1/matrix
	mx_all "$2" "$3" "$4"
}
down() { zn_umount $NFS_DIR && zn_server_unload; }

# ---- tmpfs export -------------------------------------------------------
ktap_test_result "zcnfsd.ko loads, exporting a tmpfs mount" zn_server_load $TMPFS_DIR
ktap_test_result "NFS mount of the tmpfs export" zn_mount 127.0.0.1 $TMPFS_DIR $NFS_DIR
export_matrix $TMPFS_DIR fallback tmpfs "fallback (tmpfs export)"
ktap_test_result "umount, rmmod zcnfsd" down

# ---- zcfs export, zerocopy=0 ----------------------------------------------------
ktap_test_result "zcnfsd.ko loads with zerocopy=0, exporting the zcfs mount" \
	zn_server_load $ZCFS_DIR zerocopy=0
ktap_test_result "NFS mount of the zcfs export" zn_mount 127.0.0.1 $ZCFS_DIR $NFS_DIR
export_matrix $ZCFS_DIR copy copy "copy path (zerocopy=0)"
ktap_test_result "umount, rmmod zcnfsd" down

ktap_test_result "no loan left; zcfs unmounts and the modules unload" zn_teardown
zn_finished
