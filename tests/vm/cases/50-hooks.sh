# SPDX-License-Identifier: GPL-2.0
# The module's hooks into KVM (hooks/kvm.c) fire for a real VM, its
# sysfs reports what it found, and rmmod leaves no probe behind, also
# while a VM is running.
plan 21
S=/sys/kernel/kvm_pmu_partition
stat() { cat $S/stats/$1; }

cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1

check_eq "insmod" "$(try_insmod)" 0
check_eq "sysfs hpmn" "$(cat $S/hpmn)" 3
check_eq "sysfs pmcr_n (CPU 1 offline)" "$(cat $S/pmcr_n)" "cpu0:6"
case $CPU in
fgt)   check_eq "sysfs features" "$(cat $S/features)" "vhe=1 fgt=1 hpmn0=1 pmuver=0x6" ;;
nofgt) check_eq "sysfs features" "$(cat $S/features)" "vhe=1 fgt=0 hpmn0=0 pmuver=0x6" ;;
n1*)   check_eq "sysfs features" "$(cat $S/features)" "vhe=1 fgt=0 hpmn0=0 pmuver=0x4" ;;
*)     not_ok "sysfs features: CPU kind '$CPU' unknown" ;;
esac
feat0=$(cat $S/features)
check_match "sysfs compat" "$(cat $S/compat)" '^pmu=(num_events|cntr_mask) mdcr=(per-entry|vcpu-load) pmcr_n='
check_eq "ftrace hooks on kvm_arch_vcpu_load and _put registered" \
	"$(probes 'kvm_arch_vcpu_(load|put) ')" 2
if [ -w $cpu1 ]; then
	echo 1 >$cpu1
	check_eq "CPU1 onlined after insmod: its PMU read too" \
		"$(cat $S/pmcr_n | tr '\n' ' ')" "cpu0:6 cpu1:6 "
	check_eq "features unchanged with CPU1 online" "$(cat $S/features)" "$feat0"
	echo 0 >$cpu1
else
	fail_n 2 "CPU1 onlined after insmod: $cpu1 not writable"
fi

l0=$(stat vcpu_loads) p0=$(stat vcpu_puts) e0=$(stat guest_entries)
out=$(vmm --payload pmu-access 2>&1)
check_eq "vmm pmu-access under the hooks" "$?" 0
l=$(($(stat vcpu_loads) - l0)) p=$(($(stat vcpu_puts) - p0)) e=$(($(stat guest_entries) - e0))
ex=$(val vcpu0_exits "$out")
diag "one VM: $l loads, $p puts, $e entries, KVM stats exits $ex, runs $(val vcpu0_runs "$out")"
check_eq "every vcpu_load has its vcpu_put" "$p" "$l"
check_eq "vcpu loads >= 1" "$([ "$l" -ge 1 ] && echo yes || echo no)" yes
# Each exit is followed by an entry except the last; plus the first entry.
check_eq "guest entries = KVM's exit count" "$e" "$ex"
check_eq "no entry without a vCPU loaded through our hook" "$(stat unknown_entries)" 0
check_eq "guest count still exact (stock behaviour)" \
	"$(val inst "$(vmm --payload pmu-basic 2>&1)")" 2000001

rmmod kvm_pmu_partition
check_eq "rmmod" "$?" 0
check_eq "sysfs gone after rmmod" "$([ -e $S ] && echo present || echo gone)" gone
check_eq "no hook left after rmmod" "$(probes)" 0

# Load and unload while a VM runs a long loop: the guest must not notice.
vmm --payload pmu-basic --iters 800000000 >/tmp/vmm.out 2>&1 &
vpid=$!
n=0
while kill -0 $vpid 2>/dev/null && [ $n -lt 10 ]; do
	insmod $KO && rmmod kvm_pmu_partition && n=$((n + 1))
done
wait $vpid
check_eq "VM survives insmod/rmmod cycles" "$?" 0
diag "$n insmod/rmmod cycles while the VM ran"
check_eq "insmod/rmmod cycles completed while the VM ran" \
	"$([ $n -ge 3 ] && echo yes || echo no)" yes
check_eq "guest count exact across the cycles" "$(val inst "$(cat /tmp/vmm.out)")" 1600000001
check_eq "no hook left" "$(probes)" 0
[ ! -w $cpu1 ] || echo 1 >$cpu1
