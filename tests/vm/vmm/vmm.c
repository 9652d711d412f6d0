// SPDX-License-Identifier: GPL-2.0
/*
 * vmm - a minimal arm64 KVM VMM for the kvm_pmu_partition VM tests.
 *
 * One memslot of RAM with a built-in bare-metal payload at its start, an
 * in-kernel vGICv3, and a KVM-emulated PMUv3 (PMU IRQ = PPI 23) on every
 * vCPU.  vCPU 0 starts at the payload in EL1h with DAIF masked; the other
 * vCPUs are created powered off (KVM_ARM_VCPU_POWER_OFF).
 *
 * The whole guest image (guest.S) is copied to RAM; vCPU 0 enters the
 * payload with up to 4 arguments in x0..x3 (KVM_SET_ONE_REG on the core
 * registers), each with a per-payload name and default.
 *
 * The guest reports values by 64-bit stores to REPORT_BASE + 8 * slot,
 * which are outside every memslot and so come back as KVM_EXIT_MMIO.  It
 * stops with PSCI SYSTEM_OFF (KVM_EXIT_SYSTEM_EVENT).  A store to slot
 * SLOT_EXC reports an unexpected guest exception: vmm decodes it and
 * exits 1.  Output is "arg_NAME=value" per argument, one "name=value" line
 * per reported slot, then per-vCPU figures: KVM_RUN returns, wall time in
 * KVM_RUN, and KVM's own statistics from KVM_GET_STATS_FD ("exits" also
 * counts exits handled inside the kernel).
 *
 * Usage: vmm [--payload NAME] [--argN V] [--NAME V] [--vcpus N] [--pin CPU]
 *	      [--migrate-every MS] [--timeout S] [--start-delay MS] [--no-pmu]
 *	      [--set-n N | --nr-counters N] [--deny-event EV] [--set-userenr V]
 *	      [--el2]
 *	      [--list]
 * --migrate-every flips vCPU 0's affinity between pCPU 0 and 1 every MS
 * milliseconds while it runs, and prints migrations=N (affinity changes)
 * and vcpu0_nr_migrations (the scheduler's count, if /proc shows it).
 * --start-delay waits MS milliseconds between creating the VM and its
 * first KVM_RUN; --no-pmu creates the vCPUs without KVM_ARM_VCPU_PMU_V3;
 * --deny-event EV sets a KVM PMU event filter (KVM_ARM_VCPU_PMU_V3_FILTER)
 * that denies event number EV (e.g. 0x08, INST_RETIRED) to the guest;
 * --set-userenr V writes the guest's PMUSERENR_EL0 (KVM_SET_ONE_REG), as
 * a VMM restoring a migrated guest does; --el2 gives the vCPUs their own
 * EL2 (KVM_ARM_VCPU_HAS_EL2, nested virtualisation; the payload still
 * starts at EL1).
 * Exit status: 0 on SYSTEM_OFF, 1 on any error, unexpected exit or guest
 * exception, 3 on timeout (the message gives vCPU 0's PC and ESR_EL1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#define RAM_BASE	0x40000000UL
#define RAM_SIZE	(2UL << 20)
#define GICD_BASE	0x08000000UL
#define GICR_BASE	0x080a0000UL
#define REPORT_BASE	0x0a000000UL
#define REPORT_SLOTS	32
#define SLOT_EXC_INFO	27		/* guest.S: unexpected exception */
#define SLOT_EXC_ELR	28
#define SLOT_EXC_FAR	29
#define SLOT_EXC	30
#define NR_ARGS		4
#define PMU_IRQ		23		/* PPI: INTID 16..31 */
#define MAX_VCPUS	8
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* PSTATE: EL1h (M[3:0] = 0b0101), D, A, I, F masked */
#define PSTATE_EL1H_DAIF	0x3c5UL

#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 (offsetof(struct kvm_regs, x) / sizeof(__u32)))
#define REG_ESR_EL1	ARM64_SYS_REG(3, 0, 5, 2, 0)
#define REG_FAR_EL1	ARM64_SYS_REG(3, 0, 6, 0, 0)
#define REG_VBAR_EL1	ARM64_SYS_REG(3, 0, 12, 0, 0)

extern const char guest_image[], guest_image_end[];
extern const char guest_pmu_basic[], guest_pmu_access[], guest_pmu_overflow[];
extern const char guest_pmu_high[], guest_pmu_el2filter[], guest_pmu_all6[];
extern const char guest_pmu_rounds[], guest_mmio_rounds[];
extern const char guest_null[], guest_hang[], guest_broken[], guest_wfi[];

