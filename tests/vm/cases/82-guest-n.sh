# SPDX-License-Identifier: GPL-2.0
# The guest's PMCR_EL0.N as a VMM sets it (src/guest_n.c): a partitioned
# VM looks to its VMM like a host PMU of hpmn counters.  KVM's default N
# is hpmn; an N from 0 to hpmn that the VMM sets is the guest's N and its
# MDCR_EL2.HPMN; one above hpmn is refused as KVM refuses one above the
# hardware's (KVM_SET_ONE_REG leaves N as it was, SET_NR_COUNTERS fails
# with EINVAL).  N = 0 without FEAT_HPMN0 keeps the VM trapped, with the
# reason logged.  Kernels before v6.7 have no per-VM N: the guest sees
# hpmn whatever the VMM wrote.  Stock KVM first, for reference.
S=/sys/kernel/kvm_pmu_partition
HPMN=3
cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1

run() {	# vmm args -> "before ret after guest_n", printed by vmm
	# pmu-high with an empty range reads PMCR_EL0.N and touches no counter
	out=$(vmm --payload pmu-high --hpmn 0 --end 0 "$@" 2>&1)
	echo "$(val n_before "$out") $(val set_n_ret "$out") $(val n_after "$out") $(val pmcr_n "$out")"
}

# Stock KVM: the hardware's 6, N of the VMM's choice, 7 ignored.
stock_default=$(run --set-n 6)
stock_2=$(run --set-n 2)
stock_7=$(run --set-n 7)
diag "stock: set-n 6: $stock_default; set-n 2: $stock_2; set-n 7: $stock_7 (before ret after guest)"

# KVM's per-VM N: none (v6.6 and older), pmcr_n (v6.7), nr_pmu_counters
# (v6.16, with SET_NR_COUNTERS), as the compat probes found it; FEAT_HPMN0
# as the load reports it.  The plan: 1 (sysfs compat), then none: 4;
# else 4 + 2 without FEAT_HPMN0 or 1 with, + 3 with SET_NR_COUNTERS; and
# 1 after rmmod.
insmod $KO hpmn=$HPMN || { bail "insmod hpmn=$HPMN"; return; }
nr=$(sed -n 's/.*pmcr_n=\([a-z_]*\).*/\1/p' $S/compat)
hpmn0=$(dmesg | grep 'kvm_pmu_partition: hpmn=' | tail -n1 | grep -q 'HPMN0=1' && echo 1 || echo 0)
case $nr in
none) plan 6 ;;
pmcr_n) plan $((10 - hpmn0)) ;;
*) plan $((13 - hpmn0)) ;;
esac
diag "KVM's per-VM N: $nr"
check_eq "sysfs compat: per-VM N as the build's compat string names it" \
	"$nr" "$(strings $KO | sed -n 's/.*pmcr_n=\([a-z_]*\).*/\1/p' | head -n1)"
sw() { cat $S/stats/state_switches; }
# One run: "before ret after guest partitioned?"
mrun() {
	local s0 r
	s0=$(sw)
	r=$(run "$@")
	echo "$r $([ "$(sw)" -gt "$s0" ] && echo part || echo trap)"
}

if [ "$nr" = none ]; then
	# v6.6 and older: N lives in each vCPU's PMCR_EL0, unchecked; one below
	# the hardware's is the VMM's choice, the hardware's means hpmn.
	check_eq "no per-VM N: N=2 set: the guest reads 2, partitioned" \
		"$(mrun --set-n 2 | cut -d' ' -f4,5)" "2 part"
	check_eq "no per-VM N: N=6 (the hardware's) written back: the guest reads hpmn" \
		"$(mrun --set-n 6 | cut -d' ' -f4,5)" "$HPMN part"
	check_eq "no per-VM N: N=5 > hpmn set: the guest reads 5, trapped" \
		"$(mrun --set-n 5 | cut -d' ' -f4,5)" "5 trap"
	check_match "N=5 > hpmn: the reason is logged" "$(dmesg | tail -n 3)" \
		'trapped: its PMCR_EL0.N is above hpmn'
else
	check_eq "default N is hpmn (KVM_GET_ONE_REG before the run)" \
		"$(mrun --set-n $HPMN)" "$HPMN 0 $HPMN $HPMN part"
	for n in 1 2; do
		check_eq "VMM sets N=$n: taken, the guest reads $n, partitioned" \
			"$(mrun --set-n $n)" "$HPMN 0 $n $n part"
	done
	if [ "$hpmn0" = 1 ]; then
		check_eq "VMM sets N=0 with FEAT_HPMN0: partitioned with HPMN=0" \
			"$(mrun --set-n 0)" "$HPMN 0 0 0 part"
	else
		dmesg_new >/dev/null
		check_eq "VMM sets N=0 without FEAT_HPMN0: the guest reads 0, trapped" \
			"$(mrun --set-n 0)" "$HPMN 0 0 0 trap"
		check_match "N=0 without FEAT_HPMN0: the reason is logged" \
			"$(dmesg_new)" 'trapped: PMCR_EL0.N=0 needs FEAT_HPMN0'
	fi
	for n in 4 6 7; do
		check_eq "VMM sets N=$n > hpmn: refused as above the hardware's (N stays $HPMN)" \
			"$(mrun --set-n $n)" "$HPMN 0 $HPMN $HPMN part"
	done
	if [ "$nr" = nr_pmu_counters ]; then
		check_eq "SET_NR_COUNTERS 2: taken, partitioned" \
			"$(mrun --nr-counters 2)" "$HPMN 0 2 2 part"
		check_eq "SET_NR_COUNTERS 4 > hpmn: EINVAL, N stays $HPMN" \
			"$(mrun --nr-counters 4)" "$HPMN -22 $HPMN $HPMN part"
		check_eq "SET_NR_COUNTERS 7 (above the hardware's): EINVAL as on stock" \
			"$(mrun --nr-counters 7)" "$HPMN -22 $HPMN $HPMN part"
	fi
fi
rmmod kvm_pmu_partition
# After rmmod: KVM's own limits again.
check_eq "after rmmod: stock KVM's N again" "$(run --set-n 6)" "$stock_default"
