// SPDX-License-Identifier: GPL-2.0
/*
 * The host PMU interrupt and the host driver's start/stop, while a
 * partitioned vCPU is loaded (called from hooks/arm_pmu.c's wrappers).
 *
 * Guest overflow: counters [0, hpmn) raise the host's PMU interrupt
 * (PMINTENSET_EL1 is the guest's).  kpp_guest_irq_begin() moves the new
 * flags into KVM's PMOVSSET_EL0 and masks their PMINTENSET_EL1 bits while
 * the flags stay set in hardware for the guest to read; the exit sync
 * (src/vcpu.c) unmasks them once the guest has cleared the flags.
 */
#include <linux/irq_work.h>
#include <linux/kvm_host.h>
#include <linux/percpu.h>
#include <asm/barrier.h>
#include <asm/sysreg.h>

#include "exports.h"
#include "kpp.h"
#include "switch.h"
#include "kpp_trace.h"
#include "vm.h"

static void kpp_inject_work_fn(struct irq_work *work);
static DEFINE_PER_CPU(struct irq_work, kpp_inject_work);

/* Raise the guest's PMU PPI now, as kvm_pmu_update_state() would.  Not NMI. */
static void kpp_inject(struct kvm_vcpu *vcpu)
{
	kpp_vgic_inject_pmu_irq(vcpu, true);
#ifdef HAVE_KVM_PMU_IRQ_LEVEL
	/* so that KVM lowers it once the guest clears the flag */
	vcpu->arch.pmu.irq_level = true;
#endif
}

/* An overflow taken as a pseudo-NMI: raise the PPI, if still loaded. */
void kpp_inject_pending(struct kpp_cpu *c)
{
	if (!c->inject_pending)
		return;
	c->inject_pending = false;
	if (c->vcpu)
		kpp_inject(c->vcpu);
}

static void kpp_inject_work_fn(struct irq_work *work)
{
	unsigned long flags;

	kpp_pmu_irq_save(flags);
	kpp_inject_pending(this_cpu_ptr(&kpp_cpu));
	kpp_pmu_irq_restore(flags);
}

/* Module init, before the host PMU interrupt is wrapped. */
void kpp_irq_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(kpp_inject_work, cpu) = IRQ_WORK_INIT_HARD(kpp_inject_work_fn);
}

/* Module exit, once no vCPU is partitioned: no injection work is left. */
void kpp_irq_work_sync(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		irq_work_sync(per_cpu_ptr(&kpp_inject_work, cpu));
}

/* KVM's kvm_pmu_overflow_status() for the guest's counters, from hardware. */
static bool kpp_overflow_live(struct kvm_vcpu *vcpu, u64 pmcr)
{
	return (pmcr & KPP_PMCR_E) && vcpu->arch.pmu.irq_num &&
	       (kvm_reg(vcpu, PMOVSSET_EL0) & kvm_reg(vcpu, PMINTENSET_EL1));
}

/* The guest's PMU control registers that the host driver writes. */
static void kpp_guest_ctl_save(struct kpp_irq_ctx *x)
{
	x->pmcr = read_sysreg(pmcr_el0);
	x->pmuserenr = read_sysreg(pmuserenr_el0);
	x->pmselr = read_sysreg(pmselr_el0);
}

static void kpp_guest_ctl_restore(const struct kpp_irq_ctx *x)
{
	write_sysreg(kpp_pmcr_to_hw(x->pmcr, this_cpu_read(kpp_cpu.force_dp)),
		     pmcr_el0);
	write_sysreg(x->pmuserenr, pmuserenr_el0);
	write_sysreg(x->pmselr, pmselr_el0);
	isb();
}