struct payload {
	const char *name;
	const char *entry;
	const char *args[NR_ARGS];	/* names of x0..x3 */
	__u64 defs[NR_ARGS];		/* their defaults */
	const char *slots[REPORT_SLOTS];
	const char *help;
};

static const struct payload payloads[] = {
	{ "pmu-basic", guest_pmu_basic, { "iters", "reset" }, { 1000000, 0 },
	  { "pmcr_n", "pmcr", "inst", "cycles", "iters" },
	  "PMCR_EL0.N; INST_RETIRED and PMCCNTR over a 2*iters-instruction loop;\n"
	  "                 counters zeroed by writes, or reset=1: by PMCR_EL0.P and .C" },
	{ "pmu-access", guest_pmu_access, { "iters" }, { 1000 },
	  { "accesses" },
	  "iters PMEVCNTR0_EL0 reads + iters PMSELR_EL0 writes" },
	{ "pmu-overflow", guest_pmu_overflow,
	  { "period", "iters", "mode", "counter" }, { 100000, 1025000, 3, 0 },
	  { "irqs", "final", "skid_sum", "skid_max", "spurious", "wfis",
	    "timer_irqs", "period", "iters", "mode", "counter", "rearm" },
	  "overflow IRQ (PPI 23) of counter every period events; mode 0 INST_RETIRED\n"
	  "                 loop, 1 masked loop then WFI, 2 CPU_CYCLES WFI wait (10 ms timer\n"
	  "                 backstop), 3 = 0 and 4 = 1 with CPU_CYCLES, 5 = 3 reading the counter\n"
	  "                 every iteration (3 instructions)" },
	{ "pmu-high", guest_pmu_high, { "hpmn", "end" }, { 3, 6 },
	  { "pmcr_n", "attempts", "undefs", "undef_direct", "undef_sel",
	    "first", "end", "xor" },
	  "read PMEVCNTR<n>_EL0 and PMSELR+PMXEVCNTR_EL0, n in [hpmn, end);\n"
	  "                 count and skip UNDEFs" },
	{ "pmu-el2filter", guest_pmu_el2filter, { "iters", "traps" },
	  { 1000000, 100 },
	  { "inst_nsh", "inst", "cycles_nsh", "evtyper0", "pmccfiltr",
	    "iters", "traps" },
	  "INST_RETIRED with and without PMEVTYPER.NSH, PMCCFILTR.NSH, over a loop + traps HVCs" },
	{ "pmu-all6", guest_pmu_all6, { "iters", "counters", "ccnt" }, { 1000000, 6, 0 },
	  { "c0", "c1", "c2", "c3", "c4", "c5", "ccnt", "iters", "counters" },
	  "program counters 0..5 (INST_RETIRED/CPU_CYCLES alternating) + PMCCNTR\n"
	  "                 (from ccnt), run, read all" },
	{ "pmu-rounds", guest_pmu_rounds, { "rounds", "iters" }, { 1000, 1000 },
	  { "rounds", "sum", "last_c0" },
	  "rounds x (program counters 0..2 + PMCCNTR, run a 2*iters loop, read\n"
	  "                 all 4): 15 PMU accesses a round, one KVM_RUN" },
	{ "mmio-rounds", guest_mmio_rounds, { "rounds", "pmu" }, { 1000, 0 },
	  { "rounds", "c0", "round", "c0_before" },
	  "rounds MMIO exits (a return to the VMM each); pmu=1: counters 0..2 +\n"
	  "                 PMCCNTR counting through them; pmu=2: counting a loop,\n"
	  "                 then all disabled before them" },
	{ "null", guest_null, { NULL }, { 0 }, { NULL },
	  "SYSTEM_OFF at once: exit-count baseline" },
	{ "hang", guest_hang, { NULL }, { 0 }, { NULL },
	  "spin forever: tests --timeout" },
	{ "wfi", guest_wfi, { "timer" }, { 0 }, { NULL },
	  "count (counter 0, PMCCNTR), then WFI forever, every IRQ disabled; the\n"
	  "                 virtual timer armed timer ticks on: KVM wakes the blocked vCPU" },
	{ "broken", guest_broken, { "how" }, { 0 }, { NULL },
	  "how=0 UDF without vectors, 1 branch to unmapped IPA: stuck (timeout);\n"
	  "                 2 UDF with vectors: reported, exit 1" },
};

