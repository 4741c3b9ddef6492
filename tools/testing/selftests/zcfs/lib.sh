# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the zcfs selftests (sourced, busybox sh).

. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

# The kernel's kselftest runner sends each test's output to "$logfile",
# /dev/stdout; the guest's devtmpfs has no such link, so the first test's
# output lands in a regular file /dev/stdout.  Make it the link it should be
# so that the following tests' output (and subtests) reach the console.
if [ ! -L /dev/stdout ] && [ -w /dev ]; then
	rm -f /dev/stdout && ln -s /proc/self/fd/1 /dev/stdout
fi

# Where the guest image keeps our modules.
ZCVFS_MODULES=${ZCVFS_MODULES:-/zcvfs/modules}

# zcfs_insmod NAME: load one of our modules unless it is loaded.
zcfs_insmod() {
	[ -d "/sys/module/$1" ] || insmod "$ZCVFS_MODULES/$1.ko"
}

# zcfs_loaded NAME: is the module loaded?
zcfs_loaded() {
	[ -d "/sys/module/$1" ]
}
