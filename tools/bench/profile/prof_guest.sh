# SPDX-License-Identifier: GPL-2.0
#
# Sourced by profile.sh and host-perf.sh: the bench guest that runs the
# measurements of SPECS (zcvfs_bench's "profile" mode), announcing each
# with "==== PROFILE START|END name" in its log.

# prof_guest ARCH SPECS OUTDIR [run-guest.sh options...]: start it in the
# background on the bench kernel, its log in OUTDIR/guest.log, run-guest's
# verdict in OUTDIR/verdict, its PID in $guest.
prof_guest() {
	local arch=$1 specs=$2 od=$3
	shift 3
	export ZCVFS_KERNEL_FLAVOR=bench ZCVFS_BUILD=$od/build
	export ZCVFS_GUEST_CPUS=${ZCVFS_BENCH_CPUS:-1}
	: > "$od/guest.log"
	tools/guest/run-guest.sh "$arch" --mode bench --timeout 3000 \
		--suite tools/bench/guest/zcvfs_bench --log "$od/guest.log" \
		--append "zcvfs_bench_only=profile zcvfs_bench_mib=${ZCVFS_BENCH_MIB:-32}" \
		--append "zcvfs_prof_specs=$specs zcvfs_prof_samples=${ZCVFS_PROFILE_SAMPLES:-10}" \
		"$@" > "$od/verdict" 2>&1 &
	guest=$!
}