struct vcpu {
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	unsigned long runs;		/* KVM_RUN returns */
	unsigned long long run_ns;	/* wall time spent in KVM_RUN */
	long nr_migrations;		/* /proc .../sched se.nr_migrations */
	long tid;
	int ok;				/* stopped by SYSTEM_OFF */
};

static int kvm_fd, vm_fd, run_size, nr_vcpus = 1, pin_cpu = -1;
static int migrate_ms, start_delay_ms, no_pmu, el2;
#ifndef KVM_ARM_VCPU_HAS_EL2
#define KVM_ARM_VCPU_HAS_EL2	7
#endif
static volatile int vcpu0_done;
static unsigned long migrations;
static __u64 args[NR_ARGS];
static struct vcpu vcpus[MAX_VCPUS];
static const struct payload *pl;
static __u64 report[REPORT_SLOTS];
static __u32 reported;		/* bitmap of written slots */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what)
{
	fprintf(stderr, "vmm: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vmm: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Last resort if the vCPU threads do not come back from a kick */
static void on_alarm(int sig)
{
	static const char msg[] = "vmm: timeout: guest did not power off (vCPU not kickable)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static void on_kick(int sig)
{
	(void)sig;
}

static void set_reg(struct vcpu *v, __u64 id, __u64 val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (__u64)&val };

	if (ioctl(v->fd, KVM_SET_ONE_REG, &reg))
		die("KVM_SET_ONE_REG");
}

static __u64 get_reg(struct vcpu *v, __u64 id)
{
	__u64 val = 0;
	struct kvm_one_reg reg = { .id = id, .addr = (__u64)&val };

	if (ioctl(v->fd, KVM_GET_ONE_REG, &reg))
		return ~0ULL;
	return val;
}

static void set_attr(int fd, __u32 group, __u64 attr, void *addr,
		     const char *what)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (__u64)addr,
	};

	if (ioctl(fd, KVM_SET_DEVICE_ATTR, &a))
		die(what);
}

/*
 * Print the vCPU's binary statistics (KVM_GET_STATS_FD): header, then
 * descriptors of sizeof(desc) + name_size bytes, then the data.
 */
static void print_stats(struct vcpu *v)
{
	static const char *const want[] = {
		"exits", "hvc_exit_stat", "wfi_exit_stat", "mmio_exit_user",
		"mmio_exit_kernel", "signal_exits",
	};
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	size_t dsz;
	char *descs;
	int fd, i;
	unsigned int k;

	fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0) {
		printf("vcpu%d_stats=unavailable\n", v->id);
		return;
	}
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		die("read stats header");
	dsz = sizeof(*d) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	if (!descs)
		die("calloc");
	if (pread(fd, descs, h.num_desc * dsz, h.desc_offset) !=
	    (ssize_t)(h.num_desc * dsz))
		die("read stats descriptors");
	for (k = 0; k < ARRAY_SIZE(want); k++) {
		for (i = 0; i < (int)h.num_desc; i++) {
			__u64 val;

			d = (void *)(descs + i * dsz);
			if (strcmp(d->name, want[k]))
				continue;
			if (pread(fd, &val, sizeof(val),
				  h.data_offset + d->offset) != sizeof(val))
				die("read stats data");
			printf("vcpu%d_%s=%llu\n", v->id, want[k],
			       (unsigned long long)val);
		}
	}
	free(descs);
	close(fd);
}

