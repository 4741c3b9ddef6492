#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench`, run by the guest's /init in mode bench.
# Prints KTAP (one result per measurement group: did it run, was the data
# right) on stdout and appends one JSON object per measurement to
# $ZCVFS_BENCH_OUT, which /init prints between the ZCVFS BENCH markers for
# tools/bench/report.py.
#
# Parameters (kernel command line, passed by tools/bench/bench.sh, which
# documents the defaults):
#   zcvfs_bench_mib          size of the test file in MiB
#   zcvfs_bench_reps         repetitions of the socket anchor (and rounds of
#                            the micro benchmark)
#   zcvfs_bench_nfs_reps     repetitions of each NFS measurement
#   zcvfs_bench_micro_samples  samples per method, size and micro round, each
#                            the mean of a batch of at least
#   zcvfs_bench_micro_batch_ms milliseconds of iterations
#   zcvfs_bench_only         micro: only the set-up (zcfs file only) and
#                            the micro benchmark; profile: only the set-up
#                            and the measurements of zcvfs_prof_specs, for
#                            tools/bench/profile/profile.sh (which see)
#   zcvfs_prof_specs         METHOD:SIZE,... (profile)
#   zcvfs_prof_samples       batches of 1 s of a micro method (profile)
#
# Each repetition runs every variant once, in turn (zc, copy, tmpfs, ...),
# so that a slow phase of the emulator hits all variants alike.
DIR=$(cd "$(dirname "$0")" && pwd)
# The two-guest NIC benchmarks: this guest is their server or their client.
case ${zcvfs_bench_role:-} in
server|client) exec "$DIR/zcvfs_net.sh" "$zcvfs_bench_role" ;;
esac
. "$DIR/../kselftest/ktap_helpers.sh"

. "$DIR/bench_env.sh"
REPS=${zcvfs_bench_reps:-5}
NFS_REPS=${zcvfs_bench_nfs_reps:-$REPS}
MICRO_SAMPLES=${zcvfs_bench_micro_samples:-9}
MICRO_BATCH_MS=${zcvfs_bench_micro_batch_ms:-200}
ONLY=${zcvfs_bench_only:-}
# The micro benchmark's sizes (bytes), and the consecutive ranges of each
# size it walks, which are also the loans out at once when it times the
# phases apart: 16, at most 4 MiB of them, so that a loan costs about what
# it costs alone (structures that grow with the pages on loan: 16 MiB out
# at once made a 1 MiB loan's phases a third dearer), yet enough loans to
# average a coarse clock out.
MICRO_SIZES="4096 65536 1048576"
micro_ranges() {	# size
	r=$((4 * 1048576 / $1))
	[ $r -gt 16 ] && r=16
	echo $r
}
micro_name() {	# size
	case $1 in
	4096) echo 4k ;;
	65536) echo 64k ;;
	1048576) echo 1m ;;
	*) echo "$1" ;;
	esac
}
NFS_OPTS="vers=3,proto=tcp,port=2049,mountport=20048,mountproto=tcp,nolock,addr=127.0.0.1,rsize=1048576,wsize=1048576"

: > "$OUT"
log() { echo "# $*"; }
# ktap_test_skip DESC, with the reason the standards ask for.
skip() {	# description reason
	echo "ok $KTAP_TESTNO $1 # SKIP $2"
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1))
}
emit() { echo "$*" >> "$OUT"; }

ktap_print_header
case $ONLY in
micro|profile) ktap_set_plan 2 ;;
*) ktap_set_plan 6 ;;
esac

