#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test guest's initramfs for one architecture.
#
#   mkinitramfs.sh ARCH OUT.cpio.gz MODULE_DIR [--suite DIR]... [--module KO]...
#                  [--tests LIST]
#   mkinitramfs.sh ARCH OUT.cpio.gz MODULE_DIR --modules-only [--module KO]...
#
# Contents: busybox (static, of ARCH), /init, /zcvfs/ptyrun (ptyrun.c),
# the modules found under MODULE_DIR (none if it is "") and the --module
# files in /zcvfs/modules, and the kselftest install tree in /kselftest:
# the kernel's own run_kselftest.sh and kselftest/ helpers, plus every
# --suite, its C programs cross-built statically for ARCH.  Without
# --suite: every suite under tools/testing/selftests/.
#
# --tests LIST keeps only some programs in kselftest-list.txt (what the
# runner runs): comma-separated SUITE or SUITE:PROGRAM entries.  A suite
# that no entry names is not packed; an entry that matches nothing is an
# error.
#
# --modules-only packs only the modules (MODULE_DIR's and the --module
# files), as an archive to append to one packed without them (run-guest.sh
# packs the suites before the kernel and the modules are built).
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"

arch=${1:?usage: mkinitramfs.sh ARCH OUT MODULE_DIR [--suite DIR]... [--module KO]... [--tests LIST]}
out=${2:?}
moddir=${3?}
shift 3
suites=()
modules=()
tests=
only_modules=no
while [ $# -gt 0 ]; do
	case $1 in
	--suite) suites+=("$(cd "$2" && pwd)"); shift 2 ;;
	--module) modules+=("$(realpath "$2")"); shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--modules-only) only_modules=yes; shift ;;
	*) zcvfs_die "mkinitramfs: unknown argument $1" ;;
	esac
done

root=$(mktemp -d "${TMPDIR:-/tmp}/zcvfs-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/zcvfs/modules"
[ -z "$moddir" ] || find "$moddir" -name '*.ko' -exec cp {} "$root/zcvfs/modules/" \;
for m in ${modules[@]+"${modules[@]}"}; do cp "$m" "$root/zcvfs/modules/"; done

pack() {
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
		gzip -1 > "$out.tmp"
	mv "$out.tmp" "$out"
}
if [ $only_modules = yes ]; then
	pack
	exit 0
fi

# The selection, as SUITE and SUITE:PROGRAM words.
selected=()
[ -z "$tests" ] || IFS=, read -r -a selected <<< "$tests"
wanted_suite() {	# NAME: does the selection need this suite?
	local e
	[ ${#selected[@]} -eq 0 ] && return 0
	for e in "${selected[@]}"; do
		[ "${e%%:*}" = "$1" ] && return 0
	done
	return 1
}
# Default: every suite of ours (a directory with a Makefile).
if [ ${#suites[@]} -eq 0 ]; then
	for mk in "$ZCVFS_ROOT"/tools/testing/selftests/*/Makefile; do
		suites+=("$(dirname "$mk")")
	done
fi

names=$(for s in "${suites[@]}"; do basename "$s"; done)
for e in ${selected[@]+"${selected[@]}"}; do
	grep -Fqx -- "${e%%:*}" <<< "$names" ||
		zcvfs_die "mkinitramfs: no suite ${e%%:*} (of $e); the suites are: $(echo $names)"
done

case $arch in
x86_64) busybox=/bin/busybox; cc="gcc" ;;
arm64) busybox=$ZCVFS_CACHE/downloads/busybox-arm64/bin/busybox
       cc="aarch64-linux-gnu-gcc" ;;
*) zcvfs_die "unknown arch $arch" ;;
esac
[ -x "$busybox" ] || zcvfs_die "no busybox for $arch at $busybox (run tools/setup/packages.sh)"
ksrc=$("$ZCVFS_ROOT/tools/setup/kernel-source.sh")

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,mnt,kselftest/kselftest}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$ZCVFS_ROOT/tools/guest/init" "$root/init"
cp "$ZCVFS_ROOT/tools/guest/timeout" "$root/usr/bin/timeout"
[ -e "$ZCVFS_ROOT/tools/guest/demo.sh" ] && cp "$ZCVFS_ROOT/tools/guest/demo.sh" "$root/zcvfs/demo.sh"
# /init runs the kselftest runner under ptyrun (live KTAP output).
ptyrun=$ZCVFS_BUILD/$arch/ptyrun
mkdir -p "$ZCVFS_BUILD/$arch"
if [ "$ZCVFS_ROOT/tools/guest/ptyrun.c" -nt "$ptyrun" ]; then
	$cc -static -O2 -Wall -Wextra -Werror "$ZCVFS_ROOT/tools/guest/ptyrun.c" -o "$ptyrun.tmp"
	mv "$ptyrun.tmp" "$ptyrun"
fi
cp "$ptyrun" "$root/zcvfs/ptyrun"

# The kernel's own kselftest runner, unchanged.
kst=$ksrc/tools/testing/selftests
cp "$kst/run_kselftest.sh" "$root/kselftest/"
cp "$kst/kselftest/runner.sh" "$kst/kselftest/ktap_helpers.sh" \
   "$kst/kselftest/module.sh" "$root/kselftest/kselftest/"

all=$root/kselftest/all-tests.txt
: > "$all"
for s in "${suites[@]}"; do
	name=$(basename "$s")
	wanted_suite "$name" || continue
	build=$ZCVFS_BUILD/$arch/selftests/$name
	mkdir -p "$build"
	make -s -C "$s" CC="$cc" OUTPUT="$build" KSRC="$ksrc" \
		INSTALL_PATH="$root/kselftest/$name" install >&2
	make -s -C "$s" OUTPUT="$build" COLLECTION="$name" emit_tests >> "$all"
done

list=$root/kselftest/kselftest-list.txt
if [ ${#selected[@]} -eq 0 ]; then
	mv "$all" "$list"
else
	: > "$list"
	for e in "${selected[@]}"; do
		case $e in
		*:*) grep -Fx -- "$e" "$all" >> "$list" ||
			zcvfs_die "mkinitramfs: no test $e; the suites named have: $(echo $(cat "$all"))" ;;
		*) awk -F: -v s="$e" '$1 == s' "$all" | grep . >> "$list" ||
			zcvfs_die "mkinitramfs: suite $e has no test" ;;
		esac
	done
	rm -f "$all"
	zcvfs_log "initramfs $arch: only $(tr '\n' ' ' < "$list")"
fi
pack
