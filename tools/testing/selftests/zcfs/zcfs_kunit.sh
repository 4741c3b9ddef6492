#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit suites of zcfs.ko (`#[kunit_tests]`: range-lock algorithm,
# mount option checks, loan layout, space accounting) run when it loads; report each suite's
# result from debugfs as a KTAP test.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kunit_lib.sh"

ktap_print_header
ktap_set_plan 4

zcfs_insmod zcvfs || ktap_exit_fail_msg "cannot load zcvfs.ko"
zcfs_insmod zcfs || ktap_exit_fail_msg "cannot load zcfs.ko"

kunit_report zcfs_range_lock zcfs_options zcfs_layout zcfs_space_acct

rmmod zcfs && rmmod zcvfs
ktap_finished
