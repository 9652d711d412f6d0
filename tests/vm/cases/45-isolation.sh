# SPDX-License-Identifier: GPL-2.0
# What a partitioned guest and the host may see of each other (issue 14;
# docs/design.md, "What the guest can and cannot see").  Each rule is
# checked with the module, and then with the rule switched off in the
# fault-injection build (skip_rules=BIT(rule), enum kpp_rule in src/kpp.h),
# where the same check must see the leak: a check that cannot fail is no
# check.  Everything runs on CPU 0 (CPU 1 offline), so that the host task
# that looks follows the guest on the same PMU.
plan 40
S=/sys/kernel/kvm_pmu_partition
FKO=/lib/kpp/kvm_pmu_partition-faults.ko
HPMN=3
cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1
ua=/proc/sys/kernel/perf_user_access
ua0=$(cat $ua 2>/dev/null)
echo 1 >$ua

# Sum of the guest's counters [0, hpmn) and PMCCNTR as a host task reads
# them at EL0 (el0read: a perf event with EL0 access, PMUSERENR_EL0.ER/CR),
# but for the counter of el0read's own event.
el0_guest_sum() {	# el0read output
	local i s=0 v own
	own=$(val own "$1")
	for i in $(seq 0 $((HPMN - 1))) c; do
		[ "$i" = "$own" ] && continue
		[ "$i" = c ] && v=$(val ccnt "$1") || v=$(val cnt$i "$1")
		case $v in ''|fault) echo "unreadable:cnt$i"; return ;; esac
		s=$((s + v))
	done
	echo $s
}

# --- 1. Host EL0 reads nothing of the last guest (KPP_RULE_SCRUB) ---------
# arm_pmu clears only counters outside its used_mask before it grants EL0
# access.  reserve=static keeps [0, hpmn) and PMCCNTR there, so only the
# scrub at put clears them; reserve=dynamic gives them back to the driver
# at put, and its own clearing adds to the scrub.
insmod $KO hpmn=$HPMN reserve=static
out=$(vmm --payload pmu-basic 2>&1)
check_eq "pmu-basic partitioned" "$?" 0
r=$(el0read -n $HPMN)
diag "after a partitioned guest: $(echo $r)"
check_eq "el0read: EL0 access granted (rdpmc=1)" "$(val rdpmc "$r")" 1
check_eq "host EL0 reads 0 in the guest's counters and PMCCNTR" "$(el0_guest_sum "$r")" 0
rmmod kvm_pmu_partition
insmod $FKO hpmn=$HPMN reserve=static skip_rules=1
out=$(vmm --payload pmu-basic 2>&1)
r=$(el0read -n $HPMN)
diag "scrub off: $(echo $r)"
s=$(el0_guest_sum "$r")
check_match "scrub off: host EL0 reads the guest's counts (the check can fail)" \
	"$s" '^[1-9][0-9]*$'
rmmod kvm_pmu_partition
insmod $KO hpmn=$HPMN reserve=dynamic
out=$(vmm --payload pmu-basic 2>&1)
r=$(el0read -n $HPMN)
diag "reserve=dynamic: $(echo $r)"
check_eq "reserve=dynamic: host EL0 reads 0 in the guest's counters and PMCCNTR" \
	"$(el0_guest_sum "$r")" 0
rmmod kvm_pmu_partition

# --- 2. The host's EL0 access after a guest that had its own -------------
# A guest restored with its EL0 PMU access granted (PMUSERENR_EL0 =
# EN|SW|CR|ER through KVM_SET_ONE_REG, as a VMM restores a migrated guest):
# the module loads it into hardware, and KVM's VHE vcpu_put puts the host's
# value back (__deactivate_traps_common()) after the module's put hook.
# No host task may inherit it.  Nor an el0read run before: a task with an
# EL0-access event leaves PMUSERENR_EL0.ER/CR set when it exits, with or
# without the module (seen on 6.12: the next task without an event reads
# PMCCNTR_EL0 at EL0), until the driver's next armv8pmu_start() on that
# CPU, which a CPU-wide event's enable runs: el0_reset.
el0_reset() { perfc -a -q -e instructions -- true >/dev/null 2>&1; }
el0_reset
out=$(vmm --payload pmu-basic --set-userenr 0xf 2>&1)
check_eq "stock KVM, guest PMUSERENR_EL0=0xf: runs" "$?" 0
r=$(el0read)
check_eq "stock KVM: a host task with no event has no EL0 PMU access" \
	"$(val noevent_access "$r")" 0
