# SPDX-License-Identifier: GPL-2.0
# Host PMU reservation (src/host_pmu.c): host perf places no event on the
# guest's counters, [0, hpmn) and PMCCNTR, while they are the guest's.
# Seen from the host through pinned counters (perfc -x exits 3 when a
# pinned counter cannot be scheduled): N = 6 event counters plus PMCCNTR
# without the module.  reserve=static: 6 - hpmn event counters from load
# to unload.  reserve=dynamic (the default): all of them while no
# partitioned vCPU is loaded on the CPU, 6 - hpmn while one is.
plan 45
evs() {	# count event -> "event,event,..."
	local i out=$2
	for i in $(seq 2 "$1"); do out=$out,$2; done
	echo "$out"
}
fits() {	# cpu events -> exit status of a pinned perfc over a short run
	perfc -C "$1" -x -e "$2" -- vmm --payload null >/dev/null 2>&1
	echo $?
}

cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1

check_eq "stock: 6 instructions + cycles fit on CPU0" \
	"$(fits 0 "$(evs 6 instructions),cycles")" 0
check_eq "stock: 7 instructions do not fit" "$(fits 0 "$(evs 7 instructions)")" 3

check_eq "insmod hpmn=3 reserve=static" "$(try_insmod hpmn=3 reserve=static)" 0
check_eq "hpmn=3: 3 instructions fit" "$(fits 0 "$(evs 3 instructions)")" 0
check_eq "hpmn=3: 4 instructions do not" "$(fits 0 "$(evs 4 instructions)")" 3
check_eq "hpmn=3: cycles takes an event counter (PMCCNTR is the guest's)" \
	"$(fits 0 "$(evs 3 instructions),cycles")" 3
check_eq "hpmn=3: 2 instructions + cycles fit" \
	"$(fits 0 "$(evs 2 instructions),cycles")" 0
out=$(perfc -C 0 -x -e "$(evs 3 instructions:G)" -- vmm --payload pmu-basic 2>&1)
check_eq "hpmn=3: host :G still exact on the host's counters" \
	"$(val instructions:G "$out")" $((2 * $(val iters "$out") + 39))
if [ -w $cpu1 ]; then
	echo 1 >$cpu1
	check_eq "CPU1 onlined after insmod: 4 instructions do not fit" \
		"$(fits 1 "$(evs 4 instructions)")" 3
	check_eq "CPU1: 3 instructions fit" "$(fits 1 "$(evs 3 instructions)")" 0
	echo 0 >$cpu1
else
	fail_n 2 "CPU1 onlined after insmod: $cpu1 not writable"
fi
# KVM backs a trapped VM's 3 counters and PMCCNTR with pinned events:
# only N - hpmn = 3 counters for 4 (5 on PMUv3p1, a chained pair for
# PMCCNTR), so static refuses to trap a partitioned VM.
vmm --payload hang --timeout 60 --pin 0 >/dev/null 2>&1 &
hp=$!
d=$(vmdir $hp)
ran $d
dmesg_new >/dev/null
e=$( (echo trapped >$d/mode) 2>&1 ) && e=ok
check_match "static: mode <- trapped refused, KVM's events would not fit" \
	"${e##*: } / $(dmesg_new | grep -m1 'refused: ')" "^Operation not supported / .*exceed the host's N - hpmn counters"
kill $hp
wait $hp 2>/dev/null
rmmod kvm_pmu_partition
check_eq "rmmod: 6 instructions + cycles fit again" \
	"$(fits 0 "$(evs 6 instructions),cycles")" 0

# Host events already on the guest's counters at load are moved to the
# host's; pinned (-x), so perfc exits 3 if one ever stopped counting.
perfc -C 0 -x -e instructions,instructions -- sleep 2 >/tmp/perfc.out 2>&1 &
ppid=$!
sleep 1
dmesg_new >/dev/null
check_eq "static: insmod with host events on PMEVCNTR0/1 succeeds" "$(try_insmod hpmn=3 reserve=static)" 0
check_match "the load says it moved them" "$(dmesg_new)" \
	'CPU0: 2 host perf events moved to the host.s counters'
