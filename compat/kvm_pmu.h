/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where KVM keeps a VM's PMCR_EL0.N, the number of event counters its
 * guest sees.  A partitioned guest reads N from hardware as MDCR_EL2.HPMN,
 * so KVM must report and emulate the same N (KVM_GET_ONE_REG, and the
 * trapped PMU after rmmod).
 */
#ifndef KPP_COMPAT_KVM_PMU_H
#define KPP_COMPAT_KVM_PMU_H

#include <linux/kvm_host.h>

static inline void kpp_set_guest_nr_counters(struct kvm_vcpu *vcpu, u32 n)
{
#if defined(HAVE_KVM_NR_PMU_COUNTERS)
	/* b7628c79 (believed v6.16): kvm->arch.nr_pmu_counters */
	if (vcpu->kvm->arch.nr_pmu_counters != n)
		vcpu->kvm->arch.nr_pmu_counters = n;
#elif defined(HAVE_KVM_PMCR_N)
	/* v6.7 "KVM: arm64: PMU: Allow userspace to limit PMCR_EL0.N" */
	if (vcpu->kvm->arch.pmcr_n != n)
		vcpu->kvm->arch.pmcr_n = n;
#else
	/* v6.6 and older: each vCPU's PMCR_EL0 copy holds the host's N */
	u64 *pmcr = &ctxt_sys_reg(&vcpu->arch.ctxt, PMCR_EL0);

	*pmcr = (*pmcr & ~((u64)KPP_PMCR_N_MASK << KPP_PMCR_N_SHIFT)) |
		(((u64)n & KPP_PMCR_N_MASK) << KPP_PMCR_N_SHIFT);
#endif
}

/* The N the VM's guest sees now. */
static inline u32 kpp_get_guest_nr_counters(struct kvm_vcpu *vcpu)
{
#if defined(HAVE_KVM_NR_PMU_COUNTERS)
	return vcpu->kvm->arch.nr_pmu_counters;
#elif defined(HAVE_KVM_PMCR_N)
	return vcpu->kvm->arch.pmcr_n;
#else
	return (ctxt_sys_reg(&vcpu->arch.ctxt, PMCR_EL0) >> KPP_PMCR_N_SHIFT) &
	       KPP_PMCR_N_MASK;
#endif
}

#endif /* KPP_COMPAT_KVM_PMU_H */
