// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks into KVM, which is built in on arm64 and exports none of what we
 * need.  Everything that reaches into KVM by name lives here, in the style
 * of LTTng's include/wrapper/: the rest of the module calls
 * kpp_hooks_install()/kpp_hooks_remove() and gets these callbacks.
 *
 *  - kvm_arch_vcpu_load(vcpu, cpu): kretprobe.  The callback runs after KVM
 *    has loaded the vCPU and written its own MDCR_EL2 (at
 *    kvm_vcpu_load_debug() from v6.14, in kvm_vcpu_load(_sysregs)_vhe()
 *    before).  Global in every version checked (6.1, v6.6, 6.12, 7.3).
 *  - kvm_arch_vcpu_put(vcpu): kprobe, before KVM saves the vCPU's state.
 *  - the kvm_entry tracepoint (TP_PROTO(unsigned long vcpu_pc), the same
 *    in 6.1, 6.12 and 7.3): the last point before the world switch where a
 *    module may run, IRQs off, after KVM's last MDCR_EL2 write.  It is not
 *    exported, so it is found by name with for_each_kernel_tracepoint().
 *  - the kvm_exit tracepoint (TP_PROTO(int ret, unsigned int esr_ec,
 *    unsigned long vcpu_pc), the same in 6.1, 6.12 and 7.3): after
 *    local_irq_enable() on the way out, before handle_exit() and the next
 *    kvm_pmu_flush_hwstate().
 *  - kvm_arch_init_vm(kvm, type): kretprobe, a VM created (return 0);
 *    kvm_arch_destroy_vm(kvm): kprobe, a VM gone.  Global in every version.
 *  - from v6.7 (a per-VM N, src/guest_n.c), kretprobes on where the VMM
 *    and KVM set that N: kvm_arm_set_default_pmu(kvm) (global) and
 *    kvm_arm_pmu_v3_set_attr(vcpu, attr) (global; SET_PMU, and
 *    SET_NR_COUNTERS from v6.16) pick the VM's PMU and reset N;
 *    set_pmcr(vcpu, r, val) (static in sys_regs.c, but called through the
 *    sys_reg_desc table, so never inlined) is KVM_SET_ONE_REG(PMCR_EL0).
 *  - kvm_vgic_inject_irq(): called, not hooked, to raise a guest's PMU PPI
 *    at once from the host PMU interrupt (a vCPU about to block in WFI
 *    must see it pending).  Global but not exported: its address comes
 *    from a kprobe registered and removed at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "exports.h"
#include "kpp.h"
#include "kvm_pmu.h"

static int kpp_load_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	/* AAPCS64: x0 is the first argument, the vcpu. */
	*(struct kvm_vcpu **)ri->data = (struct kvm_vcpu *)regs->regs[0];
	return 0;
}

static int kpp_load_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	kpp_vcpu_loaded(*(struct kvm_vcpu **)ri->data);
	return 0;
}

static struct kretprobe kpp_load_probe = {
	.kp.symbol_name	= "kvm_arch_vcpu_load",
	.entry_handler	= kpp_load_entry,
	.handler	= kpp_load_ret,
	.data_size	= sizeof(struct kvm_vcpu *),
};

static int kpp_put_pre(struct kprobe *p, struct pt_regs *regs)
{
	kpp_vcpu_put((struct kvm_vcpu *)regs->regs[0]);
	return 0;
}

static struct kprobe kpp_put_probe = {
	.symbol_name	= "kvm_arch_vcpu_put",
	.pre_handler	= kpp_put_pre,
};

static int kpp_init_vm_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	*(struct kvm **)ri->data = (struct kvm *)regs->regs[0];
	return 0;
}

static int kpp_init_vm_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) == 0)
		kpp_vm_created(*(struct kvm **)ri->data);
	return 0;
}

static struct kretprobe kpp_init_vm_probe = {
	.kp.symbol_name	= "kvm_arch_init_vm",
	.entry_handler	= kpp_init_vm_entry,
	.handler	= kpp_init_vm_ret,
	.data_size	= sizeof(struct kvm *),
	.maxactive	= 64,	/* it sleeps: room for VMs created at once */
};

static int kpp_destroy_vm_pre(struct kprobe *p, struct pt_regs *regs)
{
	kpp_vm_destroyed((struct kvm *)regs->regs[0]);
	return 0;
}

static struct kprobe kpp_destroy_vm_probe = {
	.symbol_name	= "kvm_arch_destroy_vm",
	.pre_handler	= kpp_destroy_vm_pre,
};

