// SPDX-License-Identifier: GPL-2.0
/*
 * Host PMU reservation: the host perf driver must never place an event on
 * a counter the guest owns, event counters [0, hpmn) and PMCCNTR (with
 * MDCR_EL2.TPM clear the guest programs PMCNTENSET_EL0 bit 31 itself).
 *
 * The arm_pmu allocators (armv8pmu_get_single_idx/_chain_idx and the
 * PMCCNTR fast path) take the first index whose bit is clear in the CPU's
 * pmu_hw_events.used_mask, in every version from 6.1 to 7.3.  Setting the
 * guest's bits there keeps host events off them without touching the
 * driver's code or its counter mask (which KVM also reads to size new
 * VMs' PMCR_EL0.N).  Only the bits this module set are cleared.
 *
 * reserve=dynamic (opt-in): a CPU's guest counters are claimed only
 * while a partitioned vCPU is loaded there (kpp_host_pmu_claim()); host
 * perf and trapped VMs have all N otherwise.  Host events on them at that
 * load are rescheduled by perf itself (perf_pmu_resched()), with the
 * driver's get_event_idx() told to skip them (hooks/arm_pmu.c): each goes
 * to [hpmn, N) if it fits, else a flexible one waits for perf's rotation
 * and a pinned one goes into error, as perf does for any pinned event
 * that cannot be scheduled.  reserve=static (the default): claimed on
 * every CPU from load to unload; a load whose host events do not fit
 * fails.
 *
 * The driver's callbacks are wrapped in hooks/arm_pmu.c.
 */
#include <linux/bitops.h>
#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/perf_event.h>
#include <linux/perf/arm_pmu.h>
#include <linux/smp.h>

#include "exports.h"
#include "kpp.h"
#include "kpp_trace.h"

static struct arm_pmu *kpp_pmus[KPP_MAX_ARM_PMUS];
static int kpp_nr_pmus;
static cpumask_t kpp_reserved_cpus;
static unsigned long kpp_idx_mask;

/* reserve=dynamic: each CPU's claim, on the CPU itself with IRQs off */
struct kpp_claim {
	struct arm_pmu *pmu;	/* a held CPU's, from load to unload */
	bool claimed;		/* a partitioned vCPU is loaded here */
	bool waiting;		/* host events left off the PMU by the claim */
};

static DEFINE_PER_CPU(struct kpp_claim, kpp_claims);

/* The arm_pmu behind a CPU's hardware events, found through perf itself. */
static struct arm_pmu *kpp_arm_pmu_of(int cpu)
{
	struct perf_event_attr attr = {
		.type		= PERF_TYPE_HARDWARE,
		.config		= PERF_COUNT_HW_CPU_CYCLES,
		.size		= sizeof(attr),
		.disabled	= 1,
	};
	struct perf_event *ev;
	struct arm_pmu *pmu;

	ev = perf_event_create_kernel_counter(&attr, cpu, NULL, NULL, NULL);
	if (IS_ERR(ev))
		return ERR_CAST(ev);
	pmu = container_of(ev->pmu, struct arm_pmu, pmu);
	perf_event_release_kernel(ev);
	return pmu;
}

struct kpp_reserve_req {
	struct arm_pmu *pmu;
	int cpu;
	int busy_idx;		/* -1, or the index a host event holds */
	u64 busy_config;
	int moved;		/* host events moved off the guest's counters */
};

/* Set the guest's bits in used_mask: the first one already set, or -1. */
static int kpp_claim(struct pmu_hw_events *hw, unsigned long *done)
{
	int idx;

	for_each_set_bit(idx, &kpp_idx_mask, BITS_PER_LONG) {
		if (test_and_set_bit(idx, hw->used_mask))
			return idx;
		__set_bit(idx, done);
	}
	return -1;
}

static void kpp_unclaim(struct pmu_hw_events *hw, unsigned long done)
{
	int idx;

	for_each_set_bit(idx, &done, BITS_PER_LONG)
		clear_bit(idx, hw->used_mask);
}

/*
 * On the target CPU with IRQs off, as perf core's own event scheduling
 * runs: move the host's events off the guest's counters (the driver's
 * del and add, as a reschedule would), then claim those counters.  If the
 * host counters [hpmn, N) cannot take them all, put everything back.
 */