static int handle_mmio(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	__u64 a = r->mmio.phys_addr, val = 0;
	unsigned int slot;

	if (!r->mmio.is_write || r->mmio.len != 8 || a < REPORT_BASE ||
	    a >= REPORT_BASE + 8 * REPORT_SLOTS || (a & 7)) {
		fprintf(stderr, "vmm: vcpu%d: unexpected MMIO %s addr=0x%llx len=%u pc=0x%llx\n",
			v->id, r->mmio.is_write ? "write" : "read",
			(unsigned long long)a, r->mmio.len,
			(unsigned long long)get_reg(v, CORE_REG(regs.pc)));
		return -1;
	}
	memcpy(&val, r->mmio.data, 8);
	slot = (a - REPORT_BASE) / 8;
	pthread_mutex_lock(&report_lock);
	report[slot] = val;
	reported |= 1U << slot;
	pthread_mutex_unlock(&report_lock);
	if (slot == SLOT_EXC) {
		/* guest.S unexpected: vector offset, ESR_EL1 (or IAR), ELR, FAR */
		if (val == 0x280)
			fprintf(stderr, "vmm: vcpu%d: guest took an unexpected IRQ: ICC_IAR1_EL1=0x%llx ELR_EL1=0x%llx\n",
				v->id, (unsigned long long)report[SLOT_EXC_INFO],
				(unsigned long long)report[SLOT_EXC_ELR]);
		else
			fprintf(stderr, "vmm: vcpu%d: guest took an unexpected exception: vector 0x%llx ESR_EL1=0x%llx (EC 0x%llx) ELR_EL1=0x%llx FAR_EL1=0x%llx\n",
				v->id, (unsigned long long)val,
				(unsigned long long)report[SLOT_EXC_INFO],
				(unsigned long long)(report[SLOT_EXC_INFO] >> 26) & 0x3f,
				(unsigned long long)report[SLOT_EXC_ELR],
				(unsigned long long)report[SLOT_EXC_FAR]);
		return -1;
	}
	return 0;
}

/* The CPU thread tid last ran on (/proc/.../stat field 39), or -1 */
static int task_cpu(long tid)
{
	char path[64], buf[1024], *p;
	int i, cpu = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');	/* comm may hold spaces */
		for (i = 2; p && i < 39; i++)
			p = strchr(p + 1, ' ');
		if (p)
			cpu = atoi(p + 1);
	}
	fclose(f);
	return cpu;
}

/* CPU changes of vCPU 0 seen by the migrate thread */
static long cpu_changes;

/*
 * The scheduler's migration count of this thread (CONFIG_SCHED_DEBUG), or
 * without it the CPU changes the migrate thread saw.
 */
static long read_nr_migrations(void)
{
	char path[64], line[128];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/sched",
		 (long)syscall(SYS_gettid));
	f = fopen(path, "r");
	if (!f)
		return migrate_ms ? cpu_changes : -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "se.nr_migrations", 16))
			sscanf(strchr(line, ':') + 1, "%ld", &n);
	fclose(f);
	return n;
}

/*
 * --migrate-every: flip vCPU 0 between pCPU 0 and 1 while it runs.  This
 * thread sleeps and flips on the pCPU the vCPU is leaving, so the other
 * pCPU idles in WFI meanwhile: QEMU's INST_RETIRED and CPU_CYCLES come
 * from one instruction count shared by all emulated CPUs, so instructions
 * run on the other pCPU would show up in the counting one's counters.
 */
