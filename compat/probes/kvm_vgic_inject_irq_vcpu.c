// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_KVM_VGIC_INJECT_IRQ_VCPU: kvm_vgic_inject_irq() names its target by
 * struct kvm_vcpu * ("KVM: arm64: vgic: Use vcpu pointer in
 * kvm_vgic_inject_irq()", v6.7); before, by vcpu index (int cpuid).
 */
#include <linux/kvm_host.h>
#include <kvm/arm_vgic.h>

typedef int (*kpp_inject_t)(struct kvm *kvm, struct kvm_vcpu *vcpu,
			    unsigned int intid, bool level, void *owner);

static_assert(__builtin_types_compatible_p(typeof(kvm_vgic_inject_irq) *,
					   kpp_inject_t));
