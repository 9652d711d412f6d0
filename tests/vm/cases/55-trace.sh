# SPDX-License-Identifier: GPL-2.0
# Tracepoints (system kvm_pmu_partition, src/kpp_trace.h): for known
# payloads, tracefs shows each event as often as the module's statistics
# count what it traces, naming the VM, the vCPU and the pCPU.  Off, they
# print nothing.  (Debian's perf stat -e 'kvm_pmu_partition:*' is checked
# in 90-realvmm; what they cost is in make bench.)
S=/sys/kernel/kvm_pmu_partition
T=/sys/kernel/tracing
E=$T/events/kvm_pmu_partition
cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1
plan 23

stat() { cat $S/stats/$1; }
tr_on() {	# every event of the system on, an empty buffer
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 1 >$E/enable
	echo 1 >$T/tracing_on
}
tr_off() {	# events off; the buffer into /tmp/tr
	echo 0 >$E/enable
	cat $T/trace >/tmp/tr
}
nev() { grep -c ": $1: " /tmp/tr; }	# lines of event $1
sum() {	# event field: the field summed over the event's lines
	grep ": $1: " /tmp/tr | sed -n "s/.* $2=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}

if [ ! -d $T/events ]; then
	bail "no tracefs at $T"
	return 0
fi
check_eq "insmod hpmn=3" "$(try_insmod hpmn=3)" 0
check_eq "9 events under events/kvm_pmu_partition" \
	"$(ls -d $E/*/ 2>/dev/null | wc -l)" 9

# --- off: nothing in the buffer -------------------------------------------
echo 0 >$T/tracing_on
echo >$T/trace
echo 1 >$T/tracing_on
vmm --payload pmu-overflow --mode 5 --iters 683333 >/dev/null 2>&1
cat $T/trace >/tmp/tr
check_eq "off by default: a VM with 20 overflows traces nothing" "$(grep -c 'vm=' /tmp/tr)" 0

# --- 20 overflows: 20 forwarded events --------------------------------------
f0=$(stat overflows_forwarded) s0=$(stat state_switches) o0=$(stat lazy_owned)
tr_on
out=$(vmm --payload pmu-overflow --mode 5 --iters 683333 2>&1)
tr_off
check_eq "pmu-overflow: 20 interrupts in the guest" "$(val irqs "$out")" 20
check_eq "overflow: 20 events, as stats/overflows_forwarded" \
	"$(nev overflow),$(($(stat overflows_forwarded) - f0))" 20,20
check_match "overflow names the VM, vCPU 0, pCPU 0 and the counter" \
	"$(grep -m1 ': overflow: ' /tmp/tr)" ': overflow: vm=[0-9]+-[0-9]+ vcpu=0 cpu=0 mask=0x[0-9a-f]+$'
check_eq "vcpu_partition: one per stats/state_switches" \
	"$(nev vcpu_partition)" "$(($(stat state_switches) - s0))"
check_eq "vcpu_partition: at least one" "$([ "$(nev vcpu_partition)" -gt 0 ] && echo yes)" yes
check_eq "vcpu_unpartition at=put: one per vcpu_partition" \
	"$(grep -c ': vcpu_unpartition: .* at=put$' /tmp/tr)" "$(nev vcpu_partition)"
check_eq "lazy now=owned: once, as stats/lazy_owned" \
	"$(grep -c ': lazy: .* now=owned$' /tmp/tr),$(($(stat lazy_owned) - o0))" 1,1

# --- a mode switch while the guest counts ----------------------------------
vmm --payload pmu-all6 --counters 1 --iters 1000000000 --pin 0 --start-delay 300 >/tmp/m.out 2>&1 &
p=$!
d=$(vmdir $p)
# hpmn 1: KVM's events for it fit in the host's N - 3 = 3 counters, also
# before PMUv3p5 (n1), where its cycle counter takes a chained pair
echo 1 >$d/hpmn
ran $d
sleep 0.5
n=${d##*/}
m0=$(cat $d/stats/mode_switches) k0=$(stat kvm_event_folds)
tr_on
echo trapped >$d/mode
sleep 0.3
echo partitioned >$d/mode
sleep 0.3
m1=$(cat $d/stats/mode_switches)
tr_off
wait $p
check_eq "the VM ran to its end" "$?" 0
check_eq "mode_request: trapped then partitioned, both taken" \
	"$(grep ': mode_request: ' /tmp/tr | sed 's/.*: mode_request: //' | tr '\n' ';')" \
	"vm=$n vcpu=-1 cpu=0 mode=trapped ret=0;vm=$n vcpu=-1 cpu=0 mode=partitioned ret=0;"
check_eq "mode_switch: trapped then partitioned, as its stats/mode_switches (+2)" \
	"$(grep ': mode_switch: ' /tmp/tr | sed 's/.* mode=//' | tr '\n' ' ')/$((m1 - m0))" "trapped partitioned /2"
check_eq "fold: KVM's events folded, as stats/kvm_event_folds" \
	"$(sum fold events)" "$(($(stat kvm_event_folds) - k0))"
check_eq "fold: some" "$([ "$(sum fold events)" -gt 0 ] && echo yes)" yes

# --- admission refused ----------------------------------------------------
tr_on
vmm --payload pmu-basic --deny-event 0x08 --iters 300000000 >/dev/null 2>&1 &
p=$!
d=$(vmdir $p)
ran $d
n=${d##*/}
e=$( (echo partitioned >$d/mode) 2>&1 ) && e=ok
kill $p
wait $p 2>/dev/null
tr_off
check_match "a filtered VM's mode <- partitioned refused" "${e##*: }" "^Operation not supported"
check_eq "admit_refused: at its first run and at the write, with the reason" \
	"$(grep ': admit_refused: ' /tmp/tr | sed 's/.*: admit_refused: //' | tr '\n' ';')" \
	"vm=$n vcpu=-1 cpu=0 reason=\"its VMM set a PMU event filter, which only trapping enforces\";vm=$n vcpu=-1 cpu=0 reason=\"its VMM set a PMU event filter, which only trapping enforces\";"
check_eq "mode_request: the refusal, with EOPNOTSUPP" \
	"$(grep ': mode_request: ' /tmp/tr | sed 's/.*: mode_request: //')" \
	"vm=$n vcpu=-1 cpu=0 mode=partitioned ret=-95"
rmmod kvm_pmu_partition

# --- reserve=dynamic: host events moved -------------------------------------
check_eq "insmod hpmn=3 reserve=dynamic" "$(try_insmod hpmn=3 reserve=dynamic)" 0
h0=$(stat host_events_moved)
tr_on
perfc -C 0 -x -e instructions:H,instructions:H,instructions:H -- vmm --payload pmu-basic >/dev/null 2>&1
rc=$?
tr_off
check_eq "3 pinned host events beside a partitioned VM (exit 0)" "$rc" 0
check_eq "host_events_moved: moved summed as stats/host_events_moved (3)" \
	"$(sum host_events_moved moved),$(($(stat host_events_moved) - h0))" 3,3
check_match "host_events_moved names the VM, vCPU 0 and pCPU 0" \
	"$(grep -m1 ': host_events_moved: ' /tmp/tr)" ': host_events_moved: vm=[0-9]+-[0-9]+ vcpu=0 cpu=0 moved=3 waiting=0 lost=0$'
rmmod kvm_pmu_partition
check_eq "rmmod: the system's events are gone with the module" "$([ -d $E ] && echo present || echo gone)" gone
[ ! -w $cpu1 ] || echo 1 >$cpu1
