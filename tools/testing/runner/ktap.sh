# SPDX-License-Identifier: GPL-2.0
#
# The KTAP results of the runner's own test scripts (sourced):
#
#   ktap_result ok|no DESCRIPTION [WHY [LOG [LINES]]]
#
# prints the next result, "ok N DESCRIPTION" or "not ok N DESCRIPTION
# (WHY)" (without the parentheses if WHY is empty) followed by the last
# LINES lines of LOG (all of it without LINES) as KTAP comments, and counts
# it in $ktap_pass or $ktap_fail; `ktap_totals NAME` prints "NAME: N passed,
# N failed" and fails if any did.

ktap_n=0
ktap_pass=0
ktap_fail=0

ktap_result() {
	local ok=$1 desc=$2 why=${3:-} log=${4:-} lines=${5:-}

	ktap_n=$((ktap_n + 1))
	if [ "$ok" = ok ]; then
		echo "ok $ktap_n $desc"
		ktap_pass=$((ktap_pass + 1))
		return
	fi
	echo "not ok $ktap_n $desc${why:+ ($why)}"
	if [ -n "$log" ]; then
		if [ -n "$lines" ]; then
			sed 's/^/# /' "$log" | tail -n "$lines"
		else
			sed 's/^/# /' "$log"
		fi
	fi
	ktap_fail=$((ktap_fail + 1))
}

ktap_totals() {
	echo "$1: $ktap_pass passed, $ktap_fail failed"
	[ "$ktap_fail" = 0 ]
}
