# SPDX-License-Identifier: GPL-2.0
# timeout: 900
# The real-VMM tier: real clients on both sides of the partition.
#   L1 (this emulated host): Debian's arm64 QEMU 7.2 as the VMM, with KVM
#     (-M virt -enable-kvm -cpu host -smp 1 -m 512M), and Debian's perf.
#   L2 (the guest): a Debian Linux kernel with a busybox initramfs, Debian's
#     perf and a static loop of exactly 2*10^8 user instructions
#     (tests/realvmm/).  Its /init runs command lines read from its console.
# Needs the payload of scripts/setup-realvmm, passed to tests/vm/run as
# EXTRA=$KPP_CACHE/realvmm/payload; tests/vm/run leaves this case out of
# its default list without EXTRA.
#
# Each scenario runs on stock KVM (module not loaded) and partitioned
# (insmod hpmn=3, the guest started after it), one guest boot each:
#   A  host perf stat -a counting the guest (:G) around the loop, 4 events
#      (more than the 6 - 3 host counters: multiplexed; a 1e9 loop), 8
#      events (multiplexed on stock KVM too: the baseline) and 2 events
#      (2e8), with the guest counting with its own perf stat (i) or not
#      using its PMU (ii)
#   B  guest perf record: -c 1000000 on cycles, on two events, -F 4000;
#      samples against the guest's PMU interrupts; guest perf stat with 5
#      events (multiplexed on the partitioned guest's 3 + PMCCNTR)
#   C  host perf record -a on cycles:G while the guest samples too
#   D  save/restore (QEMU migrate to a file, quit, -incoming) while the
#      guest counts, mid-loop
#   E  rmmod and insmod while the guest counts, mid-loop (partitioned only;
#      stock runs the same loop as the reference)
# Exact counts need CPU 1 offline: under -icount every emulated CPU feeds
# one instruction count.  Guest sampling uses cycles: QEMU raises
# INST_RETIRED overflows late (cycles = instructions under -icount).
RV=/opt/realvmm
QEMU=/usr/bin/qemu-system-aarch64
PERF=/usr/bin/perf
D=/tmp/rv
ITERS=100000000			# the loop: 2 * ITERS = 2e8 instructions
LOOP=$((2 * ITERS))
# Multiplexed counts are scaled by enabled/running time, and the counting
# window holds idle guest time at both ends besides the loop, which weighs
# less over a longer loop: multiplexed runs loop 1e9 (over 2e8 the
# partitioned 4-event :G read 0.3% to 1.6% low).
MUX_ITERS=$((5 * ITERS))
MID=500000000			# D, E: 2 * MID more after LOOP-MARK
PERIOD=1000000
SAMPLES=$((LOOP / PERIOD))	# 200
EV4=instructions:G,cycles:G,instructions:H,cycles:H
EV2=instructions:G,instructions:H
# 8 events: multiplexed on stock KVM's 6 + PMCCNTR too (the baseline).
EV8=instructions:G,cycles:G,instructions:H,cycles:H,instructions,cycles,instructions:u,cycles:u
GEV5=instructions,cycles,instructions:u,cycles:u,instructions:k

# 70 results on every kernel and CPU kind: where stock KVM cannot give D's
# reference, D's checks are skip lines.
plan 70
for f in $QEMU $PERF $RV/Image $RV/initrd.cpio; do
	if [ ! -e $f ]; then
		bail "real-VMM payload: $f missing; run scripts/setup-realvmm and pass EXTRA=\$KPP_CACHE/realvmm/payload to tests/vm/run"
		return 0
	fi
done
diag "payload: $(grep -E '^(vmm|perf|guest-kernel) ' $RV/manifest | tr '\n' ';')"

cpu1=/sys/devices/system/cpu/cpu1/online
[ ! -w $cpu1 ] || echo 0 >$cpu1
check_eq "CPU 1 offline for exact counts" "$(cat /sys/devices/system/cpu/online)" 0
mkdir -p $D

# perf rotates multiplexed events every perf_event_mux_interval_ms (4 ms,
# HZ=250).  The counting window is the 1e9 loop (~1 s) between idle
# guest time, so scaling by enabled/running is off by what an event's
# slots at the loop's two edges hold: up to 2 x 3 of a cycle of 8 slots
# with 8 events on the partitioned host's 3 counters, i.e. +-4% at 4 ms
# (measured: -0.9% to +3.2%).  At 1 ms that bound is +-1%.
MUXF=$(ls /sys/bus/event_source/devices/armv8_pmuv3*/perf_event_mux_interval_ms 2>/dev/null | head -n 1)
MUX0=$(cat "$MUXF" 2>/dev/null)
[ -z "$MUXF" ] || echo 1 >"$MUXF" 2>/dev/null
check_eq "host perf rotates multiplexed events every 1 ms" "$(cat "$MUXF" 2>/dev/null)" 1