static void kpp_reserve_one(void *info)
{
	struct kpp_reserve_req *r = info;
	struct pmu_hw_events *hw = per_cpu_ptr(r->pmu->hw_events, r->cpu);
	struct perf_event *moved[KPP_MAX_COUNTERS + 1];
	int idx, i, n = 0, added = 0;
	unsigned long done = 0;
	struct perf_event *ev;

	r->pmu->pmu.pmu_disable(&r->pmu->pmu);
	for_each_set_bit(idx, &kpp_idx_mask, BITS_PER_LONG) {
		ev = hw->events[idx];
		if (!ev || n == ARRAY_SIZE(moved))
			continue;
		moved[n++] = ev;
		ev->pmu->del(ev, 0);
	}
	/* one still taken is not ours to move: half of a chained pair, say */
	r->busy_idx = kpp_claim(hw, &done);
	r->busy_config = 0;
	for (i = 0; r->busy_idx < 0 && i < n; i++) {
		ev = moved[i];
		if (ev->pmu->add(ev, ev->hw.state & PERF_HES_STOPPED ? 0 : PERF_EF_START)) {
			r->busy_idx = kpp_idx_mask ? __ffs(kpp_idx_mask) : 0;
			r->busy_config = ev->attr.config;
		} else {
			added++;
		}
	}
	if (r->busy_idx >= 0) {
		for (i = 0; i < added; i++)
			moved[i]->pmu->del(moved[i], 0);
		kpp_unclaim(hw, done);
		for (i = 0; i < n; i++)
			moved[i]->pmu->add(moved[i], moved[i]->hw.state & PERF_HES_STOPPED ?
					   0 : PERF_EF_START);
	}
	r->moved = r->busy_idx < 0 ? n : 0;
	r->pmu->pmu.pmu_enable(&r->pmu->pmu);
}

/*
 * A CPU that is offline (hotplug held off by the caller) runs no event:
 * perf took them all off at its teardown.  Claim the counters only; the
 * driver's callbacks act on the calling CPU, never run them for another.
 */
static void kpp_reserve_offline(struct kpp_reserve_req *r)
{
	struct pmu_hw_events *hw = per_cpu_ptr(r->pmu->hw_events, r->cpu);
	unsigned long done = 0;

	r->busy_idx = kpp_claim(hw, &done);
	r->busy_config = 0;
	if (r->busy_idx >= 0)
		kpp_unclaim(hw, done);
	r->moved = 0;
}

static void kpp_release_one(void *info)
{
	struct kpp_reserve_req *r = info;
	struct pmu_hw_events *hw = per_cpu_ptr(r->pmu->hw_events, r->cpu);
	int idx;

	for_each_set_bit(idx, &kpp_idx_mask, BITS_PER_LONG)
		clear_bit(idx, hw->used_mask);
}

/* Release on cpu: by IPI when it is online, directly when it is not. */
static void kpp_release_on(int cpu, struct kpp_reserve_req *r)
{
	if (cpu_online(cpu))
		smp_call_function_single(cpu, kpp_release_one, r, 1);
	else
		kpp_release_one(r);
}

/*
 * Does the module hold @cpu's PMU: counters [0, hpmn) and PMCCNTR_EL0
 * claimed from the host driver, its callbacks wrapped?  A CPU of a PMU
 * whose every CPU was offline at load is not held: no partitioned vCPU
 * runs there (src/mode.c).
 */
bool kpp_host_pmu_reserved(int cpu)
{
	return cpumask_test_cpu(cpu, &kpp_reserved_cpus);
}

static struct arm_pmu *kpp_pmu_for(int cpu)
{
	int i;

	for (i = 0; i < kpp_nr_pmus; i++)
		if (cpumask_test_cpu(cpu, &kpp_pmus[i]->supported_cpus))
			return kpp_pmus[i];
	return NULL;
}

/* The host events on this CPU's PMU, up to @max, and where each was. */
static int kpp_host_events(struct pmu_hw_events *hw, struct perf_event **ev,
			   int *was, int max)
{
	int idx, n = 0;

	for (idx = 0; idx < ARMPMU_MAX_HWEVENTS && n < max; idx++) {
		if (!hw->events[idx])
			continue;
		was[n] = idx;
		ev[n++] = hw->events[idx];
	}
	return n;
}

