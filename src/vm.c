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
 * Lookups run in the hooks under RCU (preemption off).  An entry lives
 * while it has references (kpp_vm_get()/kpp_vm_put()): the registry's
 * from registration until the VM dies (or until kpp_vms_exit(), at
 * rmmod), and src/vm_sysfs.c's while it has work queued or a directory.
 * Nothing registers once the module is unloading.
 */
#include <linux/hashtable.h>
#include <linux/kref.h>
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
static LIST_HEAD(kpp_vms_dead);		/* unregistered at rmmod, kept */
DEFINE_SPINLOCK(kpp_vms_lock);
static atomic_t kpp_vm_objects = ATOMIC_INIT(0);

/* Under RCU or kpp_vms_lock. */
struct kpp_vm *kpp_vm_find(struct kvm *kvm)
{
	struct kpp_vm *vm;

	hash_for_each_possible_rcu(kpp_vms, vm, node, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

static struct kpp_vm *kpp_vm_alloc(struct kvm *kvm)
{
	struct kpp_vm *vm = kzalloc_obj(*vm, GFP_ATOMIC);

	if (!vm)
		return NULL;
	kref_init(&vm->ref);	/* the registry's */
	vm->kvm = kvm;
	INIT_LIST_HEAD(&vm->todo);
	INIT_LIST_HEAD(&vm->dead);
	INIT_LIST_HEAD(&vm->dir);
	atomic_inc(&kpp_vm_objects);
	return vm;
}

static void kpp_vm_release(struct kref *ref)
{
	struct kpp_vm *vm = container_of(ref, struct kpp_vm, ref);

	put_pid(vm->creator);
	kfree_rcu(vm, rcu);
	atomic_dec(&kpp_vm_objects);
}

void kpp_vm_get(struct kpp_vm *vm)
{
	kref_get(&vm->ref);
}

void kpp_vm_put(struct kpp_vm *vm)
{
	kref_put(&vm->ref, kpp_vm_release);
}

unsigned int kpp_vm_objects_alive(void)
{
	return atomic_read(&kpp_vm_objects);
}

/*
 * Publish vm, or return the entry another CPU published first; NULL once
 * the module is unloading (kpp_vms_unregister_all() took the lock after
 * kpp.unloading was set, so it saw every entry published before).
 */
static struct kpp_vm *kpp_vm_add(struct kpp_vm *vm)
{
	struct kpp_vm *old = NULL;
	unsigned long flags;
	bool added = false;

	spin_lock_irqsave(&kpp_vms_lock, flags);
	if (!READ_ONCE(kpp.unloading)) {
		old = kpp_vm_find(vm->kvm);
		if (!old) {
			hash_add_rcu(kpp_vms, &vm->node, (unsigned long)vm->kvm);
			added = true;
		}
	}
	spin_unlock_irqrestore(&kpp_vms_lock, flags);
	if (added)
		return vm;
	kpp_vm_put(vm);
	return old;
}

/*
 * kvm_arch_init_vm() succeeded: a new VM, partitioned from its start.
 * Returns its entry, valid until the VM is destroyed, or NULL (it then
 * stays trapped).
 */
struct kpp_vm *kpp_vm_created(struct kvm *kvm)
{
	struct kpp_vm *vm = kpp_vm_alloc(kvm);

	if (!vm) {
		pr_warn_ratelimited("out of memory: a new VM stays trapped\n");
		return NULL;
	}
	vm->creator = get_pid(task_pid(current));
	vm->fixed_n = true;
	vm->partitioned = true;
	vm->hpmn = kpp.hpmn;
	return kpp_vm_add(vm);
}

/*
 * Name a VM that has no name yet after KVM's own debugfs directory,
 * "<pid>-<fd>" (kvm_create_vm_debugfs()), which lives as long as the VM:
 * at its first vCPU load, which may come before the sysfs work names it.
 * Under kpp_vms_lock, or before the VM is in the registry.
 */
void kpp_vm_name_from_debugfs(struct kpp_vm *vm, struct kvm *kvm)
{
	struct dentry *d = kvm->debugfs_dentry;

	if (!vm->name[0] && !IS_ERR_OR_NULL(d))
		strscpy(vm->name, d->d_name.name, sizeof(vm->name));
}

/*
 * A vCPU of a VM that predates the module is being loaded: register the
 * VM.  Its entry, or NULL (out of memory, or unloading: the vCPU then
 * stays trapped).  Preemption off.
 */
struct kpp_vm *kpp_vm_register(struct kvm_vcpu *vcpu)
{
	struct kpp_vm *vm;

	vm = kpp_vm_alloc(vcpu->kvm);
	if (!vm)
		return NULL;
	kpp_vm_name_from_debugfs(vm, vcpu->kvm);
	vm->hpmn = kpp_get_guest_nr_counters(vcpu);
	/* Whether its N fits is checked at this first load (src/guest_n.c). */
	vm->partitioned = kvm_vcpu_has_pmu(vcpu);
	bitmap_fill(vm->trapped, KVM_MAX_VCPUS);
	return kpp_vm_add(vm);
}

/*
 * kvm_arch_destroy_vm(): every vCPU fd is closed, the vCPUs are not freed
 * yet.  The entry goes out of the registry, dying; its reference goes to
 * the caller, who puts it.
 */
struct kpp_vm *kpp_vm_destroyed(struct kvm *kvm)
{
	struct kpp_vm *vm;
	unsigned long flags;

	spin_lock_irqsave(&kpp_vms_lock, flags);
	vm = kpp_vm_find(kvm);
	if (vm) {
		hash_del_rcu(&vm->node);
		WRITE_ONCE(vm->dying, true);
	}
	spin_unlock_irqrestore(&kpp_vms_lock, flags);
	return vm;
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
 * kpp_shutdown() step 4, while the destroy hook still runs: every entry
 * out and dying, so that no sysfs file follows its vm->kvm any more.  The
 * registry keeps its references until kpp_vms_exit(), once the hooks are
 * gone: a vCPU loaded since before this still names its entry in its
 * CPU's state (src/switch.h) until its put.
 */
void kpp_vms_unregister_all(void)
{
	struct hlist_node *tmp;
	struct kpp_vm *vm;
	int bkt;

	spin_lock_irq(&kpp_vms_lock);
	hash_for_each_safe(kpp_vms, bkt, tmp, vm, node) {
		hash_del_rcu(&vm->node);
		WRITE_ONCE(vm->dying, true);
		list_add_tail(&vm->dead, &kpp_vms_dead);
	}
	spin_unlock_irq(&kpp_vms_lock);
}

/* kpp_shutdown() step 6, every hook gone: the registry's references. */
void kpp_vms_exit(void)
{
	struct kpp_vm *vm, *tmp;
	LIST_HEAD(dead);

	spin_lock_irq(&kpp_vms_lock);
	list_splice_init(&kpp_vms_dead, &dead);
	spin_unlock_irq(&kpp_vms_lock);
	list_for_each_entry_safe(vm, tmp, &dead, dead) {
		list_del(&vm->dead);
		kpp_vm_put(vm);
	}
}
