# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the zcnfsd selftests (sourced, busybox sh): loading
# zcvfs.ko, zcfs.ko and zcnfsd.ko, the zcfs export, the guest's NFS client
# mounts (mount(2) text options through zcnfsd_mount), the server's and
# zcvfs's counters, and the data-integrity matrix with its counter checks.

. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

# As in the zcfs suite: make /dev/stdout the link the kselftest runner
# expects if the first test turned it into a regular file.
if [ ! -L /dev/stdout ] && [ -w /dev ]; then
	rm -f /dev/stdout && ln -s /proc/self/fd/1 /dev/stdout
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ZN_T0=$(date +%s)
ZCVFS_MODULES=${ZCVFS_MODULES:-/zcvfs/modules}
NFS_PORT=${ZCNFSD_PORT:-2049}
MNT_PORT=${ZCNFSD_MOUNTPORT:-20048}
ZCFS_DIR=/mnt/zcfs		# the zcfs export (local view)
TMPFS_DIR=/mnt/tmpfs-export	# the tmpfs export (fallback path)
NFS_DIR=/mnt/nfs		# the NFS client's view
NFS_DIR2=/mnt/nfs2		# a second client (another nfs_client: 127.0.0.2)
SRV_STATS=/sys/kernel/debug/zcnfsd/stats
ZCVFS_STATS=/sys/kernel/debug/zcvfs
ST=/tmp/zcnfsd-stats		# counter snapshots
mkdir -p $ST

# zcfs mount options: a loan budget large enough that no READ or WRITE of
# the matrix is refused for lack of loanable pages (the default, 4096
# pages, could be reached by READ loans waiting for their zero-copy
# completion), so that the zero-copy run can require 0 fallbacks.
ZCFS_OPTS=max_loan_pages=16384

# The NFS client's mount(2) text options for zcnfsd (no rpcbind, no lockd).
nfs_opts() {
	echo "vers=3,proto=tcp,port=$NFS_PORT,mountport=$MNT_PORT,mountproto=tcp,nolock,addr=$1${2:+,$2}"
}

# A seed for the matrix, printed by every run (override: ZCNFSD_SEED).
SEED=${ZCNFSD_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}

zn_loaded() { [ -d "/sys/module/$1" ]; }

zn_insmod() {
	zn_loaded "$1" || insmod "$ZCVFS_MODULES/$1.ko"
}

# The whole suite needs the server module; without it, skip (and say why).
zn_require_server() {
	if [ ! -f "$ZCVFS_MODULES/zcnfsd.ko" ]; then
		ktap_skip_all "zcnfsd.ko is not in $ZCVFS_MODULES (samples/zcnfsd not built)"
		exit "$KSFT_SKIP"
	fi
}

# zcvfs + zcfs loaded, zcfs mounted at $ZCFS_DIR.
zn_setup_zcfs() {
	zn_insmod zcvfs && zn_insmod zcfs || return 1
	mkdir -p $ZCFS_DIR
	grep -q " $ZCFS_DIR zcfs " /proc/mounts ||
		mount -t zcfs -o $ZCFS_OPTS none $ZCFS_DIR
}

zn_setup_tmpfs() {
	mkdir -p $TMPFS_DIR
	grep -q " $TMPFS_DIR tmpfs " /proc/mounts || mount -t tmpfs -o size=512m none $TMPFS_DIR
}

# Is the server answering NULL on its NFS and MOUNT ports?
zn_ping() { "$HERE/zcnfsd_robust" -p $NFS_PORT -m $MNT_PORT -t 5 ping 2>/dev/null; }

