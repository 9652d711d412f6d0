// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU context switch: what happens at vcpu_load, vcpu_put and guest entry.
 *
 * This tracks which vCPU is loaded on each CPU (KVM's own
 * kvm_get_running_vcpu() is not exported to modules from 7.x), counts the
 * hook invocations, and programs MDCR_EL2 for the partition at guest
 * entry.  Guests still keep KVM's traps (TPM, TPMCR) and KVM's emulated
 * PMU: until their state is switched at load/put, only HPMN, HPME, HPMD
 * and HCCD change, and host perf must keep counting through it.
 */
#include <linux/kvm_host.h>
#include <linux/percpu.h>
#include <asm/barrier.h>
#include <asm/sysreg.h>

#include "kpp.h"

static DEFINE_PER_CPU(struct kvm_vcpu *, kpp_loaded_vcpu);
static DEFINE_PER_CPU(struct kpp_hook_stats, kpp_cpu_stats);

/* Called with preemption disabled, after kvm_arch_vcpu_load(). */
void kpp_vcpu_loaded(struct kvm_vcpu *vcpu)
{
	__this_cpu_write(kpp_loaded_vcpu, vcpu);
	__this_cpu_inc(kpp_cpu_stats.loads);
}

/* Called with preemption disabled, before kvm_arch_vcpu_put(). */
void kpp_vcpu_put(struct kvm_vcpu *vcpu)
{
	__this_cpu_write(kpp_loaded_vcpu, NULL);
	__this_cpu_inc(kpp_cpu_stats.puts);
}

/*
 * Called with IRQs off, just before the world switch into the guest, after
 * KVM's last write of MDCR_EL2 (see compat/hooks.c).  KVM's own value stays
 * in vcpu->arch.mdcr_el2, so KVM sees no change and rewrites the register
 * only at the next vcpu_load: one MRS and a compare per entry, one MSR
 * per load (measured, docs/design.md).
 */
void kpp_guest_enter(void)
{
	struct kvm_vcpu *vcpu = __this_cpu_read(kpp_loaded_vcpu);
	struct kpp_mdcr_in in;
	u64 mdcr;

	__this_cpu_inc(kpp_cpu_stats.entries);
	if (unlikely(!vcpu)) {
		__this_cpu_inc(kpp_cpu_stats.unknown_entries);
		return;
	}

	in = (struct kpp_mdcr_in) {
		.kvm_mdcr	= vcpu->arch.mdcr_el2,
		.hpmn		= kpp.hpmn,
		.pmuver		= __this_cpu_read(kpp_cpu_caps.pmuver),
		.keep_traps	= true,
		/* test builds only (make KPP_TEST_OMIT_HPME=1): the seed's bug */
		.omit_hpme	= IS_ENABLED(CONFIG_KPP_TEST_OMIT_HPME),
	};
	mdcr = kpp_mdcr_partitioned(&in);
	if (read_sysreg(mdcr_el2) != mdcr) {
		write_sysreg(mdcr, mdcr_el2);
		isb();
		__this_cpu_inc(kpp_cpu_stats.mdcr_writes);
	}
}

void kpp_hook_stats_sum(struct kpp_hook_stats *sum)
{
	const struct kpp_hook_stats *s;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(&kpp_cpu_stats, cpu);
		sum->loads += READ_ONCE(s->loads);
		sum->puts += READ_ONCE(s->puts);
		sum->entries += READ_ONCE(s->entries);
		sum->unknown_entries += READ_ONCE(s->unknown_entries);
		sum->mdcr_writes += READ_ONCE(s->mdcr_writes);
	}
}
