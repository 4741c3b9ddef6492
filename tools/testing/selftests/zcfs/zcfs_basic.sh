#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zcfs is a real filesystem: mount it and use it with ordinary programs
# (cp, cat, dd, ls, rm, mv, mkdir, rmdir, ln, truncate, stat), mmap (the
# zcfs_mmap helper), mount options, rmmod while mounted, umount, rmmod.
. "$(dirname "$0")/lib.sh"

D=/tmp/zcfs-basic
T=/tmp/zcfs-basic-ref
HERE=$(dirname "$0")

ktap_print_header
ktap_set_plan 16

zcfs_insmod zcvfs || ktap_exit_fail_msg "cannot load zcvfs.ko"
load() { zcfs_insmod zcfs && grep -qw zcfs /proc/filesystems; }
ktap_test_result "zcfs.ko loads and registers the zcfs type" load

mkdir -p $D $T
mnt() { mount -t zcfs none $D && grep -q "^none $D zcfs " /proc/mounts; }
ktap_test_result "mount -t zcfs none DIR" mnt

# Reference data on tmpfs... or the initramfs: /tmp is the rootfs.
dd if=/dev/urandom of=$T/big bs=1k count=300 2>/dev/null
printf 'hello zcfs\n' > $T/small

copy() {
	cp $T/big $D/big && cp $T/small $D/small &&
	cmp $T/big $D/big && [ "$(cat $D/small)" = "hello zcfs" ]
}
ktap_test_result "cp and cat: data read back equal" copy

dd_io() {
	dd if=$T/big of=$D/dd bs=4096 seek=3 count=20 conv=notrunc 2>/dev/null &&
	[ "$(stat -c %s $D/dd)" = $((23 * 4096)) ] &&
	dd if=$D/dd of=$T/dd.out bs=4096 skip=3 count=20 2>/dev/null &&
	dd if=$T/big of=$T/dd.ref bs=4096 count=20 2>/dev/null &&
	cmp $T/dd.out $T/dd.ref &&
	# The hole reads as zeros.
	[ "$(dd if=$D/dd bs=4096 count=3 2>/dev/null | tr -d '\000' | wc -c)" = 0 ]
}
ktap_test_result "dd with seek/skip; holes read as zeros" dd_io

dirs() {
	mkdir $D/a && mkdir $D/a/b && touch $D/a/b/f &&
	[ "$(ls $D/a/b)" = f ] && [ "$(stat -c %h $D/a)" = 3 ] &&
	! rmdir $D/a 2>/dev/null && rm $D/a/b/f && rmdir $D/a/b && rmdir $D/a &&
	[ ! -e $D/a ]
}
ktap_test_result "mkdir, readdir, rmdir (ENOTEMPTY on a non-empty one)" dirs

rename() {
	cp $D/small $D/r1 && mv $D/r1 $D/r2 && [ ! -e $D/r1 ] &&
	[ "$(cat $D/r2)" = "hello zcfs" ] && mkdir $D/sub && mv $D/r2 $D/sub/r3 &&
	[ "$(cat $D/sub/r3)" = "hello zcfs" ] && rm $D/sub/r3 && rmdir $D/sub
}
ktap_test_result "rename within and across directories" rename

links() {
	ln $D/small $D/hard && [ "$(stat -c %h $D/small)" = 2 ] &&
	ln -s small $D/sym && [ "$(cat $D/sym)" = "hello zcfs" ] &&
	[ "$(readlink $D/sym)" = small ] && rm $D/hard $D/sym &&
	[ "$(stat -c %h $D/small)" = 1 ]
}
ktap_test_result "hard and symbolic links" links

trunc() {
	cp $T/big $D/t && truncate -s 5000 $D/t && [ "$(stat -c %s $D/t)" = 5000 ] &&
	dd if=$T/big of=$T/t.ref bs=5000 count=1 2>/dev/null && cmp $D/t $T/t.ref &&
	truncate -s 20000 $D/t && [ "$(stat -c %s $D/t)" = 20000 ] &&
	[ "$(dd if=$D/t bs=1 skip=5000 2>/dev/null | tr -d '\000' | wc -c)" = 0 ] &&
	truncate -s 0 $D/t && [ "$(stat -c %s $D/t)" = 0 ] && rm $D/t
}
ktap_test_result "truncate down and up (the tail reads as zeros)" trunc

stats() {
	s=$(stat -c '%s %F %a' $D/small) && [ "$s" = "11 regular file 644" ] &&
	[ "$(stat -c %F $D)" = directory ] &&
	stat -f -c %T $D >/dev/null
}
ktap_test_result "stat and statfs" stats

append() {
	printf 'one\n' > $D/ap && printf 'two\n' >> $D/ap && sync &&
	[ "$(cat $D/ap)" = "$(printf 'one\ntwo')" ] && rm $D/ap
}
ktap_test_result "append and fsync (sync)" append

mm() { "$HERE/zcfs_mmap" $D/mm; }
ktap_test_result "mmap: shared writes reach the file, file writes reach the map" mm

rmmod_busy() { ! rmmod zcfs 2>/dev/null && zcfs_loaded zcfs; }
ktap_test_result "rmmod zcfs while mounted fails" rmmod_busy

rmall() { rm -r $D/* && [ -z "$(ls $D)" ]; }
ktap_test_result "rm of everything" rmall

opts() {
	mkdir -p $D.o &&
	! mount -t zcfs -o min_loan=8192,max_loan=4096 none $D.o 2>/dev/null &&
	! mount -t zcfs -o max_loan_pages=0 none $D.o 2>/dev/null &&
	! mount -t zcfs -o bogus=1 none $D.o 2>/dev/null &&
	mount -t zcfs -o min_loan=4096,max_loan=65536,max_loan_pages=8,nozerocopy,mode=700 none $D.o &&
	grep "^none $D.o zcfs " /proc/mounts | grep -q "min_loan=4096,max_loan=65536,max_loan_pages=8,nozerocopy" &&
	[ "$(stat -c %a $D.o)" = 700 ] && umount $D.o
}
ktap_test_result "mount options: bad ones refused, good ones shown" opts

umnt() { umount $D && ! grep -q " $D zcfs " /proc/mounts; }
ktap_test_result "umount" umnt

unload() { rmmod zcfs && ! zcfs_loaded zcfs && rmmod zcvfs; }
ktap_test_result "rmmod zcfs after umount" unload

rm -rf $T
ktap_finished