# --- helpers ----------------------------------------------------------------
setv() { eval "$1=\$2"; }	# name value
v() { eval "echo \"\${$1:-none}\""; }
num() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
within() {	# pct seen want -> yes | no
	num "$2" && num "$3" || { echo no; return; }
	d=$(($2 - $3))
	[ $d -ge 0 ] || d=$((-d))
	[ $((d * 100)) -le $(($1 * $3)) ] && echo yes || echo no
}
now() { cut -d' ' -f1 /proc/uptime; }
tick() {	# TK: virtual seconds since the last tick
	t=$(now)
	TK=$(awk -v a="$TICK" -v b="$t" 'BEGIN { printf "%.1f", b - a }')
	TICK=$t
}
lines() { wc -l <$D/out; }
# Wait until a line of the guest console after line OFF starts with PAT;
# bounded: TIMEOUT seconds (virtual), polled every 0.05 s.
wait_for() {	# off pat timeout
	n=$(($3 * 20))
	while [ $n -gt 0 ]; do
		tail -n +$(($1 + 1)) $D/out | tr -d '\r' | grep -q "^$2" && return 0
		kill -0 $QPID 2>/dev/null || { sleep 0.2;
			tail -n +$(($1 + 1)) $D/out | tr -d '\r' | grep -q "^$2"; return; }
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}
# The console lines after line OFF (\r stripped).
since() { tail -n +$(($1 + 1)) $D/out | tr -d '\r'; }

# Host perf's workload: release the guest's waiting loop (a newline into
# the VMM's stdin), then return once the guest printed LOOP-DONE.  Shell
# builtins only, but for sleep: a process per poll (tail, grep) took the
# host CPU from the vCPU in bursts, and an uneven guest instruction rate
# is what turns multiplexed scaling into error.
cat >$D/window <<EOF
#!/bin/sh
exec 5<$D/out
echo >$D/in
n=\$1
while [ \$n -gt 0 ] && IFS= read -r l <&5; do n=\$((n - 1)); done
p=
n=1200
while [ \$n -gt 0 ]; do
	while IFS= read -r l <&5; do
		case "\$p\$l" in LOOP-DONE*) exit 0 ;; esac
		p=
	done
	p=\$p\$l	# a line not finished yet
	sleep 0.05
	n=\$((n - 1))
done
exit 1
EOF
chmod +x $D/window

# QEMU, the VMM: serial console on stdio (stdin the fifo $D/in, held open
# on fd 3 so that QEMU never reads EOF; stdout appended to $D/out), the
# HMP monitor on the fifo pair $D/mon.in / $D/mon.out.  A new fifo each
# time: nothing a previous QEMU left unread reaches the next guest.
vm_start() {	# [qemu args]
	rm -f $D/in
	mkfifo $D/in
	exec 3<>$D/in
	rm -f $D/mon.in $D/mon.out
	mkfifo $D/mon.in $D/mon.out
	exec 4<>$D/mon.in	# writes never block, even with QEMU gone
	$QEMU -M virt,gic-version=host -enable-kvm -cpu host -smp 1 -m 512M \
		-name guest=rv,debug-threads=on \
		-nographic -nic none -monitor pipe:$D/mon \
		-kernel $RV/Image -initrd $RV/initrd.cpio \
		-append "console=ttyAMA0 rdinit=/init quiet" "$@" <&3 >>$D/out 2>&1 &
	QPID=$!
	cat $D/mon.out >>$D/mon.log &
}
mon() {	# HMP command [timeout]: waits for the monitor's next prompt, prints the answer
	o=$(stat -c %s $D/mon.log)
	echo "$1" >&4
	n=$((${2:-30} * 20))
	until tail -c +$((o + 1)) $D/mon.log | grep -q '(qemu)' || [ $n = 0 ]; do
		sleep 0.05
		n=$((n - 1))
	done
	tail -c +$((o + 1)) $D/mon.log | tr -d '\r'
}
vm_wait_exit() {	# timeout
	n=$(($1 * 10))
	while kill -0 $QPID 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	if kill -0 $QPID 2>/dev/null; then
		kill $QPID
		wait $QPID 2>/dev/null
		return 1
	fi
	wait $QPID 2>/dev/null
	return 0
}

