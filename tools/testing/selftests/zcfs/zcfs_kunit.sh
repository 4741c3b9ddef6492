#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit suites of zcfs.ko (`#[kunit_tests]`: range-lock algorithm,
# mount option checks, loan layout) run when it loads; report each suite's
# result from debugfs as a KTAP test.
. "$(dirname "$0")/lib.sh"

SUITES="zcfs_range_lock zcfs_options zcfs_layout"
KUNIT=/sys/kernel/debug/kunit

ktap_print_header
ktap_set_plan 3

zcfs_insmod zcvfs || ktap_exit_fail_msg "cannot load zcvfs.ko"
zcfs_insmod zcfs || ktap_exit_fail_msg "cannot load zcfs.ko"

suite_ok() {
	r=$KUNIT/$1/results
	[ -r "$r" ] || { echo "# no $r"; return 1; }
	sed 's/^/# /' "$r"
	grep -q "^ok [0-9]* $1\$" "$r" && ! grep -q "not ok" "$r"
}
for s in $SUITES; do
	ktap_test_result "KUnit suite $s" suite_ok "$s"
done

rmmod zcfs && rmmod zcvfs
ktap_finished
