// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks into the host PMU driver (drivers/perf/arm_pmuv3.c, and
 * arch/arm64/kernel/perf_event.c before v6.4).  Its functions are static,
 * but arm_pmu.c calls four of them through struct arm_pmu, in every
 * version from 6.1 to 7.3, and those pointers are swapped for wrappers
 * here, and put back exactly on unload:
 *  - start/stop write PMCR_EL0.E, the guest's register while a partitioned
 *    vCPU is loaded: they run, for the rest of what they do (EL0 access,
 *    KVM's EL0 filter resync), and the guest's registers are put back
 *    after them, MDCR_EL2.HPME taking the host's enable (src/irq.c);
 *  - handle_irq calls armv8pmu_getreset_flags(), which clears every
 *    PMOVSCLR_EL0 bit, and stops/starts the PMU through PMCR_EL0.E: the
 *    guest's flags are forwarded to KVM and hidden from it, and the
 *    guest's PMCR_EL0 is put back after it;
 *  - get_event_idx (armpmu_add(), and group validation on a copy) takes
 *    the first free index of used_mask: while a claim reschedules the
 *    host's events (src/host_pmu.c), the guest's counters look used.
 */
#include <linux/interrupt.h>
#include <linux/perf/arm_pmu.h>
#include <linux/rcupdate.h>
#include <asm/daifflags.h>

#include "kpp.h"

static struct arm_pmu **kpp_pmus;
static int kpp_nr_pmus;

/* The driver's own callbacks, per arm_pmu, while ours are installed. */
struct kpp_pmu_ops {
	irqreturn_t (*handle_irq)(struct arm_pmu *pmu);
	void (*start)(struct arm_pmu *pmu);
	void (*stop)(struct arm_pmu *pmu);
	int (*get_event_idx)(struct pmu_hw_events *hw, struct perf_event *event);
};

static struct kpp_pmu_ops kpp_orig[KPP_MAX_ARM_PMUS];
static bool kpp_wrapped;

/* Only our arm_pmus carry the wrappers: the last one if no other matches. */
static const struct kpp_pmu_ops *kpp_orig_of(struct arm_pmu *pmu)
{
	int i;

	for (i = 0; i < kpp_nr_pmus - 1; i++)
		if (kpp_pmus[i] == pmu)
			break;
	return &kpp_orig[i];
}

/* The driver's start() or stop(), the guest's registers kept (src/irq.c). */
static void kpp_pmu_toggle(struct arm_pmu *pmu, bool on)
{
	const struct kpp_pmu_ops *o = kpp_orig_of(pmu);
	void (*fn)(struct arm_pmu *pmu) = on ? o->start : o->stop;
	struct kpp_irq_ctx x;
	unsigned long flags;
	bool partitioned;

	kpp_pmu_irq_save(flags);
	partitioned = kpp_host_pmu_toggle_begin(&x);
	fn(pmu);
	if (partitioned)
		kpp_host_pmu_toggle_end(&x, on);
	kpp_pmu_irq_restore(flags);
}

static void kpp_pmu_start(struct arm_pmu *pmu)
{
	kpp_pmu_toggle(pmu, true);
}

static void kpp_pmu_stop(struct arm_pmu *pmu)
{
	kpp_pmu_toggle(pmu, false);
}

static irqreturn_t kpp_pmu_handle_irq(struct arm_pmu *pmu)
{
	const struct kpp_pmu_ops *o = kpp_orig_of(pmu);
	struct kpp_irq_ctx x;
	irqreturn_t ret;

	if (!kpp_guest_irq_begin(&x))
		return o->handle_irq(pmu);
	ret = o->handle_irq(pmu);
	kpp_guest_irq_end(&x);
	return x.fresh ? IRQ_HANDLED : ret;
}

static int kpp_pmu_get_event_idx(struct pmu_hw_events *hw, struct perf_event *event)
{
	struct arm_pmu *pmu = to_arm_pmu(event->pmu);
	unsigned long hide = kpp_host_pmu_hidden(pmu, hw);
	int idx;

	/* IRQs off on this CPU, as every user of its used_mask */
	hw->used_mask[0] |= hide;
	idx = kpp_orig_of(pmu)->get_event_idx(hw, event);
	hw->used_mask[0] &= ~hide;
	return idx;
}

/*
 * After kpp_host_pmu_reserve(): install the wrappers on every host arm_pmu.
 * A driver without these callbacks cannot be partitioned safely.
 */
int kpp_host_pmu_wrap(void)
{
	struct arm_pmu *pmu;
	int i;

	kpp_nr_pmus = kpp_host_pmus(&kpp_pmus);
	for (i = 0; i < kpp_nr_pmus; i++) {
		pmu = kpp_pmus[i];
		if (!pmu->handle_irq || !pmu->start || !pmu->stop || !pmu->get_event_idx) {
			pr_err("host PMU %s has no handle_irq/start/stop/get_event_idx callbacks to wrap\n",
			       pmu->name);
			return -ENODEV;
		}
	}
	for (i = 0; i < kpp_nr_pmus; i++) {
		pmu = kpp_pmus[i];
		kpp_orig[i].handle_irq = pmu->handle_irq;
		kpp_orig[i].start = pmu->start;
		kpp_orig[i].stop = pmu->stop;
		kpp_orig[i].get_event_idx = pmu->get_event_idx;
	}
	/* kpp_orig[] is complete before any CPU can call a wrapper. */
	smp_wmb();
	for (i = 0; i < kpp_nr_pmus; i++) {
		pmu = kpp_pmus[i];
		WRITE_ONCE(pmu->handle_irq, kpp_pmu_handle_irq);
		WRITE_ONCE(pmu->start, kpp_pmu_start);
		WRITE_ONCE(pmu->stop, kpp_pmu_stop);
		WRITE_ONCE(pmu->get_event_idx, kpp_pmu_get_event_idx);
	}
	kpp_wrapped = true;
	return 0;
}

/* Put the driver's callbacks back and wait out any wrapper still running. */
void kpp_host_pmu_unwrap(void)
{
	struct arm_pmu *pmu;
	int i;

	if (!kpp_wrapped)
		return;
	for (i = 0; i < kpp_nr_pmus; i++) {
		pmu = kpp_pmus[i];
		WRITE_ONCE(pmu->handle_irq, kpp_orig[i].handle_irq);
		WRITE_ONCE(pmu->start, kpp_orig[i].start);
		WRITE_ONCE(pmu->stop, kpp_orig[i].stop);
		WRITE_ONCE(pmu->get_event_idx, kpp_orig[i].get_event_idx);
	}
	kpp_wrapped = false;
	/* The wrappers run with IRQs off: an RCU grace period covers them. */
	synchronize_rcu();
}
