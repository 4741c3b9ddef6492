#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run zcfs_fsx (random operations checked against a model) with the number
# of operations chosen for this architecture: 20000 on x86_64 and 25000 on
# arm64, for now.  Issue 4 asks for 100000 on x86_64, but 100000 did not
# finish within the suite's 900 s per-test limit on a loaded 2-core host
# (the zero-copy operations cost ~30x an ordinary read under KASAN on TCG);
# the zcvfs request/return path must get cheaper first.  arm64 ran the
# debug kernel about 3.3 times slower per operation in the same conditions
# (10000 operations in 395 s against 20000 in 243 s on x86_64).
# ZCFS_FSX_OPS overrides the number (on the guest's kernel command line:
# run-guest.sh --append ZCFS_FSX_OPS=N).  The program prints its seed and
# options for a replay.
. "$(dirname "$0")/lib.sh"

case $(uname -m) in
x86_64) default=20000 ;;
aarch64) default=25000 ;;
*) default=20000 ;;
esac
exec "$(dirname "$0")/zcfs_fsx" -n "${ZCFS_FSX_OPS:-$default}"