#if KPP_KVM_VM_N
/* What a kretprobe on a setter of N keeps from entry to return. */
struct kpp_n_call {
	struct kvm *kvm;
	u64 attr;
	u32 old;
};

static int kpp_n_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kpp_n_call *c = (struct kpp_n_call *)ri->data;

	c->kvm = ((struct kvm_vcpu *)regs->regs[0])->kvm;
	c->old = kpp_kvm_get_n(c->kvm);
	c->attr = 0;
	return 0;
}

static int kpp_default_pmu_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	((struct kpp_n_call *)ri->data)->kvm = (struct kvm *)regs->regs[0];
	return 0;
}

static int kpp_default_pmu_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) == 0)
		kpp_vm_pmu_chosen(((struct kpp_n_call *)ri->data)->kvm);
	return 0;
}

static int kpp_set_attr_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	kpp_n_entry(ri, regs);
	((struct kpp_n_call *)ri->data)->attr =
		((struct kvm_device_attr *)regs->regs[1])->attr;
	return 0;
}

static int kpp_set_attr_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kpp_n_call *c = (struct kpp_n_call *)ri->data;

	if (regs_return_value(regs))
		return 0;
	if (c->attr == KVM_ARM_VCPU_PMU_V3_SET_PMU)
		kpp_vm_pmu_chosen(c->kvm);
#ifdef KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS
	/* v6.16: refused as KVM refuses more than the hardware's */
	if (c->attr == KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS) {
		int ret = kpp_vm_n_written(c->kvm, c->old, kpp_kvm_get_n(c->kvm));

		if (ret)
			regs->regs[0] = ret;
	}
#endif
	return 0;
}

static int kpp_set_pmcr_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kpp_n_call *c = (struct kpp_n_call *)ri->data;
	u32 n = kpp_kvm_get_n(c->kvm);

	/* An N that KVM took; refused ones are ignored, as KVM does */
	if (n != c->old)
		kpp_vm_n_written(c->kvm, c->old, n);
	return 0;
}

static struct kretprobe kpp_n_probes[] = {
	{
		.kp.symbol_name	= "kvm_arm_set_default_pmu",
		.entry_handler	= kpp_default_pmu_entry,
		.handler	= kpp_default_pmu_ret,
	}, {
		.kp.symbol_name	= "kvm_arm_pmu_v3_set_attr",
		.entry_handler	= kpp_set_attr_entry,
		.handler	= kpp_set_attr_ret,
	}, {
		.kp.symbol_name	= "set_pmcr",
		.entry_handler	= kpp_n_entry,
		.handler	= kpp_set_pmcr_ret,
	},
};

static int kpp_n_hooks_install(void)
{
	struct kretprobe *rp;
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(kpp_n_probes); i++) {
		rp = &kpp_n_probes[i];
		rp->data_size = sizeof(struct kpp_n_call);
		rp->maxactive = 64;	/* one per vCPU ioctl in flight */
		ret = register_kretprobe(rp);
		if (ret) {
			pr_err("cannot hook KVM's %s (kretprobe: %d)\n",
			       rp->kp.symbol_name, ret);
			while (--i >= 0)
				unregister_kretprobe(&kpp_n_probes[i]);
			return ret;
		}
	}
	return 0;
}

static void kpp_n_hooks_remove(void)
{
	int i;

	for (i = ARRAY_SIZE(kpp_n_probes) - 1; i >= 0; i--)
		unregister_kretprobe(&kpp_n_probes[i]);
}
#else
static int kpp_n_hooks_install(void)
{
	return 0;
}

static void kpp_n_hooks_remove(void)
{
}
#endif

static void kpp_entry_probe(void *data, unsigned long vcpu_pc)
{
	kpp_guest_enter();
}

static void kpp_exit_probe(void *data, int ret, unsigned int esr_ec,
			   unsigned long vcpu_pc)
{
	kpp_guest_exit();
}

#ifdef HAVE_KVM_VGIC_INJECT_IRQ_VCPU
typedef int (*kpp_vgic_inject_t)(struct kvm *kvm, struct kvm_vcpu *vcpu,
				 unsigned int intid, bool level, void *owner);
#else
/* before v6.7: the target vCPU by index */
typedef int (*kpp_vgic_inject_t)(struct kvm *kvm, int cpuid,
				 unsigned int intid, bool level, void *owner);
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

