#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test runner is tested itself: a failing selftest, a module that
# WARN()s on load, a guest that hangs, a guest that does not reach /init in
# time (booted twice by the watchdog) and a guest that panics in its second
# program must each make run-guest.sh exit non-zero, for the right reason
# (the panic: with the first program's result counted and the second
# program named).  A test selection (--tests, ZCVFS_TESTS) is checked on
# the way: an unknown name is refused, and the failing suite runs with one.
# Runs real x86_64 guests.
#
# Prints one KTAP line per case and, last, "runner: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../../lib/env.sh"
# A selection of the caller's (make test with ZCVFS_TESTS) is not ours.
unset ZCVFS_TESTS
here=$ZCVFS_ROOT/tools/testing/runner
arch=x86_64
# Not under $ZCVFS_BUILD/$arch: that is the project's module output, whose
# *.ko the test guest's initramfs collects (find) while this script builds
# its fixture modules beside it (make test runs both at once).
out=$ZCVFS_BUILD/runner-test/$arch
mkdir -p "$out"
. "$here/ktap.sh"

# expect_failure NAME PATTERNS LOGPATTERN run-guest-args...: the run must exit
# non-zero, its verdict must match every line of PATTERNS and its console
# log LOGPATTERN
# (proof that the guest got as far as the fixture).  The guests run side by
# side (the hang is mostly waiting), each with a build directory of its own
# and none of our modules; `check NAME` judges one when it has finished.
declare -A case_pattern case_logpattern case_pid
expect_failure() {
	local name=$1
	case_pattern[$name]=$2
	case_logpattern[$name]=$3
	shift 3
	ZCVFS_BUILD=$out/$name.build \
		"$ZCVFS_ROOT/tools/guest/run-guest.sh" "$arch" --no-modules \
		--log "$out/$name.log" "$@" > "$out/$name.verdict" 2>&1 &
	case_pid[$name]=$!
}
check() {
	local name=$1 rc p missing= ok=no
	wait "${case_pid[$name]}"
	rc=$?
	while IFS= read -r p; do
		grep -Eq -- "$p" "$out/$name.verdict" || missing+=" /$p/"
	done <<< "${case_pattern[$name]}"
	[ $rc -ne 0 ] && [ -z "$missing" ] &&
		grep -Eq "${case_logpattern[$name]}" "$out/$name.log" && ok=ok
	ktap_result $ok "runner fails the run: $name" \
		"exit $rc, verdict lacks${missing:- nothing}" "$out/$name.verdict" 30
}

echo "TAP version 13"
echo "1..7"

# Unit tests of the log checker on synthetic logs.
if python3 "$here/test_check_log.py" > "$out/unit.log" 2>&1; then
	ktap_result ok "check-log.py unit tests ($(grep -o 'Ran [0-9]* tests' "$out/unit.log"))"
else
	ktap_result no "check-log.py unit tests" "" "$out/unit.log"
fi

# A selection naming no packed program stops the run before any boot.
ok=no
! ZCVFS_BUILD=$out/select.build "$ZCVFS_ROOT/tools/guest/mkinitramfs.sh" "$arch" \
	"$out/select.cpio.gz" "" --suite "$here/fixtures/crash" --tests crash:no_such.sh \
	> "$out/select.log" 2>&1 && grep -q "no test crash:no_such.sh" "$out/select.log" && ok=ok
ktap_result $ok "mkinitramfs refuses a selection that names no program" "" "$out/select.log"

# The WARN()ing and the panicking fixture modules, built against the same
# kernel.
kdir=$("$ZCVFS_ROOT/tools/kernel/build-kernel.sh" "$arch")
for m in warn_module panic_module; do
	# shellcheck disable=SC2046
	make -s -C "$kdir" M="$here/fixtures/$m" MO="$out/$m" \
		$(zcvfs_kmake_vars "$arch") modules >&2 || zcvfs_die "fixture module $m build failed"
done

# With a selection (--tests, as ZCVFS_TESTS gives it): the failing suite
# and the crash suite's first program only; 2 passed proves that
# passes.sh ran, a finished guest that panics.sh did not.
expect_failure failing-test "FAIL: not ok: .*this one fails on purpose
KTAP totals: 2 passed, 1 failed" \
	"# ok 1 fixture: this one passes" \
	--suite "$here/fixtures/failing" --suite "$here/fixtures/crash" \
	--tests failing,crash:passes.sh
expect_failure warn-on-load "FAIL: WARN: .*WARNING: .*zcvfs_warn_fixture" \
	"deliberate warning" \
	--suite "$here/fixtures/warning" --module "$out/warn_module/zcvfs_warn_fixture.ko"
# Long enough for a slow boot (a loaded host) to reach the hanging test,
# which the log proves; the verdict names the program that hung.
expect_failure hung-guest "FAIL: the guest did not finish \(timed out\) while running selftests: hang: hangs.sh" \
	"selftests: hang: hangs.sh" \
	--suite "$here/fixtures/hang" --timeout 900
# The boot watchdog: with a deadline far shorter than a boot (20-60 s),
# /init never starts in time; the guest is booted twice, then given up
# with its own exit status.
expect_failure boot-stall "/init did not start within 10s, guest stopped \(boot 1 of 2
/init did not start within 10s, guest stopped \(boot 2 of 2
FAILED: stalled at boot 2 times" \
	"==== ZCVFS HOST: guest stalled at boot \(2 boots\)" \
	--suite "$here/fixtures/failing" --boot-timeout 10
# The panic in the second program: the first one's result still counts,
# and the verdict names the program that was running.
expect_failure panic-in-second-program "KTAP totals: 1 passed, [1-9][0-9]* failed
FAIL: the guest did not finish \(the kernel died\) while running selftests: crash: panics.sh
FAIL: panic: .*Kernel panic - not syncing: zcvfs runner fixture: deliberate panic" \
	"# selftests: crash: panics.sh" \
	--suite "$here/fixtures/crash" --module "$out/panic_module/zcvfs_panic_fixture.ko"
check failing-test
check warn-on-load
check hung-guest
check boot-stall
check panic-in-second-program

ktap_totals runner
