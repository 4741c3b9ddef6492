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
# `make bench` (run-time checkers would distort every timing), plus
# tools/kernel/bench.config and bench-<arch>.config, if any (PCI, the
# emulated NICs, knfsd); its cache
# entries are named <arch>-bench-<source version>-<config hash>.
#
# Stdout carries exactly one line, the directory, whatever happens: callers
# capture it (kdir=$(build-kernel.sh ARCH)).  The kernel build's own output
# goes to <entry>/zcvfs-build.log; on stderr, a cache miss prints a progress
# line every ZCVFS_KERNEL_PROGRESS_SECS (default 60) seconds: objects built
# against the previous build's count and an estimate of the time left.  A
# failed build prints the tail of its log on stderr and nothing on stdout.
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
if [ "$flavor" = bench ]; then
	frags+=("$ZCVFS_ROOT/tools/kernel/bench.config")
	[ ! -e "$ZCVFS_ROOT/tools/kernel/bench-$arch.config" ] ||
		frags+=("$ZCVFS_ROOT/tools/kernel/bench-$arch.config")
else
	frags+=("$ZCVFS_ROOT/tools/kernel/debug.config")
fi

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
log=$out/zcvfs-build.log
zcvfs_log "kernel $arch: build log in $log"
# The previous build of this arch and flavour (any configuration) tells how
# many objects a build makes and how long it took: "OBJECTS SECONDS".
# Without a stats file (builds of older scripts), a complete entry of this
# arch says as much: its objects, and its .config-to-marker time.
stats=$ZCVFS_CACHE/kernel/$name.stats
[ -s "$stats" ] || stats=$ZCVFS_CACHE/kernel/$arch.stats
if [ ! -s "$stats" ]; then
	for d in "$ZCVFS_CACHE/kernel/$name"-*/ "$ZCVFS_CACHE/kernel/$arch"-*/; do
		[ -e "$d.zcvfs-complete" ] && [ -e "$d.config" ] || continue
		echo "$(find "$d" -name '*.o' | wc -l)" \
		     "$(( $(stat -c %Y "$d.zcvfs-complete") - $(stat -c %Y "$d.config") ))" \
			> "$ZCVFS_CACHE/kernel/$arch.stats"
		stats=$ZCVFS_CACHE/kernel/$arch.stats
		break
	done
fi
start=$(date +%s)

# progress: every $period seconds one line on stderr, until killed (its
# sleep with it: nothing may keep the caller's pipes or the lock open).
progress() {
	local period=${ZCVFS_KERNEL_PROGRESS_SECS:-60} prev_n=0 prev_s=0 n el left sp=
	trap 'kill $sp 2>/dev/null; exit 0' TERM
	if [ -s "$stats" ]; then read -r prev_n prev_s < "$stats" || :; fi
	while :; do
		sleep "$period" & sp=$!
		wait "$sp"
		n=$(find "$out" -name '*.o' 2>/dev/null | wc -l)
		el=$(( $(date +%s) - start ))
		if [ "${prev_n:-0}" -gt 0 ] && [ "${prev_s:-0}" -gt 0 ]; then
			# At this run's own pace once a tenth is built or a
			# quarter of the last build's time has passed (a busy
			# machine), else the last build's time minus the
			# elapsed one (the first objects come slowly).
			if [ "$n" -gt 0 ] && [ "$n" -lt "$prev_n" ] &&
			   { [ $((n * 10)) -ge "$prev_n" ] || [ $((el * 4)) -ge "$prev_s" ]; }; then
				left=$(( el * (prev_n - n) / n ))
			else
				left=$(( prev_s > el ? prev_s - el : 0 ))
			fi
			[ "$left" -ge 60 ] || left=60
			zcvfs_log "kernel $arch: $((el / 60)) min $((el % 60)) s, $n of ~$prev_n objects built, ~$(( (left + 59) / 60 )) min left (last build: $((prev_s / 60)) min)"
		else
			zcvfs_log "kernel $arch: $((el / 60)) min $((el % 60)) s, $n objects built (first build here: ~15-25 min in all on 2 cores)"
		fi
	done
}
progress 9>&- > /dev/null &
progress_pid=$!
trap 'kill "$progress_pid" 2>/dev/null || :' EXIT

fail() {
	zcvfs_log "kernel $arch: $1; last lines of $log:"
	tail -n 30 "$log" >&2
	exit 1
}
# shellcheck disable=SC2046
kmake() { make -C "$src" O="$out" $(zcvfs_kmake_vars "$arch") "$@" >> "$log" 2>&1; }

kmake -s tinyconfig || fail "make tinyconfig failed"
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >> "$log" 2>&1 ||
	fail "merge_config.sh failed"
kmake -s olddefconfig || fail "make olddefconfig failed"

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

kmake -j"$(nproc)" all || fail "make failed"
[ -f "$out/$image" ] || fail "$image was not built"
ln -sf "$image" "$out/zcvfs-image"
kill "$progress_pid" 2>/dev/null || :
echo "$(find "$out" -name '*.o' | wc -l) $(( $(date +%s) - start ))" > "$ZCVFS_CACHE/kernel/$name.stats"
touch "$out/.zcvfs-complete"
zcvfs_log "kernel $arch: done in $(( ($(date +%s) - start) / 60 )) min"
echo "$out"