# Wait until the server serves no connection (10 s): a connection's thread
# ends a little after the client closed it.
zn_conns_idle() {
	local i=0
	while [ "$(zn_val $SRV_STATS connections_open)" != 0 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { ktap_print_msg "connections still open"; return 1; }
		sleep 0.1
	done
}

# Parameters zn_server_load passes before its own: root_squash=0, as NFSD
# users export to test clients that work as root (no_root_squash): the
# suites write as root into root-owned directories.  zcnfsd_security.sh
# empties it to test the defaults (root squashed).
ZN_LOAD_PARAMS=${ZN_LOAD_PARAMS-root_squash=0}

# zn_server_load EXPORT [PARAM=VALUE...]: load, wait until it answers.
zn_server_load() {
	local export=$1 i=0
	shift
	# shellcheck disable=SC2086
	insmod "$ZCVFS_MODULES/zcnfsd.ko" export_path="$export" port=$NFS_PORT \
		mountport=$MNT_PORT $ZN_LOAD_PARAMS "$@" || return 1
	while ! zn_ping; do
		i=$((i + 1))
		[ $i -lt 60 ] || { ktap_print_msg "the server does not answer NULL"; return 1; }
		sleep 1
	done
}

zn_server_unload() { rmmod zcnfsd && ! zn_loaded zcnfsd; }

# zn_mount ADDR EXPORT DIR [EXTRA_OPTS]
zn_mount() {
	"$HERE/zcnfsd_mount" mount "$1:$2" "$3" nfs "$(nfs_opts $1 $4)" &&
		grep -q " $3 nfs " /proc/mounts
}

zn_umount() { "$HERE/zcnfsd_mount" umount "$1" && ! grep -q " $1 nfs " /proc/mounts; }

# A counter: zn_val FILE NAME (-1000000000000 if missing, so that the
# arithmetic below never fails on an empty string; zn_check_names reports
# missing counters).
zn_val() { awk -v n="$2" 'BEGIN { v = -1000000000000 } $1 == n { v = $2 } END { print v }' "$1" 2>/dev/null || echo -1000000000000; }

# zn_check_names FILE NAME...: every counter is there.
zn_check_names() {
	local f=$1 n ok=0
	shift
	for n in "$@"; do
		grep -q "^$n " $f 2>/dev/null || { ktap_print_msg "no counter $n in $f"; ok=1; }
	done
	return $ok
}
SRV_COUNTERS="connections_accepted connections_open connections_refused connections_evicted
 connections_idle_closed records_timed_out rpc_insecure_port rpc_calls rpc_garbage_args rpc_proc_unavail
 rpc_prog_unavail rpc_prog_mismatch rpc_auth_errors read_calls read_bytes read_zc_bytes
 read_copy_bytes read_fallbacks read_splice_bytes read_stack_copy_bytes read_zc_completions
 read_zc_copied_completions file_cache_hits file_cache_misses write_calls write_bytes write_zc_bytes write_copy_bytes
 write_fallbacks zc_sends_in_flight loans_outstanding"
ZCVFS_COUNTERS="nreqzcbuf nretzcbuf loans_outstanding enotsup einval zc_read_bytes zc_write_bytes
 write_pages_donated write_pages_copied"

# zn_d NAME A B: counter NAME in snapshot B minus in snapshot A (zcnfsd).
zn_d() { echo $(( $(zn_val $ST/$3.srv $1) - $(zn_val $ST/$2.srv $1) )); }
# The same for zcvfs's counters of filesystem type FSTYPE: zn_dz FSTYPE NAME A B.
zn_dz() { echo $(( $(zn_val $ST/$4.$1 $2) - $(zn_val $ST/$3.$1 $2) )); }

# Wait until no zero-copy send is in flight and no loan is held (10 s).
zn_settle() {
	local i=0
	while [ $i -lt 100 ]; do
		[ "$(zn_val $SRV_STATS zc_sends_in_flight)" = 0 ] &&
			[ "$(zn_val $SRV_STATS loans_outstanding)" = 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# zn_snap NAME: the server's and zcvfs's counters, after settling.
zn_snap() {
	zn_settle
	cat $SRV_STATS > $ST/$1.srv
	for t in zcfs tmpfs; do
		if [ -r $ZCVFS_STATS/$t/stats ]; then
			cat $ZCVFS_STATS/$t/stats > $ST/$1.$t
		else
			: > $ST/$1.$t
		fi
	done
}

# Print the deltas of the server's byte counters between two snapshots.
zn_show() {
	ktap_print_msg "$3: read_bytes +$(zn_d read_bytes $1 $2) read_zc_bytes +$(zn_d read_zc_bytes $1 $2)" \
		"read_copy_bytes +$(zn_d read_copy_bytes $1 $2) read_stack_copy_bytes +$(zn_d read_stack_copy_bytes $1 $2)" \
		"read_splice_bytes +$(zn_d read_splice_bytes $1 $2) read_fallbacks +$(zn_d read_fallbacks $1 $2)" \
		"read_zc_completions +$(zn_d read_zc_completions $1 $2) read_zc_copied_completions +$(zn_d read_zc_copied_completions $1 $2)" \
		"write_bytes +$(zn_d write_bytes $1 $2) write_zc_bytes +$(zn_d write_zc_bytes $1 $2)" \
		"write_copy_bytes +$(zn_d write_copy_bytes $1 $2) write_fallbacks +$(zn_d write_fallbacks $1 $2)" \
		"read_calls +$(zn_d read_calls $1 $2) write_calls +$(zn_d write_calls $1 $2)"
}

# zn_timed LABEL CMD...: run, print how long it took (LABEL: one word, as
# ktap_test_result splits its arguments).
zn_timed() {
	local label=$1 t0 rc
	shift
	t0=$(date +%s)
	"$@"
	rc=$?
	ktap_print_msg "time: $label: $(( $(date +%s) - t0 )) s"
	return $rc
}

# zn_expect COND MESSAGE: evaluate an arithmetic condition, log it if false.
zn_expect() {
	if [ $(( $1 )) -ne 0 ]; then
		return 0
	fi
	ktap_print_msg "expected $2 ($1)"
	return 1
}

# ---- The data-integrity matrix --------------------------------------------
#
# mx_* use MX_EXPORT (the exported directory), MX_MNT (where it is
# NFS-mounted from 127.0.0.1), MX_NFS (the matrix directory under MX_MNT),
# MX_LOCAL (the same directory through the export's local mount) and MX_TAG
# (snapshot names); the totals of the last run of the matrix program are in
# MX_BYTES / MX_PAGE_BYTES.

# The 64 MiB file costs minutes per matrix run on the debug kernel under
# TCG: the runs on x86_64 have it; on arm64 (about 3 times slower) they
# leave it out (MX_QUICK=1: zcnfsd_matrix -q) unless ZCNFSD_MATRIX_FULL=1
# (on the guest's kernel command line: run-guest.sh --append
# ZCNFSD_MATRIX_FULL=1).
MX_QUICK=
mx_quick() { [ "${ZCNFSD_MATRIX_FULL:-0}" != 1 ] && MX_QUICK=1; }

mx_run() {
	local out rc
	out=$("$HERE/zcnfsd_matrix" -s $SEED ${MX_QUICK:+-q} "$@")
	rc=$?
	echo "$out"
	MX_BYTES=$(echo "$out" | sed -n 's/.*totals files=[0-9]* bytes=\([0-9]*\) .*/\1/p')
	MX_PAGE_BYTES=$(echo "$out" | sed -n 's/.* page_bytes=\([0-9]*\) .*/\1/p')
	# No totals (the program died): impossible expectations.
	MX_BYTES=${MX_BYTES:-1000000000000}
	MX_PAGE_BYTES=${MX_PAGE_BYTES:-1000000000000}
	return $rc
}

mx_write() {
	mkdir -p $MX_NFS || return 1
	zn_snap $MX_TAG.w0
	mx_run write $MX_NFS
	local rc=$?
	zn_snap $MX_TAG.w1
	return $rc
}

# Read back through NFS with nothing cached by the client, so that every
# byte comes from the server: unmount and mount again (the page cache of a
# new superblock is empty; drop_caches alone could leave pages that are
# still referenced), then drop caches for good measure.
mx_read_nfs() {
	sync
	zn_umount $MX_MNT && echo 3 > /proc/sys/vm/drop_caches &&
		zn_mount 127.0.0.1 $MX_EXPORT $MX_MNT || return 1
	zn_snap $MX_TAG.r0
	mx_run verify $MX_NFS
	local rc=$?
	zn_snap $MX_TAG.r1
	return $rc
}

mx_read_local() { mx_run verify $MX_LOCAL; }

# O_DIRECT reads at unaligned offsets and lengths (the READs the server
# sees are as unaligned), without the 64 MiB file.
mx_read_direct() { mx_run -q -d verify $MX_NFS; }

# The server's counters over the write phase (w0..w1) and the read phase
# (r0..r1), per path: zc (zcfs export, zero-copy), copy (zerocopy=0),
# fallback (tmpfs export: the loan is refused, the copy path serves).
mx_counters() {
	local mode=$1 w=$MX_TAG.w0 W=$MX_TAG.w1 r=$MX_TAG.r0 R=$MX_TAG.r1
	local wb rb ok=0
	zn_check_names $ST/$R.srv $SRV_COUNTERS || ok=1
	zn_show $w $W "write phase"
	zn_show $r $R "read phase"
	wb=$(zn_d write_bytes $w $W)
	rb=$(zn_d read_bytes $r $R)
	zn_expect "$wb >= $MX_BYTES" "every byte written reaches the server as WRITE payload" || ok=1
	zn_expect "$rb >= $MX_BYTES" "every byte read back comes from the server as READ payload" || ok=1
	zn_expect "$(zn_d write_bytes $r $R) == 0" "no WRITE while reading back" || ok=1
	case $mode in
	zc)
		zn_expect "$(zn_d read_copy_bytes $r $R) == 0" "READ: 0 bytes copied by the server" || ok=1
		# Copies per payload byte count the network stack's too.
		zn_expect "$(zn_d read_stack_copy_bytes $r $R) == 0" "READ: 0 bytes copied by the network stack" || ok=1
		# A local peer (127.0.0.1): MSG_SPLICE_PAGES, no notification.
		zn_expect "$(zn_d read_splice_bytes $r $R) == $(zn_d read_zc_bytes $r $R)" "READ: loopback sends spliced (by route)" || ok=1
		zn_expect "$(zn_d read_zc_copied_completions $r $R) == 0" "READ: no completion reported a copy" || ok=1
		zn_expect "$(zn_d read_zc_bytes $r $R) == $rb" "READ: every payload byte sent by reference" || ok=1
		zn_expect "$(zn_d read_zc_bytes $r $R) >= $MX_PAGE_BYTES" "READ: at least the whole-page bytes sent by reference" || ok=1
		zn_expect "$(zn_d read_fallbacks $r $R) == 0" "READ: no fallback" || ok=1
		zn_expect "$(zn_d write_copy_bytes $w $W) == $wb" "WRITE: exactly one copy per payload byte (socket to page)" || ok=1
		zn_expect "$(zn_d write_zc_bytes $w $W) == $wb" "WRITE: every payload byte received into loaned pages" || ok=1
		zn_expect "$(zn_d write_fallbacks $w $W) == 0" "WRITE: no fallback" || ok=1
		;;
	copy|fallback)
		zn_expect "$(zn_d read_copy_bytes $r $R) == 2 * $rb" "READ: two copies per payload byte (file to buffer, buffer to skb)" || ok=1
		zn_expect "$(zn_d read_stack_copy_bytes $r $R) + $(zn_d read_splice_bytes $r $R) == 0" "READ: nothing by reference, so no stack copy of ours" || ok=1
		zn_expect "$(zn_d read_zc_bytes $r $R) == 0" "READ: nothing sent by reference" || ok=1
		zn_expect "$(zn_d write_copy_bytes $w $W) == 2 * $wb" "WRITE: two copies per payload byte (socket to buffer, buffer to page cache)" || ok=1
		zn_expect "$(zn_d write_zc_bytes $w $W) == 0" "WRITE: nothing received into loaned pages" || ok=1
		if [ $mode = copy ]; then
			zn_expect "$(zn_d read_fallbacks $r $R) + $(zn_d write_fallbacks $w $W) == 0" "zerocopy=0: no loan asked for, no fallback" || ok=1
		else
			zn_expect "$(zn_d read_fallbacks $r $R) > 0" "tmpfs: READ fallbacks counted" || ok=1
			zn_expect "$(zn_d write_fallbacks $w $W) > 0" "tmpfs: WRITE fallbacks counted" || ok=1
		fi
		;;
	esac
	return $ok
}

# zcvfs's view of the same phases (the provider side of the loans).
mx_provider() {
	local mode=$1 w=$MX_TAG.w0 W=$MX_TAG.w1 r=$MX_TAG.r0 R=$MX_TAG.r1 ok=0
	case $mode in
	zc)
		zn_check_names $ST/$R.zcfs $ZCVFS_COUNTERS || ok=1
		ktap_print_msg "zcvfs/zcfs: zc_read_bytes +$(zn_dz zcfs zc_read_bytes $r $R)" \
			"zc_write_bytes +$(zn_dz zcfs zc_write_bytes $w $W)" \
			"write_pages_donated +$(zn_dz zcfs write_pages_donated $w $W)" \
			"write_pages_copied +$(zn_dz zcfs write_pages_copied $w $W)" \
			"nreqzcbuf +$(zn_dz zcfs nreqzcbuf $w $R) nretzcbuf +$(zn_dz zcfs nretzcbuf $w $R)"
		zn_expect "$(zn_dz zcfs zc_read_bytes $r $R) == $(zn_d read_zc_bytes $r $R)" \
			"zcvfs zc_read_bytes == the server's read_zc_bytes" || ok=1
		zn_expect "$(zn_dz zcfs zc_write_bytes $w $W) == $(zn_d write_zc_bytes $w $W)" \
			"zcvfs zc_write_bytes == the server's write_zc_bytes" || ok=1
		zn_expect "$(zn_dz zcfs nreqzcbuf $w $R) == $(zn_dz zcfs nretzcbuf $w $R)" \
			"every loan returned" || ok=1
		zn_expect "$(zn_val $ST/$R.zcfs loans_outstanding) == 0" "no loan outstanding" || ok=1
		if [ "$MX_BYTES" -gt $((64 << 20)) ]; then
			# The 64 MiB and 1 MiB + 13 sequential files are written in
			# whole pages from offset 0: their pages are donated.
			zn_expect "$(zn_dz zcfs write_pages_donated $w $W) >= 16384 + 256" \
				"whole pages of the sequential files donated" || ok=1
		fi
		;;
	copy)
		zn_check_names $ST/$R.zcfs nreqzcbuf || ok=1
		zn_expect "$(zn_dz zcfs nreqzcbuf $w $R) == 0" "zerocopy=0: no loan requested from zcvfs" || ok=1
		;;
	fallback)
		zn_check_names $ST/$R.tmpfs nreqzcbuf enotsup einval || ok=1
		ktap_print_msg "zcvfs/tmpfs: nreqzcbuf +$(zn_dz tmpfs nreqzcbuf $w $R)" \
			"enotsup +$(zn_dz tmpfs enotsup $w $R) einval +$(zn_dz tmpfs einval $w $R)"
		zn_expect "$(zn_dz tmpfs enotsup $w $R) > 0" "zcvfs answered ENOTSUP for tmpfs" || ok=1
		zn_expect "$(zn_dz tmpfs nreqzcbuf $w $R) - $(zn_dz tmpfs enotsup $w $R) - $(zn_dz tmpfs einval $w $R) <= 0" \
			"no tmpfs loan granted" || ok=1
		;;
	esac
	return $ok
}

