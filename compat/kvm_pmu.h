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

/*
 * What KVM's sys_reg_desc ->access() handlers get (arch/arm64/kvm/
 * sys_regs.h, private to KVM): the same layout since v5.13 dropped
 * is_aarch32, checked in 6.1, v6.6, 6.12 and 7.3.
 */
struct kpp_sys_reg_params {
	u8 op0, op1, crn, crm, op2;	/* KVM: Op0, Op1, CRn, CRm, Op2 */
	u64 regval;
	bool is_write;
};

#if defined(HAVE_KVM_NR_PMU_COUNTERS) || defined(HAVE_KVM_PMCR_N)
/*
 * A per-VM N, which the VMM may lower before the first run with
 * KVM_SET_ONE_REG(PMCR_EL0) (v6.7) or KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS
 * (v6.16); KVM sets it to the PMU's counter count when it picks the VM's
 * PMU.
 */
#define KPP_KVM_VM_N	1

static inline u32 kpp_kvm_get_n(struct kvm *kvm)
{
#if defined(HAVE_KVM_NR_PMU_COUNTERS)
	/* b7628c79 (believed v6.16): kvm->arch.nr_pmu_counters */
	return READ_ONCE(kvm->arch.nr_pmu_counters);
#else
	/* v6.7 "KVM: arm64: PMU: Allow userspace to limit PMCR_EL0.N" */
	return READ_ONCE(kvm->arch.pmcr_n);
#endif
}

static inline void kpp_kvm_set_n(struct kvm *kvm, u32 n)
{
#if defined(HAVE_KVM_NR_PMU_COUNTERS)
	WRITE_ONCE(kvm->arch.nr_pmu_counters, n);
#else
	WRITE_ONCE(kvm->arch.pmcr_n, n);
#endif
}
#else
#define KPP_KVM_VM_N	0
#endif

static inline void kpp_set_guest_nr_counters(struct kvm_vcpu *vcpu, u32 n)
{
#if KPP_KVM_VM_N
	if (kpp_kvm_get_n(vcpu->kvm) != n)
		kpp_kvm_set_n(vcpu->kvm, n);
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
#if KPP_KVM_VM_N
	return kpp_kvm_get_n(vcpu->kvm);
#else
	return (ctxt_sys_reg(&vcpu->arch.ctxt, PMCR_EL0) >> KPP_PMCR_N_SHIFT) &
	       KPP_PMCR_N_MASK;
#endif
}

#endif /* KPP_COMPAT_KVM_PMU_H */
