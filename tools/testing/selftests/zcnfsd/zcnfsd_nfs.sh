#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's own NFS client against zcnfsd exporting a zcfs mount, on the
# zero-copy path: mount(2) with text options, the data-integrity matrix
# (written and read through NFS, cross-checked through the local zcfs
# mount) with the server's and zcvfs's counters proving 0 bytes copied by
# the server for READ payloads and exactly one copy (socket to page) for
# WRITE payloads; ls, mkdir, mv, rm, stat, chmod, truncate, df; a
# directory of 200 entries; ENOSPC from a full export; two clients writing different files in
# parallel; umount, rmmod, no loan left.
. "$(dirname "$0")/lib.sh"

ktap_print_header
zn_require_server
ktap_set_plan $((4 + MX_PLAN + 10 + 3))

zn_setup_zcfs || ktap_exit_fail_msg "cannot load zcvfs.ko/zcfs.ko or mount zcfs"

ktap_test_result "zcnfsd.ko loads, exporting the zcfs mount" zn_server_load $ZCFS_DIR
ktap_test_result "NFS mount with mount(2) text options" zn_mount 127.0.0.1 $ZCFS_DIR $NFS_DIR

root_view() {
	[ "$(stat -c %F $NFS_DIR)" = directory ] &&
		echo hello > $ZCFS_DIR/from-local && [ "$(cat $NFS_DIR/from-local)" = hello ] &&
		rm $ZCFS_DIR/from-local
}
ktap_test_result "the export's root and a file created locally, seen through NFS" root_view

mounts() {
	grep " $NFS_DIR nfs " /proc/mounts | sed 's/^/# /'
	# (port= is shown only when it is not 2049.)
	grep " $NFS_DIR nfs " /proc/mounts | grep "vers=3" | grep "nolock" | grep "proto=tcp" |
		grep "mountport=$MNT_PORT" | grep -q "mountproto=tcp"
}
ktap_test_result "/proc/mounts shows vers=3, nolock, tcp, the MOUNT port" mounts

# ---- The matrix, zero-copy path -------------------------------------------
# (With the 64 MiB file on x86_64; see mx_quick.)
[ "$(uname -m)" = x86_64 ] || mx_quick
MX_EXPORT=$ZCFS_DIR
MX_MNT=$NFS_DIR
MX_NFS=$NFS_DIR/matrix
MX_LOCAL=$ZCFS_DIR/matrix
mx_all zc zc "zero-copy (zcfs export)"

# ---- Namespace operations ---------------------------------------------------
D=$NFS_DIR/ops
L=$ZCFS_DIR/ops

mkdir_ls() {
	mkdir $D && mkdir $D/sub && echo hello > $D/sub/f && echo x > $D/g &&
		[ "$(ls $D | tr '\n' ' ')" = "g sub " ] && [ "$(ls $D/sub)" = f ] &&
		[ "$(ls $L | tr '\n' ' ')" = "g sub " ] && [ "$(cat $L/sub/f)" = hello ] &&
		[ "$(stat -c %h $D)" = "$(stat -c %h $L)" ]
}
ktap_test_result "mkdir, create and ls through NFS; the same seen locally" mkdir_ls

mv_ops() {
	mv $D/sub/f $D/f2 && [ ! -e $D/sub/f ] && [ "$(cat $D/f2)" = hello ] &&
		[ ! -e $L/sub/f ] && [ "$(cat $L/f2)" = hello ] &&
		mv $D/sub $D/sub2 && [ -d $L/sub2 ] && [ ! -e $L/sub ] &&
		mv $D/f2 $D/sub2/f3 && [ "$(cat $L/sub2/f3)" = hello ] &&
		# Over an existing file.
		mv $D/g $D/sub2/f3 && [ "$(cat $D/sub2/f3)" = x ] && [ ! -e $L/g ] &&
		[ "$(cat $L/sub2/f3)" = x ]
}
ktap_test_result "mv within and across directories, over an existing file" mv_ops

rm_ops() {
	! rmdir $D/sub2 2>/dev/null && [ -d $L/sub2 ] &&
		rm $D/sub2/f3 && [ ! -e $L/sub2/f3 ] && rmdir $D/sub2 && [ ! -e $L/sub2 ] &&
		! rm $D/nonexistent 2>/dev/null && rmdir $D && [ ! -e $L ]
}
ktap_test_result "rm, rmdir (a non-empty directory is refused)" rm_ops