static void *migrate_thread(void *arg)
{
	struct timespec ts = {
		.tv_sec = migrate_ms / 1000,
		.tv_nsec = (migrate_ms % 1000) * 1000000L,
	};
	cpu_set_t set;
	int from, cpu, last = -1;

	(void)arg;
	while (!vcpu0_done) {
		from = migrations & 1;	/* where vCPU 0 runs now */
		CPU_ZERO(&set);
		CPU_SET(from, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		nanosleep(&ts, NULL);
		if (vcpu0_done)
			break;
		cpu = task_cpu(vcpus[0].tid);
		if (cpu >= 0 && last >= 0 && cpu != last)
			cpu_changes++;
		last = cpu;
		CPU_ZERO(&set);
		CPU_SET(!from, &set);
		if (pthread_setaffinity_np(vcpus[0].thread, sizeof(set), &set))
			fail("--migrate-every: pthread_setaffinity_np to CPU %d failed (CPU 1 offline?)",
			     !from);
		migrations++;
	}
	return NULL;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_run *r = v->run;

	v->tid = syscall(SYS_gettid);
	if (migrate_ms && v->id == 0)
		pin_cpu = 0;
	if (pin_cpu >= 0 && v->id == 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(pin_cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}
	for (;;) {
		unsigned long long t0 = now_ns();
		int ret = ioctl(v->fd, KVM_RUN, NULL);

		v->run_ns += now_ns() - t0;
		v->runs++;
		if (ret < 0) {
			if (errno == EINTR && r->immediate_exit)
				return NULL;	/* stopped by main thread */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "vmm: vcpu%d: KVM_RUN: %s\n", v->id,
				strerror(errno));
			exit(1);
		}
		switch (r->exit_reason) {
		case KVM_EXIT_MMIO:
			if (handle_mmio(v))
				exit(1);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			if (r->system_event.type != KVM_SYSTEM_EVENT_SHUTDOWN)
				fail("vcpu%d: system event %u, expected SHUTDOWN (PSCI SYSTEM_OFF)",
				     v->id, r->system_event.type);
			v->ok = 1;
			v->nr_migrations = read_nr_migrations();
			return NULL;
		case KVM_EXIT_FAIL_ENTRY:
			fail("vcpu%d: KVM_EXIT_FAIL_ENTRY reason 0x%llx", v->id,
			     (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			fail("vcpu%d: KVM_EXIT_INTERNAL_ERROR suberror %u", v->id,
			     r->internal.suberror);
			break;
		default:
			fail("vcpu%d: unexpected exit reason %u at pc=0x%llx", v->id,
			     r->exit_reason,
			     (unsigned long long)get_reg(v, CORE_REG(regs.pc)));
		}
	}
}

static void print_usage(int rc)
{
	unsigned int i;

	fprintf(rc ? stderr : stdout,
		"usage: vmm [--payload NAME] [--argN V] [--NAME V] [--vcpus N] [--pin CPU]\n"
		"           [--migrate-every MS] [--timeout S] [--start-delay MS] [--no-pmu]\n"
		"           [--set-n N | --nr-counters N] [--deny-event EV] [--set-userenr V] [--el2]\npayloads (args x0..x3 = default):\n");
	for (i = 0; i < ARRAY_SIZE(payloads); i++) {
		const struct payload *p = &payloads[i];
		int k;

		fprintf(rc ? stderr : stdout, "  %-14s %s\n", p->name, p->help);
		for (k = 0; k < NR_ARGS && p->args[k]; k++)
			fprintf(rc ? stderr : stdout, "  %14s x%d %s=%llu\n", "",
				k, p->args[k], (unsigned long long)p->defs[k]);
	}
	exit(rc);
}

/*
 * --set-n N: KVM_SET_ONE_REG(PMCR_EL0) with that N, as a VMM limits its
 * guest's counters (v6.7); --nr-counters N: KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS
 * (v6.16).  Prints N before, what the call returned and N read back.
 */
#define REG_PMCR	ARM64_SYS_REG(3, 3, 9, 12, 0)
#ifndef KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS
#define KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS	4
#endif
static long set_n = -1, nr_counters = -1, deny_event = -1;
static long long set_userenr = -1;
#define REG_PMUSERENR	ARM64_SYS_REG(3, 3, 9, 14, 0)

/* --deny-event EV: KVM's event filter, as a VMM sets it before the first run. */
static void deny(void)
{
	struct kvm_pmu_event_filter f = {
		.base_event = deny_event,
		.nevents = 1,
		.action = KVM_PMU_EVENT_DENY,
	};

	if (deny_event < 0)
		return;
	set_attr(vcpus[0].fd, KVM_ARM_VCPU_PMU_V3_CTRL,
		 KVM_ARM_VCPU_PMU_V3_FILTER, &f, "PMU_V3_FILTER");
	printf("denied_event=0x%lx\n", deny_event);
}

/* --set-userenr V: the guest's PMUSERENR_EL0, as a restored guest's. */
static void userenr(void)
{
	__u64 v = set_userenr;
	struct kvm_one_reg reg = { .id = REG_PMUSERENR, .addr = (__u64)&v };
	int i;

	if (set_userenr < 0)
		return;
	for (i = 0; i < nr_vcpus; i++)
		if (ioctl(vcpus[i].fd, KVM_SET_ONE_REG, &reg))
			die("KVM_SET_ONE_REG(PMUSERENR_EL0)");
	printf("pmuserenr=%#llx\n", (unsigned long long)get_reg(&vcpus[0], REG_PMUSERENR));
}

static void choose_n(void)
{
	struct kvm_one_reg reg = { .id = REG_PMCR };
	struct kvm_device_attr a = {
		.group = KVM_ARM_VCPU_PMU_V3_CTRL,
		.attr = KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS,
	};
	unsigned int n = nr_counters;
	__u64 pmcr = get_reg(&vcpus[0], REG_PMCR);
	int ret = 0;

	if (set_n < 0 && nr_counters < 0)
		return;
	printf("n_before=%llu\n", (unsigned long long)(pmcr >> 11) & 0x1f);
	if (set_n >= 0) {
		pmcr = (pmcr & ~(0x1fULL << 11)) | ((__u64)set_n << 11);
		reg.addr = (__u64)&pmcr;
		ret = ioctl(vcpus[0].fd, KVM_SET_ONE_REG, &reg) ? -errno : 0;
	} else {
		a.addr = (__u64)&n;
		ret = ioctl(vcpus[0].fd, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
	}
	printf("set_n_ret=%d\n", ret);
	printf("n_after=%llu\n", (unsigned long long)(get_reg(&vcpus[0], REG_PMCR) >> 11) & 0x1f);
}

static void setup_vm(void)
{
	struct kvm_userspace_memory_region mem;
	struct kvm_vcpu_init init;
	struct kvm_create_device gic = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	__u64 addr;
	int irq = PMU_IRQ, i;
	void *ram;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("open /dev/kvm");
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die("KVM_CREATE_VM");
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");

	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap RAM");
	memcpy(ram, guest_image, guest_image_end - guest_image);
	mem = (struct kvm_userspace_memory_region) {
		.slot = 0, .guest_phys_addr = RAM_BASE,
		.memory_size = RAM_SIZE, .userspace_addr = (__u64)ram,
	};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &mem))
		die("KVM_SET_USER_MEMORY_REGION");

	if (ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, &init))
		die("KVM_ARM_PREFERRED_TARGET");
	for (i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = &vcpus[i];
		struct kvm_vcpu_init vi = init;

		v->id = i;
		v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0)
			die("KVM_CREATE_VCPU");
		v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED)
			die("mmap kvm_run");
		vi.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
		if (!no_pmu)
			vi.features[0] |= 1U << KVM_ARM_VCPU_PMU_V3;
		if (i)
			vi.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
		if (el2)
			vi.features[0] |= 1U << KVM_ARM_VCPU_HAS_EL2;
		if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &vi)) {
			if (el2)
				die("KVM_ARM_VCPU_INIT with HAS_EL2 (no NV: kvm-arm.mode=nested?)");
			die("KVM_ARM_VCPU_INIT (PMU_V3, PSCI_0_2)");
		}
	}

	/* In-kernel vGICv3: distributor and redistributor frames */
	if (ioctl(vm_fd, KVM_CREATE_DEVICE, &gic))
		die("KVM_CREATE_DEVICE vGICv3");
	addr = GICD_BASE;
	set_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST,
		 &addr, "vGIC dist address");
	addr = GICR_BASE;
	set_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST,
		 &addr, "vGIC redist address");

	/* PMU overflow interrupt: PPI 23, before the vGIC is initialised */
	for (i = 0; i < nr_vcpus && !no_pmu; i++)
		set_attr(vcpus[i].fd, KVM_ARM_VCPU_PMU_V3_CTRL,
			 KVM_ARM_VCPU_PMU_V3_IRQ, &irq, "PMU_V3_IRQ");
	set_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
		 NULL, "vGIC CTRL_INIT");
	if (!no_pmu) {
		choose_n();
		deny();
	}
	for (i = 0; i < nr_vcpus && !no_pmu; i++)
		set_attr(vcpus[i].fd, KVM_ARM_VCPU_PMU_V3_CTRL,
			 KVM_ARM_VCPU_PMU_V3_INIT, NULL, "PMU_V3_INIT");
	if (!no_pmu)
		userenr();

	set_reg(&vcpus[0], CORE_REG(regs.pc), RAM_BASE + (pl->entry - guest_image));
	set_reg(&vcpus[0], CORE_REG(regs.pstate), PSTATE_EL1H_DAIF);
	for (i = 0; i < NR_ARGS; i++)
		set_reg(&vcpus[0], CORE_REG(regs.regs[i]), args[i]);
}