check_eq "hpmn=3: 1 more instruction fits beside them" "$(fits 0 instructions)" 0
check_eq "hpmn=3: 2 more do not" "$(fits 0 instructions,instructions)" 3
wait $ppid
check_eq "the moved events counted without a gap (pinned perfc exit 0)" "$?" 0
check_match "and counted" "$(cat /tmp/perfc.out)" '^instructions=[1-9]'
rmmod kvm_pmu_partition

# More host events than the host's counters can take: the load is refused
# and says so, and the events keep counting where they were.
perfc -C 0 -x -e "$(evs 4 instructions)" -- sleep 2 >/tmp/perfc.out 2>&1 &
ppid=$!
sleep 1
dmesg_new >/dev/null
rc=$(try_insmod hpmn=3 reserve=static)
check_eq "insmod with 4 host events on CPU0 (3 host counters) fails" \
	"$([ "$rc" = 0 ] && echo 0 || echo 1)" 1
check_match "refusal names the CPU, an event and the counters" "$(dmesg_new)" \
	'CPU0: host perf events \(config 0x1, \.\.\.\) do not fit in PMEVCNTR3\.\.5_EL0, the host.s counters with hpmn=3'
loaded && rmmod kvm_pmu_partition
wait $ppid
check_eq "the host events never stopped counting (pinned perfc exit 0)" "$?" 0
check_eq "refused load left every counter free" \
	"$(fits 0 "$(evs 6 instructions),cycles")" 0

# --- reserve=dynamic ---------------------------------------------------------
stat() { cat /sys/kernel/kvm_pmu_partition/stats/$1; }
dmesg_new >/dev/null
check_eq "insmod hpmn=3 reserve=dynamic" "$(try_insmod hpmn=3 reserve=dynamic)" 0
check_match "the load says so" "$(dmesg_new)" 'hpmn=3 of N=6, .*reserve=dynamic'
check_eq "dynamic, no vCPU loaded: 6 instructions + cycles fit" \
	"$(perfc -C 0 -x -e "$(evs 6 instructions),cycles" -- sleep 0.1 >/dev/null 2>&1; echo $?)" 0
check_eq "with a partitioned VM using its PMU on the CPU they do not (exit 3)" \
	"$(perfc -C 0 -x -e "$(evs 6 instructions),cycles" -- vmm --payload pmu-basic >/dev/null 2>&1; echo $?)" 3
check_eq "beside one that never touches its PMU (lazy: trapped, no claim) they do" \
	"$(fits 0 "$(evs 6 instructions),cycles")" 0
check_eq "and after it, they do again" \
	"$(perfc -C 0 -x -e "$(evs 6 instructions),cycles" -- sleep 0.1 >/dev/null 2>&1; echo $?)" 0
# 3 pinned events on PMEVCNTR0..2, the guest's, while a VM is partitioned
# on this CPU: moved to PMEVCNTR3..5 at its first load, counting all along.
m0=$(stat host_events_moved) r0=$(stat host_rescheds) l0=$(stat host_pinned_lost)
out=$(perfc -C 0 -x -e "$(evs 3 instructions:H)" -- vmm --payload pmu-basic 2>&1)
rc=$?
diag "3 pinned beside the VM: exit $rc, moved $(($(stat host_events_moved) - m0)), rescheds $(($(stat host_rescheds) - r0))"
check_eq "3 pinned host events beside a partitioned VM: never multiplexed (exit 0)" "$rc" 0
check_eq "the VM's counts exact beside them" "$(val inst "$out")" 2000001
check_eq "they moved off the guest's counters: stats/host_events_moved +3" \
	"$(($(stat host_events_moved) - m0))" 3
