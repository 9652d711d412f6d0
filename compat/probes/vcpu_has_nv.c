// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_VCPU_HAS_NV: KVM can give a guest its own EL2 (nested
 * virtualisation, KVM_ARM_VCPU_HAS_EL2), told by vcpu_has_nv() in
 * asm/kvm_nested.h ("KVM: arm64: nv: Add nested virt VCPU primitives",
 * v6.3, behind kvm-arm.mode=nested).  Checked: v6.6.57, Debian 6.12 and
 * 7.3 have it; Debian 6.1 has neither the header nor NV.  From 6.12 the
 * header needs asm/kvm_emulate.h first.
 */
#include <linux/kvm_host.h>
#include <asm/kvm_emulate.h>	/* first: from 6.12 it includes kvm_nested.h */
#include <asm/kvm_nested.h>

bool kpp_probe(const struct kvm_vcpu *vcpu);
bool kpp_probe(const struct kvm_vcpu *vcpu)
{
	return vcpu_has_nv(vcpu);
}