# One command line in the guest.  gsend returns at once (GOFF: the console
# line it starts after); gwait waits for its end marker: GRC = exit status
# or "timeout", GOUT = its output.
SEQ=0
gsend() {
	SEQ=$((SEQ + 1))
	GOFF=$(lines)
	echo "$SEQ $*" >&3
}
gwait() {	# [timeout]
	if wait_for $GOFF "GUEST-DONE $SEQ " ${1:-120}; then
		GRC=$(since $GOFF | sed -n "s/^GUEST-DONE $SEQ //p" | head -n1)
	else
		GRC=timeout
	fi
	GOUT=$(since $GOFF | sed "/^GUEST-DONE $SEQ /q")
	[ "$GRC" = 0 ] || diag "  guest command $SEQ: exit $GRC; output: $(printf '%s' "$GOUT" | tail -n 5 | tr '\n' '|')"
}
gcmd() { gsend "$@"; gwait; }
gstat() { printf '%s\n' "$GOUT" | awk -v e="$1" '$1 == "GSTAT" && $2 == e { print $3; exit }'; }
grecs() {	# tag: samples, irqs, lost of the last rvg rec
	setv ${1}_S "$(grec samples)"
	setv ${1}_I "$(grec irqs)"
	setv ${1}_L "$(grec lost)"
}
grec() { kv $1 "$(printf '%s\n' "$GOUT" | sed -n 's/^GREC //p')"; }
kv() { printf '%s\n' $2 | sed -n "s/^$1=//p" | head -n1; }	# key "k=v k=v..."
# perf report --stats of a perf.data: "samples=N lost=N EVENT=N..." (as the
# guest's rvg rec prints it).
recstats() {
	$PERF report --stats -i $1 2>/dev/null | awk '
		/^Aggregated stats:/ { agg = 1; next }
		/ stats:$/ { agg = 0; ev = $1; next }
		$1 == "SAMPLE" && $2 == "events:" { if (agg) n = $3; else per = per " " ev "=" $3 }
		$1 ~ /^LOST/ && $2 == "events:" && agg { lost += $3 }
		END { printf "samples=%d lost=%d%s", n, lost, per }'
}
# Host perf stat -x, output: value,unit,event,run-time,running%.
hval() { awk -F, -v e="$1" '$3 == e { print $1; exit }' $D/hstat; }
hpct() { awk -F, -v e="$1" '$3 == e { print $5; exit }' $D/hstat; }
hirq() { awk '/arm-pmu/ { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts; }

# A: host perf stat -a -e EVENTS around the guest's loop of ITERS
# iterations.  GUEST is "stat" (guest perf stat -e instructions around the
# loop) or "none".
host_count() {	# tag events guest iters
	setv ${1}_W $((2 * $4))
	if [ "$3" = stat ]; then
		gsend rvg stat instructions -w $4
	else
		gsend loop -w $4
	fi
	if ! wait_for $GOFF LOOP-READY 60; then
		gwait 5
		return
	fi
	rm -f $D/hstat
	$PERF stat -a -x, -e "$2" -o $D/hstat -- $D/window $GOFF
	echo >&3	# the loop may exit now
	gwait
	setv ${1}_G "$(hval instructions:G)"
	setv ${1}_GP "$(hpct instructions:G)"
	setv ${1}_H "$(hval instructions:H)"
	setv ${1}_C "$(hval cycles:G)"
	setv ${1}_GG "$(gstat instructions)"
	[ -n "$(hval instructions:G)" ] || diag "  host perf stat: $(tr '\n' '|' <$D/hstat 2>/dev/null)"
	tick
	diag "  $1 [${TK}s]: host instructions:G $(v ${1}_G) ($(v ${1}_GP)% running), cycles:G $(v ${1}_C)," \
		"instructions:H $(v ${1}_H); guest's perf stat $(v ${1}_GG)"
}

# B: guest perf record over the loop.
guest_rec() {	# tag 'perf record options'
	gsend rvg rec "'$2'" $ITERS
	gwait
	grecs $1
	setv ${1}_OUT "$(printf '%s\n' "$GOUT" | sed -n 's/^GREC //p')"
	tick
	diag "  $1 [${TK}s]: guest perf record $2: $(v ${1}_OUT)"
}

# Debian's perf stat on the module's tracepoints around part's b1: the
# workload's first line says its counters are on (perf enables them
# before it starts the workload).
KS=/sys/kernel/kvm_pmu_partition/stats
trace_start() {
	rm -f $D/tready $D/tdone
	setv part_TO0 "$(cat $KS/overflows_forwarded)"
	setv part_TS0 "$(cat $KS/state_switches)"
	$PERF stat -a -x, -e 'kvm_pmu_partition:*' -o $D/tstat -- \
		sh -c "touch $D/tready; while [ ! -e $D/tdone ]; do usleep 20000; done" &
	TP=$!
	for i in $(seq 250); do [ -e $D/tready ] && break; usleep 20000; done
}
trace_stop() {
	touch $D/tdone
	wait $TP
	setv part_TO "$(awk -F, '$3 == "kvm_pmu_partition:overflow" { print $1 }' $D/tstat)"
	setv part_TP "$(awk -F, '$3 == "kvm_pmu_partition:vcpu_partition" { print $1 }' $D/tstat)"
	setv part_TOS $(($(cat $KS/overflows_forwarded) - $(v part_TO0)))
	setv part_TSS $(($(cat $KS/state_switches) - $(v part_TS0)))
	diag "  part_b1: perf stat -e 'kvm_pmu_partition:*': $(awk -F, '$3 ~ /^kvm_pmu_partition:/ { printf "%s=%s ", substr($3, 19), $1 }' $D/tstat)"
}

# kvm-pmu-partition (tools/) against QEMU's VM, by its -name guest=rv.
cli() {
	local o
	o=$(kvm-pmu-partition status 2>&1)
	printf '%s\n' "$o" | while read -r l; do diag "  cli: $l"; done
	setv part_CLI "$(printf '%s\n' "$o" | awk '$3 == "rv" { print $2, $3, $4, $5, $6 }')"
	setv part_CLIJ "$(kvm-pmu-partition status --json 2>&1 | grep -o '"process": "[^"]*", "guest": "rv", "mode": "[a-z]*"')"
	o=$(kvm-pmu-partition set rv mode trapped 2>&1)
	setv part_CLIT "$?:${o#kvm-pmu-partition: }"
	o=$(kvm-pmu-partition set rv mode partitioned 2>&1)
	setv part_CLIP "$?:$o"
}

# C: both sides sampling.
both_rec() {	# tag
	gsend rvg rec "'-e cycles -c $PERIOD'" -w $ITERS
	if ! wait_for $GOFF LOOP-READY 60; then
		gwait 5
		return
	fi
	i0=$(hirq)
	$PERF record -q --no-buildid -a -e cycles:G -c $PERIOD -o $D/hrec -- $D/window $GOFF
	i1=$(hirq)
	echo >&3
	gwait
	st=$(recstats $D/hrec)
	setv ${1}_HS "$(kv samples "$st")"
	setv ${1}_HL "$(kv lost "$st")"
	setv ${1}_HI $((i1 - i0))
	grecs $1
	tick
	diag "  $1 [${TK}s]: host perf record -a -e cycles:G: $st, host PMU irqs $(v ${1}_HI);" \
		"guest: $(printf '%s\n' "$GOUT" | sed -n 's/^GREC //p')"
}

# D: save/restore (HMP stop, migrate to a file, quit; a new QEMU with
# -incoming, cont) mid-loop, two ways:
#   paused   the loop waits at LOOP-MARK (blocked) under a system-wide guest
#            perf stat -a: the guest's counters stay enabled and hold the
#            first 2e8 instructions, uncollected, through the save/restore
#   running  the loop runs on under a per-task guest perf stat while QEMU
#            stops the VM
migrate() {	# tag paused|running
	# A restore that left the guest dead (measured: stock KVM on 6.6.57
	# under QEMU 7.2) ends D for this session; what D compares is then
	# missing, and said so below.
	if [ -n "$(v ${MODE}_DDEAD | grep -v none)" ] || { [ $MODE = part ] && [ "$(v stock_DDEAD)" = yes ]; }; then
		diag "  $1: skipped: a restore left a guest dead in this boot (see above)"
		return
	fi
	if [ $2 = paused ]; then
		gsend rvg astat instructions:u,cycles:u -p $ITERS $MID
	else
		gsend rvg stat instructions:u,instructions $ITERS $MID
	fi
	wait_for $GOFF LOOP-MARK 60 || { gwait 5; return; }
	[ $2 = paused ] || sleep 0.05	# into the second half
	mon stop >/dev/null
	rm -f $D/vm.state
	# HMP migrate (without -d) answers when the migration has ended.
	mon "migrate \"exec:cat >$D/vm.state\"" 300 >/dev/null
	mst=$(mon "info migrate" | sed -n 's/^Migration status: //p')
	mid=$(since $GOFF | grep -c '^LOOP-DONE')
	[ "$mst" = completed ] && done_=yes || done_="no ($mst)"
	size=$(($(stat -c %s $D/vm.state 2>/dev/null || echo 0) / 1048576))
	mon quit 5 >/dev/null
	vm_wait_exit 30
	vm_start -incoming "exec:cat $D/vm.state"
	# The saved VM was stopped, so the restored one stays paused once the
	# state is in (its status goes from "paused (inmigrate)" to "paused").
	n=300
	while [ $n -gt 0 ]; do
		case $(mon "info status" | sed -n 's/^VM status: //p') in
		running | paused) break ;;
		esac
		sleep 0.1
		n=$((n - 1))
	done
	mon cont >/dev/null
	[ $2 = running ] || echo >&3	# the loop goes on
	gwait 60
	[ "$GRC" != timeout ] || setv ${MODE}_DDEAD yes
	setv ${1}_MOK "$done_"
	setv ${1}_MMID "$([ "$mid" = 0 ] && echo yes || echo no)"
	setv ${1}_MSZ $size
	setv ${1}_MU "$(gstat instructions:u)"
	setv ${1}_MA "$(gstat instructions)$(gstat cycles:u)"
	rm -f $D/vm.state
	tick
	diag "  $1 [${TK}s]: $2 at LOOP-MARK, migration $done_, loop not done at save: $(v ${1}_MMID)," \
		"state $size MB; restored guest: instructions:u $(v ${1}_MU)," \
		"$([ $2 = paused ] && echo cycles:u || echo instructions) $(v ${1}_MA)"
}

# E: rmmod and insmod mid-loop (MODE=part), or the same loop alone.
reload() {	# tag
	gsend rvg stat instructions:u,instructions $ITERS $MID
	wait_for $GOFF LOOP-MARK 60 || { gwait 5; return; }
	if [ $MODE = part ]; then
		rmmod kvm_pmu_partition
		r1=$?
		insmod $KO hpmn=3
		r2=$?
		mid=$(since $GOFF | grep -c '^LOOP-DONE')
		setv ${1}_RRC $r1,$r2
		setv ${1}_RMID "$([ "$mid" = 0 ] && echo yes || echo no)"
	fi
	gwait
	setv ${1}_RU "$(gstat instructions:u)"
	setv ${1}_RA "$(gstat instructions)"
	tick
	diag "  $1 [${TK}s]: rmmod,insmod exit $(v ${1}_RRC), loop not done after insmod: $(v ${1}_RMID);" \
		"guest: instructions:u $(v ${1}_RU), instructions $(v ${1}_RA)"
}

# F (make bench only: kpp_bench=1 on the kernel command line): upstream's
# overhead figure.  The guest runs perf record -F 4000 on three events over
# the loop while host perf stat -a counts instructions:G and :H around it:
# the host's instructions per guest sample (:H over samples) and the share
# of all instructions that are the host's (:H / (:G + :H)).  Upstream's
# cover letter ("ARM64 PMU Partitioning", perf record -F 4000, 15 events,
# real hardware): 34.96% -> 0.97% of pCPU time in the host kernel.  And
# the VM exits in that window per guest sample (KVM's debugfs exits).
bench_rec() {	# tag
	gsend rvg rec "'-F 4000 -e cycles,instructions,cycles:u'" -w $ITERS
	if ! wait_for $GOFF LOOP-READY 60; then
		gwait 5
		return
	fi
	rm -f $D/hstat
	x=$(cat /sys/kernel/debug/kvm/exits)
	$PERF stat -a -x, -e instructions:G,instructions:H -o $D/hstat -- $D/window $GOFF
	x=$(($(cat /sys/kernel/debug/kvm/exits) - x))
	echo >&3
	gwait
	grecs $1
	g=$(hval instructions:G) h=$(hval instructions:H) n=$(v ${1}_S)
	if num "$g" && num "$h" && num "$n" && [ "$n" -gt 0 ]; then
		echo "KPP: bench $MODE rec4k_exits_per_100 $((x * 100 / n))"
		echo "KPP: bench $MODE rec4k_host_per_sample $((h / n))"
		echo "KPP: bench $MODE rec4k_host_share_permille $((h * 1000 / (g + h)))"
		echo "KPP: bench $MODE rec4k_samples $n"
	fi
	tick
	diag "  $1 [${TK}s]: guest perf record -F 4000, 3 events: $(v ${1}_S) samples; host :G $g, :H $h"
}

# One guest boot per module state; every scenario in it.
session() {	# stock | part
	MODE=$1
	: >$D/out
	: >$D/mon.log
	t0=$(now)
	TICK=$t0
	vm_start
	if ! wait_for 0 GUEST-READY 180; then
		not_ok "$MODE: the guest did not boot; last console lines: $(tail -n 8 $D/out | tr -d '\r' | tr '\n' '|')"
		vm_wait_exit 1
		return 1
	fi
	tick
	setv ${MODE}_BOOT $TK
	gcmd rvg info
	setv ${MODE}_N "$(printf '%s\n' "$GOUT" | sed -n 's/^GINFO counters=\([^ ]*\).*/\1/p')"
	[ $MODE = stock ] ||
		setv part_MODE "$(cat /sys/kernel/kvm_pmu_partition/vms/*/mode 2>/dev/null | tr '\n' ' ')"
	diag "$MODE: guest ready after $(v ${MODE}_BOOT) s, its perf sees $(v ${MODE}_N) counters${part_MODE:+, VM $part_MODE}"
	[ $MODE = stock ] || cli

	host_count ${MODE}_a4s "$EV4" stat $MUX_ITERS
	host_count ${MODE}_a4n "$EV4" none $MUX_ITERS
	host_count ${MODE}_a8n "$EV8" none $MUX_ITERS
	host_count ${MODE}_a2s "$EV2" stat $ITERS
	host_count ${MODE}_a2n "$EV2" none $ITERS

	[ $MODE = stock ] || trace_start
	guest_rec ${MODE}_b1 "-e cycles -c $PERIOD"
	[ $MODE = stock ] || trace_stop
	guest_rec ${MODE}_b2 "-c $PERIOD -e cycles,cycles:u"
	guest_rec ${MODE}_b3 "-F 4000 -e cycles"
	gcmd rvg stat $GEV5 $((5 * ITERS))
	for e in $(echo $GEV5 | tr , ' '); do
		setv ${MODE}_b4_$(echo $e | tr : _) "$(gstat $e)"
	done
	setv ${MODE}_b4_pct "$(printf '%s\n' "$GOUT" | awk '$1 == "GSTAT" { printf "%s ", $4 }')"
	tick
	diag "  ${MODE}_b4 [${TK}s]: guest perf stat $GEV5:" \
		"$(printf '%s\n' "$GOUT" | awk '$1 == "GSTAT" { printf "%s=%s (%s%%) ", $2, $3, $4 }')"

	both_rec ${MODE}_c
	! grep -q 'kpp_bench=1' /proc/cmdline || bench_rec ${MODE}_f
	if [ $MODE = part ]; then	# before E reloads the module
		setv part_TRAPS "$(cat /sys/kernel/kvm_pmu_partition/stats/pmcr_traps)"
		setv part_DPC "$(cat /sys/kernel/kvm_pmu_partition/stats/dp_cleared)"
	fi
	reload ${MODE}_e
	# Last: a restore that fails leaves no guest for what follows.
	migrate ${MODE}_dp paused
	migrate ${MODE}_dr running

	if [ "$(v ${MODE}_DDEAD)" = yes ]; then
		vm_wait_exit 1		# kills the dead guest's QEMU
		setv ${MODE}_OFF "dead after its restore"
	else
		gsend poweroff -f
		vm_wait_exit 60 && setv ${MODE}_OFF yes || setv ${MODE}_OFF no
	fi
	setv ${MODE}_T "$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')"
	cp $D/out $D/out.$MODE
}

# --- run --------------------------------------------------------------------
session stock
insmod $KO hpmn=3
check_eq "insmod hpmn=3" "$(cat /sys/module/kvm_pmu_partition/parameters/hpmn 2>/dev/null)" 3
session part
loaded && rmmod kvm_pmu_partition

# --- checks -----------------------------------------------------------------
for m in stock part; do
	case $m in stock) want=7 ;; part) want=4 ;; esac
	check_eq "$m: guest perf sees $want PMU counters (N event counters + PMCCNTR)" "$(v ${m}_N)" $want
