// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_KVM_NR_PMU_COUNTERS: the guest's PMCR_EL0.N lives in
 * kvm->arch.nr_pmu_counters, settable with KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS
 * (b7628c79 "KVM: arm64: Allow userspace to limit the number of PMU counters
 * for EL2 VMs").  Absent in Debian 6.12, present in Debian 7.3; believed to
 * be v6.16, which is why this is probed rather than version-checked.
 */
#include <linux/kvm_host.h>

unsigned int kpp_probe(struct kvm *kvm);
unsigned int kpp_probe(struct kvm *kvm)
{
	return kvm->arch.nr_pmu_counters;
}
