// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_KVM_ARM_SETUP_DEBUG: kvm_arm_setup_debug() recomputes
 * vcpu->arch.mdcr_el2 on every run-loop iteration and VHE writes MDCR_EL2
 * when it changed (up to v6.13; see kvm_vcpu_load_debug.c).
 */
#include <linux/kvm_host.h>

void kpp_probe(struct kvm_vcpu *vcpu);
void kpp_probe(struct kvm_vcpu *vcpu)
{
	kvm_arm_setup_debug(vcpu);
}