# mx_all MODE TAG DESCRIPTION: the whole matrix as 6 KTAP results
# (TAG: one word, names the snapshots and the timings).
mx_all() {
	local mode=$1 tag=$2 label=$3
	MX_TAG=$tag
	ktap_print_msg "matrix $tag ($label): seed $SEED, NFS $MX_NFS, local $MX_LOCAL" \
		"${MX_QUICK:+(without the 64 MiB file)}"
	ktap_test_result "$label: matrix written through NFS (sequential, random offsets)" zn_timed $tag-write mx_write
	ktap_test_result "$label: read back through NFS, caches dropped" zn_timed $tag-nfs-read mx_read_nfs
	ktap_test_result "$label: read back through the local export" zn_timed $tag-local-read mx_read_local
	ktap_test_result "$label: unaligned O_DIRECT reads through NFS" zn_timed $tag-direct-read mx_read_direct
	ktap_test_result "$label: server counters" mx_counters $mode
	ktap_test_result "$label: zcvfs counters" mx_provider $mode
}
MX_PLAN=6

# zcvfs's loans of zcfs: none outstanding.
zn_no_loans() {
	local s=$ZCVFS_STATS/zcfs/stats
	[ -r $s ] || return 0
	ktap_print_msg "zcvfs/zcfs: loans_outstanding $(zn_val $s loans_outstanding)" \
		"nreqzcbuf $(zn_val $s nreqzcbuf) nretzcbuf $(zn_val $s nretzcbuf)"
	[ "$(zn_val $s loans_outstanding)" = 0 ]
}

