# SPDX-License-Identifier: GPL-2.0
# The module loads with the default hpmn, reports the PMU it found, and
# unloads cleanly.
plan 12
dmesg_new >/dev/null
check_eq "insmod with default hpmn" "$(try_insmod)" 0
check_eq "module listed after insmod" "$(loaded && echo yes || echo no)" yes
log=$(dmesg_new)
line=$(echo "$log" | grep -m1 'kvm_pmu_partition: hpmn=')
check_match "default hpmn is N/2 of PMCR_EL0.N=6" "$line" 'hpmn=3 of N=6,'
check_match "PMUv3p5 reported" "$line" 'PMUVer=0x6'
check_match "VHE reported" "$line" 'VHE=1'
case $CPU in
fgt)   check_match "QEMU 10 -cpu max: FGT and HPMN0 found" "$line" 'FGT=1 HPMN0=1' ;;
nofgt) check_match "QEMU 7.2 -cpu max: no FGT, no HPMN0" "$line" 'FGT=0 HPMN0=0' ;;
*)     not_ok "CPU kind '$CPU' unknown: FGT and HPMN0 not checked" ;;
esac
check_match "compat path reported" "$line" 'compat: pmu=(num_events|cntr_mask) mdcr=(per-entry|vcpu-load)'
check_eq "hpmn parameter readable" "$(cat /sys/module/kvm_pmu_partition/parameters/hpmn)" 3
rmmod kvm_pmu_partition
check_eq "rmmod succeeds" "$?" 0
check_eq "module gone after rmmod" "$(loaded && echo yes || echo no)" no
check_match "unload logged" "$(dmesg_new)" 'kvm_pmu_partition: unloaded'
for i in 1 2 3 4 5; do
	insmod $KO hpmn=$i && rmmod kvm_pmu_partition || break
done
check_eq "load/unload with hpmn=1..5" "$i" 5
