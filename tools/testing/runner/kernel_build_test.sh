#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/kernel/build-kernel.sh is tested itself, in seconds: its callers
# capture stdout as the kernel directory (kdir=$(build-kernel.sh ARCH)), so
# stdout must be exactly that one line on a cold cache, a warm one and in
# either flavour, and nothing on a failure; the progress lines and the
# build's own output must go elsewhere.  The kernel source and `make` are
# stand-ins (a throwaway cache, a fake make on PATH that writes to stdout
# and stderr, makes objects and an image): what is tested is the script.
#
# Prints one KTAP line per case and, last, "kernel-build: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../../lib/env.sh"

tmp=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
export ZCVFS_CACHE=$tmp/cache
unset ZCVFS_KDIR_x86_64 ZCVFS_KDIR_arm64 ZCVFS_KERNEL_FLAVOR
export ZCVFS_KERNEL_PROGRESS_SECS=1
src=$ZCVFS_CACHE/src/$ZCVFS_KPKG
mkdir -p "$src/scripts/kconfig" "$ZCVFS_CACHE/tools/bin" "$tmp/bin"
echo "0.0-test" > "$src/.zcvfs-version"
printf '#!/bin/sh\necho "bindgen 0.0-test"\n' > "$ZCVFS_CACHE/tools/bin/bindgen"
# merge_config.sh -m -O DIR CONFIG FRAGMENT...: appends the fragments.
cat > "$src/scripts/kconfig/merge_config.sh" <<'EOF'
#!/bin/sh
out=$3; shift 4
cat "$@" >> "$out/.config"
echo "merge_config: chatter on stdout"
EOF
# make -C SRC O=DIR VAR=... TARGET: noisy on both streams, like Kbuild.
# FAKE_MAKE_FAIL=1 fails "all"; every call is counted in $tmp/make-calls.
cat > "$tmp/bin/make" <<'EOF'
#!/bin/bash
out= target=
for a in "$@"; do
	case $a in O=*) out=${a#O=} ;; -*|*=*) ;; *) target=$a ;; esac
done
echo "$target" >> "$FAKE_MAKE_CALLS"
echo "  FAKE-MAKE-STDOUT $target"
echo "  FAKE-MAKE-STDERR $target" >&2
case $target in
tinyconfig) echo "# tinyconfig" > "$out/.config" ;;
all)
	[ "${FAKE_MAKE_FAIL:-0}" = 1 ] && { echo "fake: error: it broke" >&2; exit 2; }
	for i in $(seq 1 25); do
		echo "  CC      obj$i.o"; touch "$out/obj$i.o"; sleep 0.1
	done
	mkdir -p "$out/arch/x86/boot"
	echo image > "$out/arch/x86/boot/bzImage" ;;
esac
exit 0
EOF
chmod +x "$src/scripts/kconfig/merge_config.sh" "$ZCVFS_CACHE/tools/bin/bindgen" "$tmp/bin/make"
export PATH=$tmp/bin:$PATH FAKE_MAKE_CALLS=$tmp/make-calls

. "$(dirname "$0")/ktap.sh"
result() {	# NAME OK-or-not REASON
	ktap_result "$2" "build-kernel.sh: $1" "${3:-}" "$tmp/err" 20
}
# run [ENV=...]: build-kernel.sh x86_64, stdout in $tmp/out, stderr
# in $tmp/err, exit status in $rc.
run() {
	: > "$FAKE_MAKE_CALLS"
	env "$@" "$ZCVFS_ROOT/tools/kernel/build-kernel.sh" x86_64 > "$tmp/out" 2> "$tmp/err"
	rc=$?
}
# only_the_dir PREFIX: stdout is one line, a complete entry named PREFIX-*,
# and its lock is free (no leftover process holds it).
only_the_dir() {
	local d
	[ "$rc" = 0 ] || { why="exit $rc"; return 1; }
	[ "$(wc -l < "$tmp/out")" = 1 ] || { why="stdout has $(wc -l < "$tmp/out") lines"; return 1; }
	d=$(cat "$tmp/out")
	case $d in "$ZCVFS_CACHE/kernel/$1"-*) ;; *) why="stdout '$d' is not a $1 entry"; return 1 ;; esac
	[ -e "$d/.zcvfs-complete" ] && [ -e "$d/zcvfs-image" ] || { why="$d is not complete"; return 1; }
	flock -n "$d.lock" true || { why="$d.lock still held"; return 1; }
	kdir=$d
}

echo "TAP version 13"
echo "1..5"

run
if only_the_dir x86_64 && grep -q "FAKE-MAKE-STDOUT all" "$kdir/zcvfs-build.log" &&
   grep -q "merge_config: chatter" "$kdir/zcvfs-build.log" &&
   ! grep -q FAKE-MAKE "$tmp/err"; then
	result "cold cache: stdout is the directory, make's output in its log" ok
else
	result "cold cache: stdout is the directory, make's output in its log" no "${why:-make output misplaced}"
fi
why=

if grep -Eq 'kernel x86_64: 0 min [0-9]+ s, [0-9]+ objects built' "$tmp/err"; then
	result "first build prints progress on stderr" ok
else
	result "first build prints progress on stderr" no "no progress line"
fi

first=${kdir:-}
run
if only_the_dir x86_64 && [ "$kdir" = "$first" ] && [ ! -s "$FAKE_MAKE_CALLS" ]; then
	result "warm cache: the same directory, no make" ok
else
	result "warm cache: the same directory, no make" no "${why:-make ran or another dir}"
fi
why=

# The bench flavour: another entry, and an estimate from the build before.
run ZCVFS_KERNEL_FLAVOR=bench
if only_the_dir x86_64-bench &&
   grep -Eq 'objects built, ~[0-9]+ min left \(last build' "$tmp/err"; then
	result "bench flavour: its own entry, progress with an estimate" ok
else
	result "bench flavour: its own entry, progress with an estimate" no "${why:-no estimate in progress}"
fi
why=

rm -rf "$ZCVFS_CACHE/kernel/x86_64-"[0-9]*
run FAKE_MAKE_FAIL=1
if [ "$rc" != 0 ] && [ ! -s "$tmp/out" ] && grep -q "fake: error: it broke" "$tmp/err"; then
	result "failed build: non-zero, nothing on stdout, the log's tail on stderr" ok
else
	result "failed build: non-zero, nothing on stdout, the log's tail on stderr" no "exit $rc, stdout '$(head -c 200 "$tmp/out")'"
fi

ktap_totals kernel-build