# --- 1. Set-up: modules, filesystems, the test file on zcfs and tmpfs. ----
setup() {
	insmod $M/zcvfs.ko && insmod $M/zcfs.ko && insmod $M/zcvfs_test.ko || return 1
	mkdir -p $ZCFS $TMPFS $NFS
	mount -t zcfs -o $ZCFS_OPTS none $ZCFS || return 1
	mount -t tmpfs -o size=$((3 * MIB + 64))m tmpfs $TMPFS || return 1
	# The test file is written as a real file is: sequential 1 MiB
	# write(2) calls, then fsync (a filesystem with large folios gets them).
	log "creating the ${MIB} MiB test file on zcfs"
	$B mkfile $ZCFS/src "$MIB" && $B verify $ZCFS/src "$MIB" || return 1
	if [ -z "$ONLY" ]; then
		log "creating the ${MIB} MiB test file on tmpfs"
		$B mkfile $TMPFS/src "$MIB" && $B verify $TMPFS/src "$MIB" || return 1
	fi
	kasan=0; lockdep=0; kmemleak=0
	dmesg | grep -q 'KernelAddressSanitizer initialized' && kasan=1
	[ -e /proc/lockdep ] && lockdep=1
	[ -e /sys/kernel/debug/kmemleak ] && kmemleak=1
	clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
	emit "{\"bench\":\"env\",\"arch\":\"$(uname -m)\",\"kernel\":\"$(uname -r)\"," \
	     "\"clocksource\":\"${clock:-?}\",\"only\":\"$ONLY\"," \
	     "\"cpus\":$(grep -c ^processor /proc/cpuinfo)," \
	     "\"mem_kib\":$(awk '/^MemTotal/ {print $2}' /proc/meminfo)," \
	     "\"mib\":$MIB,\"reps\":$REPS,\"nfs_reps\":$NFS_REPS,\"micro_samples\":$MICRO_SAMPLES,\"micro_batch_ms\":$MICRO_BATCH_MS," \
	     "\"kasan\":$kasan,\"lockdep\":$lockdep,\"kmemleak\":$kmemleak," \
	     "\"zcfs_opts\":\"$ZCFS_OPTS\",\"nfs_opts\":\"$NFS_OPTS\"}"
}
if setup; then
	ktap_test_pass "setup: modules, zcfs and tmpfs with a ${MIB} MiB test file"
else
	ktap_test_fail "setup: modules, zcfs and tmpfs with a ${MIB} MiB test file"
	ktap_exit_fail_msg "no set-up, no measurements"
fi

# --- The zcnfsd module and the NFS mount (here for the profile too). ----
nfs_load() {
	insmod $M/zcnfsd.ko export_path="$1" zerocopy="$2" root_squash=0
}

nfs_unload() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		rmmod zcnfsd 2>/dev/null && return 0
		sleep 1
	done
	log "rmmod zcnfsd keeps failing:"; sed 's/^/#   /' $NFSD_STATS
	return 1
}

nfs_mount() {
	$B nfsmount "127.0.0.1:$1" $NFS "$NFS_OPTS"
}

# --- Profile only: each spec measured once, between the markers that
# tools/bench/profile/profile.sh snapshots the instruction counts at. ----
# measured NAME CMD...: CMD (output to $OUT) between NAME's markers.
measured() {
	name=$1
	shift
	echo "==== PROFILE START $name"
	sleep 3
	"$@" >> "$OUT"
	rc=$?
	echo "==== PROFILE END $name"
	sleep 3
	cat "$OUT"
	return $rc
}
profile_one() {	# method size
	case $1 in
	loan|copy|phases)
		measured "$1-$2" env ZCVFS_MICRO_METHOD="$1" $B micro -b prof -r 1 \
			$ZCFS/src "$2" "${zcvfs_prof_samples:-10}" 1000 "$(micro_ranges "$2")"
		return ;;
	nfs-zc|nfs-zc-write) zc=1 ;;
	nfs-copy|nfs-copy-write) zc=0 ;;
	*)
		log "profile: unknown method $1"
		return 1 ;;
	esac
	nfs_load $ZCFS "$zc" || return 1
	nfs_mount $ZCFS || { nfs_unload; return 1; }
	stats="-s zcnfsd=$NFSD_STATS"
	case $1 in
	*-write)
		measured "$1-$2" $B write -b prof -v "$1" -r 1 $stats $NFS/dst "$MIB"
		rc=$?
		rm -f $NFS/dst ;;
	*)
		sync
		echo 3 > /proc/sys/vm/drop_caches
		measured "$1-$2" $B read -b prof -v "$1" -r 1 $stats $NFS/src
		rc=$? ;;
	esac
	umount $NFS && nfs_unload && return $rc
}
profile() {
	echo "==== PROFILE SYMS BEGIN"
	grep -E ' [tT] ' /proc/kallsyms
	echo "==== PROFILE SYMS END"
	for spec in $(echo "$zcvfs_prof_specs" | tr , ' '); do
		: > "$OUT"
		profile_one "${spec%%:*}" "${spec#*:}" || return 1
	done
}
if [ "$ONLY" = profile ]; then
	ktap_test_result "profile: $zcvfs_prof_specs" profile
	ktap_finished
fi

# --- 2. Micro: in-kernel loan + read + return vs copy, 4 KiB to 1 MiB. ----
micro() {
	for r in $(seq 1 "$REPS"); do
		for size in $MICRO_SIZES; do
			$B micro -b "micro_$(micro_name $size)" -r "$r" -s zcfs=$ZCFS_STATS \
				$ZCFS/src "$size" "$MICRO_SAMPLES" "$MICRO_BATCH_MS" \
				"$(micro_ranges $size)" >> "$OUT" || return 1
		done
	done
}
log "micro: $REPS rounds x $MICRO_SAMPLES samples of >= $MICRO_BATCH_MS ms per method (loan, copy, phases) and size ($MICRO_SIZES)"
ktap_test_result "micro: loan+read+return vs copy of 4 KiB, 64 KiB, 1 MiB in the kernel" micro
# Micro only: done (ktap_finished exits).
[ "$ONLY" = micro ] && ktap_finished

