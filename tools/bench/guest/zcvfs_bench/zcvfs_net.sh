#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The NIC benchmarks of `make bench`: a server guest and a client guest of
# one architecture, joined by an emulated Intel NIC (tools/bench/bench.sh
# boots them; Documentation/benchmarks.rst).  zcvfs_bench.sh runs this
# script when the kernel command line says zcvfs_bench_role=server|client.
#
#   zcvfs_net.sh server   sets up zcfs and tmpfs with the test file, knfsd
#                         exporting the tmpfs, then answers the client's
#                         requests (zcvfs_net agent) until it says quit
#   zcvfs_net.sh client   drives every measurement and the zero-copy
#                         assertion (nic_assert); prints KTAP and appends
#                         one JSON object per measurement to $ZCVFS_BENCH_OUT
#   zcvfs_net.sh REQUEST  one request of the client, run on the server by
#                         the agent: snap | info | load EXPORT ZEROCOPY |
#                         unload | check PATH | sendto HOST PORT PATH
#
# knfsd without nfs-utils: its export caches are filled through
# /proc/net/rpc/*/channel (what mountd would answer), and `zcvfs_net rpcd`
# is the rpcbind that knfsd registers with and the MOUNT server that hands
# out knfsd's root file handle (from /proc/fs/nfsd/filehandle).
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/bench_env.sh"
N=$DIR/zcvfs_net
NFS_REPS=${zcvfs_bench_nfs_reps:-3}
SRV=192.168.17.1
CLI=192.168.17.2
APORT=7777			# the server's agent
SPORT=5001			# the client's sendfile receiver
DOMAIN=bench-client		# knfsd's name for the client
# zcnfsd: NFS 2049, MOUNT 20048 (its own); knfsd: NFS 2050, MOUNT 20049.
OPTS="vers=3,proto=tcp,mountproto=tcp,nolock,addr=$SRV,rsize=1048576,wsize=1048576"
ZC_OPTS="$OPTS,port=2049,mountport=20048"
KN_OPTS="$OPTS,port=2050,mountport=20049"

log() { echo "# $*"; }
emit() { echo "$*" >> "$OUT"; }

# The NIC: the one interface besides lo.
nic_up() {	# address
	nic=
	for n in /sys/class/net/*; do
		[ "${n##*/}" = lo ] || { nic=${n##*/}; break; }
	done
	[ -n "$nic" ] || { log "no network interface"; return 1; }
	ip addr add "$1/24" dev "$nic" && ip link set "$nic" up || return 1
	driver=$(basename "$(readlink "/sys/class/net/$nic/device/driver")")
	log "$nic ($driver) is $1"
}

# ---- server ----------------------------------------------------------------

knfsd_setup() {
	mount -t nfsd nfsd /proc/fs/nfsd || return 1
	# Not on the console's pipe: /init waits for its end.
	$N rpcd 111 20049 $DOMAIN > /dev/null 2> /tmp/rpcd.log < /dev/null &
	sleep 1
	# What mountd would answer, valid for ten years: the client's address
	# is $DOMAIN; $DOMAIN may use $TMPFS (rw, no root squash, insecure
	# ports, no subtree check, fsid=1: flags 0x2402); fsid 1 is $TMPFS.
	exp=$(( $(date +%s) + 315360000 ))
	printf '%s\n' "nfsd $CLI $exp $DOMAIN" > /proc/net/rpc/auth.unix.ip/channel || return 1
	printf '%s\n' "$DOMAIN $TMPFS $exp 9218 65534 65534 1" > /proc/net/rpc/nfsd.export/channel || return 1
	printf '%s\n' "$DOMAIN 1 \\x01000000 $exp $TMPFS" > /proc/net/rpc/nfsd.fh/channel || return 1
	# 1 MiB READs and WRITEs like zcnfsd (the default is smaller below 4 GiB).
	echo 1048576 > /proc/fs/nfsd/max_block_size || return 1
	echo "tcp 2050" > /proc/fs/nfsd/portlist || return 1
	echo 8 > /proc/fs/nfsd/threads || return 1
}