done
check_eq "part: the QEMU guest's VM is partitioned" "$(v part_MODE)" "partitioned "

for m in stock part; do
	for t in a4s a4n a8n a2s a2n; do
		case $t in
		a4*) what="4 events, multiplexed on part" ;;
		a8*) what="8 events, multiplexed on both" ;;
		a2*) what="2 events" ;;
		esac
		case $t in
		*s) what="$what, guest perf stat counting" ;;
		*n) what="$what, guest not using its PMU" ;;
		esac
		g=$(v ${m}_${t}_G) w=$(v ${m}_${t}_W)
		# perf's scaled estimate of a multiplexed event: the partitioned
		# host has 3 counters for 4 events, 74% running.  Measured over
		# 8 runs of the fixed module at a 4 ms rotation: 991M to 1014M
		# of 10^9, 8 events up to 1032M (before the fix: 325M to 365M);
		# stock, 8 events at 87%: within 0.2%.  At the 1 ms rotation set
		# above, the check allows 2% for a multiplexed reading, 1% otherwise.
		tol=1
		case $m:$t in part:a4* | *:a8*) tol=2 ;; esac
		check_eq "A $m ($what): host instructions:G within $tol% of the loop's $w (seen $g, running $(v ${m}_${t}_GP)%)" \
			"$(within $tol "$g" $w)" yes
	done
	for t in a4s a2s; do
		w=$(v ${m}_${t}_W)
		check_eq "A $m: the guest's own perf stat within 1% of the loop's $w (seen $(v ${m}_${t}_GG))" \
			"$(within 1 "$(v ${m}_${t}_GG)" $w)" yes
	done
