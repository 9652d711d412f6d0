// SPDX-License-Identifier: GPL-2.0
/*
 * VM registry: every VM the module has seen, and the mode each should run
 * in.
 *
 * A VM created while the module is loaded is registered at creation
 * (kvm_arch_init_vm() returned 0) and partitioned: its guest's
 * PMCR_EL0.N is hpmn from the start and never changes.  A VM that already
 * existed at modprobe is registered when one of its vCPUs is first
 * loaded.  Its guest has sized its PMU from KVM's N already, so it is
 * partitioned only if that N fits (N <= hpmn, with MDCR_EL2.HPMN = N);
 * otherwise it stays trapped.  Entries go at kvm_arch_destroy_vm(),
 * before KVM frees the vCPUs, so under kpp_vms_lock a live entry's
 * struct kvm and vCPUs are valid.
 *
 * Lookups run in the hooks under RCU (preemption off).  An entry's memory
 * belongs to its kobject (src/vm_sysfs.c): the registry holds the first
 * reference, and hands it to the sysfs work when the VM dies.
 */
#include <linux/hashtable.h>
#include <linux/kvm_host.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kpp.h"
#include "kvm_pmu.h"
#include "vm.h"

static DEFINE_HASHTABLE(kpp_vms, 6);
DEFINE_SPINLOCK(kpp_vms_lock);

static struct kpp_vm *kpp_vm_lookup(struct kvm *kvm)
{
	struct kpp_vm *vm;

	hash_for_each_possible_rcu(kpp_vms, vm, node, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

struct kpp_vm *kpp_vm_find(struct kvm *kvm)
{
	return kpp_vm_lookup(kvm);
}

static struct kpp_vm *kpp_vm_alloc(struct kvm *kvm)
{
	struct kpp_vm *vm = kzalloc_obj(*vm, GFP_ATOMIC);

	if (!vm)
		return NULL;
	vm->kvm = kvm;
	INIT_LIST_HEAD(&vm->todo);
	kpp_vm_init_kobj(vm);
	return vm;
}

/* Publish vm, or return the entry another CPU published first. */
static struct kpp_vm *kpp_vm_add(struct kpp_vm *vm)
{
	struct kpp_vm *old;
	unsigned long flags;

	spin_lock_irqsave(&kpp_vms_lock, flags);
	old = kpp_vm_lookup(vm->kvm);
	if (!old) {
		hash_add_rcu(kpp_vms, &vm->node, (unsigned long)vm->kvm);
		kpp_vm_sysfs_queue(vm);
	}
	spin_unlock_irqrestore(&kpp_vms_lock, flags);
	if (old)
		kpp_vm_put(vm);
	return old ?: vm;
}

/* kvm_arch_init_vm() succeeded: a new VM, partitioned from its start. */
void kpp_vm_created(struct kvm *kvm)
{
	struct kpp_vm *vm = kpp_vm_alloc(kvm);

	if (!vm) {
		pr_warn_ratelimited(KBUILD_MODNAME ": out of memory: a new VM stays trapped\n");
		return;
	}
	vm->creator = get_pid(task_pid(current));
	vm->fixed_n = true;
	vm->partitioned = true;
	vm->hpmn = kpp.hpmn;
	kpp_vm_add(vm);
}

/*
 * The VM of a vCPU being loaded, registered now if it predates the module;
 * NULL only if out of memory (the vCPU then stays trapped).  Preemption off.
 */
struct kpp_vm *kpp_vm_of(struct kvm_vcpu *vcpu)
{
	struct dentry *d = vcpu->kvm->debugfs_dentry;
	struct kpp_vm *vm;

	rcu_read_lock();
	vm = kpp_vm_lookup(vcpu->kvm);
	rcu_read_unlock();
	if (vm)
		return vm;

	vm = kpp_vm_alloc(vcpu->kvm);
	if (!vm)
		return NULL;
	/* KVM's own debugfs name, "<pid>-<fd>", alive while a vCPU is loaded */
	if (!IS_ERR_OR_NULL(d))
		strscpy(vm->name, d->d_name.name, sizeof(vm->name));
	vm->hpmn = kpp_get_guest_nr_counters(vcpu);
	/* Whether its N fits is checked at this first load (src/guest_n.c). */
	vm->partitioned = kvm_vcpu_has_pmu(vcpu);
	bitmap_fill(vm->trapped, KVM_MAX_VCPUS);
	return kpp_vm_add(vm);
}

/* kvm_arch_destroy_vm(): every vCPU fd is closed, the vCPUs are not freed yet. */
void kpp_vm_destroyed(struct kvm *kvm)
{
	struct kpp_vm *vm;
	unsigned long flags;

	spin_lock_irqsave(&kpp_vms_lock, flags);
	vm = kpp_vm_lookup(kvm);
	if (vm) {
		hash_del_rcu(&vm->node);
		WRITE_ONCE(vm->dying, true);
		kpp_vm_sysfs_queue(vm);
	}
	spin_unlock_irqrestore(&kpp_vms_lock, flags);
}

/* Does any vCPU of the VM have a PMUv3?  Under kpp_vms_lock, vm not dying. */
bool kpp_vm_has_pmu(struct kpp_vm *vm)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;

	kvm_for_each_vcpu(i, vcpu, vm->kvm)
		if (kvm_vcpu_has_pmu(vcpu))
			return true;
	return false;
}

unsigned int kpp_vms_partitioned(void)
{
	unsigned int n = 0;
	struct kpp_vm *vm;
	int bkt;

	spin_lock_irq(&kpp_vms_lock);
	hash_for_each(kpp_vms, bkt, vm, node)
		n += vm->partitioned && !kpp_vm_gone(vm) && kpp_vm_has_pmu(vm);
	spin_unlock_irq(&kpp_vms_lock);
	return n;
}

/*
 * Module exit: KVM's emulated PMU takes back every vCPU whose PMU state
 * the module holds.  Their counter values are in KVM's copies (vcpu_put,
 * or kpp_vcpu_unpartition_this_cpu()), but KVM has no perf event behind
 * them: KVM_REQ_RELOAD_PMU makes it create them before the next entry.
 */
void kpp_vms_hand_back(void)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;
	struct kpp_vm *vm;
	int bkt;

	spin_lock_irq(&kpp_vms_lock);
	hash_for_each(kpp_vms, bkt, vm, node)
		if (!kpp_vm_gone(vm))
			kvm_for_each_vcpu(i, vcpu, vm->kvm)
				if (!test_and_set_bit(vcpu->vcpu_idx, vm->trapped))
					kvm_make_request(KVM_REQ_RELOAD_PMU, vcpu);
	spin_unlock_irq(&kpp_vms_lock);
}

/*
 * kpp_shutdown() step 5, while the destroy hook still runs: every entry
 * out and dying, so that no sysfs file follows its vm->kvm any more.  The
 * entries themselves live on until kpp_vm_sysfs_exit(), after the put
 * hook is gone.
 */
void kpp_vms_unregister_all(void)
{
	struct hlist_node *tmp;
	struct kpp_vm *vm;
	int bkt;

	spin_lock_irq(&kpp_vms_lock);
	kpp_vm_sysfs_park();
	hash_for_each_safe(kpp_vms, bkt, tmp, vm, node) {
		hash_del_rcu(&vm->node);
		WRITE_ONCE(vm->dying, true);
		kpp_vm_sysfs_queue(vm);
	}
	spin_unlock_irq(&kpp_vms_lock);
	kpp_vm_sysfs_flush();
}