/*
 * arm_pmu->start()/stop() write PMCR_EL0.E, which is the guest's while a
 * partitioned vCPU is loaded; the host's counters [hpmn, N) are enabled by
 * MDCR_EL2.HPME then.  But armv8pmu_start() does more: it sets the host's
 * EL0 access and, from v6.6, asks KVM to resync the EL0 filter of
 * guest-only events (KVM_REQ_RESYNC_PMU_EL0).  Perf relies on that
 * whenever it schedules a :G event in while a vCPU stays loaded, as at
 * every multiplexing rotation; without it the event keeps
 * PMEVTYPER<n>_EL0.U set and misses the guest's EL0.  From 7.x both also
 * drive BRBE.  So the driver's callback runs as usual between these two
 * calls; the guest's PMCR_EL0, PMSELR_EL0 and PMUSERENR_EL0 are put back
 * after it, and HPME takes the host's enable.  IRQs off.  begin returns
 * false when no partitioned vCPU is loaded here.
 */
bool kpp_host_pmu_toggle_begin(struct kpp_irq_ctx *x)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);

	lockdep_assert_irqs_disabled();
	if (!kpp_cpu_valid(c) || !c->partitioned)
		return false;
	kpp_guest_ctl_save(x);
	return true;
}

void kpp_host_pmu_toggle_end(const struct kpp_irq_ctx *x, bool on)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);

	kpp_guest_ctl_restore(x);
	c->host_stopped = !on;
	kpp_write_mdcr(c);
	__this_cpu_inc(kpp_cpu_stats.host_toggles);
}

/*
 * The host PMU interrupt, before the driver's handler, which clears every
 * overflow flag (armv8pmu_getreset_flags()) and writes PMCR_EL0.E.  Forward
 * the guest's new flags to KVM and hide the guest's state from the handler.
 * Returns false when no partitioned vCPU is loaded here.  IRQs off.
 */
bool kpp_guest_irq_begin(struct kpp_irq_ctx *x)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);
	struct kvm_vcpu *vcpu;
	u64 gm;

	if (!kpp_cpu_valid(c) || !c->partitioned)
		return false;
	vcpu = c->vcpu;
	gm = c->guest_mask;
	kpp_guest_ctl_save(x);
	x->ovs = read_sysreg(pmovsset_el0) & gm;
	x->fresh = x->ovs & read_sysreg(pmintenset_el1) & gm;
	if (x->fresh) {
		/* Quiet the line until the guest clears the flags. */
		write_sysreg(x->fresh, pmintenclr_el1);
		c->masked |= x->fresh;
		kvm_reg(vcpu, PMOVSSET_EL0) |= x->ovs;
		kvm_reg(vcpu, PMINTENSET_EL1) |= x->fresh;
		kvm_reg(vcpu, PMCR_EL0) = (kvm_reg(vcpu, PMCR_EL0) & ~KPP_PMCR_E) |
			(x->pmcr & KPP_PMCR_E);
		/*
		 * KVM would raise the PPI at the next kvm_pmu_flush_hwstate();
		 * raise it now, so that a vCPU about to block in WFI wakes.
		 */
		if (kpp_overflow_live(vcpu, x->pmcr)) {
			if (in_nmi()) {
				/* the vGIC's locks are not NMI-safe */
				c->inject_pending = true;
				irq_work_queue(this_cpu_ptr(&kpp_inject_work));
			} else {
				kpp_inject(vcpu);
			}
		}
		kvm_make_request(KVM_REQ_IRQ_PENDING, vcpu);
		__this_cpu_inc(kpp_cpu_stats.overflows);
		atomic64_inc(&c->vm->stats.overflows);
		trace_overflow(c->vm->name, vcpu->vcpu_idx, x->fresh);
	}
	/*
	 * The driver's handler clears every flag it reads
	 * (armv8pmu_getreset_flags()): hide the guest's until it returns.
	 * None can arrive meanwhile: at EL2, HPMD stops [0, hpmn) and HCCD
	 * (or DP, kpp_pmcr_force_dp()) PMCCNTR_EL0.
	 */
	if (kpp_rule_off(KPP_RULE_IRQ_FLAGS))
		x->ovs = 0;
	if (x->ovs)
		write_sysreg(x->ovs, pmovsclr_el0);
	isb();
	return true;
}

void kpp_guest_irq_end(struct kpp_irq_ctx *x)
{
	if (x->ovs)
		write_sysreg(x->ovs, pmovsset_el0);
	kpp_guest_ctl_restore(x);
}

