# SPDX-License-Identifier: GPL-2.0
# What a partitioned guest and the host may see of each other (issue 14;
# docs/design.md, "What the guest can and cannot see").  Each rule is
# checked with the module, and then with the rule switched off in the
# fault-injection build (skip_rules=BIT(rule), enum kpp_rule in src/kpp.h),
# where the same check must see the leak: a check that cannot fail is no
# check.  Everything runs on CPU 0 (CPU 1 offline), so that the host task
# that looks follows the guest on the same PMU.
plan 23
S=/sys/kernel/kvm_pmu_partition
FKO=/lib/kpp/kvm_pmu_partition-faults.ko
HPMN=3
cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1
ua=/proc/sys/kernel/perf_user_access
ua0=$(cat $ua 2>/dev/null)
echo 1 >$ua

# Sum of the guest's counters [0, hpmn) and PMCCNTR as a host task reads
# them at EL0 (el0read: a perf event with EL0 access, PMUSERENR_EL0.ER/CR).
el0_guest_sum() {	# el0read output
	local i s=0 v
	for i in $(seq 0 $((HPMN - 1))) c; do
		[ "$i" = c ] && v=$(val ccnt "$1") || v=$(val cnt$i "$1")
		case $v in ''|fault) echo "unreadable:cnt$i"; return ;; esac
		s=$((s + v))
	done
	echo $s
}

# --- 1. Host EL0 reads nothing of the last guest (KPP_RULE_SCRUB) ---------
# arm_pmu clears only counters outside its used_mask before it grants EL0
# access, and the module keeps [0, hpmn) and PMCCNTR there.
insmod $KO hpmn=$HPMN
out=$(vmm --payload pmu-basic 2>&1)
check_eq "pmu-basic partitioned" "$?" 0
r=$(el0read -n $HPMN)
diag "after a partitioned guest: $(echo $r)"
check_eq "el0read: EL0 access granted (rdpmc=1)" "$(val rdpmc "$r")" 1
check_eq "host EL0 reads 0 in the guest's counters and PMCCNTR" "$(el0_guest_sum "$r")" 0
rmmod kvm_pmu_partition
insmod $FKO hpmn=$HPMN skip_rules=1
out=$(vmm --payload pmu-basic 2>&1)
r=$(el0read -n $HPMN)
diag "scrub off: $(echo $r)"
s=$(el0_guest_sum "$r")
check_match "scrub off: host EL0 reads the guest's counts (the check can fail)" \
	"$s" '^[1-9][0-9]*$'
rmmod kvm_pmu_partition

# --- 2. The host's EL0 access after a guest that had its own -------------
# A guest restored with its EL0 PMU access granted (PMUSERENR_EL0 =
# EN|SW|CR|ER through KVM_SET_ONE_REG, as a VMM restores a migrated guest):
# the module loads it into hardware, and KVM's VHE vcpu_put puts the host's
# value back (__deactivate_traps_common()) after the module's put hook.
# No host task may inherit it.
out=$(vmm --payload pmu-basic --set-userenr 0xf 2>&1)
check_eq "stock KVM, guest PMUSERENR_EL0=0xf: runs" "$?" 0
r=$(el0read)
check_eq "stock KVM: a host task with no event has no EL0 PMU access" \
	"$(val noevent_access "$r")" 0
insmod $KO hpmn=$HPMN
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

echo "${ua0:-0}" >$ua
[ ! -w $cpu1 ] || echo 1 >$cpu1
