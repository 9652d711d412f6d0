# SPDX-License-Identifier: GPL-2.0
# The VMM's payloads as an instrument, on stock KVM (module not loaded):
# payload arguments in x0..x3, PMU overflow interrupts through the guest's
# own vectors and GICv3, accesses to counters >= hpmn, the EL2 filter bit,
# a 6-counter round, vCPU migration, and broken guests.
#
# CPU 1 is offline for the exact counts (QEMU's -icount clock is global,
# see 30-vmm.sh) and online only for --migrate-every.
show() {	# output: the payload's figures, without the stats noise
	printf '%s\n' "$1" | grep -vE '^(payload|arg_.*|vcpu[0-9]_.*_stat)=' |
		sed 's/^/KPP: #   /'
}

plan 54
if ! command -v vmm >/dev/null; then
	bail "vmm missing from the initramfs: build it with make -C tests/vm/vmm"
	return 0
fi
if loaded; then
	rmmod kvm_pmu_partition
fi

cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1
check_eq "CPU 1 offline for exact counts" "$(cat /sys/devices/system/cpu/online)" 0

# --- arguments in x0..x3 ---------------------------------------------------
out=$(vmm --payload pmu-basic --iters 1234 2>&1)
check_eq "vmm pmu-basic --iters 1234 exits 0" "$?" 0
check_eq "x0 = iters reaches the guest" "$(val iters "$out")" 1234
check_eq "INST_RETIRED over 1234 iters (2*iters+1)" "$(val inst "$out")" 2469
out=$(vmm --payload pmu-basic --arg0 0x100 2>&1)
check_eq "--arg0 0x100 (hex) = iters 256" "$(val iters "$out")" 256
out=$(vmm --payload pmu-basic --period 5 2>&1)
check_eq "unknown argument name refused (exit 1)" "$?" 1
check_match "unknown argument message" "$out" "payload pmu-basic has no argument 'period'"
out=$(vmm --payload pmu-basic --iters 12x 2>&1)
check_eq "non-number refused (exit 1)" "$?" 1
check_match "non-number message" "$out" "'12x' is not a number"

# --- pmu-overflow ----------------------------------------------------------
# Counter armed at 2^32 - P; each overflow IRQ re-arms it to 2^32 - P, so
# the events between the wrap and the re-arm (the skid, + 4 handler
# instructions) are lost and the handler's tail after the re-arm is
# counted: each period drifts by a few tens of instructions.  The loop is
# L = 2*iters = 20.5 P, half a period away from a multiple of P, so the
# count is floor(L / P) = 20 exactly as long as the drift stays under
# P/2 / 20 = 2500 per interrupt.  Identity checked: the counted events
# irqs*P + skid_sum + (final - rearm) = L + (handler and set-up overhead).
# CPU_CYCLES (= instructions under -icount shift=0) is used because QEMU
# signals an INST_RETIRED overflow only at the next PMU sync point (an
# exception or EL change), not when it happens: measured on QEMU 7.2 and
# 10.0.2, see mode 0 below.
P=100000 IT=1025000
for c in 0 5; do
	out=$(vmm --payload pmu-overflow --period $P --iters $IT --mode 3 --counter $c --timeout 5 2>&1)
	check_eq "pmu-overflow CPU_CYCLES counter $c exits 0" "$?" 0
	show "$out"
	irqs=$(val irqs "$out")
	check_eq "overflow IRQs, counter $c = floor(2*iters/P)" "$irqs" $((2 * IT / P))
	check_eq "no spurious IRQ, counter $c" "$(val spurious "$out")" 0
	final=$(val final "$out") rearm=$(val rearm "$out")
	check_eq "final counter past the last re-arm, no overflow left" \
		"$([ "${final:-0}" -ge "${rearm:-1}" ] && [ "$((final - rearm))" -lt $P ] && echo yes || echo no)" yes
	counted=$((irqs * P + $(val skid_sum "$out") + final - rearm))
	diag "pmu-overflow counter $c: $irqs IRQs, skid max $(val skid_max "$out"), counted $counted events for a $((2 * IT))-instruction loop (+$((counted - 2 * IT)) handler/set-up, $(( (counted - 2 * IT) / (irqs ? irqs : 1) )) per IRQ) on $KSERIES/$CPU"