insmod $KO hpmn=$HPMN
el0_reset
out=$(vmm --payload pmu-basic --set-userenr 0xf 2>&1)
check_eq "partitioned, guest PMUSERENR_EL0=0xf: runs" "$?" 0
check_eq "partitioned, guest PMUSERENR_EL0=0xf: exact INST_RETIRED" \
	"$(val inst "$out")" "$((2 * $(val iters "$out") + 1))"
r=$(el0read)
check_eq "partitioned: a host task with no event has no EL0 PMU access" \
	"$(val noevent_access "$r")" 0
rmmod kvm_pmu_partition

# --- 3. A VMM's event filter holds (KPP_RULE_FILTER) ----------------------
# KVM_ARM_VCPU_PMU_V3_FILTER denying INST_RETIRED (0x08): on stock KVM the
# guest's counter programmed with it does not count.  A partitioned guest
# would program PMEVTYPER0_EL0 itself, so such a VM stays trapped.
out=$(vmm --payload pmu-basic --deny-event 0x08 2>&1)
check_eq "stock KVM, INST_RETIRED denied: runs" "$?" 0
check_eq "stock KVM, INST_RETIRED denied: counts 0" "$(val inst "$out")" 0
exp_cyc=$(val cycles "$out")
insmod $KO hpmn=$HPMN
dmesg_new >/dev/null
out=$(vmm --payload pmu-basic --deny-event 0x08 2>&1)
check_eq "module, INST_RETIRED denied: runs" "$?" 0
check_eq "module, INST_RETIRED denied: counts 0, as on stock KVM" "$(val inst "$out")" 0
check_eq "module, INST_RETIRED denied: PMCCNTR as on stock KVM" "$(val cycles "$out")" "$exp_cyc"
check_match "module: the VM's first run keeps it trapped, and says why" \
	"$(dmesg_new)" 'trapped: its VMM set a PMU event filter'
# The same rule answers vms/<vm>/mode, and vms/<vm>/reason says why.
vmm --payload pmu-basic --deny-event 0x08 --iters 300000000 >/dev/null 2>&1 &
p=$!
d= rs=
for i in $(seq 100); do
	d=$(ls -d $S/vms/$p-* 2>/dev/null | head -n1)
	rs=$(cat "$d/reason" 2>/dev/null)
	case $rs in *filter*) break ;; esac
	sleep 0.02
done
check_eq "vms/<vm>/reason of a filtered VM" "$rs" \
	"its VMM set a PMU event filter, which only trapping enforces"
e=$( { echo partitioned >"$d/mode"; } 2>&1)
check_match "mode 'partitioned' of a filtered VM refused" "$e" 'Operation not supported'
check_match "and the log says why" "$(dmesg_new)" "'partitioned' refused: its VMM set a PMU event filter"
# --- 4. Per-VM statistics are root's ----------------------------------------
check_eq "vms/<vm>/stats/* are mode 0400" "$(stat -c %a "$d/stats/vcpu_loads" 2>&1)" 400
check_eq "asuser runs a command as uid 65534" "$(asuser 65534 id -u 2>&1)" 65534
check_eq "uid 65534 reads vms/<vm>/mode" "$(asuser 65534 cat "$d/mode" 2>&1)" trapped
asuser 65534 cat "$d/stats/vcpu_loads" >/dev/null 2>&1
check_eq "uid 65534 cannot read vms/<vm>/stats/vcpu_loads" "$?" 1
wait $p
rmmod kvm_pmu_partition
insmod $FKO hpmn=$HPMN skip_rules=2
out=$(vmm --payload pmu-basic --deny-event 0x08 2>&1)
check_eq "rule off: the denied event counts (the check can fail)" \
	"$(val inst "$out")" "$((2 * $(val iters "$out") + 1))"