done

# The operator's command against QEMU's VM (tools/kvm-pmu-partition.c).
check_eq "part: kvm-pmu-partition status names QEMU's VM by its -name guest=" \
	"$(v part_CLI)" "qemu-system-aar rv partitioned 3 1"
check_eq "part: and so does --json" "$(v part_CLIJ)" \
	'"process": "qemu-system-aar", "guest": "rv", "mode": "partitioned"'
n=$(v part_CLIP)
n=${n#0:}
n=${n%%:*}
check_eq "part: set rv mode trapped refused (exit 4, reserve=static), partitioned taken (exit 0)" \
	"$(v part_CLIT) | $(v part_CLIP)" \
	"4:$n: trapped refused: KVM's events for it do not fit (reserve=static) | 0:$n: mode partitioned"

# The module's tracepoints through Debian's perf (src/kpp_trace.h).
o=$(v part_TO) ps=$(v part_TP)
check_eq "B part: perf stat -e 'kvm_pmu_partition:*' counts overflow as stats/overflows_forwarded, within 5% of $SAMPLES ($o vs $(v part_TOS))" \
	"$([ "$o" = "$(v part_TOS)" ] && [ "$(within 5 "$o" $SAMPLES)" = yes ] && echo yes || echo no)" yes
check_eq "B part: and vcpu_partition, at most stats/state_switches around it ($ps vs $(v part_TSS))" \
	"$(num "$ps" && [ "$ps" -gt 0 ] && [ "$ps" -le "$(v part_TSS)" ] && echo yes || echo no)" yes

for m in stock part; do
	s=$(v ${m}_b1_S) i=$(v ${m}_b1_I)
	check_eq "B $m: guest perf record -e cycles -c $PERIOD: samples within 5% of $SAMPLES (seen $s)" \
		"$(within 5 "$s" $SAMPLES)" yes
	# Partitioned, one more interrupt than samples was seen once in 10
	# runs (6.6/nofgt: 199 samples, 200 interrupts): the spurious one of
	# -F 4000 below.  None may be missing.
	check_eq "B $m: guest PMU interrupts = samples, or up to 2 spurious more (-e cycles: $i vs $s)" \
		"$(num "$i" && num "$s" && [ "$i" -ge "$s" ] && [ "$i" -le $((s + 2)) ] && echo yes || echo no)" yes
	check_eq "B $m: no lost samples (-e cycles)" "$(v ${m}_b1_L)" 0
	o=$(v ${m}_b2_OUT)
	c=$(kv cycles "$o") cu=$(kv cycles:u "$o") s=$(v ${m}_b2_S) i=$(v ${m}_b2_I)
	check_eq "B $m: -e cycles,cycles:u: each within 5% of $SAMPLES samples (seen $c, $cu)" \
		"$(within 5 "$c" $SAMPLES),$(within 5 "$cu" $SAMPLES)" yes,yes
	# One interrupt may serve both counters when they overflow together.
	check_eq "B $m: -e cycles,cycles:u: per-event samples <= guest PMU interrupts <= samples ($c, $cu <= $i <= $s)" \
		"$(num "$c" && num "$cu" && num "$i" && num "$s" && [ "$i" -ge "$c" ] && [ "$i" -ge "$cu" ] &&
		   [ "$i" -le "$s" ] && echo yes || echo no)" yes
	check_eq "B $m: no lost samples (-e cycles,cycles:u)" "$(v ${m}_b2_L)" 0
	# Measured: equal on stock KVM (6 runs); partitioned, 0 to 2 more
	# interrupts than samples (7 runs), likely the spurious one when the guest's
	# driver re-enables PMINTENSET for a counter whose flag the module
	# holds masked (docs/design.md, "Guest overflow interrupts").  None
	# may be missing.
	i=$(v ${m}_b3_I) s=$(v ${m}_b3_S)
	check_eq "B $m: guest PMU interrupts = samples, or up to 2 spurious more (-F 4000: $i vs $s)" \
		"$(num "$i" && num "$s" && [ "$i" -ge "$s" ] && [ "$i" -le $((s + 2)) ] && echo yes || echo no)" yes
	# perf's frequency loop makes the count vary from run to run (measured
	# on 6.12/fgt: 703 and 1000 on stock KVM, 848 and 851 partitioned):
	# a sanity bound, 4000/s x 0.2 s of loop = 800, within 50%.
	check_eq "B $m: -F 4000: samples within 50% of 4000/s x $((LOOP / 1000000)) ms = $((4 * LOOP / 1000000)) (seen $(v ${m}_b3_S))" \
		"$(within 50 "$(v ${m}_b3_S)" $((4 * LOOP / 1000000)))" yes
	check_eq "B $m: no lost samples (-F 4000)" "$(v ${m}_b3_L)" 0
