# SPDX-License-Identifier: GPL-2.0
# timeout: 1200
# KVM's own selftests (tools/testing/selftests/kvm of the kernel's Debian
# linux-source, built by scripts/setup-selftests and put in /selftests by
# tests/vm/run SELFTESTS=DIR): every arm64 test runs on stock KVM (module
# not loaded), then with the module loaded (insmod hpmn=3), and must reach
# the same verdict there: pass (exit 0), skip (exit 4, KSFT_SKIP), fail
# (any other exit, with the kselftest subtests it reported "not ok"), or
# timeout.  A test that fails on stock KVM is known-failing: its verdict
# with the module must still be the stock one.  Both CPUs stay online.
#
# Time under QEMU TCG with -icount shift=0 (one instruction = 1 ns of
# virtual time): a busy test runs about 10 times slower than real time;
# a guest that polls with YIELD (the selftests' cpu_relax()) barely
# advances the virtual clock at all, because each YIELD ends QEMU's
# translation block (about 20 ms of virtual time per real second).  So
# each run has two limits: LIMIT seconds of virtual time (busybox
# timeout), and a real-time watchdog on the PL031 RTC, which QEMU runs on
# the host's clock: an alarm after RTLIMIT real seconds kills the test.
#
# Measured on an idle 2-core host (stock run, QEMU 10, CPU=fgt; virtual /
# real seconds; every 7.3 test also pays about 1 s of virtual time, 2 to 3
# real, in kvm_destroy_vm's stage-2 teardown, kvm_pgtable_stage2_destroy_range):
#   6.12: 30 tests; 24 run, the boot takes about 45 s real;
#   7.3:  46 tests; 33 run, the boot takes 3.5 (QEMU 7.2) to 4.2 minutes (10).
# How each test runs: name (without aarch64/ or arm64/), then either a
# virtual-time limit and arguments, or "-" and why the test is left out.
how() {
	case $KSERIES:$1 in
	# Cheap on 6.x (under 1 s real), but on 7.x each of their VMs pays the
	# stage-2 teardown: 8 to 13 s real for the two runs (7.3, QEMU 7.2).
	7.*:access_tracking_perf_test|7.*:demand_paging_test|7.*:dirty_log_perf_test|\
	7.*:kvm_page_table_test|7.*:memslot_modification_stress_test)
		echo "- a memory benchmark (no PMU use) that costs 8 to 13 s real for its two runs on 7.x, where every VM's stage-2 teardown costs about 1 s of virtual time: left out to keep the boot within 4 minutes; it runs on 6.x"
		return ;;
	# The same teardown makes every 7.x test cost at least 2 s of virtual
	# time (about 15 s real) for its two runs: the generic tests, which
	# touch no arm64 or PMU code and run on 6.12, are left out on 7.x.
	7.*:guest_print_test|7.*:kvm_binary_stats_test|7.*:kvm_create_max_vcpus|\
	7.*:coalesced_io_test|7.*:steal_time)
		echo "- generic (no arm64 or PMU code), run on 6.12; on 7.x each of its two runs pays about 1 s of virtual time in stage-2 teardown: left out for time"
		return ;;
	esac
	case $1 in
	# 10000 single steps by default: 1.2 s / 14 s (6.12); -i 1000: 0.5 / 2.
	debug-exceptions) echo "30 -i 1000" ;;
	# 4 vCPUs x 5 iterations x 10 ms by default, each wait a YIELD poll:
	# over 60 s real for 1 s virtual; this: 0.05 / 1 (6.12), 1.1 / 4 (7.3).
	arch_timer) echo "30 -n 2 -i 2 -p 2" ;;
	# 1 GiB per vCPU in every guest mode by default; these: 1 guest mode
	# (P40V48_4K), 4 MiB, 1 vCPU: 0 to 8 s real each.
	demand_paging_test) echo "30 -m 6 -b 4M -v 1" ;;
	dirty_log_perf_test) echo "30 -m 6 -b 4M -i 2 -v 1" ;;
	kvm_page_table_test) echo "30 -m 6 -b 4M -v 1" ;;
	memslot_modification_stress_test) echo "30 -m 6 -b 4M -v 1 -i 2" ;;
	arch_timer_edge_cases) echo "- each check waits 10 to 100 ms in a YIELD poll: 0.4 s of virtual time in 60 s real, and no argument shortens its 50 ms no-IRQ waits" ;;
	page_fault_test) echo "- its guest spins at its EL1 sync vector under QEMU TCG: the virtual clock stops, so no timeout fires and the boot hangs" ;;
	rseq_test) echo "- 100000 forced task migrations, no argument to shorten them: over 60 s real (5.6 s virtual, unfinished)" ;;
	mmu_stress_test) echo "- touches at least 1 GiB of guest memory (-c 1 -m 1 -s 1): over 60 s real, unfinished" ;;
	memslot_perf_test) echo "- a benchmark over 32 to 512 MiB of guest memory: over 60 s real (22 s virtual, unfinished); its map test alone (-f 0 -e 0 -s 64 -l 1) 19 s real" ;;
	irqfd_test) echo "- 27 s real (2.8 s virtual) on 7.3, no argument to shorten it" ;;
	set_memory_region_test) echo "- adds the maximum number of memslots, no argument to shorten it: 12 s real (6.12), 21 s (7.3)" ;;
	dirty_log_test) echo "- runs every dirty-log mode, at least 3 iterations: 13 s real (4.5 s virtual) on 7.3 with -m 6 -i 3 -I 1" ;;
	*) echo 30 ;;
	esac
}
RTLIMIT=120
HPMN=3
ST=/selftests
RTC=/sys/class/rtc/rtc0

