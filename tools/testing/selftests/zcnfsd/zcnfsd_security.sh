#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zcnfsd's security model (Documentation/zcnfsd.rst): every call runs with
# its caller's credentials, root is squashed, AUTH_NONE is anonymous,
# unprivileged source ports are refused -- with the default export options
# -- and no set of idle, trickling or non-reading connections keeps a fresh
# client out, idle and stalled connections are closed after their
# timeouts.  zcnfsd_security (a raw-socket RPC client) does one case per
# run; the guest's NFS client checks root squashing too.  The export is a
# subdirectory of a zcfs mount, owned by root.
. "$(dirname "$0")/lib.sh"

ktap_print_header
zn_require_server
ktap_set_plan 19

zn_setup_zcfs || ktap_exit_fail_msg "cannot load zcvfs.ko/zcfs.ko or mount zcfs"
SEC=$ZCFS_DIR/sec

# secret 0600, public 0644, big (4 MiB) 0644, rootdir/ 0755 with victim,
# open/ 1777: all owned by root.
tree() {
	rm -rf $SEC && mkdir -p $SEC/rootdir $SEC/open &&
		chmod 0755 $SEC $SEC/rootdir && chmod 1777 $SEC/open &&
		printf 'secret\n' > $SEC/secret && chmod 0600 $SEC/secret &&
		printf 'public\n' > $SEC/public && chmod 0644 $SEC/public &&
		printf 'victim\n' > $SEC/rootdir/victim &&
		dd if=/dev/urandom of=$SEC/big bs=1M count=4 2>/dev/null && chmod 0644 $SEC/big
}

sec() { "$HERE/zcnfsd_security" -p $NFS_PORT -m $MNT_PORT -e $SEC "$@"; }

# With the defaults: root_squash=1 all_squash=0 anonuid=anongid=65534 secure=1.
ZN_LOAD_PARAMS=
defaults() { tree && zn_server_load $SEC && dmesg | grep "zcnfsd: serving" | tail -n 1 | sed 's/^/# /'; }
ktap_test_result "the export tree; zcnfsd loads with the default export options" defaults
ktap_test_result "uid 1000: READ and WRITE of root's 0600 file are NFS3ERR_ACCES" sec read-write-denied
ktap_test_result "uid 1000: no CREATE, MKDIR or REMOVE in root's 0755 directory" sec create-denied
ktap_test_result "uid 1000: no chmod, chown, chgrp (NFS3ERR_PERM) or truncate (NFS3ERR_ACCES) of root's file" sec setattr-denied
ktap_test_result "no set-user-ID root file can be planted; a write clears set-user-ID" sec setuid
ktap_test_result "objects created by uid 1000 are owned by 1000:1000; supplementary groups count" sec owner
ktap_test_result "ACCESS answers for the caller (uid 1000, squashed root)" sec access
ktap_test_result "root is squashed to 65534:65534" sec root-squashed
ktap_test_result "AUTH_NONE is 65534:65534" sec auth-none
ktap_test_result "an unprivileged source port: NFS3ERR_PERM, MNT3ERR_ACCES, NULL answered" sec insecure-refused

# The guest's NFS client (a privileged port), as root: squashed.
client() {
	local ok=0 owner
	zn_mount 127.0.0.1 $SEC $NFS_DIR || return 1
	if cat $NFS_DIR/secret > /dev/null 2>&1; then
		ktap_print_msg "root read the 0600 file through the NFS client"
		ok=1
	fi
	echo hello > $NFS_DIR/open/client-file || ok=1
	owner=$(stat -c %u:%g $SEC/open/client-file 2>/dev/null)
	ktap_print_msg "NFS client as root: cat secret refused; open/client-file owned by $owner"
	[ "$owner" = 65534:65534 ] || ok=1
	zn_umount $NFS_DIR || ok=1
	return $ok
}
ktap_test_result "the NFS client as root: squashed (secret unreadable, new file 65534's)" client

insecure0() { zn_server_unload && zn_server_load $SEC secure=0 root_squash=0; }
ktap_test_result "reload with secure=0 root_squash=0" insecure0
ktap_test_result "secure=0: an unprivileged source port is served" sec insecure-accepted
ktap_test_result "root_squash=0: root reads the 0600 file, creates files owned by 0:0" sec root-unsquashed

# Connections: threads=4 (the connection limit), the default timeouts.
crowd() {
	zn_server_unload && zn_server_load $SEC threads=4 &&
		sec fresh-served 4 &&
		zn_settle && zn_conns_idle &&
		ktap_print_msg "after: $(grep -E 'connections|loans|zc_sends' $SRV_STATS | tr '\n' ' ')"
}
ktap_test_result "threads=4: 4 idle, 4 trickling and 2 non-reading connections; fresh clients served within 3 s; loans back" crowd

timeouts() {
	zn_server_unload && zn_server_load $SEC threads=4 idle_timeout=4 record_timeout=2 &&
		sec timeouts 4 2 && zn_settle
}
ktap_test_result "idle_timeout=4 record_timeout=2: idle connections closed after 4 s, a trickled call after 2 s" timeouts

no_setuid_root() {
	local f bad=
	for f in $(find $SEC -type f); do
		case $(stat -c %u:%a "$f") in
		0:[4567]???) bad="$bad $f" ;;
		esac
	done
	[ -z "$bad" ] || { ktap_print_msg "set-user-ID root files:$bad"; return 1; }
}
ktap_test_result "no set-user-ID root file anywhere in the export" no_setuid_root

cleanup() { zn_server_unload && rm -rf $SEC; }
ktap_test_result "zcnfsd unloads; the export tree removed" cleanup
ktap_test_result "no loan left; zcfs unmounts and the modules unload" zn_teardown
zn_finished
