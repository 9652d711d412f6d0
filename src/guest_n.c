// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's PMCR_EL0.N: the contract with the VMM.
 *
 * A partitioned guest reads N from hardware as MDCR_EL2.HPMN, so KVM must
 * report the same N to the VMM (KVM_GET_ONE_REG(PMCR_EL0)) and keep it
 * after rmmod.  From v6.7 the VMM may choose N itself, before the first
 * run: KVM_SET_ONE_REG(PMCR_EL0) (v6.7) or
 * KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS (v6.16).  The rules:
 *
 *  - A VM in mode "partitioned" sees a PMU of hpmn counters, as if the
 *    hardware had hpmn: KVM's default N is hpmn (set just after KVM picks
 *    the VM's PMU), and an N above hpmn is refused exactly as KVM refuses
 *    one above the hardware's: KVM_SET_ONE_REG leaves N unchanged,
 *    SET_NR_COUNTERS fails with -EINVAL.  VMMs that write back the whole
 *    register list they read (QEMU) keep hpmn.
 *  - Any N from 0 to hpmn that the VMM sets is the guest's N, and the VM's
 *    MDCR_EL2.HPMN.  N = 0 without FEAT_HPMN0 (UNPREDICTABLE as HPMN)
 *    keeps the VM trapped, with that reason in vms/<vm>/reason.
 *  - A VM in mode "trapped" (set through sysfs before it runs) has KVM's
 *    own limits, and stays trapped if its VMM takes N above hpmn.
 *  - v6.6 and older have no per-VM N and no check: KVM_SET_ONE_REG stores
 *    any N in the vCPU's PMCR_EL0, and a vCPU reset puts the hardware's
 *    back.  An N below the hardware's at the first run is the VMM's
 *    choice, taken by the same rules; the hardware's (what QEMU writes
 *    back) means hpmn.  The module then keeps each vCPU's PMCR_EL0.N at
 *    the VM's N at every load (src/mode.c), also after a reset.
 */
#include <linux/errno.h>
#include <linux/kvm_host.h>
#include <linux/rcupdate.h>

#include "kpp.h"
#include "kvm_pmu.h"
#include "kpp_trace.h"
#include "vm.h"

#if KPP_KVM_VM_N
/* A VM whose N is capped at hpmn: partitioned, and N not fixed yet.  RCU. */
static struct kpp_vm *kpp_vm_capped(struct kvm *kvm)
{
	struct kpp_vm *vm = kpp_vm_find(kvm);

	if (!vm || !vm->fixed_n || READ_ONCE(vm->ran) ||
	    !READ_ONCE(vm->partitioned))
		return NULL;
	return vm;
}

/* KVM picked the VM's PMU and set N to its counter count. */
void kpp_vm_pmu_chosen(struct kvm *kvm)
{
	struct kpp_vm *vm;

	rcu_read_lock();
	vm = kpp_vm_capped(kvm);
	if (vm)
		kpp_kvm_set_n(kvm, READ_ONCE(vm->hpmn));
	rcu_read_unlock();
}

/*
 * The VMM wrote N (KVM_SET_ONE_REG(PMCR_EL0) or SET_NR_COUNTERS), and KVM
 * took @new over @old.  Returns 0, or -EINVAL with N put back when @new
 * is above what a partitioned VM may have.
 */
int kpp_vm_n_written(struct kvm *kvm, u32 old, u32 new)
{
	struct kpp_vm *vm;
	int ret = 0;

	rcu_read_lock();
	vm = kpp_vm_capped(kvm);
	if (vm && new > kpp.hpmn) {
		kpp_kvm_set_n(kvm, old);
		ret = -EINVAL;
	} else if (vm) {
		WRITE_ONCE(vm->hpmn, new);
	}
	rcu_read_unlock();
	return ret;
}
#endif

/* vms/<vm>/hpmn written before the first run.  Under kpp_vms_lock, !dying. */
void kpp_vm_set_hpmn(struct kpp_vm *vm, u32 n)
{
	WRITE_ONCE(vm->hpmn, n);
#if KPP_KVM_VM_N
	/* KVM's N too, once KVM has picked the VM's PMU; else from that point */
	if (vm->kvm->arch.arm_pmu)
		kpp_kvm_set_n(vm->kvm, n);
#endif
}

/*
 * A vCPU of the VM runs for the first time: from here N is fixed (KVM
 * refuses changes once the VM has run).  Take the VMM's N as the VM's
 * hpmn, and keep the VM trapped where src/admit.c says no.  Under
 * kpp_vms_lock.
 */
void kpp_vm_first_run(struct kpp_vm *vm, struct kvm_vcpu *vcpu)
{
	u32 n = kpp_get_guest_nr_counters(vcpu);

	/* for the log line and tracepoints from here on */
	kpp_vm_name_from_debugfs(vm, vcpu->kvm);
	/*
	 * Before v6.7 KVM stores whatever N a VMM writes into PMCR_EL0 and
	 * resets it to the hardware's: one below that is the VMM's choice.
	 */
	if (vm->fixed_n && (KPP_KVM_VM_N || n < kpp.min_n))
		WRITE_ONCE(vm->hpmn, n);
	else
		n = vm->hpmn;
	if (!vm->partitioned)
		return;
	vm->reason = kpp_admit(vm);
	if (vm->reason == KPP_REASON_NONE)
		return;
	WRITE_ONCE(vm->partitioned, false);
	trace_admit_refused(vm->name, kpp_reason_text(vm->reason));
	pr_info_ratelimited("vms/%s: trapped: %s (N=%u, hpmn=%u)\n", vm->name,
			    kpp_reason_text(vm->reason), n, kpp.hpmn);
}