static void *kpp_symbol_address(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	void *addr;

	if (register_kprobe(&kp))
		return NULL;
	addr = kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

#ifndef HAVE_EXPORT_TASK_WORK_ADD
int (*kpp_task_work_add)(struct task_struct *task, struct callback_head *twork,
			 enum task_work_notify_mode mode);
#endif

/* compat/exports.h: what this kernel does not export, by address. */
int kpp_exports_resolve(void)
{
#ifndef HAVE_EXPORT_TASK_WORK_ADD
	kpp_task_work_add = (typeof(kpp_task_work_add))kpp_symbol_address("task_work_add");
	if (!kpp_task_work_add) {
		pr_err("task_work_add is neither exported nor found by kprobe\n");
		return -ENOENT;
	}
#endif
	return 0;
}

static struct tracepoint *kpp_entry_tp, *kpp_exit_tp;

static void kpp_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "kvm_entry"))
		kpp_entry_tp = tp;
	else if (!strcmp(tp->name, "kvm_exit"))
		kpp_exit_tp = tp;
}

int kpp_hooks_install(void)
{
	int ret;

	for_each_kernel_tracepoint(kpp_find_tp, NULL);
	if (!kpp_entry_tp || !kpp_exit_tp) {
		pr_err("KVM's kvm_entry/kvm_exit tracepoints not found; is CONFIG_KVM tracing built in?\n");
		return -ENOENT;
	}

	ret = kpp_exports_resolve();
	if (ret)
		return ret;
	kpp_vgic_inject = (kpp_vgic_inject_t)kpp_symbol_address("kvm_vgic_inject_irq");
	if (!kpp_vgic_inject) {
		pr_err("KVM's kvm_vgic_inject_irq not found (kprobes on KVM disabled?)\n");
		return -ENOENT;
	}

	/*
	 * Order: a VM's destruction is seen before any VM is registered, and
	 * a vCPU is partitioned at load only once its put, entry and exit
	 * hooks run; a VM is registered at creation (and so partitioned
	 * with N = hpmn) only once its first vCPU load is seen, else a vCPU
	 * could run under KVM's N and perf events first.  VMs created before
	 * that are first seen at a load, with KVM's N.
	 */
	ret = register_kprobe(&kpp_destroy_vm_probe);
	if (ret) {
		pr_err("cannot hook kvm_arch_destroy_vm (kprobe: %d)\n", ret);
		return ret;
	}
	ret = register_kprobe(&kpp_put_probe);
	if (ret) {
		pr_err("cannot hook kvm_arch_vcpu_put (kprobe: %d)\n", ret);
		goto err_destroy_vm;
	}
	ret = tracepoint_probe_register(kpp_entry_tp, kpp_entry_probe, NULL);
	if (ret) {
		pr_err("cannot attach to the kvm_entry tracepoint: %d\n", ret);
		goto err_put;
	}
	ret = tracepoint_probe_register(kpp_exit_tp, kpp_exit_probe, NULL);
	if (ret) {
		pr_err("cannot attach to the kvm_exit tracepoint: %d\n", ret);
		goto err_entry;
	}
	ret = register_kretprobe(&kpp_load_probe);
	if (ret) {
		pr_err("cannot hook kvm_arch_vcpu_load (kretprobe: %d)\n", ret);
		goto err_exit;
	}
	ret = kpp_n_hooks_install();
	if (ret)
		goto err_load;
	ret = register_kretprobe(&kpp_init_vm_probe);
	if (ret) {
		pr_err("cannot hook kvm_arch_init_vm (kretprobe: %d)\n", ret);
		goto err_n;
	}
	return 0;

err_n:
	kpp_n_hooks_remove();
err_load:
	unregister_kretprobe(&kpp_load_probe);
err_exit:
	tracepoint_probe_unregister(kpp_exit_tp, kpp_exit_probe, NULL);
err_entry:
	tracepoint_probe_unregister(kpp_entry_tp, kpp_entry_probe, NULL);
	tracepoint_synchronize_unregister();
err_put:
	unregister_kprobe(&kpp_put_probe);
err_destroy_vm:
	unregister_kprobe(&kpp_destroy_vm_probe);
	return ret;
}

/*
 * The reverse order: no VM is registered any more, no vCPU loaded, and
 * VM tracking goes last.  After the last unregister no probe of ours may
 * still be running once the module text goes.
 */
void kpp_hooks_remove(void)
{
	unregister_kretprobe(&kpp_init_vm_probe);
	kpp_n_hooks_remove();
	unregister_kretprobe(&kpp_load_probe);
	tracepoint_probe_unregister(kpp_exit_tp, kpp_exit_probe, NULL);
	tracepoint_probe_unregister(kpp_entry_tp, kpp_entry_probe, NULL);
	unregister_kprobe(&kpp_put_probe);
	unregister_kprobe(&kpp_destroy_vm_probe);
	tracepoint_synchronize_unregister();
}
