# SPDX-License-Identifier: GPL-2.0
# Helpers for tests/vm/cases/*.sh, run inside the emulated host.
# Every check prints what it expected and what it saw.
KO=/lib/kpp/kvm_pmu_partition.ko

ok() { echo "KPP: ok - $*"; }
not_ok() { echo "KPP: not ok - $*"; }
diag() { echo "KPP: # $*"; }
# A check the emulated hardware cannot answer: counted and listed apart
# in the boot's summary, never as a pass.
skip() { echo "KPP: skip - $*"; }

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

# insmod with arguments; prints the exit status.
try_insmod() {
	insmod $KO "$@" >/dev/null 2>&1
	echo $?
}