check_eq "one perf reschedule for it, at the first load (none at put: nothing waits)" \
	"$(($(stat host_rescheds) - r0))" 1
check_eq "no pinned event lost" "$(($(stat host_pinned_lost) - l0))" 0
# Without host events on them, a load claims the counters and nothing else.
r0=$(stat host_rescheds)
out=$(vmm --payload pmu-basic 2>&1)
check_eq "a partitioned VM with no host event about: exact, no perf reschedule" \
	"$(val inst "$out"),$(($(stat host_rescheds) - r0))" 2000001,0
# 4 pinned: one too many beside the VM.
dmesg_new >/dev/null
out=$(perfc -C 0 -x -e "$(evs 4 instructions:H)" -- vmm --payload pmu-basic 2>&1)
rc=$?
check_eq "4 pinned host events beside a partitioned VM: one cannot be scheduled (exit 3)" "$rc" 3
check_eq "the VM's counts still exact" "$(val inst "$out")" 2000001
check_eq "stats/host_pinned_lost counts it" "$(($(stat host_pinned_lost) - l0))" 1
check_match "and the log says which, and what keeps it" "$(dmesg_new)" \
	'CPU0: pinned host perf event \(config 0x1\) does not fit in PMEVCNTR3\.\.5_EL0 beside a partitioned vCPU: perf puts it in error state \(reserve=static keeps them\)'
# Flexible events: left to perf's rotation while the VM is loaded, given
# back at its put.  6 of them around a short VM run and 1 s of host time:
# each runs nearly all the time.  Static keeps them at 3 of 6 (below).
share() {	# perfc output -> the smallest per-mille running share
	printf '%s\n' "$1" | awk -F'[=.]' '
		/@cpu0\.time_enabled=/ { en[$1] = $NF } /@cpu0\.time_running=/ { ru[$1] = $NF }
		END { m = 1000; for (k in en) if (en[k] > 0 && int(ru[k] * 1000 / en[k]) < m) m = int(ru[k] * 1000 / en[k]); print m }'
}
w0=$(stat host_events_waiting) r0=$(stat host_rescheds)
out=$(perfc -C 0 -e "$(evs 6 instructions:H)" -- sh -c 'vmm --payload pmu-basic >/tmp/v.out && sleep 1' 2>&1)
sh_dyn=$(share "$out")
diag "6 flexible, dynamic: smallest running share $sh_dyn per mille, waiting $(($(stat host_events_waiting) - w0)), rescheds $(($(stat host_rescheds) - r0))"
check_eq "6 flexible host events: the VM's counts exact" "$(val inst "$(cat /tmp/v.out)")" 2000001
check_eq "some waited while the VM was loaded (stats/host_events_waiting)" \
	"$([ "$(($(stat host_events_waiting) - w0))" -gt 0 ] && echo yes)" yes
check_eq "and were given back at its put: each ran >= 90% of the time" \
	"$([ "$sh_dyn" -ge 900 ] && echo yes || echo "no ($sh_dyn)")" yes
rmmod kvm_pmu_partition
check_eq "static, for contrast: insmod" "$(try_insmod hpmn=3 reserve=static)" 0
out=$(perfc -C 0 -e "$(evs 6 instructions:H)" -- sh -c 'vmm --payload pmu-basic >/tmp/v.out && sleep 1' 2>&1)
sh_st=$(share "$out")
diag "6 flexible, static: smallest running share $sh_st per mille"
check_eq "static: the same 6 events run about half the time (3 counters)" \
	"$([ "$sh_st" -le 600 ] && echo yes || echo "no ($sh_st)")" yes
rmmod kvm_pmu_partition
check_eq "reserve=bogus refused" "$([ "$(try_insmod hpmn=3 reserve=bogus)" != 0 ] && ! loaded && echo yes)" yes
check_match "with a clear message" "$(dmesg_new)" "reserve=bogus: use 'dynamic'"
[ ! -w $cpu1 ] || echo 1 >$cpu1