done
for e in $(echo $GEV5 | tr , ' '); do
	k=$(echo $e | tr : _)
	# Multiplexed, perf scales each count by enabled/running time: over
	# 2e8 instructions that was off by up to 1.1%, so this loop is 1e9.
	# The exec's kernel count (:k, ~4e5) is too short to scale well.
	[ $e != instructions:k ] || continue
	check_eq "B part: guest perf stat of 5 events (multiplexed): $e within 1% of stock ($(v part_b4_$k) vs $(v stock_b4_$k))" \
		"$(within 1 "$(v part_b4_$k)" "$(v stock_b4_$k)")" yes
done

for m in stock part; do
	check_eq "C $m: host perf record -a -e cycles:G -c $PERIOD: samples within 5% of $SAMPLES (seen $(v ${m}_c_HS))" \
		"$(within 5 "$(v ${m}_c_HS)" $SAMPLES)" yes
	check_eq "C $m: guest samples within 5% of $SAMPLES beside it (seen $(v ${m}_c_S))" \
		"$(within 5 "$(v ${m}_c_S)" $SAMPLES)" yes
	check_eq "C $m: guest PMU interrupts = guest samples" "$(v ${m}_c_I)" "$(v ${m}_c_S)"
	check_eq "C $m: no lost samples, host and guest" "$(v ${m}_c_HL),$(v ${m}_c_L)" 0,0
	check_eq "C $m: host PMU interrupts >= host samples ($(v ${m}_c_HI) vs $(v ${m}_c_HS))" \
		"$(num "$(v ${m}_c_HI)" && num "$(v ${m}_c_HS)" && [ "$(v ${m}_c_HI)" -ge "$(v ${m}_c_HS)" ] && echo yes || echo no)" yes
