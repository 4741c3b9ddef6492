#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: set up what is missing, build, boot the x86_64 guest and show
# the main job working.  Run it twice: the second run rebuilds nothing.
set -euo pipefail
. "$(dirname "$0")/lib/env.sh"
arch=${ZCVFS_DEMO_ARCH:-x86_64}

"$ZCVFS_ROOT/tools/setup/setup.sh" "$arch"
"$ZCVFS_ROOT/tools/guest/run-guest.sh" "$arch" --mode demo --timeout 600
