#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: what copy reduction buys, measured in one guest run per
# architecture (Documentation/benchmarks.rst).
#
#   1. builds (or reuses) the bench kernels: the test kernel's configuration
#      without the debug options (ZCVFS_KERNEL_FLAVOR=bench), and the
#      modules against them (objects in build/bench/ARCH/);
#   2. boots the x86_64 and arm64 guests side by side in mode bench; each
#      runs tools/bench/guest/zcvfs_bench/zcvfs_bench.sh: the in-kernel
#      micro benchmark, the sendfile anchor and the NFS measurements;
#   3. unless ZCVFS_BENCH_NET=0, the NIC benchmarks, per architecture: a
#      server guest and a client guest (zcvfs_bench_role=server|client,
#      tools/bench/guest/zcvfs_bench/zcvfs_net.sh) joined by an emulated
#      Intel NIC (e1000 on x86_64, e1000e on arm64) over a QEMU stream
#      netdev on the host's loopback; the arches' pairs side by side; a
#      pair one of whose guests stalls at boot (run-guest.sh's watchdog)
#      is run again once, as a whole;
#   4. tools/bench/report.py writes build/bench/results.json and
#      results.md (printed at the end) and, for a full bench-kernel run,
#      regenerates Documentation/benchmarks-results.rst.
#
# Settings (environment):
#   ZCVFS_ARCHES             guest arches (default: x86_64 arm64)
#   ZCVFS_BENCH_MIB          test file size in MiB (default 256)
#   ZCVFS_BENCH_REPS         repetitions of the socket anchor and rounds of
#                            the micro benchmark (default 5)
#   ZCVFS_BENCH_NFS_REPS     repetitions of every NFS measurement (default 3)
#   ZCVFS_BENCH_MICRO_SAMPLES  samples per method, size and micro round (9), each
#                            the mean time of the iterations of one batch
#   ZCVFS_BENCH_MICRO_BATCH_MS of at least this many milliseconds (200)
#   ZCVFS_BENCH_NET          0: skip the NIC benchmarks (step 3; default 1)
#   ZCVFS_BENCH_LOOPBACK     0: skip the single-guest benchmarks (step 2)
#   ZCVFS_BENCH_N1           0: skip the arm64 micro benchmark on a
#                            Neoverse-N1 CPU model (after step 2; "arm64-n1")
#   ZCVFS_BENCH_ONLY         micro: only the in-kernel micro benchmark
#                            (step 2 without the anchor and NFS, no step 3;
#                            test file 32 MiB unless ZCVFS_BENCH_MIB is set;
#                            docs only with ZCVFS_BENCH_DOCS=1, and then
#                            the other tables are kept from the previous
#                            build/bench/results.json)
#   ZCVFS_KERNEL_FLAVOR      bench (default) or test (the debug kernel, for
#                            developing the benchmark itself: the results
#                            say so and the docs are left alone)
#   ZCVFS_BENCH_DOCS         1: regenerate the docs whatever the flavour;
#                            0: never
#   ZCVFS_BENCH_CPUS         vCPUs of every bench guest (default 1; the
#                            test guests have 2): with two, a vCPU that
#                            the host preempts while it holds a spinlock
#                            leaves the other spinning, and the guests
#                            outnumber the host's cores as soon as two
#                            run side by side. In a loopback NFS READ
#                            under TCG on 2 host cores, 96-98 % of the
#                            guest's kernel instructions were
#                            queued_spin_lock_slowpath with 2 vCPUs, none
#                            with 1 (Documentation/benchmarks.rst)
# Exits non-zero if a guest failed (a failed measurement, a kernel report)
# or produced no measurements; the tables are written in any case.
set -uo pipefail
. "$(dirname "$0")/../lib/env.sh"
cd "$ZCVFS_ROOT" || exit 1