# Unmount everything of ours and unload the modules (the last check of a
# script: zcfs cannot be unmounted while a loan pins it).
zn_teardown() {
	local ok=0 m
	for m in $NFS_DIR $NFS_DIR2; do
		grep -q " $m nfs " /proc/mounts || continue
		"$HERE/zcnfsd_mount" umount $m 2>/dev/null ||
			"$HERE/zcnfsd_mount" umount $m force 2>/dev/null ||
			"$HERE/zcnfsd_mount" umount $m detach || ok=1
	done
	if zn_loaded zcnfsd; then rmmod zcnfsd || ok=1; fi
	zn_no_loans || ok=1
	if grep -q " $ZCFS_DIR zcfs " /proc/mounts; then umount $ZCFS_DIR || ok=1; fi
	if grep -q " $TMPFS_DIR tmpfs " /proc/mounts; then umount $TMPFS_DIR || ok=1; fi
	if zn_loaded zcfs; then rmmod zcfs || ok=1; fi
	if zn_loaded zcvfs; then rmmod zcvfs || ok=1; fi
	return $ok
}

# The end of a script: how long it took, the KTAP totals.
zn_finished() {
	ktap_print_msg "time: $(basename "$0"): $(( $(date +%s) - ZN_T0 )) s in all"
	ktap_finished
}

