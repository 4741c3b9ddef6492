#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# zcnfsd's socket layer inside zcnfsd.ko: its KUnit suite (run at insmod),
# then a zero-copy READ and WRITE through the guest's NFS client (on
# loopback: spliced, 0 bytes copied by the server or the network stack),
# the completions and loans back to 0, rmmod while mounted; then the
# notification send forced on loopback (zc_send=2), where the stack copies
# every page on local delivery: the counters must see it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kunit_lib.sh"
ktap_print_header
zn_require_server
ktap_set_plan 7
zn_setup_zcfs || ktap_exit_fail_msg "cannot set up zcfs"
ktap_test_result "zcnfsd.ko loads (zcfs export)" zn_server_load $ZCFS_DIR
ktap_test_result "KUnit suite zcnfsd_net in zcnfsd.ko" kunit_suite_ok zcnfsd_net

rw() {
	dd if=/dev/urandom of=$ZCFS_DIR/src bs=64k count=32 2>/dev/null || return 1
	mkdir -p $NFS_DIR
	zn_mount 127.0.0.1 $ZCFS_DIR $NFS_DIR || return 1
	zn_snap a
	cmp $ZCFS_DIR/src $NFS_DIR/src || return 1
	dd if=$ZCFS_DIR/src of=$NFS_DIR/dst bs=64k 2>/dev/null && sync || return 1
	cmp $ZCFS_DIR/src $ZCFS_DIR/dst || return 1
	zn_snap b
	zn_show a b "1 MiB read and written"
	zn_expect "$(zn_d read_zc_bytes a b) >= 1048576" "zero-copy READ bytes" &&
		zn_expect "$(zn_d read_copy_bytes a b) == 0" "no READ copies" &&
		zn_expect "$(zn_d read_stack_copy_bytes a b) == 0" "no READ copies by the network stack" &&
		zn_expect "$(zn_d read_splice_bytes a b) == $(zn_d read_zc_bytes a b)" "READ spliced to the local peer" &&
		zn_expect "$(zn_d write_zc_bytes a b) >= 1048576" "zero-copy WRITE bytes"
}
ktap_test_result "READ by reference and WRITE into loaned pages, data intact" rw
ktap_test_result "completions ran, loans returned (zc_sends_in_flight, loans_outstanding 0)" zn_settle
idle_rmmod() {
	cat $NFS_DIR/src > /dev/null
	timeout 60 rmmod zcnfsd || return 1
	zn_no_loans
}
ktap_test_result "rmmod while mounted: no loan left" idle_rmmod

# zc_send=2: MSG_ZEROCOPY with a notification even to the local peer;
# loopback's receive path copies every such skb (skb_orphan_frags_rx), and
# the completions say so.
forced_notify() {
	zn_server_load $ZCFS_DIR zc_send=2 || return 1
	zn_umount $NFS_DIR || return 1
	zn_mount 127.0.0.1 $ZCFS_DIR $NFS_DIR || return 1
	zn_snap c
	cmp $ZCFS_DIR/src $NFS_DIR/src || return 1
	zn_snap d
	zn_show c d "1 MiB read, zc_send=2"
	zn_expect "$(zn_d read_zc_bytes c d) >= 1048576" "zero-copy READ bytes" &&
		zn_expect "$(zn_d read_splice_bytes c d) == 0" "nothing spliced" &&
		zn_expect "$(zn_d read_stack_copy_bytes c d) >= $(zn_d read_zc_bytes c d)" \
			"the stack's copies counted (every page, on local delivery)" &&
		zn_expect "$(zn_d read_zc_completions c d) > 0" "completions counted" &&
		zn_expect "$(zn_d read_zc_copied_completions c d) == $(zn_d read_zc_completions c d)" \
			"every completion reported the copy" &&
		zn_expect "$(zn_val $ST/d.srv loans_outstanding) == 0" "loans returned" &&
		zn_umount $NFS_DIR && zn_server_unload && zn_no_loans
}
ktap_test_result "zc_send=2 on loopback: the stack's copy is counted, loans returned" forced_notify
ktap_test_result "teardown" zn_teardown
zn_finished