t0=$(date +%s)
export ZCVFS_KERNEL_FLAVOR=${ZCVFS_KERNEL_FLAVOR:-bench}
export ZCVFS_GUEST_CPUS=${ZCVFS_BENCH_CPUS:-1}
flavor=$ZCVFS_KERNEL_FLAVOR
only=${ZCVFS_BENCH_ONLY:-}
case $only in
'') ;;
micro) export ZCVFS_BENCH_NET=0 ZCVFS_BENCH_LOOPBACK=1 ;;
*) zcvfs_die "ZCVFS_BENCH_ONLY: only 'micro' is known" ;;
esac
mib=${ZCVFS_BENCH_MIB:-256}
[ "$only" = micro ] && mib=${ZCVFS_BENCH_MIB:-32}
reps=${ZCVFS_BENCH_REPS:-5}
nfs_reps=${ZCVFS_BENCH_NFS_REPS:-3}
micro_samples=${ZCVFS_BENCH_MICRO_SAMPLES:-9}
micro_batch_ms=${ZCVFS_BENCH_MICRO_BATCH_MS:-200}
docs=${ZCVFS_BENCH_DOCS:-}
[ -n "$docs" ] || { [ "$flavor" = bench ] && [ -z "$only" ] && docs=1 || docs=0; }
read -r -a arches <<< "$ZCVFS_ARCHES"

# Everything of this run under build/bench/: module objects and guest logs
# per arch (apart from the test build's objects), results beside them.
out=$ZCVFS_BUILD/bench
export ZCVFS_BUILD=$out
mkdir -p "$out"

tools/setup/setup.sh --no-kernels "${arches[@]}" || zcvfs_die "setup failed"

# Kernels and modules first, one arch at a time (a kernel cache miss builds
# it here: ~15-25 minutes per arch), so that the guests only boot.
declare -A kdir
for arch in "${arches[@]}"; do
	kdir[$arch]=$(tools/kernel/build-kernel.sh "$arch") || zcvfs_die "$flavor kernel ($arch) failed"
	tools/build-modules.sh "$arch" "${kdir[$arch]}" > /dev/null || zcvfs_die "module build ($arch) failed"
done
t_built=$(date +%s)

append="zcvfs_bench_mib=$mib zcvfs_bench_reps=$reps zcvfs_bench_nfs_reps=$nfs_reps"
append+=" zcvfs_bench_micro_samples=$micro_samples zcvfs_bench_micro_batch_ms=$micro_batch_ms"
[ -n "$only" ] && append+=" zcvfs_bench_only=$only"
failed=0
logs=()
meta=()
if [ "${ZCVFS_BENCH_LOOPBACK:-1}" != 0 ]; then
	pids=()
	for arch in "${arches[@]}"; do
		zcvfs_log "guest $arch: benchmarks ($flavor kernel; log in $out/$arch/guest-bench.log)"
		( s=$(date +%s)
		  tools/guest/run-guest.sh "$arch" --mode bench --timeout "${ZCVFS_BENCH_TIMEOUT:-1500}" \
			--suite tools/bench/guest/zcvfs_bench --append "$append"
		  rc=$?
		  echo "$(( $(date +%s) - s ))" > "$out/$arch/guest-seconds"
		  exit $rc ) > "$out/guest-$arch.verdict" 2>&1 &
		pids+=($!)
	done
	for i in "${!arches[@]}"; do
		arch=${arches[$i]}
		wait "${pids[$i]}" || failed=1
		cat "$out/guest-$arch.verdict"
		logs+=(--log "$arch=$out/$arch/guest-bench.log")
		meta+=(--meta "guest_seconds_$arch=$(cat "$out/$arch/guest-seconds" 2>/dev/null || echo '?')")
	done