# --- 3. Linux's anchor: sendfile vs read+write, tmpfs -> loopback TCP. ----
sock() {
	for r in $(seq 1 "$REPS"); do
		for m in sendfile readwrite; do
			timeout -s KILL $STEP_TIMEOUT \
				$B sock -b sock -v $m -r "$r" $m $TMPFS/src >> "$OUT" || return 1
		done
	done
}
log "sock: $REPS x (sendfile, read+write) of $MIB MiB from tmpfs into loopback TCP"
ktap_test_result "anchor: sendfile and read+write from tmpfs into a TCP socket" sock

# --- 4-6. NFS through the guest's own client, over loopback. --------------
# One variant: export, zerocopy parameter.  root_squash=0: the benchmark
# writes as root into root-owned exports (a no_root_squash export).
# nfs_run VARIANT EXPORT ZEROCOPY REP
nfs_run() {
	v=$1; exp=$2; zc=$3; r=$4
	stats="-s zcnfsd=$NFSD_STATS"
	[ "$exp" = $ZCFS ] && stats="$stats -s zcfs=$ZCFS_STATS"
	nfs_load "$exp" "$zc" || return 1
	# READ: a fresh client mount has nothing cached (see benchmarks.rst:
	# the server's file stays in its page cache, which is its storage).
	nfs_mount "$exp" || { nfs_unload; return 1; }
	# And the caches dropped (the client's; zcfs and tmpfs keep their files,
	# which live in their page cache).
	sync
	echo 3 > /proc/sys/vm/drop_caches
	if [ "$r" = 1 ]; then
		emit "{\"bench\":\"mount\",\"variant\":\"$v\",\"opts\":\"$(awk -v d=$NFS '$2 == d {print $4}' /proc/mounts)\"}"
	fi
	timeout -s KILL $STEP_TIMEOUT \
		$B read -b nfs_read -v "$v" -r "$r" $stats $NFS/src >> "$OUT"
	rc=$?
	umount $NFS || rc=1
	# WRITE: a new file, written, fsynced and closed through a fresh mount.
	if [ $rc = 0 ] && nfs_mount "$exp"; then
		timeout -s KILL $STEP_TIMEOUT \
			$B write -b nfs_write -v "$v" -r "$r" $stats $NFS/dst "$MIB" >> "$OUT" || rc=1
		umount $NFS || rc=1
	else
		rc=1
	fi
	nfs_unload || rc=1
	# What the server wrote, checked where it lives (first repetition).
	if [ $rc = 0 ] && [ "$r" = 1 ]; then
		$B verify-heads "$exp/dst" "$MIB" || rc=1
	fi
	rm -f "$exp/dst"
	return $rc
}

VARIANTS="zcfs-zc zcfs-copy tmpfs"
nfs_ok_zcfs_zc=1; nfs_ok_zcfs_copy=1; nfs_ok_tmpfs=1
if [ -e $M/zcnfsd.ko ]; then
	log "nfs: $NFS_REPS x (zcfs zero-copy, zcfs zerocopy=0, tmpfs) x (read, write) of $MIB MiB"
	for r in $(seq 1 "$NFS_REPS"); do
		for v in $VARIANTS; do
			case $v in
			zcfs-zc) args="$ZCFS 1" ;;
			zcfs-copy) args="$ZCFS 0" ;;
			tmpfs) args="$TMPFS 1" ;;
			esac
			ok=$(eval echo \$nfs_ok_$(echo $v | tr - _))
			[ "$ok" = 1 ] || continue
			log "nfs rep $r: $v"
			# shellcheck disable=SC2086
			if ! nfs_run "$v" $args "$r"; then
				eval nfs_ok_$(echo $v | tr - _)=0
				log "nfs $v failed in repetition $r; kernel log:"
				dmesg | tail -n 20 | sed 's/^/#   /'
			fi
		done
	done
	for v in $VARIANTS; do
		ok=$(eval echo \$nfs_ok_$(echo $v | tr - _))
		desc="nfs: read and write of $MIB MiB through zcnfsd, $v"
		if [ "$ok" = 1 ]; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
	done
else
	for v in $VARIANTS; do
		skip "nfs: read and write of $MIB MiB through zcnfsd, $v" \
			"zcnfsd.ko is not built (samples/zcnfsd)"
	done
fi

ktap_finished
