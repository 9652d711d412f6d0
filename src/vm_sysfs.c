// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/kvm_pmu_partition/vms/<pid>-<fd>/: one directory per VM,
 * named like KVM's own debugfs directory (the creating thread and the VM
 * file descriptor).
 *
 *   mode   rw  "partitioned" or "trapped"; takes effect at each vCPU's
 *              next load (src/mode.c).  Reads "none" while no vCPU has
 *              a PMU.  Trapped, KVM backs the guest's hpmn counters and
 *              PMCCNTR with pinned perf events; with reserve=static they
 *              have only the host's N - hpmn counters, so a VM may be
 *              trapped only if hpmn + 1 fit.
 *   hpmn   rw  the guest's PMCR_EL0.N, and MDCR_EL2.HPMN while partitioned;
 *              writable until a vCPU first runs, at most the global hpmn
 *   vcpus  ro  vCPUs created
 *   reason ro  why a VM with a vPMU is trapped, or "none" (src/admit.c)
 *   stats/ ro  vcpu_loads vcpu_puts state_switches mode_switches
 *              overflows_forwarded hook_ns lazy_loads; root only (0400), as KVM's
 *              debugfs: they time another tenant's PMU use
 *
 * VMs come and go in the hooks, where nothing may sleep; the hooks queue
 * them here and a work item adds and removes the directories.  A queued
 * entry and a directory each hold a reference on the entry (src/vm.c),
 * not on the VM: every access to vm->kvm checks kpp_vm_gone() under
 * kpp_vms_lock.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "kpp.h"
#include "kpp_trace.h"
#include "vm.h"

static struct kobject *kpp_vms_kobj;
static DEFINE_SPINLOCK(kpp_todo_lock);
static LIST_HEAD(kpp_vms_todo);		/* under kpp_todo_lock */
static LIST_HEAD(kpp_vms_dirs);		/* the work's, then kpp_vm_sysfs_exit()'s */
static unsigned int kpp_vm_seq;
static void kpp_vms_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(kpp_vms_work, kpp_vms_work_fn);

#define KPP_NAME_TRIES		50	/* x 10 ms for the creator's fd_install() */

static struct kpp_vm *to_vm(struct kobject *k)
{
	return container_of(k, struct kpp_vm, kobj);
}

/* Log one refused write, rate-limited, and return err. */
static int kpp_vm_refuse(struct kpp_vm *vm, const char *file, const char *buf,
			 size_t len, int err, const char *why)
{
	pr_info_ratelimited("vms/%s/%s: '%.*s' refused: %s\n", vm->name, file,
			    (int)min_t(size_t, strcspn(buf, "\n"), 32), buf, why);
	return err;
}

static ssize_t mode_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	struct kpp_vm *vm = to_vm(k);
	const char *mode;

	spin_lock_irq(&kpp_vms_lock);
	if (kpp_vm_gone(vm))
		mode = NULL;
	else if (!kpp_vm_has_pmu(vm))
		mode = "none";
	else
		mode = vm->partitioned ? "partitioned" : "trapped";
	spin_unlock_irq(&kpp_vms_lock);
	return mode ? sysfs_emit(buf, "%s\n", mode) : -ENODEV;
}

