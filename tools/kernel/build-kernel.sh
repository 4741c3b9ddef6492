#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the zcvfs test kernel for one architecture.
#
#   tools/kernel/build-kernel.sh ARCH      # ARCH: x86_64 | arm64
#
# Prints the kernel build directory (usable as KDIR) on stdout.  The build
# is cached in $ZCVFS_CACHE/kernel/<arch>-<source version>-<config hash>;
# a directory with a .zcvfs-complete marker is reused as it is.
#
# Config: tinyconfig + tools/kernel/base.config + <arch>.config +
# tools/testing/selftests/zcvfs/config (what the suite needs) +
# tools/kernel/debug.config (KASAN, lockdep, kmemleak, ...).  Every option
# the fragments ask for is checked in the final .config.
#
# ZCVFS_KERNEL_FLAVOR=bench builds the same kernel without debug.config, for
# `make bench` (run-time checkers would distort every timing); its cache
# entries are named <arch>-bench-<source version>-<config hash>.
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"

arch=${1:?usage: build-kernel.sh x86_64|arm64}
case $arch in
x86_64) image=arch/x86/boot/bzImage ;;
arm64) image=arch/arm64/boot/Image ;;
*) zcvfs_die "unknown arch '$arch'" ;;
esac

# A developer may point at a kernel tree of their own (e.g. an older cache
# entry while a new one builds): ZCVFS_KDIR_x86_64=..., ZCVFS_KDIR_arm64=...
flavor=${ZCVFS_KERNEL_FLAVOR:-test}
case $flavor in
test|bench) ;;
*) zcvfs_die "ZCVFS_KERNEL_FLAVOR=$flavor: test or bench" ;;
esac
override=ZCVFS_KDIR_$arch
if [ "$flavor" = test ] && [ -n "${!override:-}" ]; then
	[ -e "${!override}/zcvfs-image" ] || zcvfs_die "$override=${!override}: no zcvfs-image there"
	zcvfs_log "kernel $arch: $override=${!override}"
	echo "${!override}"
	exit 0
fi

src=$("$ZCVFS_ROOT/tools/setup/kernel-source.sh")
frags=("$ZCVFS_ROOT/tools/kernel/base.config"
       "$ZCVFS_ROOT/tools/kernel/$arch.config"
       "$ZCVFS_ROOT/tools/testing/selftests/zcvfs/config")
[ "$flavor" = bench ] || frags+=("$ZCVFS_ROOT/tools/kernel/debug.config")

# Cache key: kernel source version, config fragments, toolchain versions.
srcver=$(cat "$src/.zcvfs-version")
key=$( { echo "$srcver"; cat "${frags[@]}"; "$ZCVFS_RUSTC" --version;
	 clang$ZCVFS_LLVM --version | head -1; "$ZCVFS_BINDGEN" --version; } |
       sha256sum | cut -c1-16)
name=$arch
[ "$flavor" = test ] || name=$arch-$flavor
out=$ZCVFS_CACHE/kernel/$name-$srcver-$key

mkdir -p "$ZCVFS_CACHE/kernel"
# One build per cache entry at a time: a second caller waits, then reuses it.
exec 9> "$out.lock"
flock 9
if [ -e "$out/.zcvfs-complete" ]; then
	zcvfs_log "kernel $arch: cached build $out"
	echo "$out"
	exit 0
fi

zcvfs_log "kernel $arch: building in $out (cache miss; ~15-25 min on 2 cores)"
rm -rf "$out"
mkdir -p "$out"
# shellcheck disable=SC2046
kmake() { make -C "$src" O="$out" $(zcvfs_kmake_vars "$arch") "$@"; }

kmake -s tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null
kmake -s olddefconfig

# Every y/n the fragments ask for must have survived Kconfig's dependencies.
missing=
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) opt=${line%=n}
		grep -q "^$opt=y" "$out/.config" && missing="$missing $line" ;;
	CONFIG_*=*) grep -qx "$line" "$out/.config" || missing="$missing $line" ;;
	esac
done < <(cat "${frags[@]}")
[ -z "$missing" ] || zcvfs_die "kernel $arch: config options not set:$missing"

kmake -j"$(nproc)" all
[ -f "$out/$image" ] || zcvfs_die "kernel $arch: $image was not built"
ln -sf "$image" "$out/zcvfs-image"
touch "$out/.zcvfs-complete"
zcvfs_log "kernel $arch: done"
echo "$out"
