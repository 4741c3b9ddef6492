# SPDX-License-Identifier: GPL-2.0
# The QEMU command line of the zcvfs test guest (sourced by run-guest.sh and
# boot-loop.sh, so that both boot the very same machine).
#
#   zcvfs_qemu_cmd ARCH KERNEL-IMAGE INITRD KERNEL-ARGS
#
# Sets the array `qemu`.  ZCVFS_X86_CPU replaces the x86_64 CPU model (only
# for experiments such as boot-loop.sh --cpu; see the comment below), and
# ZCVFS_ARM64_CPU the arm64 one (make bench's Neoverse-N1 micro run).
zcvfs_qemu_cmd() {
	local arch=$1 image=$2 initrd=$3 args=$4
	case $arch in
	x86_64)
		# A CPU without 5-level paging (la57=off), like every x86_64
		# server before Ice Lake: with LA57 the test kernel flakes
		# at boot.  identify_boot_cpu() clears boot_cpu_data's
		# capability words and reads CPUID back with interrupts on;
		# until the alternatives are patched, pgtable_l5_enabled()
		# reads that word, so an interrupt in the window sees 4-level
		# paging while the direct map is 5-level, and KASAN's
		# addr_has_metadata() reports the per-CPU access as a
		# "wild-memory-access".
		#
		# no_timer_check: the boot-time probe of the timer interrupt
		# waits a fixed number of TSC cycles for 4 ticks; on a loaded
		# host the vCPU misses them and the kernel panics ("IO-APIC +
		# timer doesn't work!").  The kernel sets it itself for KVM,
		# Hyper-V and VMware guests; TCG needs it as much.
		qemu=(qemu-system-x86_64 -M pc -cpu "${ZCVFS_X86_CPU:-max,la57=off}"
		      -append "console=ttyS0 no_timer_check $args") ;;
	arm64)
		# pauth-impdef: QEMU's cheap pointer-authentication algorithm;
		# the architected one is very slow to emulate.  ZCVFS_ARM64_CPU
		# replaces the model, for experiments (e.g. "neoverse-n1": a
		# deployed server core without FEAT_MOPS; benchmarks.rst).
		qemu=(qemu-system-aarch64 -M virt -cpu "${ZCVFS_ARM64_CPU:-max,pauth-impdef=on}"
		      -append "console=ttyAMA0 $args") ;;
	*) zcvfs_die "unknown arch $arch" ;;
	esac
	# sockets=N: SeaBIOS's MP table (x86_64 has no ACPI in tinyconfig)
	# marks a second core of one socket disabled, but lists a second socket.
	# ZCVFS_GUEST_CPUS (default 2): `make bench` boots its guests with one
	# vCPU (tools/bench/bench.sh explains why).
	local cpus=${ZCVFS_GUEST_CPUS:-2}
	qemu+=(-smp "$cpus,sockets=$cpus,cores=1" -m 2G -accel tcg -display none -monitor none
	       -serial stdio -no-reboot -kernel "$image" -initrd "$initrd")
}
