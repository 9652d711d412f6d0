// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_KVM_VGIC_INJECT_IRQ_CPUID: kvm_vgic_inject_irq() names its target by
 * vcpu index (int cpuid), as before "KVM: arm64: vgic: Use vcpu pointer in
 * kvm_vgic_inject_irq()" (v6.7).  The other side of
 * kvm_vgic_inject_irq_vcpu.c: compat/probe.sh fails the build unless
 * exactly one of the two builds, since the module calls it through a
 * pointer of that type.
 */
#include <linux/kvm_host.h>
#include <kvm/arm_vgic.h>

typedef int (*kpp_inject_t)(struct kvm *kvm, int cpuid, unsigned int intid,
			    bool level, void *owner);

static_assert(__builtin_types_compatible_p(typeof(kvm_vgic_inject_irq) *,
					   kpp_inject_t));
