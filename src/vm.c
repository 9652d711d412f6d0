// SPDX-License-Identifier: GPL-2.0
/*
 * VM registry: which VMs are partitioned.
 *
 * A VM created while the module is loaded is registered at creation
 * (kvm_arch_init_vm() returned 0) and partitioned: its guest never sees
 * any PMCR_EL0.N but hpmn.  A VM that already existed at modprobe is
 * registered when one of its vCPUs is first loaded, and stays trapped:
 * its guest has already sized its PMU from KVM's emulated N.  Entries go
 * at kvm_arch_destroy_vm(), so no entry outlives its struct kvm.
 *
 * Lookups run in the hooks (preemption off); entries are freed after an
 * RCU grace period.
 */
#include <linux/hashtable.h>
#include <linux/kvm_host.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kpp.h"

static DEFINE_HASHTABLE(kpp_vms, 6);
static DEFINE_SPINLOCK(kpp_vms_lock);
static atomic_t kpp_nr_partitioned = ATOMIC_INIT(0);

static struct kpp_vm *kpp_vm_lookup(struct kvm *kvm)
{
	struct kpp_vm *vm;

	hash_for_each_possible_rcu(kpp_vms, vm, node, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

static struct kpp_vm *kpp_vm_add(struct kvm *kvm, bool partitioned)
{
	struct kpp_vm *vm, *old;
	unsigned long flags;

	vm = kzalloc_obj(*vm, GFP_ATOMIC);
	if (!vm)
		return NULL;
	vm->kvm = kvm;
	vm->partitioned = partitioned;
	vm->hpmn = kpp.hpmn;

	spin_lock_irqsave(&kpp_vms_lock, flags);
	old = kpp_vm_lookup(kvm);
	if (old) {
		spin_unlock_irqrestore(&kpp_vms_lock, flags);
		kfree(vm);
		return old;
	}
	hash_add_rcu(kpp_vms, &vm->node, (unsigned long)kvm);
	if (partitioned)
		atomic_inc(&kpp_nr_partitioned);
	spin_unlock_irqrestore(&kpp_vms_lock, flags);
	return vm;
}

/* kvm_arch_init_vm() succeeded: a new VM, partitioned from its start. */
void kpp_vm_created(struct kvm *kvm)
{
	if (!kpp_vm_add(kvm, true))
		pr_warn_ratelimited(KBUILD_MODNAME ": out of memory: a new VM stays trapped\n");
}

/* The VM of a vCPU being loaded; NULL only if out of memory (then trapped). */
struct kpp_vm *kpp_vm_of(struct kvm *kvm)
{
	struct kpp_vm *vm;

	rcu_read_lock();
	vm = kpp_vm_lookup(kvm);
	rcu_read_unlock();
	/* A VM older than the module: keep it trapped. */
	return vm ?: kpp_vm_add(kvm, false);
}

/* kvm_arch_destroy_vm(): every vCPU is gone. */
void kpp_vm_destroyed(struct kvm *kvm)
{
	struct kpp_vm *vm;
	unsigned long flags;

	spin_lock_irqsave(&kpp_vms_lock, flags);
	vm = kpp_vm_lookup(kvm);
	if (vm) {
		hash_del_rcu(&vm->node);
		if (vm->partitioned)
			atomic_dec(&kpp_nr_partitioned);
	}
	spin_unlock_irqrestore(&kpp_vms_lock, flags);
	if (vm)
		kfree_rcu(vm, rcu);
}

unsigned int kpp_vms_partitioned(void)
{
	return atomic_read(&kpp_nr_partitioned);
}

/*
 * Module exit: KVM's emulated PMU takes the partitioned VMs back.  Their
 * vCPUs hold their counter values in KVM's copies (vcpu_put, or
 * kpp_vcpu_unpartition_this_cpu()), but KVM has no perf event behind them:
 * KVM_REQ_RELOAD_PMU makes it create them before the next guest entry.
 * Under the lock, kvm_arch_destroy_vm() cannot free the vCPUs meanwhile.
 */
void kpp_vms_hand_back(void)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;
	struct kpp_vm *vm;
	int bkt;

	spin_lock_irq(&kpp_vms_lock);
	hash_for_each(kpp_vms, bkt, vm, node) {
		if (!vm->partitioned)
			continue;
		kvm_for_each_vcpu(i, vcpu, vm->kvm)
			kvm_make_request(KVM_REQ_RELOAD_PMU, vcpu);
	}
	spin_unlock_irq(&kpp_vms_lock);
}

/* Module exit, after every hook is gone. */
void kpp_vms_free_all(void)
{
	struct hlist_node *tmp;
	struct kpp_vm *vm;
	int bkt;

	spin_lock_irq(&kpp_vms_lock);
	hash_for_each_safe(kpp_vms, bkt, tmp, vm, node) {
		hash_del_rcu(&vm->node);
		kfree_rcu(vm, rcu);
	}
	atomic_set(&kpp_nr_partitioned, 0);
	spin_unlock_irq(&kpp_vms_lock);
}
