#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zcvfs.ko loads, announces itself, and unloads cleanly.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 4

[ -f "$ZCVFS_MODULES/zcvfs.ko" ] || ktap_exit_fail_msg "zcvfs.ko not in the image"
zcvfs_klog_mark

ktap_test_result "zcvfs.ko loads" zcvfs_insmod zcvfs
ktap_test_result "zcvfs is listed in /sys/module" zcvfs_loaded zcvfs
announced() {
	zcvfs_klog_since_mark | grep -q "zcvfs: zero-copy extension layer loaded (kernel $(uname -r), page size [0-9]*)"
}
ktap_test_result "zcvfs announces itself with the kernel release (C helper)" announced
unload() { rmmod zcvfs && ! zcvfs_loaded zcvfs; }
ktap_test_result "zcvfs.ko unloads" unload

ktap_finished
