// SPDX-License-Identifier: GPL-2.0
/*
 * The partitioned PMU's context switch.
 *
 * While a vCPU of a partitioned VM is loaded on a CPU, the guest owns that
 * CPU's event counters [0, hpmn) and PMCCNTR_EL0 outright: MDCR_EL2.HPMN
 * is hpmn and TPM is clear, so the guest reads and programs them, and
 * PMCNTEN, PMINTEN, PMOVS, PMSELR and PMUSERENR, with no trap; PMCR_EL0
 * too, except without HCCD (TPMCR, kpp_guest_pmcr_access()).
 *
 *  load:  the guest's counters claimed from the host driver, KVM's copy
 *         of PMCNTENSET_EL0 held (kpp_partition()).
 *  entry: the first after a load, KVM's copies (the vCPU's sysregs) ->
 *         hardware, after KVM's own MDCR_EL2 and PMUSERENR_EL0 writes
 *         (kpp_switch_in()); every one, MDCR_EL2 again if KVM rewrote it.
 *  put:   hardware -> KVM's copies, the guest's counters stopped and its
 *         overflow flags cleared, its counters and event types zeroed,
 *         the host's PMCR_EL0 back (kpp_guest_save()).
 *
 * While the guest runs, KVM's copy of PMCNTENSET_EL0 reads 0 for the
 * guest's counters, so any perf event KVM creates to back them is created
 * disabled and stays so (kvm_pmu_counter_is_enabled()).
 */
#include <linux/kvm_host.h>
#include <linux/percpu.h>
#include <asm/barrier.h>
#include <asm/sysreg.h>

#include "kpp.h"
#include "kvm_pmu.h"
#include "kpp_trace.h"
#include "pmu_regs.h"
#include "switch.h"
#include "vm.h"

DEFINE_PER_CPU(struct kpp_cpu, kpp_cpu);

/* A hook went unseen, or will be: partition nothing more, say so once. */
void kpp_hooks_lost(void)
{
	__this_cpu_inc(kpp_cpu_stats.hooks_missed);
	if (!READ_ONCE(kpp.hooks_missed)) {
		WRITE_ONCE(kpp.hooks_missed, true);
		pr_warn("a hook went unseen (kprobes disarmed?): partitioning stops; reload the module\n");
	}
}

/*
 * c->vcpu is not the running vCPU: its put went unseen, and it may be
 * freed.  Drop it untouched, stop its counters, give the host its
 * PMCR_EL0 back, and partition nothing more until the module is loaded
 * again (its counts since the last put are lost).  IRQs off.
 */
void kpp_cpu_drop(struct kpp_cpu *c)
{
	c->pending = false;	/* KVM's copy of PMCNTENSET_EL0 is lost */
	if (c->partitioned) {
		/* the vCPU and its VM may be gone: name neither */
		trace_vcpu_unpartition("-", -1, "drop");
		write_sysreg(c->guest_mask, pmcntenclr_el0);
		write_sysreg(c->guest_mask, pmintenclr_el1);
		write_sysreg(c->host_pmcr, pmcr_el0);
		isb();
	}
	c->vcpu = NULL;
	c->vm = NULL;
	c->partitioned = false;
	kpp_host_pmu_unclaim();
	c->lazy = false;
	c->inject_pending = false;
	c->masked = 0;
	kpp_hooks_lost();
}

void kpp_write_mdcr(struct kpp_cpu *c)
{
	struct kpp_mdcr_in in = {
		.kvm_mdcr	= c->vcpu->arch.mdcr_el2,
		.hpmn		= c->hpmn,
		.pmuver		= __this_cpu_read(kpp_cpu_caps.pmuver),
		.host_stopped	= c->host_stopped,
		.host_lp	= c->host_pmcr & KPP_PMCR_LP,
		.force_dp	= c->force_dp,
		/* test builds only (make KPP_TEST_OMIT_HPME=1): the seed's bug */
		.omit_hpme	= IS_ENABLED(CONFIG_KPP_TEST_OMIT_HPME),
	};
	u64 mdcr = kpp_mdcr_partitioned(&in);

	if (read_sysreg(mdcr_el2) != mdcr) {
		write_sysreg(mdcr, mdcr_el2);
		isb();
		__this_cpu_inc(kpp_cpu_stats.mdcr_writes);
	}
}

