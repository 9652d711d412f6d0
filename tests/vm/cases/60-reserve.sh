# SPDX-License-Identifier: GPL-2.0
# Host PMU reservation (src/host_pmu.c): with the module loaded, host perf
# places no event on the guest's counters, [0, hpmn) and PMCCNTR.  Seen
# from the host through pinned counters (perfc -x exits 3 when a pinned
# counter cannot be scheduled): N = 6 event counters plus PMCCNTR without
# the module, 6 - hpmn event counters with it.
plan 21
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

check_eq "insmod hpmn=3" "$(try_insmod hpmn=3)" 0
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
rmmod kvm_pmu_partition
check_eq "rmmod: 6 instructions + cycles fit again" \
	"$(fits 0 "$(evs 6 instructions),cycles")" 0

# Host events already on the guest's counters at load are moved to the
# host's; pinned (-x), so perfc exits 3 if one ever stopped counting.
perfc -C 0 -x -e instructions,instructions -- sleep 2 >/tmp/perfc.out 2>&1 &
ppid=$!
sleep 1
dmesg_new >/dev/null
check_eq "insmod with host events on PMEVCNTR0/1 succeeds" "$(try_insmod hpmn=3)" 0
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
rc=$(try_insmod hpmn=3)
check_eq "insmod with 4 host events on CPU0 (3 host counters) fails" \
	"$([ "$rc" = 0 ] && echo 0 || echo 1)" 1
check_match "refusal names the CPU, an event and the counters" "$(dmesg_new)" \
	'CPU0: host perf events \(config 0x1, \.\.\.\) do not fit in PMEVCNTR3\.\.5_EL0, the host.s counters with hpmn=3'
loaded && rmmod kvm_pmu_partition
wait $ppid
check_eq "the host events never stopped counting (pinned perfc exit 0)" "$?" 0
check_eq "refused load left every counter free" \
	"$(fits 0 "$(evs 6 instructions),cycles")" 0
[ ! -w $cpu1 ] || echo 1 >$cpu1
