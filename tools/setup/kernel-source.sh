#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch and unpack Debian's linux-source-7.3 into the cache, once.
# Prints the source directory.  The tree is never modified: the test
# kernel is built with O= elsewhere.
set -euo pipefail
. "$(dirname "$0")/../lib/env.sh"

dst=$ZCVFS_KSRC_DIR/$ZCVFS_KPKG
if [ ! -e "$dst/.zcvfs-version" ]; then
	ver=$(apt-cache policy "$ZCVFS_KPKG" | awk '/Candidate:/ {print $2}')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
		zcvfs_die "$ZCVFS_KPKG not found; run tools/setup/packages.sh"
	zcvfs_log "fetching $ZCVFS_KPKG $ver"
	dl=$ZCVFS_CACHE/downloads
	mkdir -p "$dl" "$ZCVFS_KSRC_DIR"
	tmp=$(mktemp -d "$dl/src.XXXXXX")
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$ZCVFS_KPKG=$ver")
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" \
		"./usr/src/$ZCVFS_KPKG.tar.xz"
	rm -rf "$dst" "$tmp/unpack"
	mkdir -p "$tmp/unpack"
	tar -xJf "$tmp/usr/src/$ZCVFS_KPKG.tar.xz" -C "$tmp/unpack"
	mv "$tmp/unpack/$ZCVFS_KPKG" "$dst"
	rm -rf "$tmp"
	# The source version names the cache entries of kernel builds.
	echo "${ver//[^A-Za-z0-9.+-]/_}" > "$dst/.zcvfs-version"
fi
echo "$dst"
