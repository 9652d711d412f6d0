# SPDX-License-Identifier: GPL-2.0
# make bench: the test bed's measures, printed as "KPP: bench MODE KEY VALUE"
# lines that tests/bench/run turns into a table.  MODE is "stock" (KVM's
# emulated PMU, module not loaded), "part" (kvm_pmu_partition hpmn=3: the
# VMs are created after modprobe, so they own counters [0, 3) and
# PMCCNTR) or "static" (the same, reserve=static).  All run in the same
# boot.  Each measure runs REPS times.
#
# CPU 1 goes offline: under -icount, INST_RETIRED and CPU_CYCLES come from
# one instruction clock shared by both L1 CPUs (see 30-vmm.sh).
REPS=3
plan 3
emit() { echo "KPP: bench $1 $2 $3"; }

cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1

# EVENT PAYLOAD [vmm args]: EVENT of the VMM process (perfc -p) per round,
# 1000 rounds of PAYLOAD over a run of 0
per_round() {
	local ev=$1 pl=$2 t t0
	shift 2
	t=$(val "$ev" "$(perfc -p -x -e "$ev" -- vmm --payload "$pl" --rounds 1000 "$@" 2>&1)")
	t0=$(val "$ev" "$(perfc -p -x -e "$ev" -- vmm --payload "$pl" --rounds 0 "$@" 2>&1)")
	echo $(( (t - t0) / 1000 ))
}

measure() {	# mode
	local mode=$1 i out base acc ex bex n k inst g g2 t t0
	for i in $(seq $REPS); do
		# (a) exits per 1000 guest PMU register accesses (KVM stats fd)
		base=$(vmm --payload null)
		out=$(vmm --payload pmu-access)
		acc=$(val accesses "$out")
		ex=$(val vcpu0_exits "$out")
		bex=$(val vcpu0_exits "$base")
		emit "$mode" exits_per_1000 $(( (ex - bex) * 1000 / acc ))

		# (b) the guest's count of a known N-instruction loop, against N
		out=$(vmm --payload pmu-basic)
		n=$(( 2 * $(val iters "$out") ))
		inst=$(val inst "$out")
		emit "$mode" loop_n "$n"
		emit "$mode" guest_minus_n $((inst - n))

		# (c) the host's :G count of that loop, against N: the :G
		# count of a 2N-instruction run minus that of the N run, so the
		# payload's own prologue and reports cancel out
		k=$(val iters "$out")
		out=$(perfc -C 0 -x -e instructions:G -- vmm --payload pmu-basic --iters "$k" 2>&1)
		g=$(val instructions:G "$out")
		out=$(perfc -C 0 -x -e instructions:G -- vmm --payload pmu-basic --iters $((2 * k)) 2>&1)
		g2=$(val instructions:G "$out")
		emit "$mode" host_g_minus_n $((g2 - g - n))

		# (d) every instruction run on behalf of the VMM process (the
		# guest, and the host's EL2 and EL0 work in its context: traps,
		# KVM_RUN, the reports) for one "program 3 counters, run a
		# 2000-instruction loop, read all 4" round, over an empty
		# guest's run.  A per-task counter leaves idle and other tasks out.
		out=$(perfc -p -x -e instructions -- vmm --payload pmu-all6 --iters 1000 --counters 3 2>&1)
		t=$(val instructions "$out")
		out=$(perfc -p -x -e instructions -- vmm --payload null 2>&1)
		t0=$(val instructions "$out")
		emit "$mode" round_insns $((t - t0))

		# (g) P2 (issue 15): as (d), but 1000 rounds in one KVM_RUN,
		# so that the run's own cost is spread; per round, minus the
		# 2000-instruction loop, over a run of 0 rounds
		emit "$mode" p2_round $(( $(per_round instructions pmu-rounds --iters 1000) - 2000 ))

		# (h) P5: host instructions per return to the VMM (an MMIO
		# exit: vcpu put, KVM_RUN returns, KVM_RUN, vcpu load) of a
		# guest that never touches its PMU; (i) the same for a guest
		# whose counters 0..2 and PMCCNTR count through the returns
		for pmu in 0 1; do
			emit "$mode" trip_pmu$pmu "$(per_round instructions:H mmio-rounds --pmu $pmu)"
		done

		# (j) host counters given back: host perf counts N = 6
		# flexible events on CPU 0 over a partitioned guest's run and
		# then a host loop there.  While the vCPU is loaded, 3 of the 6
		# fit, perf rotates them; otherwise all 6 do.  The smallest
		# running share, per mille, against 1000 - g / 2, g the
		# guest's per-mille share of CPU 0's instructions (-icount:
		# of its time), from a run with 2 pinned events
		out=$(perfc -C 0 -x -e instructions:G,instructions -- sh -c "$share_run" 2>&1)
		g=$(( $(val instructions:G "$out") * 1000 / $(val instructions "$out") ))
		out=$(perfc -C 0 -e instructions:H$(printf ',instructions:H%.0s' 1 2 3 4 5) -- sh -c "$share_run" 2>&1)
		emit "$mode" host_share_permille "$(printf '%s\n' "$out" | awk -F'[=.]' '
			/@cpu0\.time_enabled=/ { en[$1] = $NF } /@cpu0\.time_running=/ { ru[$1] = $NF }
			END { m = 1000; for (k in en) if (en[k] > 0 && int(ru[k] * 1000 / en[k]) < m) m = int(ru[k] * 1000 / en[k]); print m }')"
		emit "$mode" host_share_goal $((1000 - g / 2))
	done
}
# (j)'s run: the guest's then the host's, on CPU 0
share_run='vmm --payload pmu-rounds --rounds 2000 --pin 0 >/dev/null &&
	n=0 && while [ $n -lt 4000 ]; do n=$((n + 1)); done'

measure stock
insmod $KO hpmn=3 reserve=dynamic
check_eq "insmod hpmn=3 reserve=dynamic for the partitioned column" "$?" 0
measure part
rmmod kvm_pmu_partition
insmod $KO hpmn=3 reserve=static
check_eq "insmod hpmn=3 reserve=static for its column" "$?" 0
measure static
rmmod kvm_pmu_partition
[ ! -w $cpu1 ] || echo 1 >$cpu1
ok "bench ran"
