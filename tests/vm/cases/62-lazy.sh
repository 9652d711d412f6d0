# SPDX-License-Identifier: GPL-2.0
# Lazy ownership (src/mode.c): a vCPU of a partitioned VM switches
# nothing at load and put until its guest first touches its PMU (one
# trap, KVM's emulation), is the guest's from the next entry, and goes
# back to free at a put that finds all its counters off and no overflow
# interrupt pending.  lazy=0, the
# feature off, switches at every load.
plan 18
HPMN=3
S=/sys/kernel/kvm_pmu_partition
st() { cat $S/stats/$1; }
snap() { s0=$(st state_switches) l0=$(st lazy_loads) o0=$(st lazy_owned) f0=$(st lazy_freed); }
d() { echo $(($(st "$1") - $2)); }

check_eq "insmod hpmn=$HPMN (lazy=1 by default)" "$(try_insmod hpmn=$HPMN)" 0
# 1. A guest that never touches its PMU: 100 returns to the VMM.
snap
out=$(vmm --payload mmio-rounds --rounds 100 --pin 0 2>&1)
diag "no PMU access: switches $(d state_switches $s0), lazy loads $(d lazy_loads $l0)"
check_eq "no PMU access: ran its 100 rounds" "$(val rounds "$out")" 100
check_eq "no PMU access: no state switch at all" "$(d state_switches $s0)" 0
check_eq "every load was lazy (>= 101)" "$([ "$(d lazy_loads $l0)" -ge 101 ] && echo yes)" yes
check_eq "never owned" "$(d lazy_owned $o0)" 0
# 2. pmu-access: owned at its first access (one trap), then untrapped.
snap
out=$(vmm --payload pmu-access --iters 501 --pin 0 2>&1)
diag "pmu-access: exits $(val vcpu0_exits "$out"), owned $(d lazy_owned $o0), switches $(d state_switches $s0)"
check_eq "1002 PMU accesses: owned once, partitioned (< 100 exits)" \
	"$(d lazy_owned $o0),$([ "$(val vcpu0_exits "$out")" -lt 100 ] && echo partitioned)" 1,partitioned
snap
k0=$(st kvm_event_folds)
out=$(vmm --payload pmu-basic --pin 0 2>&1)
diag "pmu-basic: inst $(val inst "$out"), owned $(d lazy_owned $o0), freed $(d lazy_freed $f0), folds $(d kvm_event_folds $k0), switches $(d state_switches $s0), lazy loads $(d lazy_loads $l0)"
check_eq "pmu-basic exact, its first access trapped" "$(val inst "$out")" 2000001
# 3. Back to free (lazy_free=1): counters 0..2 and PMCCNTR count a loop,
# all disabled, then 100 returns to the VMM, then counter 0 read again.
rmmod kvm_pmu_partition
check_eq "insmod lazy_free=1" "$(try_insmod hpmn=$HPMN lazy_free=1)" 0
snap
out=$(vmm --payload mmio-rounds --rounds 100 --pmu 2 --pin 0 2>&1)
diag "done with perf: c0 $(val c0_before "$out") -> $(val c0 "$out"), freed $(d lazy_freed $f0), owned $(d lazy_owned $o0), lazy loads $(d lazy_loads $l0), switches $(d state_switches $s0)"
check_match "counter 0 counted the loop" "$(val c0_before "$out")" '^20[0-9][0-9]$'
check_eq "its value kept while free (read through KVM's emulation)" \
	"$(val c0 "$out")" "$(val c0_before "$out")"
check_eq "free again at a put with all counters off" \
	"$([ "$(d lazy_freed $f0)" -ge 1 ] && echo yes)" yes
check_eq "owned twice: the first access, the read after the rounds" "$(d lazy_owned $o0)" 2
check_eq "the rounds' loads lazy (>= 99)" "$([ "$(d lazy_loads $l0)" -ge 99 ] && echo yes)" yes
check_eq "few state switches (< 10)" "$([ "$(d state_switches $s0)" -lt 10 ] && echo yes)" yes
rmmod kvm_pmu_partition

# 4. lazy=0: a switch at every load (the check above can fail).
check_eq "insmod lazy=0" "$(try_insmod hpmn=$HPMN lazy=0)" 0
snap
out=$(vmm --payload mmio-rounds --rounds 100 --pin 0 2>&1)
diag "lazy=0: switches $(d state_switches $s0), lazy loads $(d lazy_loads $l0)"
check_eq "lazy=0, no PMU access: a state switch at every load (>= 101)" \
	"$([ "$(d state_switches $s0)" -ge 101 ] && echo yes)" yes
check_eq "lazy=0: no lazy load" "$(d lazy_loads $l0)" 0
rmmod kvm_pmu_partition
check_eq "lazy=2 refused" "$([ "$(try_insmod hpmn=$HPMN lazy=2)" != 0 ] && ! loaded && echo yes)" yes