/* KVM's copies -> hardware.  IRQs off; the host owns no guest counter. */
static void kpp_guest_load(struct kpp_cpu *c, struct kvm_vcpu *vcpu)
{
	u64 gm = c->guest_mask, ovs, inten, cnten;
	unsigned int i;

	lockdep_assert_irqs_disabled();
	kpp_set_guest_nr_counters(vcpu, c->hpmn);

	c->host_pmcr = read_sysreg(pmcr_el0);
	c->host_stopped = !(c->host_pmcr & KPP_PMCR_E);
	/* HPMN first: from here PMCR_EL0.E only enables the guest's counters. */
	kpp_write_mdcr(c);

	write_sysreg(gm, pmcntenclr_el0);
	isb();
	for (i = 0; i < c->hpmn; i++)
		kpp_load_counter(i, kvm_reg(vcpu, PMEVTYPER0_EL0 + i),
				 kvm_reg(vcpu, PMEVCNTR0_EL0 + i));
	write_sysreg(kvm_reg(vcpu, PMCCFILTR_EL0), pmccfiltr_el0);
	write_sysreg(kvm_reg(vcpu, PMCCNTR_EL0), pmccntr_el0);

	ovs = kvm_reg(vcpu, PMOVSSET_EL0) & gm;
	inten = kvm_reg(vcpu, PMINTENSET_EL1) & gm;
	c->masked = ovs & inten;	/* already forwarded: do not refire */
	kvm_reg(vcpu, PMOVSSET_EL0) = ovs;
	kvm_reg(vcpu, PMINTENSET_EL1) = inten;
	write_sysreg(gm, pmovsclr_el0);
	write_sysreg(ovs, pmovsset_el0);
	write_sysreg(gm, pmintenclr_el1);
	write_sysreg(inten & ~c->masked, pmintenset_el1);

	write_sysreg(kvm_reg(vcpu, PMSELR_EL0), pmselr_el0);
	write_sysreg(kvm_reg(vcpu, PMUSERENR_EL0), pmuserenr_el0);
	write_sysreg(kpp_pmcr_to_hw(kvm_reg(vcpu, PMCR_EL0), c->force_dp), pmcr_el0);

	cnten = c->cnten & gm;
	isb();
	write_sysreg(cnten, pmcntenset_el0);
	isb();
}

/*
 * Hardware -> KVM's copies; stop the guest's counters, and leave nothing
 * of the guest's in [0, hpmn) and PMCCNTR_EL0 (scrub).  The host driver
 * keeps them in its used_mask, so armv8pmu_enable_user_access() does not
 * clear them before a host task with perf_user_access reads them at EL0
 * (PMUSERENR_EL0.ER/CR), and the next vCPU on this CPU may have a smaller
 * HPMN, whose guest may reach counters at or above it through
 * PMXEVCNTR_EL0 (CONSTRAINED UNPREDICTABLE, Arm ARM D24.5).  IRQs off.
 */
