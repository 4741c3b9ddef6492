#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build every module of the project out of tree.
#
#   tools/build-modules.sh ARCH [KDIR]
#
# KDIR defaults to the project's cached test kernel for ARCH.  Objects go to
# build/<arch>/ (kbuild's MO=), so both arches can be built from one
# checkout.  Rust is compiled by clippy-driver (CLIPPY=1) and every
# warning, of rustc, clippy or the C compiler, is an error.  Extra make
# arguments come from $ZCVFS_KBUILD_ARGS.  Prints the module output
# directory on stdout.
set -euo pipefail
. "$(dirname "$0")/lib/env.sh"

arch=${1:?usage: build-modules.sh ARCH [KDIR]}
kdir=${2:-}
[ -n "$kdir" ] || kdir=$("$ZCVFS_ROOT/tools/kernel/build-kernel.sh" "$arch")
out=$ZCVFS_BUILD/$arch
mkdir -p "$out"
# shellcheck disable=SC2046,SC2086
make -C "$kdir" M="$ZCVFS_ROOT" MO="$out" $(zcvfs_kmake_vars "$arch") \
	CLIPPY=1 KCFLAGS=-Werror KRUSTFLAGS=-Dwarnings \
	${ZCVFS_KBUILD_ARGS:-} -j"$(nproc)" modules >&2
echo "$out"
