# SPDX-License-Identifier: GPL-2.0
#
# The settings zcvfs_bench.sh and zcvfs_net.sh share (sourced by both once
# they have set DIR, their directory): the programs, the modules, the size
# of the test file, the output file, the mount points, the statistics files,
# the zcfs mount options and the time limit of a step.
B=$DIR/zcvfs_bench
M=/zcvfs/modules
MIB=${zcvfs_bench_mib:-256}
OUT=${ZCVFS_BENCH_OUT:-/tmp/zcvfs-bench.out}
ZCFS=/mnt/zcfs
TMPFS=/mnt/tmpfs
NFS=/mnt/nfs
ZCFS_STATS=/sys/kernel/debug/zcfs/stats
NFSD_STATS=/sys/kernel/debug/zcnfsd/stats
# Loans are held until the network stack releases the pages, so several
# 1 MiB READs are on loan at once: allow 128 MiB on loan (the default,
# 16 MiB, could make some READs fall back to copies under load).
ZCFS_OPTS=max_loan_pages=32768
# A step that takes longer than this is considered hung (and killed).
STEP_TIMEOUT=600