static ssize_t mode_store(struct kobject *k, struct kobj_attribute *a,
			  const char *buf, size_t len)
{
	struct kpp_vm *vm = to_vm(k);
	const char *why = NULL;
	bool part;
	int err = -EOPNOTSUPP;

	if (sysfs_streq(buf, "partitioned"))
		part = true;
	else if (sysfs_streq(buf, "trapped"))
		part = false;
	else
		return kpp_vm_refuse(vm, "mode", buf, len, -EINVAL,
				     "write 'partitioned' or 'trapped'");

	spin_lock_irq(&kpp_vms_lock);
	if (kpp_vm_gone(vm)) {
		err = -ENODEV;
		why = "the VM is being destroyed";
	} else if (!kpp_vm_has_pmu(vm)) {
		why = "no vCPU of this VM has a PMU";
	} else if (part && kpp_admit(vm) != KPP_REASON_NONE) {
		why = kpp_reason_text(kpp_admit(vm));
		trace_admit_refused(vm->name, why);
	} else if (!part && vm->partitioned && !kpp.dynamic &&
		   kpp_trapped_host_counters(vm->hpmn, READ_ONCE(kpp.min_pmuver)) >
		   READ_ONCE(kpp.min_n) - kpp.hpmn) {
		/* KVM's pinned perf events would not all get a counter */
		why = "KVM's perf events for it exceed the host's N - hpmn counters";
	} else {
		WRITE_ONCE(vm->partitioned, part);
		vm->reason = part ? KPP_REASON_NONE : KPP_REASON_SYSFS;
	}
	spin_unlock_irq(&kpp_vms_lock);
	trace_mode_request(vm->name, part, why ? err : 0);
	return why ? kpp_vm_refuse(vm, "mode", buf, len, err, why) : len;
}

static ssize_t hpmn_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_vm(k)->hpmn));
}

static ssize_t hpmn_store(struct kobject *k, struct kobj_attribute *a,
			  const char *buf, size_t len)
{
	struct kpp_vm *vm = to_vm(k);
	const char *why = NULL;
	int err = -EBUSY;
	unsigned int n;

	if (kstrtouint(buf, 0, &n))
		return kpp_vm_refuse(vm, "hpmn", buf, len, -EINVAL, "not a number");
	if (n > kpp.hpmn || n < kpp.hpmn_min)
		return kpp_vm_refuse(vm, "hpmn", buf, len, -EINVAL,
				     n > kpp.hpmn ? "above the module's hpmn" :
				     "HPMN=0 needs FEAT_HPMN0");

	spin_lock_irq(&kpp_vms_lock);
	if (kpp_vm_gone(vm)) {
		err = -ENODEV;
		why = "the VM is being destroyed";
	} else if (!vm->fixed_n || READ_ONCE(vm->ran)) {
		why = "its guest may have read PMCR_EL0.N: a vCPU has run";
	} else {
		kpp_vm_set_hpmn(vm, n);
	}
	spin_unlock_irq(&kpp_vms_lock);
	return why ? kpp_vm_refuse(vm, "hpmn", buf, len, err, why) : len;
}

static ssize_t reason_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	struct kpp_vm *vm = to_vm(k);
	enum kpp_reason r;
	int err = 0;

	spin_lock_irq(&kpp_vms_lock);
	if (kpp_vm_gone(vm))
		err = -ENODEV;
	else if (!kpp_vm_has_pmu(vm))
		r = KPP_REASON_NO_PMU;
	else
		r = vm->partitioned ? KPP_REASON_NONE : vm->reason;
	spin_unlock_irq(&kpp_vms_lock);
	return err ?: sysfs_emit(buf, "%s\n", kpp_reason_text(r));
}

static ssize_t vcpus_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	struct kpp_vm *vm = to_vm(k);
	int n = -ENODEV;

	spin_lock_irq(&kpp_vms_lock);
	if (!kpp_vm_gone(vm))
		n = atomic_read(&vm->kvm->online_vcpus);
	spin_unlock_irq(&kpp_vms_lock);
	return n < 0 ? n : sysfs_emit(buf, "%d\n", n);
}

static struct kobj_attribute mode_attr = __ATTR_RW(mode);
static struct kobj_attribute hpmn_attr = __ATTR_RW(hpmn);
static struct kobj_attribute vcpus_attr = __ATTR_RO(vcpus);
static struct kobj_attribute reason_attr = __ATTR_RO(reason);

static struct attribute *kpp_vm_attrs[] = {
	&mode_attr.attr,
	&hpmn_attr.attr,
	&vcpus_attr.attr,
	&reason_attr.attr,
	NULL,
};

static const struct attribute_group kpp_vm_group = {
	.attrs = kpp_vm_attrs,
};

