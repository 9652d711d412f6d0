# SPDX-License-Identifier: GPL-2.0
# kvm-pmu-partition, the operator's command (tools/), against the module
# and running VMs from our VMM: status (text and --json), set by vms/
# name, by pid, and every error it can meet here, each with its exit code
# and its words.  (Against QEMU: 90-realvmm.  A name matching several VMs,
# a VM gone under the write and an older module's sysfs: tests/cli/run.)
K=kvm-pmu-partition
# The DKMS tier puts the .deb's command, dynamically linked, in /usr/sbin.
if [ -x /usr/sbin/kvm-pmu-partition ]; then
	K=/usr/sbin/kvm-pmu-partition
	diag "testing the packaged command (kvm-pmu-partition-tools, Debian's glibc)"
fi
S=/sys/kernel/kvm_pmu_partition
plan 38

# Run the command: its exit status, then its output (stdout and stderr).
run() { out=$("$@" 2>&1); rc=$?; }
line() { printf '%s\n' "$out" | grep -E "^$1 "; }	# status line of VM $1

run $K status
check_eq "no module: status exits 3" "$rc" 3
check_eq "no module: and says so" "$out" "kvm-pmu-partition: module not loaded (modprobe kvm_pmu_partition hpmn=N)"
run $K status --json
check_eq "no module: --json says loaded false (exit 3)" "$rc:$out" '3:{"loaded": false}'
run $K set 1-2 mode trapped
check_eq "no module: set exits 3" "$rc" 3
run $K set 1-2 mode sideways
check_eq "a bad mode: usage (exit 1), in words" "$rc:$out" "1:kvm-pmu-partition: mode is 'partitioned' or 'trapped', not 'sideways'"
run $K set 1-2 hpmn x
check_eq "a bad hpmn: usage (exit 1)" "$rc" 1
run $K frobnicate
check_eq "an unknown command: usage (exit 1)" "$rc:$(printf '%s\n' "$out" | head -n1)" "1:usage: kvm-pmu-partition status [--json]"
run $K --version
check_eq "--version" "$rc:$out" "0:kvm-pmu-partition 0.1.0"

check_eq "insmod hpmn=3" "$(try_insmod hpmn=3)" 0
run $K status
check_eq "status, no VM: exit 0" "$rc" 0
check_eq "status: the module's version and parameters" "$(printf '%s\n' "$out" | head -n1)" \
	"kvm_pmu_partition 0.1.0: hpmn=3 reserve=static lazy=Y lazy_free=N"
last=$(($(grep -c . $S/pmcr_n) - 1))
check_eq "status: N per PMU, as pmcr_n" "$(printf '%s\n' "$out" | sed -n 2p)" \
	"N per PMU: $(sed -n 's/^cpu0://p' $S/pmcr_n) (cpu0$([ $last = 0 ] || echo "-$last"))"
check_eq "status: no VM" "$(printf '%s\n' "$out" | sed -n 5p)" "VMs: 0, 0 partitioned"