server_setup() {
	insmod $M/zcvfs.ko && insmod $M/zcfs.ko || return 1
	mkdir -p $ZCFS $TMPFS
	mount -t zcfs -o $ZCFS_OPTS none $ZCFS || return 1
	mount -t tmpfs -o size=$((2 * MIB + 64))m tmpfs $TMPFS || return 1
	log "creating the ${MIB} MiB test file on zcfs and tmpfs"
	$B mkfile $ZCFS/src "$MIB" && $B mkfile $TMPFS/src "$MIB" || return 1
	nic_up $SRV
}

server() {
	ktap_print_header
	ktap_set_plan 3
	if server_setup; then
		ktap_test_pass "server: zcfs, tmpfs and the NIC set up"
	else
		ktap_test_fail "server: zcfs, tmpfs and the NIC set up"
		ktap_exit_fail_msg "no set-up"
	fi
	# Without knfsd the zcnfsd measurements still run (the client's knfsd
	# variant fails).
	ktap_test_result "server: knfsd exports the tmpfs" knfsd_setup
	log "serving the client (agent on port $APORT)"
	ktap_test_result "server: served the client until it said quit" \
		$N agent $APORT "$DIR/zcvfs_net.sh"
	[ -s /tmp/rpcd.log ] && sed 's/^/# rpcd: /' /tmp/rpcd.log
	ktap_finished
}

# ---- requests (on the server, from the agent) --------------------------------

unload() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		rmmod zcnfsd 2>/dev/null && return 0
		sleep 1
	done
	echo "rmmod zcnfsd keeps failing"
	return 1
}

request() {
	case $1 in
	snap)
		head -n 1 /proc/stat
		[ -r $NFSD_STATS ] && sed 's/^/zcnfsd./' $NFSD_STATS
		[ -r $ZCFS_STATS ] && sed 's/^/zcfs./' $ZCFS_STATS
		return 0 ;;
	info)
		for n in /sys/class/net/*; do
			[ "${n##*/}" = lo ] || break
		done
		echo "$(uname -m) $(uname -r) $(grep -c ^processor /proc/cpuinfo)" \
		     "$(awk '/^MemTotal/ {print $2}' /proc/meminfo)" \
		     "$(basename "$(readlink "$n/device/driver")")" ;;
	# root_squash=0: the client writes as root into root-owned exports,
	# as into knfsd's no_root_squash export.
	load) insmod $M/zcnfsd.ko export_path="$2" zerocopy="$3" root_squash=0 ;;
	unload) unload ;;
	check) $B verify-heads "$2" "$MIB"; rc=$?; rm -f "$2"; return $rc ;;
	sendto) $N sendto "$2" "$3" "$4" ;;
	*) echo "unknown request $1"; return 2 ;;
	esac
}

# ---- client ----------------------------------------------------------------

# timed BENCH VARIANT REP CMD...: one measurement with the server's CPU and
# counters around it (snapshots through the agent).
timed() {
	$N rpc $SRV $APORT snap > /tmp/snap.before || return 1
	line=$(timeout -s KILL $STEP_TIMEOUT "$@") || return 1
	$N rpc $SRV $APORT snap > /tmp/snap.after || return 1
	d=$($N delta /tmp/snap.before /tmp/snap.after) || return 1
	emit "${line%\}},\"srv\":$d}"
}

mount_nfs() {	# variant export
	case $1 in
	knfsd) $B nfsmount "$SRV:$2" $NFS "$KN_OPTS" ;;
	*) $B nfsmount "$SRV:$2" $NFS "$ZC_OPTS" ;;
	esac
}

# nfs_run VARIANT EXPORT ZEROCOPY REP
nfs_run() {
	v=$1; exp=$2; zc=$3; r=$4
	if [ "$v" != knfsd ]; then
		$N rpc $SRV $APORT load "$exp" "$zc" || return 1
	fi
	rc=0
	# READ through a fresh mount, the client's caches dropped.
	if mount_nfs "$v" "$exp"; then
		sync
		echo 3 > /proc/sys/vm/drop_caches
		if [ "$r" = 1 ]; then
			emit "{\"bench\":\"net_mount\",\"variant\":\"$v\",\"opts\":\"$(awk -v d=$NFS '$2 == d {print $4}' /proc/mounts)\"}"
		fi
		timed $B read -b net_read -v "$v" -r "$r" $NFS/src || rc=1
		umount $NFS || rc=1
	else
		rc=1
	fi
	# WRITE of a new file, fsynced and closed, through a fresh mount.
	if [ $rc = 0 ] && mount_nfs "$v" "$exp"; then
		timed $B write -b net_write -v "$v" -r "$r" $NFS/dst "$MIB" || rc=1
		umount $NFS || rc=1
	else
		rc=1
	fi
	if [ "$v" != knfsd ]; then
		$N rpc $SRV $APORT unload || rc=1
	fi
	# What the server wrote, checked where it lives; removed.
	$N rpc $SRV $APORT check "$exp/dst" || rc=1
	return $rc
}

