// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel functions this module calls but some kernels do not export
 * (compat/exports.h), found by address at load, as LTTng's
 * wrapper/kallsyms.h does: a kprobe registered on the name and removed
 * at once gives the address.
 */
#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/printk.h>

#include "exports.h"

#ifdef HAVE_KVM_VGIC_INJECT_IRQ_VCPU
typedef int (*kpp_vgic_inject_t)(struct kvm *kvm, struct kvm_vcpu *vcpu,
				 unsigned int intid, bool level, void *owner);
#elif defined(HAVE_KVM_VGIC_INJECT_IRQ_CPUID)
/* before v6.7: the target vCPU by index */
typedef int (*kpp_vgic_inject_t)(struct kvm *kvm, int cpuid,
				 unsigned int intid, bool level, void *owner);
#else
#error "kvm_vgic_inject_irq(): neither known prototype (compat/probes/kvm_vgic_inject_irq_*.c)"
#endif
static kpp_vgic_inject_t kpp_vgic_inject;

/* The vCPU's PMU PPI, as KVM's kvm_pmu_update_state() raises it.  IRQs off. */
int kpp_vgic_inject_pmu_irq(struct kvm_vcpu *vcpu, bool level)
{
#ifdef HAVE_KVM_VGIC_INJECT_IRQ_VCPU
	return kpp_vgic_inject(vcpu->kvm, vcpu, vcpu->arch.pmu.irq_num, level,
			       &vcpu->arch.pmu);
#else
	return kpp_vgic_inject(vcpu->kvm, vcpu->vcpu_id, vcpu->arch.pmu.irq_num,
			       level, &vcpu->arch.pmu);
#endif
}

#ifndef HAVE_EXPORT_TASK_WORK_ADD
int (*kpp_task_work_add)(struct task_struct *task, struct callback_head *twork,
			 enum task_work_notify_mode mode);
#endif

#ifndef HAVE_EXPORT_KVM_GET_RUNNING_VCPU
struct kvm_vcpu *(*kpp_get_running_vcpu)(void);
#endif

void (*kpp_perf_pmu_resched)(struct pmu *pmu);

struct callback_head *
(*kpp_task_work_cancel_match)(struct task_struct *task,
			      bool (*match)(struct callback_head *, void *data),
			      void *data);

/* A global function's address: a kprobe on it, registered and removed. */
void *kpp_symbol_address(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	void *addr;

	if (register_kprobe(&kp)) {
		pr_err("%s is not exported and not found by kprobe (kprobes blocked on it?)\n",
		       name);
		return NULL;
	}
	addr = kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

/* Before any hook goes in: every address, or the load fails. */
int kpp_exports_resolve(void)
{
#ifndef HAVE_EXPORT_KVM_GET_RUNNING_VCPU
	kpp_get_running_vcpu =
		(typeof(kpp_get_running_vcpu))kpp_symbol_address("kvm_get_running_vcpu");
	if (!kpp_get_running_vcpu)
		return -ENOENT;
#endif
#ifndef HAVE_EXPORT_TASK_WORK_ADD
	kpp_task_work_add = (typeof(kpp_task_work_add))kpp_symbol_address("task_work_add");
	if (!kpp_task_work_add)
		return -ENOENT;
#endif
	kpp_task_work_cancel_match =
		(typeof(kpp_task_work_cancel_match))kpp_symbol_address("task_work_cancel_match");
	if (!kpp_task_work_cancel_match)
		return -ENOENT;
	kpp_perf_pmu_resched =
		(typeof(kpp_perf_pmu_resched))kpp_symbol_address("perf_pmu_resched");
	if (!kpp_perf_pmu_resched)
		return -ENOENT;
	kpp_vgic_inject = (kpp_vgic_inject_t)kpp_symbol_address("kvm_vgic_inject_irq");
	return kpp_vgic_inject ? 0 : -ENOENT;
}