done

# D.  Measured on 6.12.117 with QEMU 7.2 as the VMM: the counts saved are
# restored, but after the restore the guest's counters stay stopped, on
# stock KVM as partitioned, until the guest's perf writes its enables again
# (a per-task event does at its next context switch, a CPU-wide one never):
# the paused variant reads exactly the first 2e8 on both; the running one
# lost 5e6 to 4e8, varying with that switch.  On 7.3 both variants count
# the whole loop, stock and partitioned.  So the paused variant, which is
# deterministic, is compared with stock; both are compared with the loop
# where stock KVM keeps the paused count (the kernel restores correctly).
WHOLE=$((LOOP + 2 * MID))
if [ "$(v stock_DDEAD)" = yes ]; then
	# Nothing to compare with: stock KVM itself could not restore the VM
	# on this host (measured on 6.6.57 under QEMU 7.2: the restored guest
	# never answered).  The partitioned run is skipped.
	diag "D: stock KVM's restored guest never answered on $KSERIES/$CPU: save/restore not compared here"
	skip_n 7 "D: stock KVM's restored guest never answered on $KSERIES/$CPU: nothing to compare save/restore with"
else
for m in stock part; do
	for t in dp dr; do
		check_eq "D $m ($t): QEMU saved the VM mid-loop (migration completed, loop not done)" \
			"$(v ${m}_${t}_MOK),$(v ${m}_${t}_MMID)" yes,yes
	done
done
check_eq "D part (paused at LOOP-MARK, guest perf stat -a): instructions:u across save/restore within 1% of stock ($(v part_dp_MU) vs $(v stock_dp_MU))" \
	"$(within 1 "$(v part_dp_MU)" "$(v stock_dp_MU)")" yes
if [ "$(within 1 "$(v stock_dp_MU)" $WHOLE)" = yes ]; then
	for t in dp dr; do
		check_eq "D part ($t): instructions:u across save/restore within 1% of the loop's $WHOLE (seen $(v part_${t}_MU); stock $(v stock_${t}_MU))" \
			"$(within 1 "$(v part_${t}_MU)" $WHOLE)" yes
	done