sendfile_run() {	# rep
	timeout -s KILL $STEP_TIMEOUT $N netrecv -b net_sendfile -v sendfile -r "$1" \
		$SPORT "$MIB" $SRV $APORT sendto $CLI $SPORT $TMPFS/src >> "$OUT"
}

client_setup() {
	mkdir -p $NFS
	nic_up $CLI || return 1
	# The server boots, builds its files and starts knfsd meanwhile.
	i=0
	until info=$($N rpc $SRV $APORT info 2>/dev/null); do
		i=$((i + 1))
		[ $i -lt 300 ] || { log "no answer from the server's agent"; return 1; }
		sleep 2
	done
	set -- $info
	emit "{\"bench\":\"net_env\",\"arch\":\"$(uname -m)\",\"kernel\":\"$(uname -r)\"," \
	     "\"cpus\":$(grep -c ^processor /proc/cpuinfo)," \
	     "\"mem_kib\":$(awk '/^MemTotal/ {print $2}' /proc/meminfo),\"nic\":\"$driver\"," \
	     "\"srv_arch\":\"$1\",\"srv_kernel\":\"$2\",\"srv_cpus\":$3,\"srv_mem_kib\":$4," \
	     "\"srv_nic\":\"$5\",\"mib\":$MIB,\"nfs_reps\":$NFS_REPS," \
	     "\"zcfs_opts\":\"$ZCFS_OPTS\",\"nfs_opts\":\"$OPTS\"}"
}

# ---- the zero-copy assertion over the NIC ------------------------------------
#
# Besides measuring, `make bench` asserts what the test kernels (no PCI, no
# NIC) cannot: a READ through the Linux NFS client of a file on zcfs that
# zcnfsd serves zero-copy over the NIC (a non-local route: MSG_ZEROCOPY with
# a notification) returns the written data, is copied neither by the
# network stack nor by the server, and every loan comes back.

# ctr SNAPSHOT NAME: zcnfsd's counter NAME in a snapshot ("?" if absent).
ctr() {
	awk -v k="zcnfsd.$2" '$1 == k { v = $2 } END { print (v == "" ? "?" : v) }' "$1"
}

# dctr NAME: its change from /tmp/assert.before to /tmp/assert.after.
dctr() {
	b=$(ctr /tmp/assert.before "$1"); a=$(ctr /tmp/assert.after "$1")
	case "$b$a" in *\?*) echo "?" ;; *) echo $((a - b)) ;; esac
}

# nic_assert: one READ of the whole test file; sets a_data (the bytes read
# are the pattern the server wrote, every word) and leaves the server's
# counters before and after in /tmp/assert.{before,after}, the "after" one
# taken once no loan is outstanding (or after 60 s).
nic_assert() {
	a_data=0
	rm -f /tmp/assert.before /tmp/assert.after
	$N rpc $SRV $APORT load "$ZCFS" 1 || return 1
	if mount_nfs zcfs-zc "$ZCFS"; then
		sync
		echo 3 > /proc/sys/vm/drop_caches
		if $N rpc $SRV $APORT snap > /tmp/assert.before; then
			timeout -s KILL $STEP_TIMEOUT $B verify $NFS/src "$MIB" && a_data=1
		fi
		umount $NFS
	fi
	# A loan comes back when the stack releases the pages (the client
	# acknowledged them): poll.
	for i in $(seq 1 60); do
		$N rpc $SRV $APORT snap > /tmp/assert.after || break
		[ "$(ctr /tmp/assert.after loans_outstanding)" = 0 ] && break
		sleep 1
	done
	$N rpc $SRV $APORT unload
}