# A raw-socket client program that prints its own KTAP (zcnfsd_robust,
# zcnfsd_handle_types) against the server exporting a zcfs mount: loads
# the modules around it (or skips without zcnfsd.ko), then prints the
# server's counters and exits with the program's status, or 1 if the
# server does not unload or zcfs does not unmount afterwards.
zn_run_client() {	# PROGRAM [ARGS...]
	local prog=$1 rc t0
	shift
	if [ ! -f "$ZCVFS_MODULES/zcnfsd.ko" ]; then
		ktap_print_header
		zn_require_server
	fi
	if ! zn_setup_zcfs || ! zn_server_load $ZCFS_DIR threads=80; then
		ktap_print_header
		ktap_exit_fail_msg "cannot load the modules and export the zcfs mount"
	fi
	t0=$(date +%s)
	"$HERE/$prog" -p $NFS_PORT -m $MNT_PORT -e $ZCFS_DIR "$@"
	rc=$?
	ktap_print_msg "time: ${prog#zcnfsd_}: $(( $(date +%s) - t0 )) s"
	ktap_print_msg "server counters: $(tr '\n' ' ' < $SRV_STATS)"
	if ! zn_teardown; then
		ktap_print_msg "after the cases: rmmod zcnfsd, umount zcfs or rmmod failed"
		rc=1
	fi
	ktap_print_msg "time: $(basename "$0"): $(( $(date +%s) - ZN_T0 )) s in all"
	exit $rc
}
