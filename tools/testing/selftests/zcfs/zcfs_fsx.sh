#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run zcfs_fsx (random operations checked against a model) with the number
# of operations chosen for this architecture: 20000 on x86_64 and 10000 on
# arm64.  Issue 4 asks for 100000 on x86_64; on the debug kernel under TCG
# an ordinary operation costs ~2-7 ms and a zero-copy one ~30-50 ms (each
# allocation and free in the kernel records a stack trace under KASAN and
# kmemleak), so 100000 take ~20 minutes on a loaded 2-core host, more than
# make test's budget allows.  arm64 runs the debug kernel about 3.3 times
# slower per operation (10000 operations in 395 s against 20000 in 243 s
# on x86_64), and shares the two cores with the x86_64 guest.
# ZCFS_FSX_OPS overrides the number (on the guest's kernel command line:
# run-guest.sh --append ZCFS_FSX_OPS=N).  The program prints its seed and
# options for a replay.
. "$(dirname "$0")/lib.sh"

case $(uname -m) in
x86_64) default=20000 ;;
aarch64) default=10000 ;;
*) default=20000 ;;
esac
exec "$(dirname "$0")/zcfs_fsx" -n "${ZCFS_FSX_OPS:-$default}"