done

out=$(vmm --payload pmu-overflow --period $P --iters $IT --mode 0 --timeout 5 2>&1)
check_eq "pmu-overflow INST_RETIRED exits 0" "$?" 0
irqs=$(val irqs "$out")
check_eq "INST_RETIRED overflow IRQs <= floor(2*iters/P)" \
	"$([ "${irqs:-99}" -le $((2 * IT / P)) ] && echo yes || echo no)" yes
diag "pmu-overflow INST_RETIRED: $irqs IRQs of $((2 * IT / P)) overflows, final $(val final "$out") (QEMU raises it at a PMU sync point only) on $KSERIES/$CPU"

# Masked loop across one overflow, then WFI: the pending IRQ must wake it.
out=$(vmm --payload pmu-overflow --period $P --iters 75000 --mode 4 --timeout 5 2>&1)
check_eq "pmu-overflow masked loop + WFI (CPU_CYCLES) exits 0" "$?" 0
show "$out"
check_eq "one overflow IRQ taken after WFI" "$(val irqs "$out")" 1
check_eq "WFI returned once (ISR_EL1.I set)" "$(val wfis "$out")" 1
out=$(vmm --payload pmu-overflow --period $P --iters 75000 --mode 1 --timeout 2 2>&1)
rc=$?
diag "pmu-overflow masked loop + WFI (INST_RETIRED): exit $rc, irqs=$(val irqs "$out") wfis=$(val wfis "$out") $(printf '%s\n' "$out" | grep -o 'timeout.*pc=0x[0-9a-f]*')"
# WFI with CPU_CYCLES armed: does the counter count while the vCPU waits?
# A 10 ms virtual timer (PPI 27) is the backstop.
out=$(vmm --payload pmu-overflow --period $P --mode 2 --timeout 5 2>&1)
check_eq "pmu-overflow WFI wait exits 0" "$?" 0
pi=$(val irqs "$out") ti=$(val timer_irqs "$out")
check_eq "an interrupt woke the WFI (PMU $pi, timer $ti)" "$(( ${pi:-0} + ${ti:-0} ))" 1
diag "WFI wait with CPU_CYCLES armed at 2^32-$P: woken by $([ "$pi" = 1 ] && echo PMU || echo timer), counter advanced $(( $(val final "$out") - $(val rearm "$out") )) cycles, $(val wfis "$out") WFI on $KSERIES/$CPU"

# --- pmu-high --------------------------------------------------------------
# Stock KVM emulates N = 6 counters: [3, 6) are all valid, no UNDEF.
out=$(vmm --payload pmu-high --hpmn 3 --timeout 5 2>&1)
check_eq "pmu-high hpmn=3 exits 0" "$?" 0
show "$out"
check_eq "pmu-high: 2 accesses per counter in [3, 6)" "$(val attempts "$out")" 6
check_eq "pmu-high: stock KVM accepts counters 3..5 (0 UNDEF)" "$(val undefs "$out")" 0
out=$(vmm --payload pmu-high --hpmn 6 --timeout 5 2>&1)
check_eq "pmu-high hpmn=6: nothing to touch" "$(val attempts "$out"),$(val undefs "$out")" 0,0
# Beyond N: counters 6 and 7 do not exist.
out=$(vmm --payload pmu-high --hpmn 3 --end 8 --timeout 5 2>&1)
check_eq "pmu-high [3, 8) exits 0" "$?" 0
check_eq "pmu-high [3, 8): UNDEF for n = 6, 7, direct and via PMSELR" \
	"$(val undef_direct "$out"),$(val undef_sel "$out")" 2,2

