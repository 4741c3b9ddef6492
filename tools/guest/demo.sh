#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the guest: what `make demo` shows.  Each step is also a
# KTAP result, so the demo fails loudly when the thing it shows is broken.
. /kselftest/kselftest/ktap_helpers.sh
M=/zcvfs/modules

step() {	# description command...
	desc=$1; shift
	echo "## $desc"
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}

ktap_print_header
ktap_set_plan 3
echo "## zcvfs demo on $(uname -m), kernel $(uname -r)"
load() { insmod $M/zcvfs.ko && dmesg | grep 'zcvfs:' | tail -n 3; }
step "load zcvfs.ko (the extension layer)" load
step "zcvfs is live in /sys/module" test -d /sys/module/zcvfs
step "unload zcvfs.ko" rmmod zcvfs
ktap_finished