/*
 * The guest did not power off in time: kick every vCPU out of KVM_RUN
 * and say where vCPU 0 is stuck.
 */
static void timeout_exit(unsigned int timeout)
{
	struct vcpu *v = &vcpus[0];
	__u64 esr;
	int j;

	alarm(5);
	for (j = 0; j < nr_vcpus; j++) {
		vcpus[j].run->immediate_exit = 1;
		pthread_kill(vcpus[j].thread, SIGUSR1);
	}
	for (j = 0; j < nr_vcpus; j++)
		pthread_join(vcpus[j].thread, NULL);
	esr = get_reg(v, REG_ESR_EL1);
	fprintf(stderr, "vmm: timeout: guest did not power off in %us: vcpu0 pc=0x%llx pstate=0x%llx ESR_EL1=0x%llx (EC 0x%llx) ELR_EL1=0x%llx FAR_EL1=0x%llx VBAR_EL1=0x%llx runs=%lu\n",
		timeout, (unsigned long long)get_reg(v, CORE_REG(regs.pc)),
		(unsigned long long)get_reg(v, CORE_REG(regs.pstate)),
		(unsigned long long)esr, (unsigned long long)(esr >> 26) & 0x3f,
		(unsigned long long)get_reg(v, CORE_REG(elr_el1)),
		(unsigned long long)get_reg(v, REG_FAR_EL1),
		(unsigned long long)get_reg(v, REG_VBAR_EL1), v->runs);
	exit(3);
}

