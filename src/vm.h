/* SPDX-License-Identifier: GPL-2.0 */
/* One VM as the module sees it: src/vm.c (registry), src/vm_sysfs.c. */
#ifndef KPP_VM_H
#define KPP_VM_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/rcupdate.h>

#include "kpp.h"

struct kpp_vm_stats {
	atomic64_t loads;
	atomic64_t puts;
	atomic64_t switches;	/* guest PMU state loaded into hardware */
	atomic64_t mode_switches;	/* a vCPU changed mode */
	atomic64_t overflows;	/* guest overflow IRQs forwarded */
	atomic64_t hook_ns;	/* time in the vcpu load/put hooks */
	atomic64_t lazy_loads;	/* loads of a free vCPU: no switch (src/mode.c) */
};

/* Why a VM with a vPMU is trapped (vms/<vm>/reason); src/admit.c */
enum kpp_reason {
	KPP_REASON_NONE,
	KPP_REASON_SYSFS,		/* an operator wrote "trapped" */
	KPP_REASON_N_ABOVE_HPMN,	/* the guest's N does not fit */
	KPP_REASON_NO_HPMN0,		/* N = 0 without FEAT_HPMN0 */
	KPP_REASON_NO_PMU,
	KPP_REASON_EVENT_FILTER,	/* KVM_ARM_VCPU_PMU_V3_FILTER set */
	KPP_REASON_NESTED,		/* KVM_ARM_VCPU_HAS_EL2 */
};

struct kpp_vm {
	struct kref ref;	/* kpp_vm_get()/kpp_vm_put(), src/vm.c */
	struct hlist_node node;	/* in the registry until the VM dies */
	struct list_head dead;	/* unregistered at rmmod (src/vm.c) */
	struct list_head todo;	/* sysfs work pending (src/vm_sysfs.c) */
	struct list_head dir;	/* has a directory (src/vm_sysfs.c) */
	struct kobject kobj;	/* vms/<pid>-<fd>/ (src/vm_sysfs.c), a reference */
	struct kvm *kvm;	/* valid while !dying, under kpp_vms_lock */
	struct pid *creator;	/* thread that created it, for the name */
	bool fixed_n;		/* created while loaded: its guest's N is hpmn */
	bool partitioned;	/* mode: wanted at each vCPU's next load */
	bool ran;		/* a vCPU was loaded: hpmn is fixed */
	bool dying;		/* kvm_arch_destroy_vm() seen */
	bool sysfs_tried;	/* the work tried to add its directory */
	bool in_sysfs;
	unsigned int name_tries;
	u32 hpmn;		/* its guest's PMCR_EL0.N; MDCR_EL2.HPMN */
	enum kpp_reason reason;	/* while trapped */
	/* vCPUs whose PMU state is KVM's (perf events), by vcpu_idx */
	DECLARE_BITMAP(trapped, KVM_MAX_VCPUS);
	/* vCPUs with a fold of KVM's events queued (src/mode.c) */
	DECLARE_BITMAP(fold_queued, KVM_MAX_VCPUS);
	/* vCPUs whose guest uses its PMU: the others are free (src/mode.c) */
	DECLARE_BITMAP(owned, KVM_MAX_VCPUS);
	struct kpp_vm_stats stats;
	char name[32];
	struct rcu_head rcu;
};

/* Serialises the registry, ->dying and the VMs' struct kvm lifetime. */
extern spinlock_t kpp_vms_lock;

/*
 * May vm->kvm be followed?  Under kpp_vms_lock: not once the VM is dying,
 * nor once a hook was missed (kprobes disarmed: its destroy may go unseen).
 */
static inline bool kpp_vm_gone(const struct kpp_vm *vm)
{
	return vm->dying || READ_ONCE(kpp.hooks_missed);
}

/* src/vm.c */
struct kpp_vm *kpp_vm_find(struct kvm *kvm);	/* under RCU or the lock */
struct kpp_vm *kpp_vm_register(struct kvm_vcpu *vcpu);
void kpp_vm_name_from_debugfs(struct kpp_vm *vm, struct kvm *kvm);
bool kpp_vm_has_pmu(struct kpp_vm *vm);		/* under kpp_vms_lock */
void kpp_vm_get(struct kpp_vm *vm);
void kpp_vm_put(struct kpp_vm *vm);

/* src/admit.c */
enum kpp_reason kpp_admit(struct kpp_vm *vm);	/* under kpp_vms_lock */
bool kpp_admit_cpu(int cpu);			/* at vCPU load */
const char *kpp_reason_text(enum kpp_reason r);

/* src/guest_n.c */
void kpp_vm_set_hpmn(struct kpp_vm *vm, u32 n);
void kpp_vm_first_run(struct kpp_vm *vm, struct kvm_vcpu *vcpu);

/* src/vm_sysfs.c: a new VM's directory, or a dead VM's removal */
void kpp_vm_sysfs_queue(struct kpp_vm *vm);

#endif /* KPP_VM_H */
