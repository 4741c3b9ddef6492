#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test guest's initramfs for one architecture.
#
#   mkinitramfs.sh ARCH OUT.cpio.gz MODULE_DIR [--suite DIR]... [--module KO]...
#
# Contents: busybox (static, of ARCH), /init, the modules found under
# MODULE_DIR (and extra --module files) in /zcvfs/modules, and the kselftest
# install tree in /kselftest: the kernel's own run_kselftest.sh and
# kselftest/ helpers, plus every --suite, its C
# programs cross-built statically for ARCH.  Without --suite: every suite
# under tools/testing/selftests/.
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"

arch=${1:?usage: mkinitramfs.sh ARCH OUT MODULE_DIR [--suite DIR]... [--module KO]...}
out=${2:?}
moddir=${3:?}
shift 3
suites=()
modules=()
while [ $# -gt 0 ]; do
	case $1 in
	--suite) suites+=("$(cd "$2" && pwd)"); shift 2 ;;
	--module) modules+=("$(realpath "$2")"); shift 2 ;;
	*) zcvfs_die "mkinitramfs: unknown argument $1" ;;
	esac
done
# Default: every suite of ours (a directory with a Makefile).
if [ ${#suites[@]} -eq 0 ]; then
	for mk in "$ZCVFS_ROOT"/tools/testing/selftests/*/Makefile; do
		suites+=("$(dirname "$mk")")
	done
fi

case $arch in
x86_64) busybox=/bin/busybox; cc="gcc" ;;
arm64) busybox=$ZCVFS_CACHE/downloads/busybox-arm64/bin/busybox
       cc="aarch64-linux-gnu-gcc" ;;
*) zcvfs_die "unknown arch $arch" ;;
esac
[ -x "$busybox" ] || zcvfs_die "no busybox for $arch at $busybox (run tools/setup/packages.sh)"
ksrc=$("$ZCVFS_ROOT/tools/setup/kernel-source.sh")

root=$(mktemp -d "${TMPDIR:-/tmp}/zcvfs-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,mnt,zcvfs/modules,kselftest/kselftest}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$ZCVFS_ROOT/tools/guest/init" "$root/init"
cp "$ZCVFS_ROOT/tools/guest/timeout" "$root/usr/bin/timeout"
[ -e "$ZCVFS_ROOT/tools/guest/demo.sh" ] && cp "$ZCVFS_ROOT/tools/guest/demo.sh" "$root/zcvfs/demo.sh"

find "$moddir" -name '*.ko' -exec cp {} "$root/zcvfs/modules/" \;
for m in "${modules[@]}"; do cp "$m" "$root/zcvfs/modules/"; done

# The kernel's own kselftest runner, unchanged.
kst=$ksrc/tools/testing/selftests
cp "$kst/run_kselftest.sh" "$root/kselftest/"
cp "$kst/kselftest/runner.sh" "$kst/kselftest/ktap_helpers.sh" \
   "$kst/kselftest/module.sh" "$root/kselftest/kselftest/"

list=$root/kselftest/kselftest-list.txt
: > "$list"
for s in "${suites[@]}"; do
	name=$(basename "$s")
	build=$ZCVFS_BUILD/$arch/selftests/$name
	mkdir -p "$build"
	make -s -C "$s" CC="$cc" OUTPUT="$build" \
		INSTALL_PATH="$root/kselftest/$name" install >&2
	make -s -C "$s" OUTPUT="$build" COLLECTION="$name" emit_tests >> "$list"
done

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