rmmod kvm_pmu_partition

# --- 5. No HCCD: the guest counts no EL2 cycles (KPP_RULE_DP) ---------------
# Before PMUv3p5 (n1) PMCCNTR_EL0 stops at EL2 only while PMCR_EL0.DP is 1,
# and a guest that sets PMCCFILTR_EL0.NSH clears DP (pmu-el2filter writes
# PMCR_EL0 = LC|E, as a Linux guest's reset does).  The module keeps the
# hardware's DP at 1 and emulates PMCR_EL0 (TPMCR): 100 HVC exits must add
# no cycle.  From PMUv3p5 (fgt, nofgt) MDCR_EL2.HCCD does it, untrapped.
# n1 runs on QEMU 7.2, which does not trap PMCR_EL0 on TPMCR; n1-11 on QEMU
# 11.1, which does, as hardware must.
want=$((2 * 1000000 + 4 * 100 + 2))
el2filter() { vmm --payload pmu-el2filter --iters 1000000 --traps 100 2>&1; }
insmod $KO hpmn=$HPMN
t0=$(cat $S/stats/pmcr_traps) d0=$(cat $S/stats/dp_cleared)
out=$(el2filter)
check_eq "pmu-el2filter partitioned runs" "$?" 0
t=$(($(cat $S/stats/pmcr_traps) - t0)) dc=$(($(cat $S/stats/dp_cleared) - d0))
c=$(val cycles_nsh "$out")
if [ "$CPU" = n1 ] && [ "$t" = 0 ]; then
	# QEMU 7.2 does not trap PMCR_EL0 on MDCR_EL2.TPMCR (QEMU 10.1 does):
	# the guest clears DP itself, and the exit hook sets it again.  What
	# the exit path ran until that hook is counted, once per clear, with
	# any host interrupt taken at its local_irq_enable(): 563 to 19,954
	# cycles measured, against about 162,000 with the rule off.
	leak=$((${c:-0} - want))
	diag "n1, no TPMCR trap in this model: $dc DP clear(s) seen at exits, PMCCNTR $c for $want (+$leak)"
	check_eq "PMCCFILTR.NSH, DP cleared untrapped: EL2 cycles of at most one exit per clear (<= 50000 each)" \
		"$([ "$dc" -ge 1 ] && [ "$leak" -ge 0 ] && [ "$leak" -le $((dc * 50000)) ] && echo bounded)" bounded
else
	check_eq "PMCCFILTR.NSH with PMCR_EL0.DP clear counts no EL2 cycles" "$c" $want
fi
check_eq "KVM_GET_ONE_REG(PMCR_EL0) has the guest's DP (0), not the hardware's" \
	"$(($(val reg_pmcr "$out") & 0x20))" 0
case $CPU,$t in
n1,0) skip "n1: QEMU 7.2 does not trap PMCR_EL0 on MDCR_EL2.TPMCR: the emulation (stats/pmcr_traps) is not exercised here (n1-11 does)" ;;
n1*)  check_match "$CPU: the guest's PMCR_EL0 accesses emulated (stats/pmcr_traps)" "$t" '^[1-9][0-9]*$' ;;
*)    check_eq "$CPU: HCCD, PMCR_EL0 not trapped (stats/pmcr_traps)" "$t" 0 ;;
esac
rmmod kvm_pmu_partition
insmod $FKO hpmn=$HPMN skip_rules=4
out=$(el2filter)
case $CPU in
n1*) c=$(val cycles_nsh "$out")
    diag "rule off: PMCCNTR $c for $want instructions"
    check_match "rule off: the guest's PMCCNTR counts EL2 cycles (the check can fail)" \
	"$([ "${c:-0}" -gt $want ] && echo "$c")" '^[0-9]+$' ;;
*)  skip "rule off: $CPU has HCCD (PMUv3p5), where the rule is not used" ;;
esac
rmmod kvm_pmu_partition

