#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the zcvfs test guest for one architecture and judge the run.
#
#   run-guest.sh ARCH [--mode test|demo|bench] [--timeout SECONDS]
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
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"
. "$ZCVFS_ROOT/tools/guest/qemu.sh"

arch=${1:?usage: run-guest.sh ARCH [--mode test|demo|bench] [--timeout S] [--suite DIR]... [--module KO]... [--tests LIST]}
shift
mode=test
# A whole make test guest takes about 25 minutes on a 2-core host shared
# with the other architecture's guest: the limit leaves room for a slower one.
timeout=${ZCVFS_GUEST_TIMEOUT:-3000}
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

zcvfs_log "guest $arch ($mode): booting, log in $log, timeout ${timeout}s"
start=$(date +%s)
set +e
if [ "${ZCVFS_VERBOSE:-0}" = 1 ]; then
	# Everything, boot included, until the guest starts its summary.
	timeout -k 10 "$timeout" "${qemu[@]}" < /dev/null 2>&1 | tee "$log" |
		sed -u '/==== ZCVFS KTAP BEGIN/,$d'
	rc=${PIPESTATUS[0]}
elif [ "$mode" = demo ]; then
	# What the demo does, without the boot log.
	timeout -k 10 "$timeout" "${qemu[@]}" < /dev/null 2>&1 | tee "$log" |
		sed -u -n '/==== ZCVFS GUEST START/,/==== ZCVFS KTAP BEGIN/{/==== ZCVFS KTAP BEGIN/!p}'
	rc=${PIPESTATUS[0]}
else
	timeout -k 10 "$timeout" "${qemu[@]}" < /dev/null > "$log" 2>&1
	rc=$?
fi
set -e
zcvfs_log "guest $arch ($mode): qemu exited $rc after $(( $(date +%s) - start ))s"
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