attrs() {
	echo 0123456789 > $NFS_DIR/attr && chmod 600 $NFS_DIR/attr &&
		[ "$(stat -c %a $NFS_DIR/attr)" = 600 ] && [ "$(stat -c %a $ZCFS_DIR/attr)" = 600 ] &&
		truncate -s 4 $NFS_DIR/attr && [ "$(stat -c %s $ZCFS_DIR/attr)" = 4 ] &&
		[ "$(cat $NFS_DIR/attr)" = 0123 ] &&
		truncate -s 100000 $NFS_DIR/attr && [ "$(stat -c %s $NFS_DIR/attr)" = 100000 ] &&
		[ "$(tail -c +5 $NFS_DIR/attr | tr -d '\000' | wc -c)" = 0 ] &&
		df $NFS_DIR | sed 's/^/# /' && stat -f -c '%b %f' $NFS_DIR >/dev/null &&
		rm $NFS_DIR/attr
}
ktap_test_result "stat, chmod, truncate (SETATTR), df (FSSTAT) through NFS" attrs

bigdir() {
	local i=0
	mkdir $NFS_DIR/many || return 1
	while [ $i -lt 200 ]; do
		: > $NFS_DIR/many/entry-with-a-longish-name-$i || return 1
		i=$((i + 1))
	done
	[ "$(ls $NFS_DIR/many | wc -l)" = 200 ] && [ "$(ls $ZCFS_DIR/many | wc -l)" = 200 ] &&
		[ "$(ls $NFS_DIR/many | sort | md5sum)" = "$(ls $ZCFS_DIR/many | sort | md5sum)" ] &&
		rm -r $NFS_DIR/many && [ ! -e $ZCFS_DIR/many ]
}
ktap_test_result "a directory of 200 entries: created, listed (READDIRPLUS), removed" zn_timed bigdir bigdir

# A full zcfs answers NFS3ERR_NOSPC, which the client reports as ENOSPC:
# the export is remounted 256 pages (1 MiB) above its use, 4 MiB are
# written through NFS, then the size goes back to its default (50%).
nospc() {
	local used r
	used=$(stat -f -c '%b %f' $ZCFS_DIR | awk '{ print $1 - $2 }')
	mount -o remount,nr_blocks=$((used + 256)) $ZCFS_DIR || return 1
	dd if=/dev/zero of=$NFS_DIR/full bs=64k count=64 conv=fsync 2>$ST/dd.err; r=$?
	sed 's/^/# /' $ST/dd.err
	rm -f $NFS_DIR/full
	mount -o remount,size=50% $ZCFS_DIR || return 1
	[ $r != 0 ] && grep -q "No space left" $ST/dd.err &&
		[ "$(stat -f -c '%b %f' $ZCFS_DIR | awk '{ print $1 - $2 }')" -le $used ]
}
ktap_test_result "a full zcfs export: NFS WRITE fails with ENOSPC (NFS3ERR_NOSPC)" nospc

# ---- Two clients in parallel ---------------------------------------------------
# The second client mounts the export through 127.0.0.2: the Linux NFS
# client shares one nfs_client, and so one TCP connection, between all
# mounts of the same server address (nosharecache only separates the
# superblocks; nconnect spreads one mount's calls, round robin, over
# connections of one client), so a different loopback address is what gives
# a really separate client: its own nfs_client, superblock, page cache and
# connection, served by another server thread.
ktap_test_result "a second client mounts through 127.0.0.2" zn_mount 127.0.0.2 $ZCFS_DIR $NFS_DIR2

parallel() {
	local a b ra rb size=$((8 << 20)) open
	zn_snap par0
	"$HERE/zcnfsd_matrix" -s $SEED one write $NFS_DIR/parA $size 101 & a=$!
	"$HERE/zcnfsd_matrix" -s $SEED one write $NFS_DIR2/parB $size 102 & b=$!
	wait $a; ra=$?
	wait $b; rb=$?
	open=$(zn_val $SRV_STATS connections_open)
	zn_snap par1
	ktap_print_msg "connections_open $open, connections_accepted +$(zn_d connections_accepted par0 par1)," \
		"write_bytes +$(zn_d write_bytes par0 par1)"
	[ $ra = 0 ] && [ $rb = 0 ] || return 1
	zn_expect "$open >= 2" "two client connections open" &&
		zn_expect "$(zn_d write_bytes par0 par1) >= 2 * $size" "both files' bytes reached the server" &&
		sync && echo 3 > /proc/sys/vm/drop_caches &&
		# Each through the other client, and locally.
		"$HERE/zcnfsd_matrix" -s $SEED one verify $NFS_DIR2/parA $size 101 &&
		"$HERE/zcnfsd_matrix" -s $SEED one verify $NFS_DIR/parB $size 102 &&
		"$HERE/zcnfsd_matrix" -s $SEED one verify $ZCFS_DIR/parA $size 101 &&
		"$HERE/zcnfsd_matrix" -s $SEED one verify $ZCFS_DIR/parB $size 102 &&
		rm $NFS_DIR/parA $NFS_DIR2/parB
}
ktap_test_result "two clients write different files in parallel; each reads the other's" zn_timed parallel parallel