# --- 6. Nested virtualisation stays trapped (KPP_RULE_NV) --------------------
# A vCPU with its own EL2 (KVM_ARM_VCPU_HAS_EL2): the guest hypervisor's
# MDCR_EL2 must be emulated, so the VM stays trapped.  KVM offers NV only
# with kvm-arm.mode=nested on a CPU with FEAT_NV2 (check.boots has a 7.3
# fgt boot for it); elsewhere it refuses the vCPU, and this is a skip.
# With its own EL2, the guest's HVC (the payloads' PSCI SYSTEM_OFF) goes to
# its EL2, which has no vectors here: the VM runs its loop and then hangs
# until vmm's timeout (exit 3).
nv_run() {	# start an NV VM, print its exit, reason and state_switches
	vmm --payload pmu-basic --el2 --iters 3000000 --timeout 2 >/tmp/nv.out 2>&1 &
	p=$!
	rs= d=
	for i in $(seq 100); do
		d=$(ls -d $S/vms/$p-* 2>/dev/null | head -n1)
		rs=$(cat "$d/reason" 2>/dev/null)
		[ "$(cat "$d/stats/vcpu_loads" 2>/dev/null || echo 0)" -gt 0 ] && break
		kill -0 $p 2>/dev/null || break
		sleep 0.02
	done
	sleep 0.2
	sw=$(cat "$d/stats/state_switches" 2>/dev/null)
	wait $p
	echo "rc=$? reason=$rs switches=$sw"
}
vmm --payload null --el2 --timeout 1 >/dev/null 2>&1
if [ $? = 3 ]; then
	insmod $KO hpmn=$HPMN
	r=$(nv_run)
	diag "NV VM: $r"
	check_eq "NV VM: reason" "$(echo "$r" | sed -n 's/.*reason=\(.*\) switches=.*/\1/p')" \
		"nested virtualisation: the guest hypervisor's MDCR_EL2 must be emulated"
	check_eq "NV VM: never partitioned (state_switches), ran until vmm's timeout" \
		"$(echo "$r" | sed 's/ reason=.* switches=/ switches=/')" "rc=3 switches=0"
	rmmod kvm_pmu_partition
	insmod $FKO hpmn=$HPMN skip_rules=8
	r=$(nv_run)
	diag "rule off: NV VM: $r"
	check_match "rule off: the NV VM is partitioned (the check can fail)" "$r" 'switches=[1-9]'
	rmmod kvm_pmu_partition
else
	skip_n 3 "no nested virtualisation here: KVM refuses KVM_ARM_VCPU_HAS_EL2 (kvm-arm.mode=nested, FEAT_NV2)"
fi

# --- 7. The host's PMU interrupt keeps the guest's overflows (KPP_RULE_IRQ_FLAGS)
# One PMU interrupt line for both: the host driver's handler clears every
# PMOVSCLR_EL0 bit it reads.  The module hides the guest's flags from it
# (and no guest counter counts at EL2 meanwhile: HPMD, HCCD or DP).  With
# host perf counting on the same CPU, the guest takes all 20 overflow
# interrupts of pmu-overflow (75-partition T6) and finds each flag set.
ovf() { perfc -C 0 -x -e cycles,instructions -- vmm --payload pmu-overflow --mode 5 --iters 683333 2>&1; }
insmod $KO hpmn=$HPMN
out=$(ovf)
check_eq "host perf beside: 20 guest overflow interrupts, none without its flag" \
	"$(val irqs "$out"),$(val spurious "$out")" 20,0
rmmod kvm_pmu_partition
insmod $FKO hpmn=$HPMN skip_rules=16
out=$(ovf)
diag "rule off: irqs=$(val irqs "$out") spurious=$(val spurious "$out")"
check_match "rule off: the driver's handler eats the guest's flags (the check can fail)" \
	"$(val irqs "$out"),$(val spurious "$out")" '^([0-9]|1[0-9]),|,[1-9]'
rmmod kvm_pmu_partition

