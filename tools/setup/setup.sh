#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Set up everything zcvfs needs on a Debian machine, idempotently:
# packages and bindgen-cli, the kernel source, and the cached test kernels.
#
#   tools/setup/setup.sh [--no-kernels] [ARCH...]    (default: both arches)
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"

kernels=1
arches=()
for a in "$@"; do
	case $a in
	--no-kernels) kernels= ;;
	*) arches+=("$a") ;;
	esac
done
[ ${#arches[@]} -gt 0 ] || read -r -a arches <<< "$ZCVFS_ARCHES"

# Sources first; then Debian packages, bindgen-cli (cargo) and the kernel
# source download run side by side: they use different resources.
s=$ZCVFS_ROOT/tools/setup
"$s/packages.sh" sources
"$s/packages.sh" bindgen & bindgen=$!
"$s/kernel-source.sh" >/dev/null & ksrc=$!
"$s/packages.sh" debs busybox
wait $bindgen || zcvfs_die "bindgen-cli install failed"
wait $ksrc || zcvfs_die "kernel source fetch failed"
# The kernels build side by side: each build has long single-threaded
# stretches (the Rust crates, the final links) that the other one fills.
# Their progress lines (stderr) reach the terminal; stdout is the directory.
if [ -n "$kernels" ]; then
	pids=()
	dirs=$(mktemp -d)
	for a in "${arches[@]}"; do
		"$ZCVFS_ROOT/tools/kernel/build-kernel.sh" "$a" > "$dirs/$a" &
		pids+=($!)
	done
	failed=
	for i in "${!arches[@]}"; do
		a=${arches[$i]}
		if wait "${pids[$i]}"; then
			zcvfs_log "kernel $a: ready ($(cat "$dirs/$a"))"
		else
			zcvfs_log "kernel $a: build FAILED (see above)"
			failed=1
		fi
	done
	rm -rf "$dirs"
	[ -z "$failed" ] || exit 1
fi