if [ ! -r $ST/tests ]; then
	plan 1
	bail "selftests: none in the initramfs; run scripts/setup-selftests and tests/vm/run SELFTESTS=DIR"
	return 0
fi
# One result line for each test of the list that is not left out.
n=0
for t in $(cat $ST/tests); do
	name=${t#aarch64/}
	case $(how "${name#arm64/}") in
	-\ *) ;;
	*) n=$((n + 1)) ;;
	esac
done
plan $n
diag "selftests: $(cat $ST/VERSION) ($(sed -n 's/^compiler //p' $ST/manifest)) on $KSERIES/$CPU"
case $(cat $ST/VERSION) in
linux-source-$KSERIES=*) ;;
*) diag "selftests: built for another series than the kernel under test ($KSERIES)" ;;
esac
loaded && rmmod kvm_pmu_partition

now() { local u; read -r u _ </proc/uptime; echo "${u%.*}${u#*.}"; }	# centiseconds
secs() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

# run LIMIT OUT BIN ARGS...: VERDICT and CS (virtual time) of one run.
run() {
	local limit=$1 out=$2 pid wd rc t0
	shift 2
	t0=$(now)
	timeout -s KILL "$limit" "$@" >"$out" 2>&1 &
	pid=$!
	# The real-time watchdog: dd returns when the RTC alarm fires.
	echo 0 >$RTC/wakealarm
	echo +$RTLIMIT >$RTC/wakealarm
	rm -f /tmp/st.wd /tmp/st.fired
	( sh -c 'echo $$ >/tmp/st.wd; exec dd if=/dev/rtc0 of=/dev/null bs=8 count=1 2>/dev/null' &&
		kill -9 $pid 2>/dev/null && : >/tmp/st.fired ) &
	wd=$!
	wait $pid
	rc=$?
	CS=$(($(now) - t0))
	while [ ! -s /tmp/st.wd ]; do sleep 0.01; done
	kill "$(cat /tmp/st.wd)" 2>/dev/null
	wait $wd 2>/dev/null
	echo 0 >$RTC/wakealarm
	if [ -e /tmp/st.fired ]; then
		VERDICT="timeout (${RTLIMIT} s real)"
	elif [ $rc = 137 ] && [ $CS -ge $((limit * 100)) ]; then
		VERDICT="timeout (${limit} s virtual)"
	elif [ $rc = 0 ]; then
		VERDICT=pass
	elif [ $rc = 4 ]; then
		VERDICT=skip
	else
		VERDICT="fail (exit $rc$(grep -E '^not ok [0-9]+' "$out" | grep -v '# SKIP' |
			sed -E 's/^not ok [0-9]+ -? ?//' | sort | tr '\n' ';' | sed 's/;$//; s/;/, /g; s/^./; not ok: &/'))"
	fi
}