/*
 * reserve=dynamic: a partitioned vCPU loads on this CPU, IRQs off, before
 * its state goes into hardware.  Claim [0, hpmn) and PMCCNTR_EL0 from the
 * host driver: from here get_event_idx() skips them (kpp_host_pmu_hidden()).
 * Nothing else is touched unless a host event sits there; then perf
 * reschedules this CPU's events, and the guest's counters are free after
 * it.  False if one is not (the vCPU then runs trapped here).  A CPU the
 * module does not hold has nothing to claim: KPP_RULE_CPU keeps vCPUs
 * trapped there.
 */
bool kpp_host_pmu_claim(const char *vm, int vcpu)
{
	struct kpp_claim *cl = this_cpu_ptr(&kpp_claims);
	struct perf_event *ev[KPP_MAX_COUNTERS + 1];
	int was[KPP_MAX_COUNTERS + 1];
	struct pmu_hw_events *hw;
	unsigned int moved = 0, waiting = 0, lost = 0;
	unsigned long done = 0;
	int i, n, idx;

	lockdep_assert_irqs_disabled();
	if (!kpp.dynamic || cl->claimed || !cl->pmu)
		return true;
	hw = this_cpu_ptr(cl->pmu->hw_events);
	cl->claimed = true;
	if (hw->used_mask[0] & kpp_idx_mask) {
		n = kpp_host_events(hw, ev, was, ARRAY_SIZE(ev));
		kpp_perf_pmu_resched(&cl->pmu->pmu);
		__this_cpu_inc(kpp_cpu_stats.host_rescheds);
		for (i = 0; i < n; i++) {
			if (ev[i]->state == PERF_EVENT_STATE_ACTIVE) {
				if (kpp_idx_mask & BIT(was[i])) {
					__this_cpu_inc(kpp_cpu_stats.host_events_moved);
					moved++;
				}
				continue;
			}
			if (!ev[i]->attr.pinned) {
				cl->waiting = true;
				__this_cpu_inc(kpp_cpu_stats.host_events_waiting);
				waiting++;
				continue;
			}
			__this_cpu_inc(kpp_cpu_stats.host_pinned_lost);
			lost++;
			pr_warn_ratelimited("CPU%d: pinned host perf event (config %#llx) does not fit in PMEVCNTR%u..%u_EL0 beside a partitioned vCPU: perf puts it in error state (reserve=static keeps them)\n",
					    smp_processor_id(), ev[i]->attr.config, kpp.hpmn,
					    this_cpu_read(kpp_cpu_caps.nr_counters) - 1);
		}
		trace_host_events_moved(vm, vcpu, moved, waiting, lost);
	}
	idx = kpp_claim(hw, &done);
	if (idx < 0)
		return true;
	kpp_unclaim(hw, done);
	cl->claimed = false;
	pr_notice_ratelimited("CPU%d: PMEVCNTR%d_EL0 still busy after a perf reschedule: vCPU runs trapped\n",
			      smp_processor_id(), idx);
	return false;
}

/*
 * reserve=dynamic: the partitioned vCPU put, its state out of hardware
 * (c->partitioned clear), IRQs off.  The counters go back to the host
 * driver; host events left waiting by the claim are scheduled again.
 */
void kpp_host_pmu_unclaim(void)
{
	struct kpp_claim *cl = this_cpu_ptr(&kpp_claims);
	struct pmu_hw_events *hw;

	lockdep_assert_irqs_disabled();
	if (!cl->claimed)
		return;
	hw = this_cpu_ptr(cl->pmu->hw_events);
	kpp_unclaim(hw, kpp_idx_mask);
	cl->claimed = false;
	if (cl->waiting) {
		cl->waiting = false;
		kpp_perf_pmu_resched(&cl->pmu->pmu);
		__this_cpu_inc(kpp_cpu_stats.host_rescheds);
	}
}

/*
 * The guest's counters that the host driver's get_event_idx() must skip
 * although used_mask has them clear: during the claim's reschedule, on
 * this CPU's own hw_events (not a group's validation copy).  IRQs off.
 */
unsigned long kpp_host_pmu_hidden(struct arm_pmu *pmu, struct pmu_hw_events *hw)
{
	BUILD_BUG_ON(ARMPMU_MAX_HWEVENTS > BITS_PER_LONG);
	if (!this_cpu_read(kpp_claims.claimed) || hw != this_cpu_ptr(pmu->hw_events))
		return 0;
	return kpp_idx_mask & ~hw->used_mask[0];
}

