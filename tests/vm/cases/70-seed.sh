# SPDX-License-Identifier: GPL-2.0
# T1, the seed regression: with MDCR_EL2.HPMN = hpmn < N set at every guest
# entry, host perf counting the guest's instructions (exclude_host, :G)
# counts exactly what the guest ran.  The host's counters now sit in
# [hpmn, N), which MDCR_EL2.HPME enables, not PMCR_EL0.E: leave HPME clear
# and they stop whenever a vCPU is loaded (the seed's bug).
#
# Run twice: with the module, T1 must pass; with the test-only build that
# leaves HPME clear (make module KPP_TEST_OMIT_HPME=1), T1 must fail, which
# shows that this test catches the bug.  Guests keep KVM's traps here, so
# KVM's emulated guest counters are host perf events in [hpmn, N) too:
# hpmn=2 leaves 4 host counters, for perfc's :G and :H and KVM's backing
# events for the guest's counter 0 and PMCCNTR.  (With hpmn=3 one of the
# four does not get a counter and reads 0: measured on 7.2 and 7.3.)
S=/sys/kernel/kvm_pmu_partition
OMIT=/lib/kpp/kvm_pmu_partition-omit-hpme.ko

cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1

t1() {	# module -> sets G EXP INST IEXP WRITES
	insmod "$1" hpmn=2 || { G=; return; }
	out=$(perfc -C 0 -x -e instructions:G,instructions:H -- vmm --payload pmu-basic 2>&1)
	it=$(val iters "$out")
	G=$(val instructions:G "$out") EXP=$((2 * it + 35))
	INST=$(val inst "$out") IEXP=$((2 * it + 1)) CYC=$(val cycles "$out")
	WRITES=$(cat $S/stats/mdcr_writes)
	rmmod kvm_pmu_partition
}

t1 $KO
check_eq "T1: MDCR_EL2 was programmed at guest entry (writes > 0)" \
	"$([ "${WRITES:-0}" -gt 0 ] && echo yes || echo no)" yes
check_eq "T1: host instructions:G = the guest's instructions" "$G" "$EXP"
check_eq "T1: the guest's own count (KVM's, on host counters) exact" "$INST" "$IEXP"
check_eq "T1: the guest's PMCCNTR (KVM's, on a host counter) exact" "$CYC" "$IEXP"

if [ -f $OMIT ]; then
	dmesg_new >/dev/null
	t1 $OMIT
	check_match "seed-bug build announces itself" "$(dmesg_new)" 'TEST BUILD: MDCR_EL2.HPME is left clear'
	diag "seed-bug build (HPME clear): host :G = ${G:-none} (T1 wants $EXP), guest count = ${INST:-none} (wants $IEXP), $WRITES MDCR writes"
	check_eq "T1 catches the seed's bug: host :G is wrong without HPME" \
		"$([ -n "$G" ] && [ "$G" != "$EXP" ] && echo caught || echo missed)" caught
else
	not_ok "seed-bug build missing: make module KSERIES=$KSERIES KPP_TEST_OMIT_HPME=1"
fi
[ ! -w $cpu1 ] || echo 1 >$cpu1
