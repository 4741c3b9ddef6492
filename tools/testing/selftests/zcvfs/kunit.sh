#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit suites of zcvfs.ko (`#[kunit_tests]`) run when it loads; report
# each suite's result from debugfs as a KTAP test.
. "$(dirname "$0")/lib.sh"

SUITES="zcvfs_validate zcvfs_loans zcvfs_registry zcvfs_fem zcvfs_stats zcvfs_xuio"
KUNIT=/sys/kernel/debug/kunit

ktap_print_header
ktap_set_plan 6

loaded_here=0
if ! zcvfs_loaded zcvfs; then
	zcvfs_insmod zcvfs || ktap_exit_fail_msg "cannot load zcvfs.ko"
	loaded_here=1
fi

suite_ok() {
	r=$KUNIT/$1/results
	[ -r "$r" ] || { echo "# no $r"; return 1; }
	sed 's/^/# /' "$r"
	# The suite's own line ("ok N name") and no failed case.
	grep -q "^ok [0-9]* $1\$" "$r" && ! grep -q "not ok" "$r"
}
for s in $SUITES; do
	ktap_test_result "KUnit suite $s" suite_ok "$s"
done

[ $loaded_here = 1 ] && rmmod zcvfs
ktap_finished
