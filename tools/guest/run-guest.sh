#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the zcvfs test guest for one architecture and judge the run.
#
#   run-guest.sh ARCH [--mode test|demo|bench] [--timeout SECONDS]
#                     [--boot-timeout SECONDS] [--boot-tries N]
#                     [--suite DIR]... [--module KO]... [--log FILE]
#                     [--append KERNEL-ARGS]... [--tests LIST] [--no-modules]
#                     [--qemu ARG]...
#
# Packs the initramfs (/init, busybox, the suites), then builds (or reuses)
# the cached test kernel and our modules, adds the modules to the initramfs,
# boots QEMU (TCG), and hands the console log to check-log.py.  The suites
# are packed first, so a run that waits for a kernel build of another run
# tests the suites as they were when it started.
#
# Exit status 0 only for a finished guest with no failed test and no kernel
# report.  --no-modules packs none of our modules (the runner's own
# fixtures need none).  The console log is kept in build/ARCH/guest-MODE.log;
# set ZCVFS_VERBOSE=1 to watch it live.  --append adds to the kernel command
# line (e.g. parameters that /init passes on to the benchmarks as
# environment variables); it may be given more than once.
#
# --tests LIST (default: $ZCVFS_TESTS) runs only some tests, in mode test:
# a comma-separated list of SUITE (every program of a suite) and
# SUITE:PROGRAM entries, e.g. zcnfsd:zcnfsd_params.sh,zcvfs.
#
# --qemu adds an argument to QEMU's command line (the NIC of the
# benchmarks' two-guest runs).
#
# A boot watchdog: a guest whose /init has not started within
# --boot-timeout seconds (default $ZCVFS_BOOT_TIMEOUT or 300; a boot takes
# 20-60 s under TCG) is stopped and booted again, up to --boot-tries boots
# in all (default 2).  Under TCG on a loaded host a vCPU's timer can stop
# firing during boot (an RCU stall, "timer wakeup didn't happen"); such a
# guest never recovers, and without the watchdog it would cost the whole
# --timeout.  The log of a stalled boot is kept as LOG.stalled-N.  If every
# boot stalls, the exit status is 75 (the benchmarks' two-guest runs retry
# the pair on it).
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"
. "$ZCVFS_ROOT/tools/guest/qemu.sh"

arch=${1:?usage: run-guest.sh ARCH [--mode test|demo|bench] [--timeout S] [--suite DIR]... [--module KO]... [--tests LIST]}
shift
mode=test
# A whole make test guest takes about 25 minutes on a 2-core host shared
# with the other architecture's guest: the limit leaves room for a slower one.
timeout=${ZCVFS_GUEST_TIMEOUT:-3000}
boot_timeout=${ZCVFS_BOOT_TIMEOUT:-300}
boot_tries=2
log=
append_extra=
modules=yes
tests=${ZCVFS_TESTS:-}
extra=()
kos=()
qemu_extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--mode) mode=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--boot-timeout) boot_timeout=$2; shift 2 ;;
	--boot-tries) boot_tries=$2; shift 2 ;;
	--suite) extra+=("$1" "$2"); shift 2 ;;
	--module) kos+=("$1" "$2"); shift 2 ;;
	--log) log=$2; shift 2 ;;
	--no-modules) modules=no; shift ;;
	--append) append_extra+=" $2"; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--qemu) qemu_extra+=("$2"); shift 2 ;;
	*) zcvfs_die "run-guest: unknown argument $1" ;;
	esac
done
case $arch in
x86_64|arm64) ;;
*) zcvfs_die "run-guest: unknown arch $arch" ;;
esac
# A selection picks kselftest programs: it means nothing to the demo or
# the benchmarks.
[ "$mode" = test ] || tests=
[ -z "$tests" ] || extra+=(--tests "$tests")

out=$ZCVFS_BUILD/$arch
mkdir -p "$out"
[ -n "$log" ] || log=$out/guest-$mode.log
initrd=$out/initramfs-$mode.cpio.gz
# The suites first (they need no kernel), then the kernel and the modules;
# the modules (ours and the --module files) go into a second archive
# appended to the first (the kernel unpacks concatenated archives in turn).
"$ZCVFS_ROOT/tools/guest/mkinitramfs.sh" "$arch" "$initrd.base" "" ${extra[@]+"${extra[@]}"}

