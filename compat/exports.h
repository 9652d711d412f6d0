/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel functions that some kernels do not export to modules
 * (compat/exports), reached by address on those.  The address comes from
 * kpp_exports_resolve() at load (compat/exports.c), as LTTng's
 * wrapper/kallsyms.h does.
 */
#ifndef KPP_COMPAT_EXPORTS_H
#define KPP_COMPAT_EXPORTS_H

#include <linux/task_work.h>

struct kvm_vcpu;

int kpp_exports_resolve(void);
void *kpp_symbol_address(const char *name);	/* or NULL, logged */

/* kvm_vgic_inject_irq(): global, never exported; two prototypes */
int kpp_vgic_inject_pmu_irq(struct kvm_vcpu *vcpu, bool level);

/* task_work_add(): not exported by upstream v6.6 */
#ifdef HAVE_EXPORT_TASK_WORK_ADD
#define kpp_task_work_add	task_work_add
#else
extern int (*kpp_task_work_add)(struct task_struct *task,
				struct callback_head *twork,
				enum task_work_notify_mode mode);
#endif

/* kvm_get_running_vcpu(): exported to KVM's modules only from 7.x */
#ifdef HAVE_EXPORT_KVM_GET_RUNNING_VCPU
#define kpp_get_running_vcpu	kvm_get_running_vcpu
#else
extern struct kvm_vcpu *(*kpp_get_running_vcpu)(void);
#endif

/*
 * task_work_cancel_match() (v5.13+): exported by no kernel.  Not
 * task_work_cancel(), whose argument changed from the function to the
 * callback_head in v6.11 (backported to 6.1.y and 6.6.y).
 */
extern struct callback_head *
(*kpp_task_work_cancel_match)(struct task_struct *task,
			      bool (*match)(struct callback_head *, void *data),
			      void *data);

/*
 * perf_pmu_resched(): global, exported by no kernel (6.1 to 7.3).  Its
 * argument and effect are the same throughout: every event of the PMU on
 * this CPU scheduled out and in again.  IRQs off.
 */
struct pmu;
extern void (*kpp_perf_pmu_resched)(struct pmu *pmu);

#endif /* KPP_COMPAT_EXPORTS_H */