else
	diag "D: stock KVM stops the guest's counters at the restore itself (paused: instructions:u $(v stock_dp_MU)" \
		"of the loop's $WHOLE, running: $(v stock_dr_MU)); partitioned: $(v part_dp_MU), $(v part_dr_MU); not compared with the loop"
	skip_n 2 "D part: instructions:u across save/restore against the loop's $WHOLE: stock KVM on $KSERIES/$CPU stops the guest's counters at the restore (stock paused: $(v stock_dp_MU))"
fi
fi

# No HCCD (n1, n1-11): the Linux guest's perf writes PMCR_EL0 at every
# start and stop, its reset clears DP (45-isolation 5).
case $CPU in
n1-11) want='[1-9][0-9]*,0'
       what="no HCCD, PMCR_EL0 trapped on TPMCR: the Linux guest's PMCR_EL0 accesses emulated, DP never found cleared" ;;
n1)    want='0,[1-9][0-9]*'
       what="no HCCD, no TPMCR trap in QEMU 7.2: the Linux guest cleared DP, the exit hook set it again" ;;
*)     want='0,0' what="HCCD: no PMCR_EL0 trap, DP untouched" ;;
esac
diag "part: the module's stats/pmcr_traps $(v part_TRAPS), stats/dp_cleared $(v part_DPC) (a to c)"
check_match "$what (stats pmcr_traps,dp_cleared)" "$(v part_TRAPS),$(v part_DPC)" "^$want\$"
check_eq "E part: rmmod and insmod succeeded while the guest's loop ran" \
	"$(v part_e_RRC),$(v part_e_RMID)" 0,0,yes
check_eq "E part: guest instructions:u through rmmod/insmod within 1% of stock ($(v part_e_RU) vs $(v stock_e_RU))" \
	"$(within 1 "$(v part_e_RU)" "$(v stock_e_RU)")" yes
check_eq "E part: guest instructions through rmmod/insmod within 1% of stock ($(v part_e_RA) vs $(v stock_e_RA))" \
	"$(within 1 "$(v part_e_RA)" "$(v stock_e_RA)")" yes
for m in stock part; do
	if [ $m = stock ] && [ "$(v ${m}_OFF)" = "dead after its restore" ]; then
		skip "stock: the guest powered off: it died at its restore (stock KVM on $KSERIES/$CPU; see D)"
	else
		check_eq "$m: the guest powered off" "$(v ${m}_OFF)" yes
	fi
done

# --- figures ----------------------------------------------------------------
row() { diag "$(printf '%-48s %16s %16s' "$1" "$2" "$3")"; }
row "real-VMM figures ($KSERIES/$CPU)" stock "partitioned"
row "guest PMU counters (perf)" "$(v stock_N)" "$(v part_N)"
row "guest boot to ready, s (virtual)" "$(v stock_BOOT)" "$(v part_BOOT)"
for t in a4s a4n a8n a2s a2n; do
	row "A $t host instructions:G (running %)" "$(v stock_${t}_G) ($(v stock_${t}_GP))" \
		"$(v part_${t}_G) ($(v part_${t}_GP))"
	row "A $t host cycles:G / instructions:H" "$(v stock_${t}_C)/$(v stock_${t}_H)" \
		"$(v part_${t}_C)/$(v part_${t}_H)"
done
row "A a4s/a2s guest perf stat instructions" "$(v stock_a4s_GG)/$(v stock_a2s_GG)" \
	"$(v part_a4s_GG)/$(v part_a2s_GG)"
for t in b1 b2 b3; do
	diag "B $t guest perf record, stock:       $(v stock_${t}_OUT)"
	diag "B $t guest perf record, partitioned: $(v part_${t}_OUT)"
done
for e in $(echo $GEV5 | tr , ' '); do
	k=$(echo $e | tr : _)
	row "B guest perf stat 5 events: $e" "$(v stock_b4_$k)" "$(v part_b4_$k)"
done
row "B 5 events running %" "$(v stock_b4_pct)" "$(v part_b4_pct)"
row "C host samples/irqs/lost" "$(v stock_c_HS)/$(v stock_c_HI)/$(v stock_c_HL)" \
	"$(v part_c_HS)/$(v part_c_HI)/$(v part_c_HL)"
row "C guest samples/irqs/lost" "$(v stock_c_S)/$(v stock_c_I)/$(v stock_c_L)" \
	"$(v part_c_S)/$(v part_c_I)/$(v part_c_L)"
for t in dp dr; do
	row "D $t save/restore: guest instructions:u" "$(v stock_${t}_MU)" "$(v part_${t}_MU)"
done
row "D state file, MB" "$(v stock_dp_MSZ)" "$(v part_dp_MSZ)"
row "E rmmod+insmod: guest instructions:u" "$(v stock_e_RU)" "$(v part_e_RU)"
row "E rmmod+insmod: guest instructions" "$(v stock_e_RA)" "$(v part_e_RA)"
row "session, s (virtual)" "$(v stock_T)" "$(v part_T)"
[ -z "$MUX0" ] || echo "$MUX0" >"$MUXF"
[ ! -w $cpu1 ] || echo 1 >$cpu1