# --- pmu-el2filter ---------------------------------------------------------
# Window: 2*iters loop + traps * (movz, hvc, subs, b.ne) + cbz + 1 (the
# trapping MSR PMCR_EL0, as in 30-vmm): 2*iters + 4*traps + 2, measured.
# HVC PSCI_VERSION runs KVM at EL2 each time; NSH must not let it in.
out=$(vmm --payload pmu-el2filter --iters 1000000 --traps 100 2>&1)
check_eq "pmu-el2filter exits 0" "$?" 0
show "$out"
exp=$((2 * 1000000 + 4 * 100 + 2))
check_eq "INST_RETIRED, no filter (2*iters+4*traps+2)" "$(val inst "$out")" $exp
check_eq "INST_RETIRED with NSH: no EL2 counted" "$(val inst_nsh "$out")" $exp
check_eq "PMCCNTR with PMCCFILTR.NSH: no EL2 counted" "$(val cycles_nsh "$out")" $exp
diag "PMEVTYPER0_EL0 reads back $(printf 0x%x "$(val evtyper0 "$out")"), PMCCFILTR_EL0 $(printf 0x%x "$(val pmccfiltr "$out")") after writing NSH (bit 27) on $KSERIES/$CPU"

# --- pmu-all6 --------------------------------------------------------------
out=$(vmm --payload pmu-all6 --iters 1000000 2>&1)
check_eq "pmu-all6 exits 0" "$?" 0
show "$out"
exp=$((2 * 1000000 + 1))
for n in c0 c1 c2 c3 c4 c5 ccnt; do
	check_eq "pmu-all6 $n = 2*iters+1" "$(val $n "$out")" $exp
done
diag "pmu-all6 round: $(val vcpu0_exits "$out") exits, $(val vcpu0_run_us "$out") us in KVM_RUN on $KSERIES/$CPU"

# --- broken guests ---------------------------------------------------------
for how in 0 1; do
	out=$(vmm --payload broken --how $how --timeout 1 2>&1)
	check_eq "broken how=$how: vmm exits 3 (timeout)" "$?" 3
	check_match "broken how=$how: message says where it is stuck" "$out" \
		'timeout: guest did not power off in 1s: vcpu0 pc=0x200 .*\(EC 0x21\)'
done
out=$(vmm --payload broken --how 2 --timeout 5 2>&1)
check_eq "broken how=2 (UDF, vectors): vmm exits 1" "$?" 1
check_match "broken how=2: unexpected exception decoded" "$out" \
	'unexpected exception: vector 0x200 ESR_EL1=0x[0-9a-f]+ \(EC 0x0\)'

# --- migration -------------------------------------------------------------
out=$(vmm --payload pmu-basic --iters 1000 --migrate-every 1 2>&1)
check_eq "--migrate-every with CPU 1 offline exits 1" "$?" 1
check_match "--migrate-every message" "$out" 'CPU 1 offline'
if [ -w $cpu1 ]; then
	echo 1 >$cpu1
	IT=30000000
	out=$(vmm --payload pmu-basic --iters $IT --migrate-every 2 2>&1)
	check_eq "pmu-basic --migrate-every 2 exits 0" "$?" 0
	m=$(val migrations "$out") nm=$(val vcpu0_nr_migrations "$out")
	check_eq "vCPU thread moved ($m affinity flips)" "$([ "${m:-0}" -ge 2 ] && echo yes || echo no)" yes
	check_eq "scheduler saw the moves (se.nr_migrations $nm >= 2)" \
		"$([ "${nm:-0}" -ge 2 ] && echo yes || echo no)" yes
	inst=$(val inst "$out")
	check_eq "no guest instruction lost across migrations (inst >= 2*iters+1)" \
		"$([ "${inst:-0}" -ge $((2 * IT + 1)) ] && echo yes || echo no)" yes
	out0=$(vmm --payload pmu-basic --iters $IT 2>&1)
	diag "migration: $m moves, inst=$inst (+$((inst - 2 * IT - 1))); same run unmigrated with CPU 1 online: +$(( $(val inst "$out0") - 2 * IT - 1)) on $KSERIES/$CPU"
else
	fail_n 4 "--migrate-every 2: CPU 1 cannot be brought online ($cpu1 not writable)"
fi
