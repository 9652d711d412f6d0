// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_KVM_PMCR_N: the guest's PMCR_EL0.N lives in kvm->arch.pmcr_n and
 * userspace may lower it by writing PMCR_EL0 before the first run ("KVM:
 * arm64: PMU: Allow userspace to limit PMCR_EL0.N", v6.7; replaced by
 * nr_pmu_counters later).  v6.6 has no per-VM N: the guest sees the host's.
 */
#include <linux/kvm_host.h>

u8 kpp_probe(struct kvm *kvm);
u8 kpp_probe(struct kvm *kvm)
{
	return kvm->arch.pmcr_n;
}
