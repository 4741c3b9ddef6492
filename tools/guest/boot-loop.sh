#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test kernel again and again, to catch reports that show only on
# some boots (a race during boot).
#
#   boot-loop.sh ARCH [COUNT] [--cpu MODEL] [--keep-going] [--until REGEX]
#
# Each boot is the guest of run-guest.sh (same QEMU machine and kernel
# arguments) with a tiny initramfs whose /init powers off at once; the
# console log is searched for every kernel report that check-log.py knows.
# Stops at the first boot with a report (--keep-going: counts them all),
# keeps the logs of such boots in build/ARCH/boot-loop/ and prints one line
# per boot and a summary.  --cpu replaces the x86_64 CPU model (e.g. "max"
# to count how often a CPU with 5-level paging flakes).  --until ends each
# boot as soon as the console prints a line matching REGEX (cheaper, for a
# race early in the boot; such a boot is not checked for reaching /init).
# Run it at low priority: nice tools/guest/boot-loop.sh x86_64 50.
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"
. "$ZCVFS_ROOT/tools/guest/qemu.sh"

arch=${1:?usage: boot-loop.sh ARCH [COUNT] [--cpu MODEL] [--keep-going]}
shift
count=50
keep_going=no
until=
while [ $# -gt 0 ]; do
	case $1 in
	--cpu) export ZCVFS_X86_CPU=$2; shift 2 ;;
	--keep-going) keep_going=yes; shift ;;
	--until) until=$2; shift 2 ;;
	[0-9]*) count=$1; shift ;;
	*) zcvfs_die "boot-loop: unknown argument $1" ;;
	esac
done

kdir=$("$ZCVFS_ROOT/tools/kernel/build-kernel.sh" "$arch")
out=$ZCVFS_BUILD/$arch/boot-loop
mkdir -p "$out"
case $arch in
x86_64) busybox=/bin/busybox ;;
arm64) busybox=$ZCVFS_CACHE/downloads/busybox-arm64/bin/busybox ;;
*) zcvfs_die "unknown arch $arch" ;;
esac

root=$(mktemp -d "${TMPDIR:-/tmp}/zcvfs-bootloop.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cat > "$root/init" <<'INIT'
#!/bin/sh
echo "==== ZCVFS BOOT-LOOP INIT ===="
/bin/busybox reboot -f
INIT
chmod +x "$root/init"
initrd=$out/initramfs.cpio.gz
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$initrd"

zcvfs_qemu_cmd "$arch" "$kdir/zcvfs-image" "$initrd" "panic=-1 oops=panic"
zcvfs_log "boot loop $arch: $count boots of ${qemu[*]}"

# check LOG: print the kernel reports in LOG (check-log.py's list), or
# "no init" if the boot did not reach /init; silent for a clean boot.
# A boot that the host-side timeout ended (an overloaded host) is neither.
check() {
	python3 - "$1" "$ZCVFS_ROOT/tools/guest/check-log.py" "$until" <<'PY'
import importlib.util, re, sys
spec = importlib.util.spec_from_file_location("check_log", sys.argv[2])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    lines = [l.rstrip("\r\n") for l in f]
for r in mod.kernel_reports(lines):
    print(r)
if not sys.argv[3] and "==== ZCVFS BOOT-LOOP INIT ====" not in lines:
    print("no init: the boot did not reach /init")
if sys.argv[3] and not any(re.search(sys.argv[3], l) for l in lines):
    print("the boot did not reach /{}/".format(sys.argv[3]))
PY
}

limit=${ZCVFS_GUEST_TIMEOUT:-900}
clean=0
bad=0
slow=0
streak=0
for i in $(seq 1 "$count"); do
	log=$out/boot-$i.log
	start=$(date +%s)
	if [ -z "$until" ]; then
		timeout -k 10 "$limit" "${qemu[@]}" < /dev/null > "$log" 2>&1 || true
	else
		timeout -k 10 "$limit" "${qemu[@]}" < /dev/null > "$log" 2>&1 &
		pid=$!
		while kill -0 $pid 2>/dev/null && ! grep -Eqs -- "$until" "$log"; do
			sleep 0.5
		done
		kill $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
	fi
	if [ -z "$until" ] && [ $(( $(date +%s) - start )) -ge "$limit" ]; then
		found=$(check "$log" | grep -v '^no init' || true)
		if [ -z "$found" ]; then
			slow=$((slow + 1))
			echo "boot $i: timed out after ${limit}s without a report (not counted; log in $log)"
			continue
		fi
	else
		found=$(check "$log")
	fi
	if [ -z "$found" ]; then
		clean=$((clean + 1))
		streak=$((streak + 1))
		echo "boot $i: clean ($(( $(date +%s) - start ))s)"
		rm -f "$log"
	else
		bad=$((bad + 1))
		streak=0
		echo "boot $i: REPORT ($(( $(date +%s) - start ))s; log kept in $log)"
		printf '%s\n' "$found" | head -n 3 | sed 's/^/    /'
		[ $keep_going = yes ] || break
	fi
done
what="boots"
[ -z "$until" ] || what="boots up to /$until/"
echo "boot loop $arch (${ZCVFS_X86_CPU:-default CPU}): $((clean + bad)) $what, $clean clean, $bad with a report, $slow timed out; the last $streak in a row clean"
[ $bad -eq 0 ]