# Three VMs that count until killed (10^11 instructions; with 10^9 they
# had ended before the status check on 6.1/nofgt), on pCPU 1, so that the
# commands under test keep pCPU 0.
# A: waits 1.5 s before its vCPU runs.
vmm --payload pmu-basic --iters 50000000000 --pin 1 --start-delay 1500 >/dev/null 2>&1 &
pa=$!
da=$(vmdir $pa)
na=${da##*/}
run $K set $na hpmn 5
check_eq "set hpmn above the module's: refused (exit 4), in words" "$rc:$out" \
	"4:kvm-pmu-partition: $na: hpmn 5 out of range (1, or 0 with FEAT_HPMN0, to hpmn)"
run $K set $na hpmn 2
check_eq "set hpmn 2 before it runs (by name)" "$rc:$out" "0:$na: hpmn 2"
ran $da
run $K set $na hpmn 3
check_eq "set hpmn after a vCPU ran: refused (exit 4), in words" "$rc:$out" \
	"4:kvm-pmu-partition: $na: hpmn is fixed once a vCPU has run (PMCR_EL0.N seen)"
# B: a VMM event filter keeps it trapped.
vmm --payload pmu-basic --deny-event 0x08 --iters 50000000000 --pin 1 >/dev/null 2>&1 &
pb=$!
db=$(vmdir $pb)
nb=${db##*/}
ran $db
# C: the module's hpmn: trapped would not fit beside the reservation.
vmm --payload pmu-basic --iters 50000000000 --pin 1 >/dev/null 2>&1 &
pc=$!
dc=$(vmdir $pc)
nc=${dc##*/}
ran $dc

run $K status
printf '%s\n' "$out" | while read -r l; do diag "$l"; done
check_eq "status with 3 VMs: exit 0" "$rc" 0
check_eq "status: VMs line" "$(printf '%s\n' "$out" | grep '^VMs:')" "VMs: 3, 2 partitioned"
check_match "status: A's line (process, no guest name, mode, hpmn, vCPUs)" "$(line $na)" \
	"^$na +vmm +- +partitioned +2 +1 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ -\$"
check_match "status: B's line, trapped, with its reason" "$(line $nb)" \
	"^$nb +vmm +- +trapped +3 +1 .* its VMM set a PMU event filter, which only trapping enforces\$"
check_match "status: C's line" "$(line $nc)" "^$nc +vmm +- +partitioned +3 +1 "
s=$(line $na | awk '{ print $7 }')
check_eq "status: A's state_switches, > 0 and at most its stats/ file read after" \
	"$([ "$s" -gt 0 ] && [ "$s" -le "$(cat $da/stats/state_switches)" ] && echo yes || echo "no ($s)")" yes
run $K status --json
check_eq "--json: exit 0" "$rc" 0
check_match "--json: the module" "$out" \
	'^\{"loaded": true, "version": "0\.1\.0", "params": \{"hpmn": 3, "reserve": "static", "lazy": true, "lazy_free": false\}, "pmus": \[\{"n": [0-9]+, "cpus": \[0(, 1)?\]\}\], "features": "[^"]*", "compat": "[^"]*", "partitioned_vms": 2, "vms": \['
check_match "--json: B, trapped, with its reason and statistics" "$out" \
	"\\{\"name\": \"$nb\", \"pid\": $pb, \"process\": \"vmm\", \"guest\": null, \"mode\": \"trapped\", \"hpmn\": 3, \"vcpus\": 1, \"reason\": \"its VMM set a PMU event filter, which only trapping enforces\", \"stats\": \\{\"hook_ns\": [0-9]+, \"lazy_loads\": [0-9]+, \"mode_switches\": [0-9]+, "

run $K set $na mode trapped
check_eq "set A trapped (by name)" "$rc:$out" "0:$na: mode trapped"
check_eq "A's mode and reason follow" "$(cat $da/mode),$(cat $da/reason)" "trapped,set to trapped through sysfs"
run $K set $pa mode partitioned
check_eq "set A partitioned (by pid)" "$rc:$out" "0:$na: mode partitioned"
check_eq "A's mode follows" "$(cat $da/mode)" partitioned
run $K set $nb mode partitioned
check_eq "set B partitioned: refused (exit 4), with its reason" "$rc:$out" \
	"4:kvm-pmu-partition: $nb: partitioned refused: its VMM set a PMU event filter, which only trapping enforces"
run $K set $nc mode trapped
check_eq "set C trapped: refused (exit 4), in words" "$rc:$out" \
	"4:kvm-pmu-partition: $nc: trapped refused: KVM's events for it do not fit (reserve=static)"
check_eq "C's mode unchanged" "$(cat $dc/mode)" partitioned
run $K set nosuch mode trapped
check_eq "a VM that matches nothing: exit 2, in words" "$rc:$out" \
	"2:kvm-pmu-partition: no VM matches 'nosuch': give a vms/ name, a pid or a QEMU guest name"
run $K set 1 mode trapped
check_eq "a pid with no VM: exit 2" "$rc" 2
run asuser 65534 $K set $na mode trapped
check_eq "not root: exit 5, in words" "$rc:$out" "5:kvm-pmu-partition: $na mode: permission denied (root only)"
check_eq "A's mode unchanged" "$(cat $da/mode)" partitioned
run asuser 65534 $K status
check_match "not root: status still shows the VMs (statistics are root's: -)" "$rc:$(line $na)" \
	"^0:$na +vmm +- +partitioned +2 +1 +- +- +- +- -\$"

kill $pa $pb $pc
wait $pa $pb $pc 2>/dev/null
rmmod kvm_pmu_partition
run $K status
check_eq "after rmmod: exit 3 again" "$rc" 3
