#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the *host's* time goes while QEMU emulates a measurement of `make
# bench`: a developer's tool (not part of make bench or make test), the
# companion of profile.sh. profile.sh counts the guest kernel's
# instructions, which say nothing of what each costs under TCG; this
# samples the QEMU process with the host's `perf` (cpu-clock, so it works
# without hardware counters) while the guest runs each measurement, and
# prints the shares of QEMU's own functions (the translated guest code is
# "[JIT]"), e.g. how much of a loan is TCG's lookup of the target of every
# return and indirect call (helper_lookup_tb_ptr).
#
#   tools/bench/profile/host-perf.sh ARCH SPECS [OUTDIR]
#
# SPECS as for profile.sh (loan:BYTES, copy:BYTES, ...), one bench guest
# (bench kernel, ZCVFS_BENCH_CPUS vCPUs, default 1) without the TCG
# plugin. Needs `perf` on the host (Debian's linux-perf). Output: OUTDIR
# (default build/host-perf/ARCH) with the guest log, NAME.perf per spec
# and NAME.txt, perf's report by shared object and by symbol.
set -uo pipefail
. "$(dirname "$0")/../../lib/env.sh"
cd "$ZCVFS_ROOT" || exit 1

arch=${1:?usage: host-perf.sh ARCH SPECS [OUTDIR]}
specs=${2:?usage: host-perf.sh ARCH SPECS [OUTDIR]}
od=${3:-$ZCVFS_BUILD/host-perf/$arch}
command -v perf > /dev/null || zcvfs_die "host-perf: no perf on this host (Debian: linux-perf)"
mkdir -p "$od"
od=$(cd "$od" && pwd)
rm -f "$od"/*.perf "$od"/*.txt

. tools/bench/profile/prof_guest.sh
log=$od/guest.log
prof_guest "$arch" "$specs" "$od"
# The guest prints "==== PROFILE START name", waits 3 s (for profile.sh's
# plugin) and then measures for ZCVFS_PROFILE_SAMPLES seconds; perf samples
# QEMU for most of that.
secs=$(( ${ZCVFS_PROFILE_SAMPLES:-10} * 8 / 10 ))
[ "$secs" -ge 1 ] || secs=1
seen=" "
while kill -0 $guest 2>/dev/null; do
	while read -r name; do
		case $seen in *" $name "*) continue ;; esac
		seen+="$name "
		pid=$(pgrep -n -f "qemu-system-.*zcvfs_prof_specs=$specs") || continue
		(sleep 3 && perf record -q -e cpu-clock -F 2000 -p "$pid" -o "$od/$name.perf" \
			-- sleep "$secs") > /dev/null 2>&1 &
	done < <(tr -d '\r' < "$log" | sed -n 's/^==== PROFILE START \(.*\)$/\1/p')
	sleep 0.5
done
wait $guest
rc=$?
wait
[ $rc = 0 ] || { cat "$od/verdict"; zcvfs_log "host-perf: the guest failed (rc $rc; log $log)"; }
for spec in ${specs//,/ }; do
	name=${spec/:/-}
	if [ ! -s "$od/$name.perf" ]; then
		zcvfs_log "host-perf: $name: no samples"
		rc=1
		continue
	fi
	{
		grep -a "\"bench\":\"prof\"" "$log" | grep -a "\"variant\":\"${spec%%:*}\"" |
			grep -a "\"bytes\":${spec##*:}," | head -n 1
		perf report -i "$od/$name.perf" --no-children --sort dso 2> /dev/null |
			grep -v '^#' | grep -v '^$' | head -n 6
		echo
		perf report -i "$od/$name.perf" --no-children --sort sym 2> /dev/null |
			grep -v '^#' | grep -v '^$' | head -n 25
	} > "$od/$name.txt"
	zcvfs_log "host-perf: $od/$name.txt"
	head -n 20 "$od/$name.txt"
done
exit $rc
