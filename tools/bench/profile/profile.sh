#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the guest kernel's instructions go, by function, for a few
# measurements of `make bench`: a developer's tool (not part of make bench
# or make test).  Counts are exact and independent of the host's load,
# which no timing under TCG is; they say nothing of what an instruction
# costs (an atomic, an interrupt mask change or an indirect branch costs
# TCG far more than a load).
#
#   tools/bench/profile/profile.sh ARCH SPECS [OUTDIR]
#
# SPECS: comma-separated METHOD:SIZE, each measured in turn in one bench
# guest (bench kernel) with a zcfs test file of ZCVFS_BENCH_MIB MiB
# (default 32):
#   loan:BYTES, copy:BYTES  the micro benchmark's loan + read + return and
#                           plain read of BYTES (zcvfs_bench micro, only
#                           that method; ZCVFS_PROFILE_SAMPLES batches of
#                           1 s, default 10)
#   nfs-zc:N, nfs-copy:N    an NFS READ of the whole file through the
#                           guest's client over loopback from zcnfsd, with
#                           zero-copy or zerocopy=0 (N only names the run)
#   nfs-zc-write:N, nfs-copy-write:N
#                           an NFS WRITE of a new file of the same size
#                           (write(2) of 1 MiB, fsync, close), likewise
# The guest has ZCVFS_BENCH_CPUS vCPUs (default 1, as in make bench).
# QEMU runs tb_profile.so (built here from tb_profile.c), which writes a
# snapshot of the counts when the guest starts and ends each measurement;
# report.py prints the difference by function, per call of the method
# (micro) or per MiB (NFS), and the calls of each function.
#
# Output: OUTDIR (default build/profile/ARCH) with the guest log, the
# snapshots and, per spec, METHOD-SIZE.txt (report.py's output).
set -uo pipefail
. "$(dirname "$0")/../../lib/env.sh"
cd "$ZCVFS_ROOT" || exit 1

arch=${1:?usage: profile.sh ARCH SPECS [OUTDIR]}
specs=${2:?usage: profile.sh ARCH SPECS [OUTDIR]}
od=${3:-$ZCVFS_BUILD/profile/$arch}
mkdir -p "$od"
od=$(cd "$od" && pwd)
rm -f "$od"/*.snap "$od/trigger"
gcc -O2 -Wall -shared -fPIC -fvisibility=hidden -o "$od/tb_profile.so" \
	tools/bench/profile/tb_profile.c -lpthread || zcvfs_die "tb_profile.so: build failed"

. tools/bench/profile/prof_guest.sh
trig=$od/trigger
log=$od/guest.log
prof_guest "$arch" "$specs" "$od" --qemu -plugin --qemu "file=$od/tb_profile.so,trigger=$trig"
# A snapshot at every "==== PROFILE START|END name" the guest prints (the
# guest waits 3 s after each, far longer than the plugin takes to notice).
seen=" "
while kill -0 $guest 2>/dev/null; do
	while read -r what name; do
		case $seen in *" $what-$name "*) continue ;; esac
		seen+="$what-$name "
		echo "$od/$what-$name.snap" > "$trig.tmp" && mv "$trig.tmp" "$trig"
		while [ -e "$trig" ]; do sleep 0.1; done
	done < <(tr -d '\r' < "$log" | sed -n 's/^==== PROFILE \(START\|END\) \(.*\)$/\1 \2/p')
	sleep 0.5
done
wait $guest
rc=$?
[ $rc = 0 ] || { cat "$od/verdict"; zcvfs_log "profile: the guest failed (rc $rc; log $log)"; }
for spec in ${specs//,/ }; do
	name=${spec/:/-}
	if [ -e "$od/START-$name.snap" ] && [ -e "$od/END-$name.snap" ]; then
		tools/bench/profile/report.py "$od" "$name" > "$od/$name.txt"
		zcvfs_log "profile: $od/$name.txt"
		head -n 25 "$od/$name.txt"
	else
		zcvfs_log "profile: $name: no snapshots"
		rc=1
	fi
done
exit $rc
