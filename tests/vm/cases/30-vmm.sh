# SPDX-License-Identifier: GPL-2.0
# The minimal VMM (tests/vm/vmm) runs bare-metal payloads under stock KVM
# (module not loaded), whose PMU is the emulated one: every guest PMU
# register access traps to EL2 and counters are backed by host perf events.
#
# Under -icount, QEMU's INST_RETIRED and CPU_CYCLES come from one global
# instruction clock, so instructions run by the other L1 CPU land in our
# counters too.  Measured on QEMU 10.0.2 with CPU 1 online: +1,000 to
# +2,000,000 on a 2,000,001 count; on 7.2, usually exact but not always
# (35-payloads saw +198,783 on a 60,000,001 count on 6.12/7.2 with CPU 1
# online and idle).  CPU 1 is taken offline for the exact checks and
# brought back at the end.  Payload arguments and the other payloads:
# vmm --list and 35-payloads.sh.
plan 15
if ! command -v vmm >/dev/null; then
	bail "vmm missing from the initramfs: build it with make -C tests/vm/vmm"
	return 0
fi

cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1
check_eq "CPU 1 offline for exact counts" "$(cat /sys/devices/system/cpu/online)" 0

out=$(vmm --payload pmu-basic 2>&1)
check_eq "vmm pmu-basic exits 0 (PSCI SYSTEM_OFF)" "$?" 0
printf '%s\n' "$out" | sed 's/^/KPP: #   /'
check_eq "guest PMCR_EL0.N" "$(val pmcr_n "$out")" 6
# Counted window: the loop (subs + b.ne) = 2 * iters instructions, plus 1.
# The +1 is attributed by QEMU to EL1 around one of the two trapping MSR
# PMCR_EL0 (enable/disable) under stock KVM.  Measured exact, every run, on
# 6.12 and 7.3 with QEMU 7.2 and 10.0.2 (CPU 1 offline): 2,000,001.
iters=$(val iters "$out")
exp=$((2 * ${iters:-0} + 1))
check_eq "INST_RETIRED over the loop (2*iters+1)" "$(val inst "$out")" $exp
# -icount shift=0: 1 instruction = 1 ns = 1 cycle.
check_eq "PMCCNTR_EL0 over the loop (= instructions)" "$(val cycles "$out")" $exp

base=$(vmm --payload null 2>&1)
check_eq "vmm null exits 0" "$?" 0
out=$(vmm --payload pmu-access 2>&1)
check_eq "vmm pmu-access exits 0" "$?" 0
printf '%s\n' "$out" | sed 's/^/KPP: #   /'
acc=$(val accesses "$out")
exits=$(val vcpu0_exits "$out")
bexits=$(val vcpu0_exits "$base")
check_eq "pmu-access made 2000 PMU register accesses" "$acc" 2000
# Stock KVM traps each access, but handles it in the kernel: KVM_RUN
# returns only for the one MMIO report and SYSTEM_OFF.
check_eq "PMU traps handled in kernel (KVM_RUN returns)" "$(val vcpu0_runs "$out")" 2
check_eq "stats fd: exits >= accesses ($exits >= $acc)" \
	"$([ "${exits:-0}" -ge "${acc:-1}" ] && echo yes || echo no)" yes
diag "exits per 1000 PMU accesses: $(( (${exits:-0} - ${bexits:-0}) * 1000 / ${acc:-1} )) ($exits exits, null payload $bexits) on $KSERIES/$CPU"

out=$(vmm --payload pmu-basic --vcpus 2 2>&1)
check_eq "vmm --vcpus 2 (vCPU 1 powered off) exits 0" "$?" 0
check_match "vCPU 1 stats read" "$out" '^vcpu1_exits=0$'
out=$(vmm --payload no-such 2>&1)
check_eq "vmm rejects an unknown payload" "$?" 1
out=$(vmm --payload hang --timeout 2 2>&1)
check_eq "vmm times out a hung guest (exit 3)" "$?" 3
check_match "timeout message" "$out" 'timeout: guest did not power off'

[ ! -w $cpu1 ] || echo 1 >$cpu1
