# SPDX-License-Identifier: GPL-2.0
# Bad hpmn values are refused with one clear kernel-log line; good ones load.
# Format: value  expected-insmod-status(0 ok, 1 refused)  log pattern
LIST=$(cat <<LIST
abc 1 hpmn=abc: not a number; use a counter count from 0 to 31
-1 1 hpmn=-1: out of range
99 1 hpmn=99: out of range
32 1 hpmn=32: out of range
0x2 1 not a number
7 1 hpmn=7 refused on CPU[0-9]+: hpmn exceeds PMCR_EL0.N \\(PMCR_EL0.N=6\\); use hpmn=
6 0 hpmn=6 of N=6
1 0 hpmn=1 of N=6
LIST
)
# Per row: the status, and the log unless its pattern is "-"; hpmn=0: 1
# check with FEAT_HPMN0 (fgt), 2 without; then 4.
plan $(($(printf '%s\n' "$LIST" | wc -l) + $(printf '%s\n' "$LIST" | awk '$3 != "-"' | wc -l) +
	$([ "$CPU" = fgt ] && echo 1 || echo 2) + 4))
while read -r val want pat; do
	dmesg_new >/dev/null
	rc=$(try_insmod "hpmn=$val")
	[ "$rc" = 0 ] && rc=0 || rc=1
	loaded && rmmod kvm_pmu_partition
	check_eq "hpmn=$val: insmod status" "$rc" "$want"
	[ "$pat" = - ] || check_match "hpmn=$val: kernel log says why" \
		"$(dmesg_new | grep kvm_pmu_partition)" "$pat"
done <<EOF
$LIST
EOF
if [ "$CPU" = fgt ]; then
	rc=$(try_insmod hpmn=0); loaded && rmmod kvm_pmu_partition
	check_eq "hpmn=0 accepted with FEAT_HPMN0" "$rc" 0
else
	dmesg_new >/dev/null
	rc=$(try_insmod hpmn=0); loaded && rmmod kvm_pmu_partition
	check_eq "hpmn=0 refused without FEAT_HPMN0" "$([ "$rc" = 0 ] && echo 0 || echo 1)" 1
	check_match "hpmn=0: kernel log names FEAT_HPMN0" "$(dmesg_new)" 'needs FEAT_HPMN0.*use hpmn=1\.\.6'
fi
# With a trailing newline, as written by a script: the value is the same.
nl=$(printf '\nx')
nl=${nl%x}
rc=$(try_insmod "hpmn=2$nl")
check_eq "hpmn=2<newline>: loads" "$rc" 0
check_eq "hpmn=2<newline>: hpmn is 2" "$(cat /sys/module/kvm_pmu_partition/parameters/hpmn 2>/dev/null)" 2
loaded && rmmod kvm_pmu_partition
rc=$(try_insmod "hpmn=abc$nl")
check_eq "hpmn=abc<newline>: refused" "$([ "$rc" = 0 ] && echo 0 || echo 1)" 1
loaded && rmmod kvm_pmu_partition
check_eq "no module left loaded" "$(loaded && echo yes || echo no)" no
