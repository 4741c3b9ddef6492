#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the guest: what `make demo` shows.  The main job end to
# end: zcfs (the provider) holds a file in its page cache, zcnfsd (the
# consumer) serves it to the guest's own Linux NFS client, and the counters
# show that the server (its network stack included) copied no READ payload
# and copied each WRITE payload byte once (socket to page).  Each step is also a KTAP result, so the demo
# fails loudly when the thing it shows is broken.  zcnfsd runs with NFSD's
# default export options: the client's root is squashed to 65534 (the
# export's root is made world-writable, as for such an export), which the
# WRITE step shows.
. /kselftest/kselftest/ktap_helpers.sh
M=/zcvfs/modules
MOUNT=/kselftest/zcnfsd/zcnfsd_mount
ZCFS=/mnt/zcfs
NFS=/mnt/nfs
SRV=/sys/kernel/debug/zcnfsd/stats
PROV=/sys/kernel/debug/zcvfs/zcfs/stats
OPTS=vers=3,proto=tcp,port=2049,mountport=20048,mountproto=tcp,nolock,addr=127.0.0.1
MIB=4

step() {	# description command...
	desc=$1; shift
	echo "## $desc"
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}

stat_of() {	# file name -> value
	awk -v n="$2" '$1 == n { print $2 }' "$1"
}

# The counters that matter, before and after, as differences.
snapshot() { cat $SRV > /tmp/srv.$1; cat $PROV > /tmp/prov.$1; }
delta() {	# file-prefix name
	echo $(($(stat_of /tmp/$1.after "$2") - $(stat_of /tmp/$1.before "$2")))
}

load() {
	insmod $M/zcvfs.ko && insmod $M/zcfs.ko &&
	mkdir -p $ZCFS && mount -t zcfs none $ZCFS && chmod 1777 $ZCFS &&
	dd if=/dev/urandom of=$ZCFS/served bs=1M count=$MIB 2>/dev/null &&
	insmod $M/zcnfsd.ko export_path=$ZCFS &&
	$MOUNT mount 127.0.0.1:$ZCFS $NFS nfs $OPTS &&
	grep " $NFS nfs" /proc/mounts
}

nfs_read() {
	snapshot before
	cat $NFS/served > /tmp/served.copy && cmp /tmp/served.copy $ZCFS/served &&
	snapshot after &&
	echo "# READ  ${MIB} MiB through NFS: server sent $(delta srv read_bytes) payload bytes," \
	     "$(delta srv read_zc_bytes) from loaned pages, copied $(delta srv read_copy_bytes)" &&
	echo "#       network stack copied $(delta srv read_stack_copy_bytes) of them" \
	     "($(delta srv read_splice_bytes) spliced to the local client;" \
	     "$(delta srv read_zc_copied_completions) of $(delta srv read_zc_completions) completions reported a copy)" &&
	echo "#       zcfs loaned $(delta prov zc_read_bytes) bytes in $(delta prov nreqzcbuf) loans" &&
	[ "$(delta srv read_copy_bytes)" -eq 0 ] && [ "$(delta srv read_stack_copy_bytes)" -eq 0 ] &&
	[ "$(delta srv read_zc_bytes)" -gt 0 ]
}

nfs_write() {
	snapshot before
	dd if=/dev/urandom of=/tmp/written bs=1M count=$MIB 2>/dev/null &&
	cp /tmp/written $NFS/written && sync &&
	cmp /tmp/written $ZCFS/written &&
	snapshot after &&
	echo "# WRITE ${MIB} MiB through NFS: server received $(delta srv write_bytes) payload bytes," \
	     "$(delta srv write_zc_bytes) straight into loaned pages, copied $(delta srv write_copy_bytes)" &&
	echo "#       zcfs took $(delta prov write_pages_donated) pages donated," \
	     "$(delta prov write_pages_copied) copied" &&
	echo "#       written by the client's root, owned by $(stat -c %u:%g $ZCFS/written)" \
	     "(root_squash)" &&
	[ "$(stat -c %u $ZCFS/written)" -eq 65534 ] &&
	[ "$(delta srv write_copy_bytes)" -eq "$(delta srv write_bytes)" ] &&
	[ "$(delta srv write_zc_bytes)" -gt 0 ]
}

unload() {
	$MOUNT umount $NFS && rmmod zcnfsd &&
	echo "# zcvfs loans outstanding after rmmod: $(stat_of $PROV loans_outstanding)" &&
	[ "$(stat_of $PROV loans_outstanding)" -eq 0 ] &&
	umount $ZCFS && rmmod zcfs && rmmod zcvfs
}

ktap_print_header
ktap_set_plan 4
echo "## zcvfs demo on $(uname -m), kernel $(uname -r)"
step "zcfs holds a ${MIB} MiB file; zcnfsd exports it; the Linux NFS client mounts it" load
step "READ through NFS: same bytes, 0 payload bytes copied by the server or its network stack" nfs_read
step "WRITE through NFS: same bytes, each payload byte copied once (socket to page), root squashed" nfs_write
step "unmount and unload: every loan returned" unload
ktap_finished