/* Value of an option: a number (0x.. accepted), all of it */
static __u64 parse_u64(const char *opt, const char *val)
{
	char *end;
	__u64 n;

	errno = 0;
	n = strtoull(val, &end, 0);
	if (errno || !*val || *end || *val == '-')
		fail("%s: '%s' is not a number", opt, val);
	return n;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_kick };
	const char *named[NR_ARGS * 2];
	__u64 namedv[NR_ARGS * 2], argv_set[NR_ARGS];
	unsigned int timeout = 60, i, nr_named = 0, argmask = 0;
	struct timespec deadline;
	pthread_t mig;
	int rc = 0, j, k;

	pl = &payloads[0];
	for (j = 1; j < argc; j++) {
		const char *opt = argv[j], *val = j + 1 < argc ? argv[j + 1] : NULL;

		if (!strcmp(opt, "--help") || !strcmp(opt, "--list"))
			print_usage(0);
		if (!strcmp(opt, "--no-pmu")) {
			no_pmu = 1;
			continue;
		}
		if (!strcmp(opt, "--el2")) {
			el2 = 1;
			continue;
		}
		if (!val)
			print_usage(2);
		j++;
		if (!strcmp(opt, "--payload")) {
			pl = NULL;
			for (i = 0; i < ARRAY_SIZE(payloads); i++)
				if (!strcmp(val, payloads[i].name))
					pl = &payloads[i];
			if (!pl)
				fail("no payload '%s' (--list shows them)", val);
		} else if (!strcmp(opt, "--vcpus")) {
			nr_vcpus = atoi(val);
			if (nr_vcpus < 1 || nr_vcpus > MAX_VCPUS)
				fail("--vcpus must be 1..%d", MAX_VCPUS);
		} else if (!strcmp(opt, "--pin")) {
			pin_cpu = atoi(val);
		} else if (!strcmp(opt, "--timeout")) {
			timeout = atoi(val);
		} else if (!strcmp(opt, "--set-n")) {
			set_n = atoi(val);
		} else if (!strcmp(opt, "--nr-counters")) {
			nr_counters = atoi(val);
		} else if (!strcmp(opt, "--deny-event")) {
			deny_event = strtol(val, NULL, 0);
		} else if (!strcmp(opt, "--set-userenr")) {
			set_userenr = strtoll(val, NULL, 0);
		} else if (!strcmp(opt, "--start-delay")) {
			start_delay_ms = atoi(val);
		} else if (!strcmp(opt, "--migrate-every")) {
			migrate_ms = atoi(val);
			if (migrate_ms < 1)
				fail("--migrate-every must be >= 1 ms");
		} else if (!strncmp(opt, "--arg", 5) && opt[5] >= '0' &&
			   opt[5] < '0' + NR_ARGS && !opt[6]) {
			k = opt[5] - '0';
			argv_set[k] = parse_u64(opt, val);
			argmask |= 1U << k;
		} else if (!strncmp(opt, "--", 2) && nr_named < ARRAY_SIZE(named)) {
			/* --NAME: resolved against the payload's arguments below */
			named[nr_named] = opt + 2;
			namedv[nr_named++] = parse_u64(opt, val);
		} else {
			print_usage(2);
		}
	}
	for (k = 0; k < NR_ARGS; k++)
		args[k] = argmask & (1U << k) ? argv_set[k] : pl->defs[k];
	for (i = 0; i < nr_named; i++) {
		for (k = 0; k < NR_ARGS && pl->args[k]; k++)
			if (!strcmp(named[i], pl->args[k]))
				break;
		if (k == NR_ARGS || !pl->args[k])
			fail("payload %s has no argument '%s' (--list shows them)",
			     pl->name, named[i]);
		args[k] = namedv[i];
	}

	if (migrate_ms) {
		cpu_set_t set;

		/* offline CPUs are not in the affinity mask */
		if (sched_getaffinity(0, sizeof(set), &set) ||
		    !CPU_ISSET(0, &set) || !CPU_ISSET(1, &set))
			fail("--migrate-every needs pCPUs 0 and 1 (CPU 1 offline?)");
	}

	/* SIGUSR1 kicks a vCPU thread out of KVM_RUN (no SA_RESTART) */
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGALRM, on_alarm);

	setup_vm();
	/* --start-delay: the VM exists, no vCPU has run yet */
	if (start_delay_ms)
		usleep(start_delay_ms * 1000);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout;
	for (j = 0; j < nr_vcpus; j++)
		if (pthread_create(&vcpus[j].thread, NULL, vcpu_thread, &vcpus[j]))
			fail("pthread_create failed");
	if (migrate_ms && pthread_create(&mig, NULL, migrate_thread, NULL))
		fail("pthread_create failed");
	if (pthread_timedjoin_np(vcpus[0].thread, NULL, &deadline))
		timeout_exit(timeout);
	vcpu0_done = 1;
	if (migrate_ms)
		pthread_join(mig, NULL);
	/* vCPU 0 powered the system off: stop the (powered-off) others */
	for (j = 1; j < nr_vcpus; j++) {
		vcpus[j].run->immediate_exit = 1;
		pthread_kill(vcpus[j].thread, SIGUSR1);
		pthread_join(vcpus[j].thread, NULL);
	}
	alarm(0);

	printf("payload=%s\n", pl->name);
	for (k = 0; k < NR_ARGS && pl->args[k]; k++)
		printf("arg_%s=%llu\n", pl->args[k], (unsigned long long)args[k]);
	for (i = 0; i < REPORT_SLOTS; i++) {
		if (!(reported & (1U << i)))
			continue;
		if (pl->slots[i])
			printf("%s=%llu\n", pl->slots[i], (unsigned long long)report[i]);
		else
			printf("slot%u=%llu\n", i, (unsigned long long)report[i]);
	}
	for (j = 0; j < nr_vcpus; j++) {
		printf("vcpu%d_runs=%lu\n", j, vcpus[j].runs);
		printf("vcpu%d_run_us=%llu\n", j, vcpus[j].run_ns / 1000);
		print_stats(&vcpus[j]);
	}
	/*
	 * KVM's view of vCPU 0's PMU after the run (KVM_GET_ONE_REG), as a
	 * migration would save it: PMEVCNTR0..5, PMCCNTR, PMEVTYPER0, PMCR,
	 * PMCNTENSET, PMOVSSET, PMINTENSET (op0 3, op1 3 / 0, CRn 9 / 14).
	 */
	for (k = 0; k < 6; k++)
		printf("reg_pmevcntr%u=%llu\n", k, (unsigned long long)
		       get_reg(&vcpus[0], ARM64_SYS_REG(3, 3, 14, 8 + (k >> 3), k & 7)));
	printf("reg_pmccntr=%llu\n", (unsigned long long)get_reg(&vcpus[0], ARM64_SYS_REG(3, 3, 9, 13, 0)));
	printf("reg_pmevtyper0=%llu\n", (unsigned long long)get_reg(&vcpus[0], ARM64_SYS_REG(3, 3, 14, 12, 0)));
	printf("reg_pmcr=%llu\n", (unsigned long long)get_reg(&vcpus[0], ARM64_SYS_REG(3, 3, 9, 12, 0)));
	printf("reg_pmcntenset=%llu\n", (unsigned long long)get_reg(&vcpus[0], ARM64_SYS_REG(3, 3, 9, 12, 1)));
	printf("reg_pmovsset=%llu\n", (unsigned long long)get_reg(&vcpus[0], ARM64_SYS_REG(3, 3, 9, 14, 3)));
	printf("reg_pmintenset=%llu\n", (unsigned long long)get_reg(&vcpus[0], ARM64_SYS_REG(3, 0, 9, 14, 1)));
	if (migrate_ms) {
		printf("migrations=%lu\n", migrations);
		printf("vcpu0_nr_migrations=%ld\n", vcpus[0].nr_migrations);
	}
	if (!vcpus[0].ok) {
		fprintf(stderr, "vmm: vcpu0 stopped without SYSTEM_OFF\n");
		rc = 1;
	}
	return rc;
}