void kpp_guest_save(struct kpp_cpu *c, struct kvm_vcpu *vcpu)
{
	bool scrub = !kpp_rule_off(KPP_RULE_SCRUB);
	u64 gm = c->guest_mask, cnten, ovs, inten;
	unsigned int i;

	lockdep_assert_irqs_disabled();
	kvm_reg(vcpu, PMSELR_EL0) = read_sysreg(pmselr_el0) & 0x1f;
	cnten = read_sysreg(pmcntenset_el0) & gm;
	write_sysreg(gm, pmcntenclr_el0);
	isb();
	for (i = 0; i < c->hpmn; i++)
		kpp_save_counter(i, &kvm_reg(vcpu, PMEVTYPER0_EL0 + i),
				 &kvm_reg(vcpu, PMEVCNTR0_EL0 + i), scrub);
	kvm_reg(vcpu, PMCCNTR_EL0) = read_sysreg(pmccntr_el0);
	kvm_reg(vcpu, PMCCFILTR_EL0) = read_sysreg(pmccfiltr_el0);
	if (scrub) {
		write_sysreg(0, pmccfiltr_el0);
		write_sysreg(0, pmccntr_el0);
	}

	ovs = read_sysreg(pmovsset_el0) & gm;
	inten = (read_sysreg(pmintenset_el1) & gm) | c->masked;
	/*
	 * The guest's N is hpmn: bits [hpmn, 31) do not exist for it and must
	 * read 0 in KVM's copies too (v6.6 KVM does not mask them itself, and
	 * KVM's reset leaves them UNKNOWN).
	 */
	kvm_reg(vcpu, PMOVSSET_EL0) = ovs;
	kvm_reg(vcpu, PMINTENSET_EL1) = inten;
	kvm_reg(vcpu, PMCNTENSET_EL0) = cnten;
	kvm_reg(vcpu, PMCR_EL0) = kpp_pmcr_from_hw(kvm_reg(vcpu, PMCR_EL0),
						   read_sysreg(pmcr_el0), c->hpmn,
						   c->force_dp);
	kvm_reg(vcpu, PMUSERENR_EL0) = read_sysreg(pmuserenr_el0);
	if (scrub)
		write_sysreg(0, pmselr_el0);

	/* Nothing of the guest's may reach the host driver's IRQ handler. */
	write_sysreg(gm, pmintenclr_el1);
	write_sysreg(gm, pmovsclr_el0);
	c->masked = 0;
	/* The host's PMCR_EL0, with E as its driver last asked. */
	write_sysreg((c->host_pmcr & ~KPP_PMCR_E) |
		     (c->host_stopped ? 0 : KPP_PMCR_E), pmcr_el0);
	isb();
}

/*
 * Hand this CPU's PMU to the loaded vCPU, once the host driver has let go
 * of the guest's counters (reserve=dynamic: kpp_host_pmu_claim()); false
 * if it has not.  The state goes into hardware at the next guest entry,
 * after KVM's own load: KVM's copy of PMCNTENSET_EL0 reads 0 from here,
 * so that any perf event KVM creates meanwhile is created disabled.
 * IRQs off.
 */
bool kpp_partition(struct kpp_cpu *c, struct kpp_vm *vm, struct kvm_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();
	if (!kpp_host_pmu_claim(vm->name, vcpu->vcpu_idx))
		return false;
	c->pending = true;
	c->hpmn = READ_ONCE(vm->hpmn);
	c->guest_mask = kpp_guest_counter_mask(c->hpmn) | KPP_BIT(KPP_CYCLE_IDX);
	c->force_dp = kpp_pmcr_force_dp(__this_cpu_read(kpp_cpu_caps.pmuver)) &&
		      !kpp_rule_off(KPP_RULE_DP);
	c->cnten = kvm_reg(vcpu, PMCNTENSET_EL0);
	kvm_reg(vcpu, PMCNTENSET_EL0) = 0;
	__this_cpu_inc(kpp_cpu_stats.switches);
	atomic64_inc(&vm->stats.switches);
	return true;
}

/* The first guest entry after kpp_partition().  IRQs off. */
void kpp_switch_in(struct kpp_cpu *c)
{
	c->pending = false;
	c->partitioned = true;
	kpp_guest_load(c, c->vcpu);
}

/*
 * Put, or module unload, before any guest entry: KVM's copy of
 * PMCNTENSET_EL0 back, unless KVM wrote it meanwhile.  IRQs off.
 */