/*
 * Module unload, on each CPU with IRQs off, once no vCPU is partitioned
 * there: give the guest's counters back to the host driver at once, so
 * that KVM's emulated PMU, taking the VMs back, finds counters for its
 * perf events on this CPU.
 */
void kpp_host_pmu_release_this_cpu(void)
{
	struct kpp_reserve_req r = { .cpu = smp_processor_id() };

	r.pmu = kpp_pmu_for(r.cpu);
	if (!r.pmu || !cpumask_test_and_clear_cpu(r.cpu, &kpp_reserved_cpus))
		return;
	if (kpp.dynamic)
		kpp_host_pmu_unclaim();
	else
		kpp_release_one(&r);
}

/*
 * Clear the bits this module set, and only those.  Caller holds
 * cpus_read_lock(); reserve=dynamic, no vCPU is partitioned any more.
 */
void kpp_host_pmu_release(void)
{
	struct kpp_reserve_req r;
	int cpu;

	for_each_cpu(cpu, &kpp_reserved_cpus) {
		r.pmu = kpp_pmu_for(cpu);
		r.cpu = cpu;
		if (!kpp.dynamic)
			kpp_release_on(cpu, &r);
	}
	cpumask_clear(&kpp_reserved_cpus);
	for_each_possible_cpu(cpu)
		per_cpu_ptr(&kpp_claims, cpu)->pmu = NULL;
}

/* Caller holds cpus_read_lock(). */
int kpp_host_pmu_reserve(u32 hpmn)
{
	struct kpp_reserve_req r;
	struct arm_pmu *pmu;
	int cpu, i;

	kpp_nr_pmus = 0;
	for_each_online_cpu(cpu) {
		if (kpp_pmu_for(cpu))
			continue;
		pmu = kpp_arm_pmu_of(cpu);
		if (IS_ERR(pmu)) {
			pr_err("no host PMU on CPU%d (perf: %ld)\n", cpu, PTR_ERR(pmu));
			return -ENODEV;
		}
		if (kpp_nr_pmus == KPP_MAX_ARM_PMUS) {
			pr_err("more than %d host PMUs\n", KPP_MAX_ARM_PMUS);
			return -ENODEV;
		}
		kpp_pmus[kpp_nr_pmus++] = pmu;
	}

	kpp_idx_mask = kpp_driver_guest_idx_mask(hpmn, KPP_PMU_CYCLE_IDX_ZERO);
	for (i = 0; i < kpp_nr_pmus; i++) {
		for_each_cpu(cpu, &kpp_pmus[i]->supported_cpus) {
			r.pmu = kpp_pmus[i];
			r.cpu = cpu;
			r.busy_idx = -1;
			if (!cpu_online(cpu) && kpp_fault_skip_offline())
				continue;
			if (kpp.dynamic) {
				/* claimed at each partitioned load: kpp_host_pmu_claim() */
				per_cpu_ptr(&kpp_claims, cpu)->pmu = kpp_pmus[i];
				cpumask_set_cpu(cpu, &kpp_reserved_cpus);
				continue;
			}
			if (cpu_online(cpu))
				smp_call_function_single(cpu, kpp_reserve_one, &r, 1);
			else
				kpp_reserve_offline(&r);
			if (r.busy_idx >= 0) {
				pr_err("CPU%d: host perf events (config %#llx, ...) do not fit in PMEVCNTR%u..%u_EL0, the host's counters with hpmn=%u; stop some (perf, NMI watchdog) and load again\n",
				       cpu, r.busy_config, hpmn,
				       per_cpu_ptr(&kpp_cpu_caps, cpu)->nr_counters - 1, hpmn);
				kpp_host_pmu_release();
				return -EBUSY;
			}
			cpumask_set_cpu(cpu, &kpp_reserved_cpus);
			if (r.moved)
				pr_info("CPU%d: %d host perf events moved to the host's counters\n",
					cpu, r.moved);
		}
	}
	return 0;
}

/* The host arm_pmus found by kpp_host_pmu_reserve(), for hooks/arm_pmu.c. */
int kpp_host_pmus(struct arm_pmu ***pmus)
{
	*pmus = kpp_pmus;
	return kpp_nr_pmus;
}
