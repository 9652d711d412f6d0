# SPDX-License-Identifier: GPL-2.0
# Helpers for tests/vm/cases/*.sh, run inside the emulated host.
# Every check prints what it expected and what it saw.
KO=/lib/kpp/kvm_pmu_partition.ko

# Every result also goes, one word a line, to the case's tally file, which
# /init empties before each case and reads after it: results printed from
# subshells, $(...) and background jobs count too (O_APPEND, one short
# write each).
KPP_TALLY=${KPP_TALLY:-/tmp/kpp.tally}
ok() { echo "KPP: ok - $*"; echo ok >>"$KPP_TALLY"; }
not_ok() { echo "KPP: not ok - $*"; echo not_ok >>"$KPP_TALLY"; }
diag() { echo "KPP: # $*"; }
# A check the emulated hardware cannot answer: counted and listed apart
# in the boot's summary, never as a pass.
skip() { echo "KPP: skip - $*"; echo skip >>"$KPP_TALLY"; }

# Every case declares, before its first check, how many result lines (ok,
# not ok, skip) it prints: "1..N".  /init reports a case whose count
# differs, or that declared none, as a failure.
plan() {	# N
	echo "KPP: 1..$1"
	echo "plan $1" >>"$KPP_TALLY"
}
# A case that cannot go on (a tool or build missing): one not ok line, then
# the case returns; /init then lists the planned results that did not run
# as a diagnostic, not as a second failure.
bail() {	# reason
	not_ok "$*"
	echo bail >>"$KPP_TALLY"
}
# /init, after case $1 exited $2 (its timeout $3 s): what its tally says,
# as at most one line.  A case that printed a different number of results
# than it planned, or declared no plan, fails; one that timed out, exited
# non-zero or bailed has its failure line already, and gets the counts.
case_verdict() {	# case rc limit
	local ran planned nplans counts
	ran=$(grep -cE '^(ok|not_ok|skip)$' "$KPP_TALLY")
	planned=$(sed -n 's/^plan //p' "$KPP_TALLY")
	nplans=$(grep -c '^plan ' "$KPP_TALLY")
	if [ "$nplans" = 1 ]; then
		counts="$ran of $planned planned results"
	else
		counts="$ran results, $nplans plans"
	fi
	case $2 in
	0) ;;
	124|137|143) echo "KPP: not ok - $1: timed out after $3s ($counts)"; return ;;
	*) echo "KPP: not ok - $1: case script exited $2 ($counts)"; return ;;
	esac
	if grep -q '^bail$' "$KPP_TALLY"; then
		echo "KPP: # $1: stopped early (see its not ok): $counts"
	elif [ "$nplans" = 0 ]; then
		echo "KPP: not ok - $1: declared no plan, ran $ran"
	elif [ "$nplans" != 1 ]; then
		echo "KPP: not ok - $1: declared $nplans plans ($(printf "%s" "$planned" | tr "\n" " ")), ran $ran"
	elif [ "$ran" != "$planned" ]; then
		echo "KPP: not ok - $1: planned $planned, ran $ran"
	fi
}

# N result lines for a block of N checks that cannot run: skip_n where the
# emulated hardware or kernel cannot answer, fail_n where something we
# provide (a tool, a file, a CPU we take offline) is missing.
skip_n() {	# N reason
	local i n=$1
	shift
	for i in $(seq "$n"); do skip "$* ($i of $n)"; done
}
fail_n() {	# N reason
	local i n=$1
	shift
	for i in $(seq "$n"); do not_ok "$* ($i of $n)"; done
}

check_eq() {	# what seen expected
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$3', seen '$2'"; fi
}

check_match() {	# what text pattern(ERE)
	if printf '%s\n' "$2" | grep -qE -- "$3"; then
		ok "$1"
	else
		not_ok "$1: expected to match /$3/, seen '$2'"
	fi
}

# Kernel log lines printed since the last call.
DMESG_MARK=/tmp/dmesg.mark
dmesg_new() {
	local n
	n=$(cat $DMESG_MARK 2>/dev/null || echo 0)
	dmesg | tail -n +$((n + 1))
	dmesg | wc -l >$DMESG_MARK
}

# The value of "name=value" in a program's output (vmm, perfc).
val() {	# name output
	printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -n1
}

loaded() { grep -q '^kvm_pmu_partition ' /proc/modules; }

# How many of the module's hooks into KVM are in (hooks/kvm.c): kprobes
# and kretprobes (debugfs kprobes/list), and ftrace hooks (tracefs
# enabled_functions); with $1, only those on functions matching it (ERE).
KPP_HOOKED='kvm_arch_(vcpu_load|vcpu_put|init_vm|destroy_vm)|kvm_arm_set_default_pmu|kvm_arm_pmu_v3_set_attr|set_pmcr|access_pmcr'
probes() {
	local t=/sys/kernel/debug/tracing
	[ -e $t/enabled_functions ] || t=/sys/kernel/tracing
	cat /sys/kernel/debug/kprobes/list $t/enabled_functions 2>/dev/null |
		grep -E "${1:-$KPP_HOOKED}" | grep -cE "$KPP_HOOKED"
}

# The directory of the VM created by process $1, waiting up to 4 s.  The
# polls run on pCPU 0, so that a vCPU spinning there is rescheduled (and
# loaded again) meanwhile.
vmdir() {
	local i d
	for i in $(seq 80); do
		d=$(taskset -c 0 ls -d /sys/kernel/kvm_pmu_partition/vms/$1-* 2>/dev/null | head -n1)
		[ -n "$d" ] && { echo "$d"; return; }
		usleep 50000
	done
}
ran() {	# wait until the VM of directory $1 has loaded a vCPU
	local i
	for i in $(seq 80); do
		[ "$(taskset -c 0 cat $1/stats/vcpu_loads 2>/dev/null || echo 0)" -gt 0 ] && return
		usleep 50000
	done
}

# insmod with arguments; prints the exit status.
try_insmod() {
	insmod $KO "$@" >/dev/null 2>&1
	echo $?
}
