# SPDX-License-Identifier: GPL-2.0
# KUnit suite results as KTAP tests (sourced after ktap_helpers.sh, busybox
# sh). Shared by the zcvfs, zcfs and zcnfsd selftests: their Makefiles
# install it next to their scripts.

KUNIT=/sys/kernel/debug/kunit

# kunit_suite_ok NAME: print KUnit suite NAME's results from debugfs; true
# if it passed: the suite's own line ("ok N name") and no failed case.
kunit_suite_ok() {
	r=$KUNIT/$1/results
	[ -r "$r" ] || { echo "# no $r"; return 1; }
	sed 's/^/# /' "$r"
	grep -q "^ok [0-9]* $1\$" "$r" && ! grep -q "not ok" "$r"
}

# kunit_report SUITE...: one KTAP test result per KUnit suite.
kunit_report() {
	for s in "$@"; do
		ktap_test_result "KUnit suite $s" kunit_suite_ok "$s"
	done
}
