#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zcnfsd's module parameters: a load with a missing, nonexistent,
# non-directory or empty export_path, or with impossible port/threads
# values, fails cleanly (an errno, a log line, nothing loaded, nothing
# listening, no leak), and the module then loads and serves with good
# parameters and the documented defaults.
. "$(dirname "$0")/lib.sh"

ktap_print_header
zn_require_server
ktap_set_plan 11

zn_setup_zcfs || ktap_exit_fail_msg "cannot load zcvfs.ko/zcfs.ko or mount zcfs"
: > $ZCFS_DIR/regular-file

# bad_load DESCRIPTION PARAMS...: insmod must fail, leave nothing behind,
# and say why in the kernel log.
bad_load() {
	local before after
	before=$(dmesg | grep -c zcnfsd)
	if LOAD_OUT=$(insmod "$ZCVFS_MODULES/zcnfsd.ko" "$@" 2>&1); then
		ktap_print_msg "insmod zcnfsd.ko $*: loaded"
		rmmod zcnfsd
		return 1
	fi
	ktap_print_msg "insmod zcnfsd.ko $*: $LOAD_OUT"
	after=$(dmesg | grep -c zcnfsd)
	dmesg | grep zcnfsd | tail -n 1 | sed 's/^/# /'
	! zn_loaded zcnfsd || { ktap_print_msg "the module is still loaded"; return 1; }
	! zn_ping || { ktap_print_msg "something answers on port $NFS_PORT"; return 1; }
	[ $after -gt $before ] || { ktap_print_msg "no kernel log line"; return 1; }
}

einval() {
	echo "$LOAD_OUT" | grep -q "Invalid argument" ||
		{ ktap_print_msg "expected EINVAL"; return 1; }
}

missing() { bad_load && einval; }
ktap_test_result "no export_path: EINVAL, a log line, nothing loaded" missing

nonexistent() { bad_load export_path=/no/such/dir; }
ktap_test_result "export_path that does not exist: refused" nonexistent

notdir() { bad_load export_path=$ZCFS_DIR/regular-file && einval; }
ktap_test_result "export_path that is a regular file: EINVAL" notdir

empty() { bad_load export_path= ; }
ktap_test_result "empty export_path: refused" empty

badport() { bad_load export_path=$ZCFS_DIR port=70000 && bad_load export_path=$ZCFS_DIR port=-1; }
ktap_test_result "port 70000 and -1: refused" badport

# The NFS and MOUNT listeners cannot share a port: the second bind fails
# and the first listener must be closed again.
sameport() { bad_load export_path=$ZCFS_DIR port=$NFS_PORT mountport=$NFS_PORT; }
ktap_test_result "port equal to mountport: refused, no listener left" sameport

nothreads() { bad_load export_path=$ZCFS_DIR threads=0; }
ktap_test_result "threads=0: refused" nothreads

badopts() {
	bad_load export_path=$ZCFS_DIR idle_timeout=0 &&
		bad_load export_path=$ZCFS_DIR record_timeout=0 &&
		bad_load export_path=$ZCFS_DIR anonuid=4294967295
}
ktap_test_result "idle_timeout=0, record_timeout=0, anonuid=4294967295: refused" badopts

# Defaults: port 2049, mountport 20048 (without our port= parameters).
defaults() {
	local i=0
	insmod "$ZCVFS_MODULES/zcnfsd.ko" export_path=$ZCFS_DIR threads=2 || return 1
	until "$HERE/zcnfsd_robust" -p 2049 -m 20048 -t 5 ping; do
		i=$((i + 1))
		[ $i -lt 10 ] || break
		sleep 1
	done
	rmmod zcnfsd && [ $i -lt 10 ]
}
ktap_test_result "good parameters (the default ports, threads=2): loads, answers, unloads" defaults

# threads=2: two connections are served at once; each further connection
# evicts the least recently active one (connections_evicted), none is
# refused, and the server keeps serving.
capped() {
	local out answered closed
	zn_server_load $ZCFS_DIR threads=2 || return 1
	out=$("$HERE/zcnfsd_robust" -p $NFS_PORT -m $MNT_PORT -e $ZCFS_DIR conns 5 | tail -n 1)
	ktap_print_msg "threads=2, 5 connections at once: $out;" \
		"connections_evicted $(zn_val $SRV_STATS connections_evicted)" \
		"connections_refused $(zn_val $SRV_STATS connections_refused)"
	answered=$(echo "$out" | sed -n 's/^answered \([0-9]*\) closed \([0-9]*\)$/\1/p')
	closed=$(echo "$out" | sed -n 's/^answered \([0-9]*\) closed \([0-9]*\)$/\2/p')
	[ -n "$answered" ] && [ $((answered + closed)) = 5 ] && [ "$answered" -ge 2 ] &&
		[ "$(zn_val $SRV_STATS connections_evicted)" = 3 ] &&
		[ "$(zn_val $SRV_STATS connections_refused)" = 0 ] &&
		zn_conns_idle && zn_ping && zn_server_unload
}
ktap_test_result "threads=2: each connection beyond two evicts the least recently active one; the server keeps serving" capped

cleanup() { rm -f $ZCFS_DIR/regular-file && zn_teardown; }
ktap_test_result "no loan left; zcfs unmounts and the modules unload" cleanup
zn_finished