fi
# The arm64 micro benchmark once more, on a Neoverse-N1 CPU model (after the
# guests above: not beside them, on a 2-core host).  The default model,
# QEMU's "max", has FEAT_MOPS: the kernel's memcpy is then a few CPY*
# instructions, which QEMU carries out with the host's memmove, while every
# other instruction (a loan's) is emulated; the Neoverse-N1 (a deployed
# server core: Graviton2, Ampere Altra) has no FEAT_MOPS, so its copy is a
# loop of loads and stores emulated like the rest (benchmarks.rst, "Why a
# second arm64 CPU model").  Its results are the arch "arm64-n1".
# ZCVFS_BENCH_N1=0 skips it.
if [ "${ZCVFS_BENCH_LOOPBACK:-1}" != 0 ] && [ "${ZCVFS_BENCH_N1:-1}" != 0 ] &&
   [[ " ${arches[*]} " == *" arm64 "* ]]; then
	n1log=$out/arm64/guest-bench-n1.log
	zcvfs_log "guest arm64 on a Neoverse-N1: the micro benchmark (log in $n1log)"
	n1append="zcvfs_bench_mib=32 zcvfs_bench_reps=$reps zcvfs_bench_only=micro"
	n1append+=" zcvfs_bench_micro_samples=$micro_samples zcvfs_bench_micro_batch_ms=$micro_batch_ms"
	s=$(date +%s)
	ZCVFS_ARM64_CPU=neoverse-n1 tools/guest/run-guest.sh arm64 --mode bench \
		--timeout "${ZCVFS_BENCH_TIMEOUT:-1500}" --suite tools/bench/guest/zcvfs_bench \
		--append "$n1append" --log "$n1log" > "$out/guest-arm64-n1.verdict" 2>&1 || failed=1
	cat "$out/guest-arm64-n1.verdict"
	logs+=(--log "arm64-n1=$n1log")
	meta+=(--meta "guest_seconds_arm64-n1=$(( $(date +%s) - s ))")
	meta+=(--meta "kernel_arm64-n1=$(basename "${kdir[arm64]}")")
fi
for arch in "${arches[@]}"; do
	meta+=(--meta "kernel_$arch=$(basename "${kdir[$arch]}")")
done

