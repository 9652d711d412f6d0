// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_KVM_PMU_IRQ_LEVEL: KVM remembers the level it last gave the guest's
 * PMU PPI in kvm_pmu.irq_level and raises or lowers the line only when
 * its overflow status differs (up to 6.x).  Later KVM drives the line from
 * the status at every update, with no such field.
 */
#include <linux/kvm_host.h>

bool kpp_probe(struct kvm_vcpu *vcpu);
bool kpp_probe(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.pmu.irq_level;
}
