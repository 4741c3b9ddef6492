#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit suites of zcvfs.ko (`#[kunit_tests]`) run when it loads; report
# each suite's result from debugfs as a KTAP test.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kunit_lib.sh"

ktap_print_header
ktap_set_plan 6

loaded_here=0
if ! zcvfs_loaded zcvfs; then
	zcvfs_insmod zcvfs || ktap_exit_fail_msg "cannot load zcvfs.ko"
	loaded_here=1
fi

kunit_report zcvfs_validate zcvfs_loans zcvfs_registry zcvfs_fem zcvfs_stats zcvfs_xuio

[ $loaded_here = 1 ] && rmmod zcvfs
ktap_finished