# The NIC benchmarks: per arch a server guest (our modules, knfsd) and a
# client guest (none of our modules; own build directory, so that the two
# initramfs do not collide), joined by QEMU's stream netdev: the server's
# QEMU listens on a free port of the host's loopback, the client's connects.
# free_port: a TCP port of 127.0.0.1 that nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# One guest of the pair, role server (its QEMU listens on the port) or
# client (connects to it), with more run-guest.sh options after the port.
# Run it in the background: it becomes the guest's run-guest.sh in a
# session of its own, so that $! is the process group to end (kill -- -$!).
net_guest() {	# arch role nic port [run-guest.sh options]
	local arch=$1 role=$2 nic=$3 port=$4 server=off mac=02
	shift 4
	[ "$role" = server ] && server=on mac=01
	exec setsid tools/guest/run-guest.sh "$arch" --mode bench --boot-tries 1 \
		--timeout "${ZCVFS_BENCH_TIMEOUT:-1500}" "$@" \
		--suite tools/bench/guest/zcvfs_bench --append "$append zcvfs_bench_role=$role" \
		--log "$out/$arch/net-$role.log" \
		--qemu -netdev --qemu "stream,id=n0,server=$server,addr.type=inet,addr.host=127.0.0.1,addr.port=$port" \
		--qemu -device --qemu "$nic,netdev=n0,mac=52:54:00:17:00:$mac" \
		> "$out/net-$role-$arch.verdict" 2>&1
}
# One try of the pair. Returns 75 if a guest stalled at boot (its
# run-guest.sh gave up after one boot: the pair is tried again as a whole,
# since neither guest can go on without the other).
net_pair_once() {	# arch
	local arch=$1 nic port spid cpid i rc=0 src crc
	case $arch in
	x86_64) nic=e1000 ;;
	arm64) nic=e1000e ;;
	esac
	port=$(free_port)
	# A session of its own: if the client ends without telling the server
	# to stop, the server's run-guest.sh and its QEMU are ended as a group.
	net_guest "$arch" server "$nic" "$port" &
	spid=$!
	# The server's QEMU listens once its initramfs is packed.
	for i in $(seq 1 300); do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
		kill -0 $spid 2>/dev/null || break
		sleep 1
	done
	if ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
		zcvfs_log "net $arch: the server guest's QEMU never listened on port $port"
		rc=1
	else
		ZCVFS_BUILD=$out/net-client net_guest "$arch" client "$nic" "$port" --no-modules &
		cpid=$!
		# A server that stalled at boot will never answer: end the client.
		while kill -0 $cpid 2>/dev/null; do
			if ! kill -0 $spid 2>/dev/null; then
				wait $spid
				src=$?
				spid=
				[ $src = 75 ] && kill -- -$cpid 2>/dev/null
				break
			fi
			sleep 2
		done
		wait $cpid
		crc=$?
		[ $crc = 0 ] || rc=1
		# A client that stalled at boot will never ask: end the server.
		[ $crc = 75 ] && [ -n "$spid" ] && kill -- -$spid 2>/dev/null
	fi
	if [ -n "$spid" ]; then
		# The client's last request stops the server; give it two minutes.
		for i in $(seq 1 120); do
			kill -0 $spid 2>/dev/null || break
			sleep 1
		done
		if kill -0 $spid 2>/dev/null; then
			zcvfs_log "net $arch: the server guest did not stop after the client; ending it"
			kill -- -$spid 2>/dev/null
			rc=1
		fi
		wait $spid
		src=$?
	fi
	[ "${src:-1}" = 0 ] || rc=1
	if [ "${src:-}" = 75 ] || [ "${crc:-}" = 75 ]; then
		return 75
	fi
	return $rc
}
net_pair() {	# arch
	local arch=$1 s try rc
	s=$(date +%s)
	for try in 1 2; do
		net_pair_once "$arch"
		rc=$?
		[ $rc = 75 ] || break
		zcvfs_log "net $arch: a guest stalled at boot (try $try of 2)"
	done
	echo "$(( $(date +%s) - s ))" > "$out/$arch/net-seconds"
	return $rc
}
if [ "${ZCVFS_BENCH_NET:-1}" = 1 ]; then
	pids=()
	for arch in "${arches[@]}"; do
		zcvfs_log "net $arch: server and client guests over an emulated NIC (logs in $out/$arch/net-{server,client}.log)"
		net_pair "$arch" &
		pids+=($!)
	done
	for i in "${!arches[@]}"; do
		arch=${arches[$i]}
		wait "${pids[$i]}" || failed=1
		cat "$out/net-server-$arch.verdict" "$out/net-client-$arch.verdict" 2>/dev/null
		logs+=(--net "$arch=$out/$arch/net-client.log")
		meta+=(--meta "net_seconds_$arch=$(cat "$out/$arch/net-seconds" 2>/dev/null || echo '?')")
	done
fi

t1=$(date +%s)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain 2>/dev/null)" ] || commit="$commit+changes"
rst=()
[ "$docs" = 1 ] && rst=(--rst Documentation/benchmarks-results.rst)
# A partial run keeps the other measurements of the run before (if any).
merge=()
if [ -n "$only" ] && [ -f "$out/results.json" ]; then
	cp "$out/results.json" "$out/results.prev.json"
	merge=(--merge "$out/results.prev.json")
fi
wall="$(( (t1 - t0) / 60 )) min $(( (t1 - t0) % 60 )) s (build $(( t_built - t0 )) s)"
tools/bench/report.py --out "$out" "${logs[@]}" "${rst[@]}" "${merge[@]}" "${meta[@]}" \
	--meta "command=make bench" --meta "flavor=$flavor" --meta "commit=$commit" \
	--meta "wall=$wall" --meta "arches=${arches[*]}" --meta "only=$only" \
	--meta "guest_cpus=$ZCVFS_GUEST_CPUS" || failed=1

zcvfs_log "results: $out/results.md, $out/results.json"
if [ "$docs" = 1 ]; then
	zcvfs_log "docs: Documentation/benchmarks-results.rst regenerated"
else
	zcvfs_log "docs: not updated ($flavor kernel; ZCVFS_BENCH_DOCS=1 forces)"
fi
zcvfs_log "make bench: $wall"
exit $failed
