# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the zcvfs selftests (sourced, busybox sh).

. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

# Where the guest image keeps our modules.
ZCVFS_MODULES=${ZCVFS_MODULES:-/zcvfs/modules}

# zcvfs_insmod NAME [PARAMS...]: load one of our modules.
zcvfs_insmod() {
	name=$1; shift
	insmod "$ZCVFS_MODULES/$name.ko" "$@"
}

# zcvfs_loaded NAME: is the module loaded?
zcvfs_loaded() {
	[ -d "/sys/module/$1" ]
}

# zcvfs_klog_since MARK: kernel log lines after the line containing MARK.
zcvfs_klog_mark() {
	ZCVFS_KLOG_MARK="zcvfs-selftest-mark-$$-$(date +%s)"
	echo "$ZCVFS_KLOG_MARK" > /dev/kmsg
}
zcvfs_klog_since_mark() {
	dmesg | sed -n "/$ZCVFS_KLOG_MARK/,\$p"
}