# ---- The server's cache of open files -------------------------------------------
# Repeated READs of one file reuse the file the first one opened
# (file_cache_hits rises; at most one open for it). A file removed through
# the second client (a REMOVE) while the first client still has it open is
# no longer served (the client's read fails: NFS3ERR_STALE, as from NFSD),
# not from the cache either, and its space is freed at once: the cache
# closed its file.
FC_SIZE=$((4 << 20))
zn_used() { stat -f -c '%b %f' $ZCFS_DIR | awk '{ print $1 - $2 }'; }
fc_hits() {
	local i
	dd if=/dev/urandom of=$NFS_DIR/cached bs=64k count=$((FC_SIZE >> 16)) conv=fsync 2>/dev/null ||
		return 1
	zn_snap fc0
	for i in 1 2 3; do
		echo 3 > /proc/sys/vm/drop_caches
		cat $NFS_DIR/cached > /dev/null || return 1
	done
	zn_snap fc1
	ktap_print_msg "read_calls +$(zn_d read_calls fc0 fc1)" \
		"file_cache_hits +$(zn_d file_cache_hits fc0 fc1) file_cache_misses +$(zn_d file_cache_misses fc0 fc1)"
	zn_expect "$(zn_d read_calls fc0 fc1) >= 3" "a READ per pass at least" &&
		zn_expect "$(zn_d file_cache_hits fc0 fc1) + $(zn_d file_cache_misses fc0 fc1) == $(zn_d read_calls fc0 fc1)" \
			"every READ counted as a hit or a miss" &&
		zn_expect "$(zn_d file_cache_misses fc0 fc1) <= 1" "one open of the file at most" &&
		zn_expect "$(zn_d file_cache_hits fc0 fc1) >= 2" "repeated READs served by the cached file"
}
ktap_test_result "repeated READs of a file: served by the cached open file (file_cache_hits)" fc_hits

fc_remove() {
	local used0 used1 r i=0
	exec 3< $NFS_DIR/cached || return 1
	used0=$(zn_used)
	zn_snap fc2
	rm $NFS_DIR2/cached || { exec 3<&-; return 1; }
	echo 3 > /proc/sys/vm/drop_caches
	cat <&3 > /dev/null 2> $ST/fc.err; r=$?
	exec 3<&-
	sed 's/^/# /' $ST/fc.err
	# The space of a file nobody holds open is freed when it is removed.
	while used1=$(zn_used); [ $used1 -gt $((used0 - (FC_SIZE >> 12))) ] && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	zn_snap fc3
	ktap_print_msg "read after REMOVE: exit $r; zcfs blocks used $used0 -> $used1;" \
		"file_cache_hits +$(zn_d file_cache_hits fc2 fc3)"
	zn_expect "$r != 0" "the removed file's READ fails" &&
		grep -qi "stale" $ST/fc.err &&
		zn_expect "$(zn_d file_cache_hits fc2 fc3) == 0" "nothing served from the cache" &&
		zn_expect "$used1 <= $used0 - ($FC_SIZE >> 12)" "the removed file's blocks freed"
}
ktap_test_result "a file removed by another client: STALE, not served from the cache, its space freed" fc_remove

# ---- The end ------------------------------------------------------------------
umounts() { zn_umount $NFS_DIR2 && zn_umount $NFS_DIR; }
ktap_test_result "umount of both clients" umounts
unload() { zn_server_unload && zn_no_loans; }
ktap_test_result "rmmod zcnfsd; no loan outstanding (zcvfs)" unload
ktap_test_result "zcfs unmounts (nothing pinned) and the modules unload" zn_teardown

zn_finished