#define KPP_VM_STAT(name, field)					\
static ssize_t name##_show(struct kobject *k, struct kobj_attribute *a,	\
			   char *buf)					\
{									\
	return sysfs_emit(buf, "%lld\n",				\
			  (long long)atomic64_read(&to_vm(k)->stats.field));	\
}									\
static struct kobj_attribute name##_attr = __ATTR_RO_MODE(name, 0400)

KPP_VM_STAT(vcpu_loads, loads);
KPP_VM_STAT(vcpu_puts, puts);
KPP_VM_STAT(state_switches, switches);
KPP_VM_STAT(mode_switches, mode_switches);
KPP_VM_STAT(overflows_forwarded, overflows);
KPP_VM_STAT(hook_ns, hook_ns);
KPP_VM_STAT(lazy_loads, lazy_loads);

static struct attribute *kpp_vm_stat_attrs[] = {
	&vcpu_loads_attr.attr,
	&vcpu_puts_attr.attr,
	&state_switches_attr.attr,
	&mode_switches_attr.attr,
	&overflows_forwarded_attr.attr,
	&hook_ns_attr.attr,
	&lazy_loads_attr.attr,
	NULL,
};

static const struct attribute_group kpp_vm_stat_group = {
	.name = "stats",
	.attrs = kpp_vm_stat_attrs,
};

static const struct attribute_group *kpp_vm_groups[] = {
	&kpp_vm_group,
	&kpp_vm_stat_group,
	NULL,
};

/* The directory's last reference gone: it gives back its entry's. */
static void kpp_vm_release(struct kobject *k)
{
	kpp_vm_put(to_vm(k));
}

static const struct kobj_type kpp_vm_ktype = {
	.release	= kpp_vm_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= kpp_vm_groups,
};

/*
 * Queue vm for the work: a new directory, or a dead VM's removal.  From
 * the hooks, any context but NMI.  Queued, the entry is referenced.
 */
void kpp_vm_sysfs_queue(struct kpp_vm *vm)
{
	unsigned long flags;

	spin_lock_irqsave(&kpp_todo_lock, flags);
	if (list_empty(&vm->todo)) {
		kpp_vm_get(vm);
		list_add_tail(&vm->todo, &kpp_vms_todo);
	}
	spin_unlock_irqrestore(&kpp_todo_lock, flags);
	mod_delayed_work(system_dfl_wq, &kpp_vms_work, 0);
}

/* iterate_fd(): the creator's descriptor of the VM, as fd + 1. */
static int kpp_match_vm_file(const void *kvm, struct file *f, unsigned int fd)
{
	return f->private_data == kvm &&
	       !strcmp(file_dentry(f)->d_name.name, "kvm-vm") ? fd + 1 : 0;
}

/*
 * KVM names its debugfs directory "<pid>-<fd>" (kvm_create_vm_debugfs()),
 * after kvm_arch_init_vm(), where we register the VM.  The fd is found in
 * the creator's file table, once KVM_CREATE_VM has installed it; the
 * pointer is only compared, never followed.
 */
static int kpp_vm_name(struct kpp_vm *vm)
{
	char name[sizeof(vm->name)];
	struct task_struct *t;
	int fd = 0;

	if (READ_ONCE(vm->name[0]))
		return 0;
	t = get_pid_task(vm->creator, PIDTYPE_PID);
	if (t) {
		task_lock(t);
		if (t->files)
			fd = iterate_fd(t->files, 0, kpp_match_vm_file, vm->kvm);
		task_unlock(t);
		put_task_struct(t);
	}
	if (!fd && t && ++vm->name_tries < KPP_NAME_TRIES)
		return -EAGAIN;
	if (fd)
		snprintf(name, sizeof(name), "%d-%d", pid_nr(vm->creator), fd - 1);
	else	/* The creator exited, or closed the fd before we looked. */
		snprintf(name, sizeof(name), "%d-vm%u", pid_nr(vm->creator),
			 ++kpp_vm_seq);
	/* a first vCPU load may have named it meanwhile (src/guest_n.c) */
	spin_lock_irq(&kpp_vms_lock);
	if (!vm->name[0])
		strscpy(vm->name, name, sizeof(vm->name));
	spin_unlock_irq(&kpp_vms_lock);
	return 0;
}

