# SPDX-License-Identifier: GPL-2.0
# Common settings for every zcvfs tool script.  Source it; it defines no
# functions with side effects and changes nothing on the machine.

ZCVFS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Everything built or downloaded lives outside the checkout, so that a fresh
# clone reuses it.  Kernel builds are keyed by source version + config hash.
ZCVFS_CACHE=${ZCVFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcvfs}

# The kernel we build against: Debian's linux-source-7.3 (trixie-backports).
ZCVFS_KPKG=linux-source-7.3
ZCVFS_KSRC_DIR=$ZCVFS_CACHE/src

# Toolchain (README.md, Requirements).  Debian's rustc-web is the kernel's rustc;
# rustup's rustc, if any, is for the host crates only.
ZCVFS_LLVM=-19
ZCVFS_RUSTC=/usr/bin/rustc
ZCVFS_RUST_LIB_SRC=/usr/src/rustc-1.96.0/library
ZCVFS_BINDGEN_VERSION=0.73.0
ZCVFS_BINDGEN=$ZCVFS_CACHE/tools/bin/bindgen
export LIBCLANG_PATH=/usr/lib/llvm-19/lib

# rustup's cargo, for the host crates and bindgen-cli, when PATH lacks it.
if [ -d "$HOME/.cargo/bin" ] && [[ ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
	PATH=$PATH:$HOME/.cargo/bin
fi

# Build outputs (modules, initramfs, guest logs): build/<arch>/ of the
# checkout, or ZCVFS_BUILD/<arch>/ when several people share one tree.
ZCVFS_BUILD=${ZCVFS_BUILD:-$ZCVFS_ROOT/build}

ZCVFS_ARCHES=${ZCVFS_ARCHES:-x86_64 arm64}

# The make variables every kernel and module build gets.
zcvfs_kmake_vars() {
	local arch=$1
	echo "ARCH=$arch LLVM=$ZCVFS_LLVM RUSTC=$ZCVFS_RUSTC" \
	     "RUST_LIB_SRC=$ZCVFS_RUST_LIB_SRC BINDGEN=$ZCVFS_BINDGEN" \
	     "CLIPPY_DRIVER=/usr/bin/clippy-driver RUSTFMT=/usr/bin/rustfmt"
}

zcvfs_log() { printf '[zcvfs] %s\n' "$*" >&2; }
zcvfs_die() { printf '[zcvfs] error: %s\n' "$*" >&2; exit 1; }