# The four verdicts of the assertion, on the counters nic_assert_report reads.
assert_data() { [ "$a_data" = 1 ]; }
assert_no_stack_copy() {
	[ "$rd" != "?" ] && [ "$rd" -ge $((MIB * 1048576)) ] && [ "$sc" = 0 ] && [ "$scc" = 0 ]
}
assert_no_server_copy() {
	[ "$rd" != "?" ] && [ "$cp" = 0 ] && [ "$fb" = 0 ] && [ "$zc" = "$rd" ]
}
assert_loans_back() {
	[ "$loans" = 0 ] && [ "$comp" != "?" ] && [ "$comp" -gt 0 ]
}

# nic_assert_report: the four KTAP results of the assertion.
nic_assert_report() {
	rd=$(dctr read_bytes); zc=$(dctr read_zc_bytes)
	sc=$(dctr read_stack_copy_bytes); scc=$(dctr read_zc_copied_completions)
	cp=$(dctr read_copy_bytes); fb=$(dctr read_fallbacks)
	comp=$(dctr read_zc_completions)
	loans=$(ctr /tmp/assert.after loans_outstanding)
	log "net assert: READ bytes $rd, by loan $zc, copied by the server $cp" \
	    "(fallbacks $fb), copied by the stack $sc ($scc copied completions)," \
	    "zerocopy completions $comp, loans outstanding after $loans"
	d="net assert: zero-copy READ of $MIB MiB over the NIC"
	ktap_test_result "$d returns the written data" assert_data
	ktap_test_result "$d: the network stack copied 0 bytes" assert_no_stack_copy
	ktap_test_result "$d: the server copied 0 bytes" assert_no_server_copy
	ktap_test_result "$d: every loan returned, zerocopy completions seen" assert_loans_back
}

VARIANTS="zcfs-zc zcfs-copy tmpfs knfsd sendfile"

client() {
	ktap_print_header
	ktap_set_plan 10
	if client_setup; then
		ktap_test_pass "client: the NIC up, the server answers"
	else
		ktap_test_fail "client: the NIC up, the server answers"
		ktap_exit_fail_msg "no server, no measurements"
	fi
	for v in $VARIANTS; do eval "ok_$(echo $v | tr - _)=1"; done
	log "net: $NFS_REPS x (zcnfsd on zcfs zero-copy, on zcfs zerocopy=0, on tmpfs; knfsd on tmpfs) x (read, write) of $MIB MiB, and sendfile"
	for r in $(seq 1 "$NFS_REPS"); do
		for v in $VARIANTS; do
			ok=$(eval echo \$ok_$(echo $v | tr - _))
			[ "$ok" = 1 ] || continue
			log "net rep $r: $v"
			case $v in
			zcfs-zc) nfs_run $v $ZCFS 1 "$r" ;;
			zcfs-copy) nfs_run $v $ZCFS 0 "$r" ;;
			tmpfs) nfs_run $v $TMPFS 1 "$r" ;;
			knfsd) nfs_run $v $TMPFS 1 "$r" ;;
			sendfile) sendfile_run "$r" ;;
			esac
			if [ $? != 0 ]; then
				eval "ok_$(echo $v | tr - _)=0"
				log "net $v failed in repetition $r; kernel log:"
				dmesg | tail -n 20 | sed 's/^/#   /'
			fi
		done
	done
	log "net assert: zcnfsd zero-copy on zcfs, one READ of $MIB MiB through a fresh mount"
	if ! nic_assert; then
		log "net assert: a step failed; kernel log:"
		dmesg | tail -n 20 | sed 's/^/#   /'
	fi
	$N rpc $SRV $APORT quit > /dev/null || log "the server's agent did not quit"
	for v in $VARIANTS; do
		ok=$(eval echo \$ok_$(echo $v | tr - _))
		case $v in
		knfsd) desc="net: read and write of $MIB MiB through knfsd on tmpfs" ;;
		sendfile) desc="net: sendfile of $MIB MiB from the server's tmpfs" ;;
		*) desc="net: read and write of $MIB MiB through zcnfsd, $v" ;;
		esac
		if [ "$ok" = 1 ]; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
	done
	nic_assert_report
	ktap_finished
}

case ${1:-} in
server|client)
	. "$DIR/../kselftest/ktap_helpers.sh"
	: > "$OUT"
	"$1" ;;
*)
	request "$@" ;;
esac