static void kpp_vm_sysfs_add(struct kpp_vm *vm)
{
	int err;

	/* One try per VM: the directory holds a reference from here. */
	if (vm->sysfs_tried)
		return;
	vm->sysfs_tried = true;
	kpp_vm_get(vm);
	kobject_init(&vm->kobj, &kpp_vm_ktype);
	err = kobject_add(&vm->kobj, kpp_vms_kobj, "%s", vm->name);

	if (err == -EEXIST) {
		/* KVM itself allows duplicate names (it skips debugfs then) */
		err = kobject_add(&vm->kobj, kpp_vms_kobj, "%s.%u", vm->name,
				  ++kpp_vm_seq);
	}
	if (err) {
		pr_warn_ratelimited("no sysfs directory for VM %s: %d\n", vm->name, err);
		kobject_put(&vm->kobj);
		return;
	}
	vm->in_sysfs = true;
	list_add_tail(&vm->dir, &kpp_vms_dirs);
}

static void kpp_vm_sysfs_remove(struct kpp_vm *vm)
{
	if (!vm->in_sysfs)
		return;
	vm->in_sysfs = false;
	list_del(&vm->dir);
	kobject_del(&vm->kobj);
	kobject_put(&vm->kobj);
}

static void kpp_vms_work_fn(struct work_struct *work)
{
	struct kpp_vm *vm;
	bool retry = false;

	for (;;) {
		spin_lock_irq(&kpp_todo_lock);
		vm = list_first_entry_or_null(&kpp_vms_todo, struct kpp_vm, todo);
		if (vm)
			list_del_init(&vm->todo);
		spin_unlock_irq(&kpp_todo_lock);
		if (!vm)
			break;
		/* A VM dying from here on is queued again, and removed then. */
		if (READ_ONCE(vm->dying)) {
			kpp_vm_sysfs_remove(vm);
		} else if (!vm->in_sysfs) {
			if (kpp_vm_name(vm) == -EAGAIN) {
				/* Back to the head, with the queue's reference. */
				spin_lock_irq(&kpp_todo_lock);
				if (list_empty(&vm->todo))
					list_add(&vm->todo, &kpp_vms_todo);
				else
					kpp_vm_put(vm);
				spin_unlock_irq(&kpp_todo_lock);
				retry = true;
				break;
			}
			kpp_vm_sysfs_add(vm);
		}
		kpp_vm_put(vm);		/* the queue's */
	}
	if (retry)
		mod_delayed_work(system_dfl_wq, &kpp_vms_work, msecs_to_jiffies(10));
}

int kpp_vm_sysfs_init(struct kobject *parent)
{
	kpp_vms_kobj = kobject_create_and_add("vms", parent);
	return kpp_vms_kobj ? 0 : -ENOMEM;
}

/*
 * kpp_shutdown() step 6: every hook is gone, so nothing is queued any
 * more.  Every directory goes, dying VM or not (kpp_vms_unregister_all()
 * marked them all dying), and with it its reference.
 */
void kpp_vm_sysfs_exit(void)
{
	struct kpp_vm *vm, *tmp;
	LIST_HEAD(todo);

	cancel_delayed_work_sync(&kpp_vms_work);
	spin_lock_irq(&kpp_todo_lock);
	list_splice_init(&kpp_vms_todo, &todo);
	spin_unlock_irq(&kpp_todo_lock);
	list_for_each_entry_safe(vm, tmp, &todo, todo) {
		list_del_init(&vm->todo);
		kpp_vm_put(vm);
	}
	list_for_each_entry_safe(vm, tmp, &kpp_vms_dirs, dir)
		kpp_vm_sysfs_remove(vm);
	kobject_put(kpp_vms_kobj);
	kpp_vms_kobj = NULL;
}
