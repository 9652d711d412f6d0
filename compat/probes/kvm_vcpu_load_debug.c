// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_KVM_VCPU_LOAD_DEBUG: KVM computes vcpu->arch.mdcr_el2 once in
 * kvm_vcpu_load_debug() at vcpu_load, and VHE writes MDCR_EL2 there
 * (75a5fbaf "KVM: arm64: Compute MDCR_EL2 at vcpu_load()", v6.14).  Before,
 * kvm_arm_setup_debug() recomputed it before every entry.  Checked: absent
 * in v6.6.34 and Debian 6.12, present in Debian 7.3.
 */
#include <linux/kvm_host.h>

void kpp_probe(struct kvm_vcpu *vcpu);
void kpp_probe(struct kvm_vcpu *vcpu)
{
	kvm_vcpu_load_debug(vcpu);
}
