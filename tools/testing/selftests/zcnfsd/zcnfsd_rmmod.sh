#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zcnfsd going away under its clients: rmmod during a zero-copy READ and a
# WRITE in flight returns every loan, then a reload serves the same file
# handles and the (hard-mounted) client finishes its I/O with the right
# data; rmmod while the client is mounted and idle, then umount -f / -l;
# no crash, no loan left, zcfs unmounts.
. "$(dirname "$0")/lib.sh"

ktap_print_header
zn_require_server
ktap_set_plan 10

zn_setup_zcfs || ktap_exit_fail_msg "cannot load zcvfs.ko/zcfs.ko or mount zcfs"
SIZE=$((16 << 20))

ktap_test_result "zcnfsd.ko loads, exporting the zcfs mount" zn_server_load $ZCFS_DIR
ktap_test_result "NFS mount (hard)" zn_mount 127.0.0.1 $ZCFS_DIR $NFS_DIR

prepare() {
	"$HERE/zcnfsd_matrix" -s $SEED one write $ZCFS_DIR/big $SIZE 201 &&
		sync && echo 3 > /proc/sys/vm/drop_caches
}
ktap_test_result "a $SIZE-byte file written locally" prepare

# zn_reap PID SECONDS: wait for PID to end (killing it after SECONDS);
# its exit status, or 255 if it had to be killed.
zn_reap() {
	local i=0
	while kill -0 $1 2>/dev/null && [ $i -lt $2 ]; do
		sleep 1
		i=$((i + 1))
	done
	if kill -0 $1 2>/dev/null; then
		kill -9 $1
		wait $1
		return 255
	fi
	wait $1
}

# A reader and a writer through NFS, then rmmod in the middle of them.
restart() {
	local r w i=0 loans
	"$HERE/zcnfsd_matrix" -s $SEED one verify $NFS_DIR/big $SIZE 201 > $ST/reader.out 2>&1 & r=$!
	"$HERE/zcnfsd_matrix" -s $SEED one write $NFS_DIR/written $SIZE 202 > $ST/writer.out 2>&1 & w=$!
	# Until the server is busy with both.
	while [ $i -lt 50 ]; do
		[ "$(zn_val $SRV_STATS read_bytes)" -gt $((1 << 20)) ] &&
			[ "$(zn_val $SRV_STATS write_bytes)" -gt $((1 << 20)) ] && break
		sleep 0.2
		i=$((i + 1))
	done
	kill -0 $r 2>/dev/null && kill -0 $w 2>/dev/null ||
		ktap_print_msg "(the reader or the writer finished before rmmod)"
	ktap_print_msg "rmmod with read_bytes $(zn_val $SRV_STATS read_bytes)" \
		"write_bytes $(zn_val $SRV_STATS write_bytes)" \
		"zc_sends_in_flight $(zn_val $SRV_STATS zc_sends_in_flight)" \
		"loans_outstanding $(zn_val $SRV_STATS loans_outstanding)"
	timeout 60 rmmod zcnfsd || { ktap_print_msg "rmmod failed or hung"; return 1; }
	loans=$(zn_val $ZCVFS_STATS/zcfs/stats loans_outstanding)
	ktap_print_msg "after rmmod: zcvfs/zcfs loans_outstanding $loans"
	! zn_ping || { ktap_print_msg "still answering after rmmod"; return 1; }
	sleep 2
	zn_server_load $ZCFS_DIR || return 1
	# The hard mount retries against the new server.
	zn_reap $r 180; RESTART_READER=$?
	zn_reap $w 180; RESTART_WRITER=$?
	sed 's/^/# reader: /' $ST/reader.out
	sed 's/^/# writer: /' $ST/writer.out
	ktap_print_msg "reader exit $RESTART_READER, writer exit $RESTART_WRITER"
	[ "$loans" = 0 ] || { ktap_print_msg "loans left by the unloaded server"; return 1; }
	[ $RESTART_READER != 255 ] && [ $RESTART_WRITER != 255 ] ||
		{ ktap_print_msg "a client process never finished"; return 1; }
}
ktap_test_result "rmmod during a READ and a WRITE: every loan returned, the clients' calls end" zn_timed restart restart

# As with nfsd, a client's file handles stay valid across a server restart:
# the interrupted READ and WRITE complete with the right data, and the
# client, which keeps its dentries and inodes (only its page cache is
# dropped), reads the file again from the new server with the handle it
# got from the old one.
handles() {
	[ "$RESTART_READER" = 0 ] && [ "$RESTART_WRITER" = 0 ] &&
		"$HERE/zcnfsd_matrix" -s $SEED one verify $ZCFS_DIR/written $SIZE 202 || return 1
	sync && echo 1 > /proc/sys/vm/drop_caches || return 1
	local r0
	r0=$(zn_val $SRV_STATS read_bytes)
	"$HERE/zcnfsd_matrix" -s $SEED one verify $NFS_DIR/big $SIZE 201 || return 1
	ktap_print_msg "read again through the old handle: read_bytes +$(( $(zn_val $SRV_STATS read_bytes) - r0 ))"
	zn_expect "$(zn_val $SRV_STATS read_bytes) - $r0 >= $SIZE" "the file read again from the new server"
}
ktap_test_result "file handles survive the restart: the interrupted I/O completes correctly" handles

idle_rmmod() {
	rm -f $NFS_DIR/written && sync && zn_server_unload && zn_no_loans
}
ktap_test_result "rmmod while the client is mounted and idle" idle_rmmod

# Without the server, a soft mount would fail; the hard one blocks: a
# process stuck in it must not keep umount -f from working.
stuck() {
	local p
	# A name never looked up: a LOOKUP the dead server never answers.
	cat $NFS_DIR/never-looked-up > /dev/null 2>&1 &
	p=$!
	sleep 2
	if "$HERE/zcnfsd_mount" umount $NFS_DIR force; then
		ktap_print_msg "umount -f succeeded"
	else
		ktap_print_msg "umount -f refused; umount -l"
		"$HERE/zcnfsd_mount" umount $NFS_DIR detach || return 1
	fi
	zn_reap $p 30
	[ $? != 255 ] || { ktap_print_msg "a process was still stuck in the dead mount"; return 1; }
	! grep -q " $NFS_DIR nfs " /proc/mounts
}
ktap_test_result "umount -f (or -l) of the mount whose server is gone" zn_timed stuck stuck

# The server comes back and the client mounts again.
again() {
	zn_server_load $ZCFS_DIR && zn_mount 127.0.0.1 $ZCFS_DIR $NFS_DIR &&
		"$HERE/zcnfsd_matrix" -s $SEED one verify $NFS_DIR/big $SIZE 201
}
ktap_test_result "reload and mount again: the data is there" again

lazy() {
	zn_server_unload && "$HERE/zcnfsd_mount" umount $NFS_DIR detach &&
		! grep -q " $NFS_DIR nfs " /proc/mounts
}
ktap_test_result "rmmod, then umount -l" lazy

ktap_test_result "no loan left; zcfs unmounts and the modules unload" zn_teardown
zn_finished
