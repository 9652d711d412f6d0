# SPDX-License-Identifier: GPL-2.0
# make demo: the seed's story on one screen.  A guest counts a known loop
# with its own PMU while host perf counts the guest's instructions (:G),
# three ways: stock KVM; partitioned with MDCR_EL2.HPMN = 3 and HPME set;
# and the test-only build that leaves HPME clear, as the production
# backport in the seed did.
S=/sys/kernel/kvm_pmu_partition
OMIT=/lib/kpp/kvm_pmu_partition-omit-hpme.ko
say() { echo "KPP: # $*"; }
plan 2

echo 0 >/sys/devices/system/cpu/cpu1/online 2>/dev/null
say "emulated arm64 KVM host: $(uname -r), CPU kind $CPU"
dmesg | grep -E 'VHE mode|hw perfevents' | sed 's/^\[[^]]*\] */KPP: #   /'

row() {	# label
	local out acc ex bex
	out=$(perfc -C 0 -x -e instructions:G -- vmm --payload pmu-basic 2>&1)
	GUEST=$(val inst "$out") HOSTG=$(val instructions:G "$out") PMCRN=$(val pmcr_n "$out")
	bex=$(val vcpu0_exits "$(vmm --payload pmu-access --iters 1 2>&1)")
	out=$(vmm --payload pmu-access --iters 501 2>&1)
	ex=$(val vcpu0_exits "$out")
	printf 'KPP: #   %-36s %4s %12s %12s %10s\n' "$1" "$PMCRN" "$GUEST" "$HOSTG" \
		"$((ex - bex))"
}

say ""
say "The guest counts a loop of N = 2,000,000 instructions with PMEVCNTR0_EL0"
say "(INST_RETIRED): it reads N + 1.  Host perf counts all the guest ran (:G)."
printf 'KPP: #   %-36s %4s %12s %12s %10s\n' "" "N" "guest count" "host :G" "exits/1000"
row "stock KVM (module not loaded)"
insmod $KO hpmn=3
row "partitioned (hpmn=3), HPME set"
rmmod kvm_pmu_partition
if [ -f $OMIT ]; then
	insmod $OMIT hpmn=3
	row "partitioned, HPME clear (seed)"
	rmmod kvm_pmu_partition
	ok "seed-bug build's row shown"
else
	not_ok "seed-bug build missing: make module KSERIES=$KSERIES KPP_TEST_OMIT_HPME=1"
fi
say ""
say "N: PMCR_EL0.N as the guest reads it.  exits/1000: KVM exits per 1000 guest"
say "PMU register accesses.  Partitioned, the guest owns counters [0, 3) and"
say "PMCCNTR_EL0 and touches them without a trap; host perf keeps [3, 6) and"
say "still counts all the guest ran, the same :G as on stock KVM.  With"
say "HPMN < N the host's counters are enabled by MDCR_EL2.HPME, not"
say "PMCR_EL0.E: leave HPME clear (the seed's bug) and host perf reads 0."
ok "demo ran"
echo 1 >/sys/devices/system/cpu/cpu1/online 2>/dev/null
