# SPDX-License-Identifier: GPL-2.0
# make demo: the seed's story on one screen.  A guest counts a known loop
# while host perf counts the guest's instructions (:G), three ways: stock
# KVM; the module with MDCR_EL2.HPMN = 3 and HPME set; and the test-only
# build that leaves HPME clear, as the production backport did.
S=/sys/kernel/kvm_pmu_partition
OMIT=/lib/kpp/kvm_pmu_partition-omit-hpme.ko
say() { echo "KPP: # $*"; }

echo 0 >/sys/devices/system/cpu/cpu1/online 2>/dev/null
say "emulated arm64 KVM host: $(uname -r), CPU kind $CPU"
dmesg | grep -E 'VHE mode|hw perfevents' | sed 's/^\[[^]]*\] */KPP: #   /'

row() {	# label
	local out acc ex bex
	out=$(perfc -C 0 -x -e instructions:G -- vmm --payload pmu-basic 2>&1)
	N=$((2 * $(val iters "$out")))
	GUEST=$(val inst "$out") HOSTG=$(val instructions:G "$out")
	bex=$(val vcpu0_exits "$(vmm --payload null 2>&1)")
	out=$(vmm --payload pmu-access 2>&1)
	acc=$(val accesses "$out") ex=$(val vcpu0_exits "$out")
	printf 'KPP: #   %-34s %12s %12s %10s\n' "$1" "$GUEST" "$HOSTG" \
		"$(( (ex - bex) * 1000 / acc ))"
}

say ""
say "guest loop: N = 2,000,000 instructions.  Guest count = N + 1 (the trapped"
say "MSR that stops it); host :G = N + 35 (the whole payload but 5 MMIO stores)"
printf 'KPP: #   %-34s %12s %12s %10s\n' "" "guest count" "host :G" "exits/1000"
row "stock KVM (module not loaded)"
insmod $KO hpmn=3
row "module, hpmn=3, HPME set"
w=$(cat $S/stats/mdcr_writes)
rmmod kvm_pmu_partition
if [ -f $OMIT ]; then
	insmod $OMIT hpmn=3
	row "module, hpmn=3, HPME clear (seed bug)"
	rmmod kvm_pmu_partition
fi
say ""
say "With HPMN < N the host's counters [HPMN, N) are enabled by MDCR_EL2.HPME,"
say "not PMCR_EL0.E.  Leave HPME clear and every guest entry stops them: host"
say "perf reads 0 for the guest ($w MDCR_EL2 writes at guest entry above)."
say "Guests still trap every PMU access (exits/1000): the direct-access"
say "partition is the next step of the Core work."
ok "demo ran"
echo 1 >/sys/devices/system/cpu/cpu1/online 2>/dev/null
