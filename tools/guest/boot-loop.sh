#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test kernel again and again, to catch reports that show only on
# some boots (a race during boot).
#
#   boot-loop.sh ARCH [COUNT] [--cpu MODEL] [--keep-going]
#
# Each boot is the guest of run-guest.sh (same QEMU machine and kernel
# arguments) with a tiny initramfs whose /init powers off at once; the
# console log is searched for every kernel report that check-log.py knows.
# Stops at the first boot with a report (--keep-going: counts them all),
# keeps the logs of such boots in build/ARCH/boot-loop/ and prints one line
# per boot and a summary.  --cpu replaces the x86_64 CPU model (e.g. "max"
# to count how often a CPU with 5-level paging flakes).  Run it at low
# priority: nice tools/guest/boot-loop.sh x86_64 50.
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"
. "$ZCVFS_ROOT/tools/guest/qemu.sh"

arch=${1:?usage: boot-loop.sh ARCH [COUNT] [--cpu MODEL] [--keep-going]}
shift
count=50
keep_going=no
while [ $# -gt 0 ]; do
	case $1 in
	--cpu) export ZCVFS_X86_CPU=$2; shift 2 ;;
	--keep-going) keep_going=yes; shift ;;
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
check() {
	python3 - "$1" "$ZCVFS_ROOT/tools/guest/check-log.py" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("check_log", sys.argv[2])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    lines = [l.rstrip("\r\n") for l in f]
for r in mod.kernel_reports(lines):
    print(r)
if "==== ZCVFS BOOT-LOOP INIT ====" not in lines:
    print("no init: the boot did not reach /init")
PY
}

clean=0
bad=0
streak=0
for i in $(seq 1 "$count"); do
	log=$out/boot-$i.log
	start=$(date +%s)
	timeout -k 10 300 "${qemu[@]}" < /dev/null > "$log" 2>&1 || true
	found=$(check "$log")
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
echo "boot loop $arch: $((clean + bad)) boots, $clean clean, $bad with a report; the last $streak in a row clean"
[ $bad -eq 0 ]
