#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the host toolchain from Debian's packages and crates.io.
# Idempotent: does nothing (and touches no network) when all is present.
#
#   packages.sh [sources|debs|busybox|bindgen]...   (default: all, in order)
#
# setup.sh runs `sources` first, then the others in parallel with the
# kernel source download: they use different resources (dpkg, cargo, net).
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"

# The kernel toolchain (README.md, Requirements), QEMU, the guest userland and the
# kernel's own build dependencies.  qemu-system-* comes from
# bookworm-backports so that it matches the preinstalled qemu-utils.
pkgs=(rustc-web rust-web-src rust-web-clippy rustfmt-web
      clang-19 lld-19 llvm-19 libclang-19-dev
      qemu-system-x86 qemu-system-arm busybox-static
      build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils
      kmod rsync python3 gcc-aarch64-linux-gnu libc6-dev-arm64-cross)

add_source() {	# name suite
	local f=/etc/apt/sources.list.d/zcvfs-$1.sources
	[ -e "$f" ] && return 1
	cat > "$f" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $2
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	# Backports are never preferred over the release by accident.
	cat > "/etc/apt/preferences.d/zcvfs-$1" <<PIN
Package: *
Pin: release n=$2
Pin-Priority: 100
PIN
	return 0
}

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo

do_sources() {
	# linux-source-7.3 is in trixie-backports; qemu 10 in bookworm-backports.
	local changed=
	if [ "$(id -u)" = 0 ]; then
		add_source trixie-backports trixie-backports && changed=1
		add_source bookworm-backports bookworm-backports && changed=1
	fi
	dpkg --print-foreign-architectures | grep -qx arm64 || {
		$sudo dpkg --add-architecture arm64
		changed=1
	}
	if [ -n "$changed" ] || ! apt-cache show "$ZCVFS_KPKG" >/dev/null 2>&1; then
		$sudo apt-get update -q
	fi
}

do_debs() {
	missing=()
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		zcvfs_log "installing Debian packages: ${missing[*]}"
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends -t bookworm-backports "${missing[@]}"
	fi
}

do_busybox() {
	# arm64 busybox for the arm64 guest: downloaded, never installed.
	bb_arm64=$ZCVFS_CACHE/downloads/busybox-arm64/bin/busybox
	if [ ! -x "$bb_arm64" ]; then
		zcvfs_log "fetching busybox-static:arm64"
		tmp=$(mktemp -d)
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root busybox-static:arm64)
		rm -rf "$ZCVFS_CACHE/downloads/busybox-arm64"
		mkdir -p "$(dirname "$bb_arm64")"
		dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
		cp "$tmp/x/bin/busybox" "$bb_arm64.tmp"
		mv "$bb_arm64.tmp" "$bb_arm64"
		rm -rf "$tmp"
	fi
}

do_bindgen() {
	# bindgen-cli, pinned, from crates.io, into the cache (not ~/.cargo).
	if ! [ -x "$ZCVFS_BINDGEN" ] ||
	   [ "$("$ZCVFS_BINDGEN" --version | head -n 1)" != "bindgen $ZCVFS_BINDGEN_VERSION" ]; then
		[ -x "$HOME/.cargo/bin/cargo" ] && PATH=$PATH:$HOME/.cargo/bin
		command -v cargo >/dev/null || zcvfs_die "cargo is needed to install bindgen-cli"
		zcvfs_log "installing bindgen-cli $ZCVFS_BINDGEN_VERSION"
		cargo install -q --locked --root "$ZCVFS_CACHE/tools" \
			"bindgen-cli@$ZCVFS_BINDGEN_VERSION"
	fi
}

[ $# -gt 0 ] || set -- sources debs busybox bindgen
for step in "$@"; do
	case $step in
	sources|debs|busybox|bindgen) "do_$step" ;;
	*) zcvfs_die "packages.sh: unknown step $step" ;;
	esac
done
