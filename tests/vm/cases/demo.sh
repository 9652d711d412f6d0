# SPDX-License-Identifier: GPL-2.0
# make demo: show the emulated host's PMU, then the module's view of it.
echo "KPP: # ---- emulated arm64 KVM host ($KSERIES, CPU=$CPU) ----"
echo "KPP: # kernel: $(uname -r)"
dmesg | grep -E 'kvm \[|hw perfevents' | sed 's/^\[[^]]*\] */KPP: #   /'
echo "KPP: # /dev/kvm: $([ -c /dev/kvm ] && echo present || echo missing)"
insmod $KO && dmesg | grep 'kvm_pmu_partition:' | sed 's/^\[[^]]*\] */KPP: #   /'
check_eq "module loads on this host" "$(loaded && echo yes || echo no)" yes
rmmod kvm_pmu_partition