# --- 8. No partitioned vCPU on a CPU whose PMU is not held (KPP_RULE_CPU) --
# CPU 1 is offline at load.  The module claims its counters all the same
# (the driver's used_mask is per CPU), so a vCPU there after it comes
# online runs partitioned, and host perf there keeps [hpmn, N).  A PMU
# whose every CPU was offline at load is never seen, and its CPUs are not
# held: the fault build's skip_offline leaves CPU 1 so, and a vCPU there
# must run trapped.  Host perf counts instructions on CPU 1 meanwhile with
# N - hpmn events, or hpmn + 1 on the unheld CPU: the driver gives events
# its lowest free counters, so there all but one sit in [0, hpmn), where a
# partitioned guest's state would overwrite them.  Both CPUs are online:
# counts are not exact (one instruction count for both emulated CPUs), but
# the events count the same thing, and must agree.
if [ -w $cpu1 ]; then
	# NEVENTS: host perf on CPU 1 around 1002 PMU accesses of a guest
	# there, then a host loop there, long beside the skew of the events'
	# enables one by one (an IPI each)
	on1() {
		perfc -C 1 -q -e "$(printf 'instructions,%.0s' $(seq "$1") | sed 's/,$//')" -- \
			taskset -c 1 sh -c 'vmm --payload pmu-access --iters 501 --pin 1 &&
				n=0 && while [ $n -lt 20000 ]; do n=$((n + 1)); done' 2>&1
	}
	spread() {	# per mille of the largest count between the smallest and it
		printf '%s\n' "$1" | sed -n 's/^instructions=//p' | sort -n |
			awk 'NR == 1 { lo = $1 } { hi = $1; n++ }
			     END { print (n > 1 && hi > 0) ? int((hi - lo) * 1000 / hi) : "none" }'
	}
	agree() { [ "$(spread "$1")" != none ] && [ "$(spread "$1")" -le 10 ]; }
	exits() { val vcpu0_exits "$1"; }
	insmod $KO hpmn=$HPMN
	echo 1 >$cpu1
	out=$(on1 $HPMN)
	diag "CPU 1 held (offline at load): vCPU exits $(exits "$out"), host counts spread $(spread "$out") per mille"
	check_eq "CPU 1 offline at load, online now: a vCPU there runs partitioned (< 100 exits for 1002 PMU accesses)" \
		"$([ "$(exits "$out")" -lt 100 ] && echo yes)" yes
	check_eq "host perf on CPU 1 keeps [hpmn, N): its $HPMN counts agree (within 1%)" \
		"$(agree "$out" && echo yes)" yes
	rmmod kvm_pmu_partition
	echo 0 >$cpu1
	insmod $FKO hpmn=$HPMN skip_offline=1
	echo 1 >$cpu1
	u0=$(cat $S/stats/unreserved_loads)
	dmesg_new >/dev/null
	out=$(on1 $((HPMN + 1)))
	diag "CPU 1 not held: vCPU exits $(exits "$out"), host counts spread $(spread "$out") per mille"
	check_eq "CPU 1 not held: a vCPU there runs trapped (>= 1002 exits)" \
		"$([ "$(exits "$out")" -ge 1002 ] && echo yes)" yes
	check_eq "stats/unreserved_loads counts its loads, and the log says why" \
		"$([ "$(cat $S/stats/unreserved_loads)" -gt "$u0" ] && echo yes),$(dmesg_new | grep -q 'CPU1: PMU not held by the module' && echo logged)" yes,logged
	check_eq "host perf on CPU 1: its $((HPMN + 1)) counts agree (within 1%)" \
		"$(agree "$out" && echo yes)" yes
	rmmod kvm_pmu_partition
	echo 0 >$cpu1
	insmod $FKO hpmn=$HPMN skip_offline=1 skip_rules=32
	echo 1 >$cpu1
	out=$(on1 $((HPMN + 1)))
	diag "rule off: vCPU exits $(exits "$out"), host counts spread $(spread "$out") per mille"
	check_eq "rule off: partitioned on CPU 1, where host perf's counts now disagree (the check can fail)" \
		"$([ "$(exits "$out")" -lt 100 ] && echo partitioned),$(agree "$out" || echo disagree)" partitioned,disagree
	rmmod kvm_pmu_partition
	echo 0 >$cpu1
else
	skip_n 6 "CPU 1 cannot go offline here: the offline-at-load rule is not testable"
fi

echo "${ua0:-0}" >$ua
[ ! -w $cpu1 ] || echo 1 >$cpu1
