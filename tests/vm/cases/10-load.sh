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
check_match "VHE reported" "$line" 'VHE=1'
# QEMU 10 -cpu max: PMUv3p5, FGT, HPMN0; QEMU 7.2 -cpu max: PMUv3p5 only;
# -cpu neoverse-n1 (n1 on QEMU 7.2, n1-11 on 11.1): PMUv3p1 (no HCCD/HLP),
# no FGT, no HPMN0.
case $CPU in
fgt)   pv=0x6 ft='FGT=1 HPMN0=1' ;;
nofgt) pv=0x6 ft='FGT=0 HPMN0=0' ;;
n1*)   pv=0x4 ft='FGT=0 HPMN0=0' ;;
*)     pv=unknown ft="CPU kind '$CPU' unknown" ;;
esac
check_match "$CPU: PMUVer=$pv reported" "$line" "PMUVer=$pv"
check_match "$CPU: $ft reported" "$line" "$ft"
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