kdir=$("$ZCVFS_ROOT/tools/kernel/build-kernel.sh" "$arch")
moddir=
[ $modules = no ] || moddir=$("$ZCVFS_ROOT/tools/build-modules.sh" "$arch" "$kdir")
"$ZCVFS_ROOT/tools/guest/mkinitramfs.sh" "$arch" "$initrd.modules" "$moddir" --modules-only \
	${kos[@]+"${kos[@]}"}
cat "$initrd.base" "$initrd.modules" > "$initrd"
rm -f "$initrd.base" "$initrd.modules"

zcvfs_qemu_cmd "$arch" "$kdir/zcvfs-image" "$initrd" "panic=-1 oops=panic zcvfs_mode=$mode$append_extra"
qemu+=(${qemu_extra[@]+"${qemu_extra[@]}"})

# One boot of the guest, its console to the log (and, verbose or demo, to
# stdout). Returns QEMU's exit status (124: --timeout).
boot() {
	if [ "${ZCVFS_VERBOSE:-0}" = 1 ]; then
		# Everything, boot included, until the guest starts its summary.
		timeout -k 10 "$timeout" "${qemu[@]}" < /dev/null 2>&1 | tee "$log" |
			sed -u '/==== ZCVFS KTAP BEGIN/,$d'
		return "${PIPESTATUS[0]}"
	elif [ "$mode" = demo ]; then
		# What the demo does, without the boot log.
		timeout -k 10 "$timeout" "${qemu[@]}" < /dev/null 2>&1 | tee "$log" |
			sed -u -n '/==== ZCVFS GUEST START/,/==== ZCVFS KTAP BEGIN/{/==== ZCVFS KTAP BEGIN/!p}'
		return "${PIPESTATUS[0]}"
	fi
	timeout -k 10 "$timeout" "${qemu[@]}" < /dev/null > "$log" 2>&1
}

try=1
while :; do
	zcvfs_log "guest $arch ($mode): booting, log in $log, timeout ${timeout}s (boot $try of $boot_tries)"
	start=$(date +%s)
	: > "$log"
	set +e
	boot &
	bpid=$!
	# The watchdog: until /init starts, or the boot deadline.
	stalled=no
	while kill -0 $bpid 2>/dev/null; do
		grep -q '^==== ZCVFS GUEST START' "$log" && break
		if [ $(( $(date +%s) - start )) -ge "$boot_timeout" ]; then
			stalled=yes
			# `timeout` passes the signal on to QEMU.
			pkill -TERM -P $bpid 2>/dev/null
			break
		fi
		sleep 2
	done
	wait $bpid
	rc=$?
	set -e
	if [ $stalled = no ]; then
		zcvfs_log "guest $arch ($mode): qemu exited $rc after $(( $(date +%s) - start ))s"
		break
	fi
	cp "$log" "$log.stalled-$try"
	zcvfs_log "guest $arch ($mode): /init did not start within ${boot_timeout}s, guest stopped" \
		"(boot $try of $boot_tries; log kept in $log.stalled-$try; last kernel line:" \
		"$(grep -a '^\[' "$log" | tail -n 1 | cut -c1-160))"
	if [ "$try" -ge "$boot_tries" ]; then
		echo "==== ZCVFS HOST: guest stalled at boot ($boot_tries boots) ====" >> "$log"
		zcvfs_log "guest $arch ($mode): FAILED: stalled at boot $boot_tries times"
		exit 75
	fi
	try=$((try + 1))
done
[ "$rc" = 124 ] && echo "==== ZCVFS HOST: guest timed out after ${timeout}s ====" >> "$log"

if [ "$mode" = test ]; then
	# The KTAP output, for the reader of a CI log.
	sed -n '/==== ZCVFS KTAP BEGIN/,/==== ZCVFS KTAP END/p' "$log" | sed "s/^/[$arch] /"
fi
if ! "$ZCVFS_ROOT/tools/guest/check-log.py" "$log" "$arch"; then
	zcvfs_log "guest $arch ($mode): FAILED; last lines of $log:"
	tail -n 40 "$log" | sed "s/^/[$arch] /" >&2
	exit 1
fi