void kpp_switch_cancel(struct kpp_cpu *c)
{
	if (!c->pending)
		return;
	c->pending = false;
	if (!kvm_reg(c->vcpu, PMCNTENSET_EL0))
		kvm_reg(c->vcpu, PMCNTENSET_EL0) = c->cnten;
}

/*
 * force_dp, at each guest exit: a guest that cleared PMCR_EL0.DP without
 * a trap (QEMU before 10.1 does not implement MDCR_EL2.TPMCR) counts EL2
 * cycles in PMCCNTR_EL0 from there.  Set DP again, and keep the guest's 0
 * in KVM's copy.  What the exit path ran until here is counted: one exit
 * per clear (stats/dp_cleared).  IRQs off.
 */
void kpp_guest_keep_dp(struct kpp_cpu *c, struct kvm_vcpu *vcpu)
{
	u64 pmcr;

	if (!c->force_dp)
		return;
	pmcr = read_sysreg(pmcr_el0);
	if (pmcr & KPP_PMCR_DP)
		return;
	write_sysreg(pmcr | KPP_PMCR_DP, pmcr_el0);
	isb();
	kvm_reg(vcpu, PMCR_EL0) &= ~KPP_PMCR_DP;
	__this_cpu_inc(kpp_cpu_stats.dp_cleared);
}

/*
 * A guest PMCR_EL0 access that MDCR_EL2.TPMCR trapped (force_dp: no HCCD,
 * kpp_pmcr_force_dp()), from KVM's access_pmcr() (hooks/kvm.c), for the
 * vCPU partitioned on this CPU: done on the hardware, with the guest's DP
 * kept in KVM's copy and DP = 1 in the hardware.  Returns false when the
 * access is KVM's to emulate.  IRQs off (a kprobe's handler).
 */
bool kpp_guest_pmcr_access(struct kvm_vcpu *vcpu, u64 *regval, bool is_write)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);
	u64 pmcr, sel;
	unsigned int i;

	if (c->vcpu != vcpu || !c->partitioned || !c->force_dp)
		return false;
	__this_cpu_inc(kpp_cpu_stats.pmcr_traps);
	if (!is_write) {
		/* P and C read as 0; N as HPMN, as the guest reads it untrapped */
		*regval = kpp_pmcr_from_hw(kvm_reg(vcpu, PMCR_EL0),
					   read_sysreg(pmcr_el0), c->hpmn, true) &
			  ~(KPP_PMCR_P | KPP_PMCR_C);
		return true;
	}
	/* PMCR_EL0.P written at EL2 would reset the host's counters too. */
	if (*regval & KPP_PMCR_P) {
		sel = read_sysreg(pmselr_el0);
		for (i = 0; i < c->hpmn; i++)
			kpp_write_evcntr(i, 0);
		write_sysreg(sel, pmselr_el0);
	}
	if (*regval & KPP_PMCR_C)
		write_sysreg(0, pmccntr_el0);
	pmcr = kpp_pmcr_guest_write(kvm_reg(vcpu, PMCR_EL0), *regval);
	write_sysreg(kpp_pmcr_to_hw(pmcr, true), pmcr_el0);
	isb();
	kvm_reg(vcpu, PMCR_EL0) = kpp_pmcr_from_hw(pmcr, read_sysreg(pmcr_el0),
						   c->hpmn, true);
	return true;
}

void kpp_hook_stats_sum(struct kpp_hook_stats *sum)
{
	const u64 *s;
	u64 *t = (u64 *)sum;
	unsigned int i;
	int cpu;

	BUILD_BUG_ON(sizeof(*sum) % sizeof(u64));
	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		s = (const u64 *)per_cpu_ptr(&kpp_cpu_stats, cpu);
		for (i = 0; i < sizeof(*sum) / sizeof(u64); i++)
			t[i] += READ_ONCE(s[i]);
	}
}
