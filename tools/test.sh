#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make test`: set up what is missing, then run every test:
#   0. rustfmt over every Rust file, and the quick test of what
#      tools/kernel/build-kernel.sh prints (kernel_build_test.sh);
#   1. host tests: cargo test of the shared no_std crates (if any);
#   2. the kselftest suites in QEMU guests, x86_64 and arm64 side by side;
#   3. the test runner's own tests (failing test, WARN, hang), which run
#      from the start alongside everything else (their guests mostly wait).
# Ends with the line "N passed, N failed, N skipped" and exits non-zero on
# any failure.  ZCVFS_ARCHES="x86_64" limits the guest arches;
# ZCVFS_TESTS="SUITE[:PROGRAM],..." runs only those kselftest programs
# (tools/guest/run-guest.sh --tests; the runner's own tests ignore it).
set -uo pipefail
. "$(dirname "$0")/lib/env.sh"
cd "$ZCVFS_ROOT" || exit 1

passed=0
failed=0
skipped=0
summary=()
add() {	# what passed failed skipped
	summary+=("$(printf '%-28s %4d passed, %d failed, %d skipped' "$1:" "$2" "$3" "$4")")
	passed=$((passed + $2)); failed=$((failed + $3)); skipped=$((skipped + $4))
}

read -r -a arches <<< "$ZCVFS_ARCHES"
tools/setup/setup.sh "${arches[@]}" || zcvfs_die "setup failed"
mkdir -p build

# 3. starts first: the runner's own tests, in the background.
zcvfs_log "runner self-test (output in build/runner-test.log)"
tools/testing/runner/runner_test.sh > build/runner-test.log 2>&1 &
runner_pid=$!

# 2. starts too: the guest suites, all arches at once, each building its
#    own modules (build/ARCH/) first: rustc and the final links are
#    single-threaded stretches that the other arch fills.
pids=()
for arch in "${arches[@]}"; do
	zcvfs_log "guest $arch: kselftests (output in build/guest-$arch.verdict)"
	tools/guest/run-guest.sh "$arch" > "build/guest-$arch.verdict" 2>&1 &
	pids+=($!)
done

# 0. Formatting: every Rust file, with the kernel's rustfmt configuration.
#    (Warnings of rustc, clippy and cc already fail the module builds.)
zcvfs_log "lint: rustfmt"
ksrc=$(tools/setup/kernel-source.sh)
mapfile -t rs < <(git ls-files '*.rs' ':!:*/fuzz/*'; git ls-files -o --exclude-standard '*.rs' ':!:*/fuzz/*')
if /usr/bin/rustfmt --check --config-path "$ksrc/.rustfmt.toml" "${rs[@]}" > build/rustfmt.log 2>&1; then
	add "lint (rustfmt, ${#rs[@]} files)" 1 0 0
else
	cat build/rustfmt.log
	add "lint (rustfmt)" 0 1 0
fi

# The tools' own quick test: build-kernel.sh's stdout (a few seconds).
zcvfs_log "tools: build-kernel.sh"
tools/testing/runner/kernel_build_test.sh > build/kernel-build-test.log 2>&1
rc=$?
read -r p f < <(sed -n 's/^kernel-build: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' build/kernel-build-test.log)
[ "$rc" -eq 0 ] || [ "${f:-0}" -gt 0 ] || f=1
[ "${f:-0}" -eq 0 ] || cat build/kernel-build-test.log
add "tools (build-kernel.sh)" "${p:-0}" "${f:-1}" 0

# 1. Host tests.
if [ -f Cargo.toml ]; then
	zcvfs_log "host: cargo test"
	cargo test --workspace 2>&1 | tee build/host-tests.log
	rc=${PIPESTATUS[0]}
	p=$(awk '/^test result:/ {s += $4} END {print s + 0}' build/host-tests.log)
	f=$(awk '/^test result:/ {s += $6} END {print s + 0}' build/host-tests.log)
	i=$(awk '/^test result:/ {s += $8} END {print s + 0}' build/host-tests.log)
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	add "host (cargo test)" "$p" "$f" "$i"
fi

# 2. The guest suites: their results are collected below.
for i in "${!arches[@]}"; do
	arch=${arches[$i]}
	wait "${pids[$i]}"
	rc=$?
	cat "build/guest-$arch.verdict"
	read -r _ p f s < <(grep '^TOTALS ' "build/guest-$arch.verdict" | tail -n 1 || echo "TOTALS 0 1 0")
	[ "$rc" -eq 0 ] || [ "${f:-0}" -gt 0 ] || f=1
	add "guest $arch (kselftest)" "${p:-0}" "${f:-1}" "${s:-0}"
done

# 3. The runner's own tests.
wait "$runner_pid"
rc=$?
cat build/runner-test.log
read -r p f < <(sed -n 's/^runner: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' build/runner-test.log)
[ "$rc" -eq 0 ] || [ "${f:-0}" -gt 0 ] || f=1
add "runner self-test" "${p:-0}" "${f:-1}" 0

echo
# Why anything failed, repeated here: the tail of the output is what a CI
# log shows.
if [ "$failed" -gt 0 ]; then
	echo "failures:"
	for arch in "${arches[@]}"; do
		grep -h ': FAIL: ' "build/guest-$arch.verdict" | cut -c1-300
	done
	grep -h '^not ok' build/runner-test.log build/kernel-build-test.log
	echo
fi
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
