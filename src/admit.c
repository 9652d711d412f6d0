// SPDX-License-Identifier: GPL-2.0
/*
 * Admission: may this VM run partitioned?  One rule book, asked at a
 * VM's first vCPU run (src/guest_n.c) and when an operator writes
 * "partitioned" to vms/<vm>/mode (src/vm_sysfs.c).  A VM refused stays
 * trapped, on KVM's emulated PMU, and vms/<vm>/reason says why.
 *
 * A partitioned guest programs PMEVTYPER<n>_EL0 and PMCCFILTR_EL0 itself
 * and reads PMCR_EL0.N as MDCR_EL2.HPMN, so anything KVM would have
 * decided for it at a trap must hold without the trap, or the VM stays
 * trapped:
 *  - the guest's N must be one the hardware can give as HPMN: at most
 *    hpmn, and 0 only with FEAT_HPMN0 (HPMN=0 is UNPREDICTABLE without);
 *  - no KVM PMU event filter (KVM_ARM_VCPU_PMU_V3_FILTER): KVM applies it
 *    when it creates the perf event behind a counter, which a partitioned
 *    counter never has, so a denied event would count;
 *  - no nested virtualisation (KVM_ARM_VCPU_HAS_EL2): the guest
 *    hypervisor's own MDCR_EL2 (TPM, HPMN, HPMD) would be ignored, and its
 *    guest would count in the guest hypervisor's counters.
 * And per load (kpp_admit_cpu(), src/mode.c): only on a CPU whose PMU the
 * module holds.
 */
#include <linux/kvm_host.h>
#include <asm/kvm_emulate.h>
#ifdef HAVE_VCPU_HAS_NV
#include <asm/kvm_nested.h>
#endif

#include "kpp.h"
#include "vm.h"

/* vCPU features are the same on every vCPU of a VM (KVM_ARM_VCPU_INIT). */
static bool kpp_vm_has_nv(struct kvm *kvm)
{
#ifdef HAVE_VCPU_HAS_NV
	struct kvm_vcpu *vcpu = kvm_get_vcpu(kvm, 0);

	return vcpu && vcpu_has_nv(vcpu);
#else
	return false;	/* no NV before v6.3 */
#endif
}

/* KPP_REASON_NONE, or why @vm must stay trapped.  Under kpp_vms_lock. */
enum kpp_reason kpp_admit(struct kpp_vm *vm)
{
	lockdep_assert_held(&kpp_vms_lock);
	if (vm->hpmn > kpp.hpmn)
		return KPP_REASON_N_ABOVE_HPMN;
	if (vm->hpmn < kpp.hpmn_min)
		return KPP_REASON_NO_HPMN0;
	/* set before the first run only (KVM: -EBUSY after), so stable here */
	if (READ_ONCE(vm->kvm->arch.pmu_filter) &&
	    !kpp_rule_off(KPP_RULE_FILTER))
		return KPP_REASON_EVENT_FILTER;
	if (kpp_vm_has_nv(vm->kvm) && !kpp_rule_off(KPP_RULE_NV))
		return KPP_REASON_NESTED;
	return KPP_REASON_NONE;
}

/*
 * May a partitioned vCPU run partitioned on this CPU?  Not where the module
 * does not hold the PMU (all its CPUs offline at modprobe): host perf may
 * sit in [0, hpmn) there.  The vCPU then runs trapped here, and is folded
 * back on a held CPU.  Preemption off.
 */
bool kpp_admit_cpu(int cpu)
{
	return kpp_host_pmu_reserved(cpu) || kpp_rule_off(KPP_RULE_CPU);
}

const char *kpp_reason_text(enum kpp_reason r)
{
	switch (r) {
	case KPP_REASON_NONE:
		return "none";
	case KPP_REASON_SYSFS:
		return "set to trapped through sysfs";
	case KPP_REASON_N_ABOVE_HPMN:
		return "its PMCR_EL0.N is above hpmn";
	case KPP_REASON_NO_HPMN0:
		return "PMCR_EL0.N=0 needs FEAT_HPMN0";
	case KPP_REASON_NO_PMU:
		return "no vCPU has a PMU";
	case KPP_REASON_EVENT_FILTER:
		return "its VMM set a PMU event filter, which only trapping enforces";
	case KPP_REASON_NESTED:
		return "nested virtualisation: the guest hypervisor's MDCR_EL2 must be emulated";
	}
	return "unknown";
}