# The reason a run failed: the assertion or the last lines of its output.
why() {
	if grep -q '==== Test Assertion Failure ====' "$1"; then
		sed -n '/==== Test Assertion Failure ====/,$p' "$1" | grep -v -e '^sh: addr2line' -e '^Terminated' | sed -n '2,5p'
	else
		grep -v '^Terminated' "$1" | tail -n 4
	fi | sed 's/^ */    /; s/^/KPP: #  /'
}

nrun=0 nout=0 nknown=0 nbad=0 vt_stock=0 vt_mod=0
for t in $(cat $ST/tests); do
	name=${t#aarch64/}
	name=${name#arm64/}
	p=$(how "$name")
	case $p in
	-\ *) diag "left out: $t: ${p#- }"; nout=$((nout + 1)); continue ;;
	esac
	if [ ! -x "$ST/bin/$t" ]; then
		not_ok "selftest $t: in the tree's list but not built (see $ST/manifest)"
		continue
	fi
	limit=${p%% *}
	args=
	[ "$p" = "$limit" ] || args=${p#* }
	nrun=$((nrun + 1))

	run "$limit" /tmp/st.stock "$ST/bin/$t" $args
	stock=$VERDICT cs_stock=$CS
	vt_stock=$((vt_stock + CS))
	if ! insmod /lib/kpp/kvm_pmu_partition.ko hpmn=$HPMN; then
		not_ok "selftest $t: insmod hpmn=$HPMN failed, no module run"
		continue
	fi
	run "$limit" /tmp/st.mod "$ST/bin/$t" $args
	mod=$VERDICT cs_mod=$CS
	vt_mod=$((vt_mod + CS))
	if ! rmmod kvm_pmu_partition; then
		not_ok "selftest $t: rmmod after the module run failed (module verdict: $mod)"
		nbad=$((nbad + 1))
		continue
	fi

	times="virtual time stock $(secs $cs_stock) s, module $(secs $cs_mod) s"
	what="selftest $t${args:+ $args}"
	case $stock in
	pass|skip) ;;
	timeout*)
		not_ok "$what: stock run $stock, no verdict to compare (module: $mod; $times)"
		nbad=$((nbad + 1))
		continue ;;
	*)	what="$what (known-failing on stock)"
		nknown=$((nknown + 1))
		diag "$t fails on stock KVM:"
		why /tmp/st.stock ;;
	esac
	# vpmu_counter_access, partitioned: after its PMCR.N checks, its guest
	# expects EL1 accesses to counters >= N to be UNDEFINED.  With
	# MDCR_EL2.HPMN = N they do not trap; the architecture makes them
	# UNDEFINED, QEMU (7.2 and 10.0.2) makes them RAZ/WI (T4 measures it).
	# On QEMU the module's run must fail at that assertion and nowhere else.
	if [ "$name" = vpmu_counter_access ] && [ "$stock" = pass ] && [ "$mod" != pass ] &&
	   grep -q 'vpmu_counter_access.c:[0-9]*: expected_ec == ' /tmp/st.mod &&
	   ! grep -q 'PMCR.N' /tmp/st.mod; then
		ok "$what: stock pass; with the module its PMCR.N checks pass and it stops only at the UNDEF check of counters >= N, which QEMU makes RAZ/WI under MDCR_EL2.HPMN (the architecture: UNDEFINED) ($times)"
		why /tmp/st.mod
		continue
	fi
	if [ "$mod" = "$stock" ]; then
		ok "$what: expected module verdict '$stock' (stock's), seen '$mod' ($times)"
	else
		not_ok "$what: expected module verdict '$stock' (stock's), seen '$mod' with hpmn=$HPMN ($times)"
		nbad=$((nbad + 1))
		why /tmp/st.mod
	fi
done
diag "selftests: $nrun run on stock and with hpmn=$HPMN, $nout left out (each 'left out' line says why), $nknown known-failing on stock, $nbad verdicts differ; virtual time stock $(secs $vt_stock) s, module $(secs $vt_mod) s"
