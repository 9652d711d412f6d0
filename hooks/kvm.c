// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks into KVM, which is built in on arm64 and exports none of what we
 * need.  Everything that reaches into KVM by name lives here, in the style
 * of LTTng's include/wrapper/: the rest of the module calls
 * kpp_hooks_install()/kpp_hooks_remove() and gets these callbacks.
 *
 *  - kvm_arch_vcpu_load(vcpu, cpu): ftrace entry hook, before KVM loads
 *    the vCPU.  The guest's PMU state goes into hardware later, at the
 *    kvm_entry tracepoint, after KVM's own MDCR_EL2 and PMUSERENR_EL0
 *    writes.  Global in every version checked (6.1, v6.6, 6.12, 7.3).
 *  - kvm_arch_vcpu_put(vcpu): ftrace entry hook, before KVM saves the
 *    vCPU's state.
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
 *  - access_pmcr(vcpu, params, desc): kprobe, KVM's PMCR_EL0 trap
 *    handler (static in sys_regs.c, called through the same table); the
 *    module emulates PMCR_EL0 where it traps it (no HCCD, src/switch.c).
 *
 * What is called but not exported (kvm_vgic_inject_irq() and others) is
 * found by address in compat/exports.c.
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <asm/debug-monitors.h>

#include "exports.h"
#include "kpp.h"
#include "kvm_pmu.h"
#include "vm.h"

#if !IS_ENABLED(CONFIG_KPROBES) || !IS_ENABLED(CONFIG_KRETPROBES) || \
	!IS_ENABLED(CONFIG_DYNAMIC_FTRACE)
#error "kvm_pmu_partition needs CONFIG_KPROBES, CONFIG_KRETPROBES and CONFIG_DYNAMIC_FTRACE"
#endif

/*
 * vcpu load and put: one ftrace entry hook on kvm_arch_vcpu_load() and
 * kvm_arch_vcpu_put(), not kprobes: no BRK exception and single step at
 * every return to the VMM, and one ftrace update (and its tasks-RCU wait)
 * at insmod and rmmod.  vcpu_load() and kvm_sched_in() set
 * kvm_running_vcpu before the load; vcpu_put() and kvm_sched_out() clear
 * it after the put: it names the vCPU.  Which of the two: vcpu->cpu is -1
 * until kvm_arch_vcpu_load() sets it, and again once kvm_arch_vcpu_put()
 * has run (kvm_reset_vcpu() relies on it too).  Preemption off in both.
 */
static bool kpp_kprobes_armed(void);

static void kpp_vcpu_fn(unsigned long ip, unsigned long parent_ip,
			struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct kvm_vcpu *vcpu = kpp_get_running_vcpu();

	if (unlikely(!vcpu))
		return;
	if (READ_ONCE(vcpu->cpu) != -1) {
		kpp_vcpu_put(vcpu);
		return;
	}
	/* not while rmmod takes them out */
	if (unlikely(!kpp_kprobes_armed()) && !READ_ONCE(kpp.unloading))
		kpp_hooks_lost();
	kpp_vcpu_load(vcpu);
}

/*
 * PERMANENT: sysctl kernel.ftrace_enabled=0 is refused while it is in,
 * and its registration fails while that is 0.
 */
static struct ftrace_ops kpp_vcpu_ops = {
	.func	= kpp_vcpu_fn,
	.flags	= FTRACE_OPS_FL_PERMANENT,
};

static const char *const kpp_vcpu_fns[] = {
	"kvm_arch_vcpu_load", "kvm_arch_vcpu_put", NULL
};

/*
 * access_pmcr(vcpu, params, desc): KVM's PMCR_EL0 trap handler, static in
 * sys_regs.c but called through the sys_reg_desc table, so never inlined.
 * A PMCR_EL0 access of a vCPU partitioned without HCCD is the module's
 * (kpp_guest_pmcr_access()): then the handler returns true to its caller,
 * which advances the guest's PC, without running KVM's function.
 */
static int kpp_pmcr_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct kpp_sys_reg_params *params = (void *)regs->regs[1];

	if (!kpp_guest_pmcr_access((struct kvm_vcpu *)regs->regs[0],
				   &params->regval, params->is_write))
		return 0;
	regs->regs[0] = true;
	instruction_pointer_set(regs, regs->regs[30]);
	return 1;
}

static struct kprobe kpp_pmcr_probe = {
	.symbol_name	= "access_pmcr",
	.pre_handler	= kpp_pmcr_pre,
};

static int kpp_init_vm_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	*(struct kvm **)ri->data = (struct kvm *)regs->regs[0];
	return 0;
}

static int kpp_init_vm_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kpp_vm *vm;

	if (regs_return_value(regs))
		return 0;
	/* Valid until kvm_arch_destroy_vm(), later in this thread at the earliest. */
	vm = kpp_vm_created(*(struct kvm **)ri->data);
	if (vm)
		kpp_vm_sysfs_queue(vm);
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
	struct kpp_vm *vm = kpp_vm_destroyed((struct kvm *)regs->regs[0]);

	if (vm) {
		kpp_vm_sysfs_queue(vm);
		kpp_vm_put(vm);		/* the registry's */
	}
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

#define KPP_N_PROBE(sym, entry, ret) {				\
	.kp.symbol_name	= sym,						\
	.entry_handler	= entry,					\
	.handler	= ret,						\
	.data_size	= sizeof(struct kpp_n_call),			\
	.maxactive	= 64,	/* one per vCPU ioctl in flight */	\
}

static struct kretprobe kpp_default_pmu_probe =
	KPP_N_PROBE("kvm_arm_set_default_pmu", kpp_default_pmu_entry, kpp_default_pmu_ret);
static struct kretprobe kpp_set_attr_probe =
	KPP_N_PROBE("kvm_arm_pmu_v3_set_attr", kpp_set_attr_entry, kpp_set_attr_ret);
static struct kretprobe kpp_set_pmcr_probe =
	KPP_N_PROBE("set_pmcr", kpp_n_entry, kpp_set_pmcr_ret);
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

static struct tracepoint *kpp_entry_tp, *kpp_exit_tp;

static void kpp_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "kvm_entry"))
		kpp_entry_tp = tp;
	else if (!strcmp(tp->name, "kvm_exit"))
		kpp_exit_tp = tp;
}

/*
 * Every hook, in the order it goes in.  A VM's destruction is seen before
 * any VM is registered, and a vCPU is partitioned at load only once its
 * put, entry and exit hooks run; a VM is registered at creation (and so
 * partitioned with N = hpmn) only once its first vCPU load is seen, else
 * a vCPU could run under KVM's N and perf events first.  VMs created
 * before that are first seen at a load, with KVM's N.  The ones marked
 * ->starts go first at shutdown: they register VMs.  The load and put hook
 * stays to the end: once kpp.unloading is set, a load registers no VM and
 * partitions no vCPU.
 */
struct kpp_hook {
	const char *what;
	struct kprobe *kp;	/* one of kp, rp, fops, tp */
	struct kretprobe *rp;
	struct ftrace_ops *fops;
	const char *const *fns;	/* fops: on these functions */
	struct tracepoint **tp;
	void *tp_fn;
	bool starts;
	bool live;
};

static struct kpp_hook kpp_hooks[] = {
	{ .what = "kvm_arch_destroy_vm", .kp = &kpp_destroy_vm_probe },
	{ .what = "the kvm_entry tracepoint", .tp = &kpp_entry_tp, .tp_fn = kpp_entry_probe },
	{ .what = "the kvm_exit tracepoint", .tp = &kpp_exit_tp, .tp_fn = kpp_exit_probe },
	{ .what = "access_pmcr", .kp = &kpp_pmcr_probe },
	{ .what = "kvm_arch_vcpu_load/put", .fops = &kpp_vcpu_ops, .fns = kpp_vcpu_fns },
#if KPP_KVM_VM_N
	{ .what = "kvm_arm_set_default_pmu", .rp = &kpp_default_pmu_probe, .starts = true },
	{ .what = "kvm_arm_pmu_v3_set_attr", .rp = &kpp_set_attr_probe, .starts = true },
	{ .what = "set_pmcr", .rp = &kpp_set_pmcr_probe, .starts = true },
#endif
	{ .what = "kvm_arch_init_vm", .rp = &kpp_init_vm_probe, .starts = true },
};

/*
 * One ftrace hook on each function of the NULL-terminated fns, by address:
 * ftrace_set_filter() by name would look up every traceable function's
 * name (measured: 180 ms of each insmod under QEMU).
 */
static int kpp_ftrace_register(struct ftrace_ops *ops, const char *const *fns)
{
	unsigned int i;
	void *addr;
	int ret = 0;

	for (i = 0; !ret && fns[i]; i++) {
		addr = kpp_symbol_address(fns[i]);
		ret = addr ? ftrace_set_filter_ip(ops, (unsigned long)addr, 0, !i) : -ENOENT;
	}
	if (!ret)
		ret = register_ftrace_function(ops);
	if (ret)
		ftrace_free_filter(ops);
	return ret;
}

static void kpp_ftrace_unregister(struct ftrace_ops *ops)
{
	unregister_ftrace_function(ops);
	ftrace_free_filter(ops);
}

static int kpp_hook_register(struct kpp_hook *h)
{
	int ret;

	ret = kpp_fault_hook(h->what);
	if (ret)
		return ret;
	if (h->kp)
		ret = register_kprobe(h->kp);
	else if (h->rp)
		ret = register_kretprobe(h->rp);
	else if (h->fops)
		ret = kpp_ftrace_register(h->fops, h->fns);
	else
		ret = tracepoint_probe_register(*h->tp, h->tp_fn, NULL);
	if (ret)
		pr_err("cannot hook %s: %d\n", h->what, ret);
	else
		h->live = true;
	return ret;
}

static void kpp_hook_unregister(struct kpp_hook *h)
{
	if (!h->live)
		return;
	if (h->kp)
		unregister_kprobe(h->kp);
	else if (h->rp)
		unregister_kretprobe(h->rp);
	else if (h->fops)
		kpp_ftrace_unregister(h->fops);
	else
		tracepoint_probe_unregister(*h->tp, h->tp_fn, NULL);
	h->live = false;
}

/*
 * Are the kprobes still armed?  debugfs kprobes/enabled = 0 takes the
 * BRK out of every probed instruction without a word to their owners,
 * while the ftrace hook and tracepoints run on: then a VM destroyed or a
 * guest PMCR_EL0 access goes unseen.  A load of each probed word, from
 * the load hook.
 */
static bool kpp_kprobes_armed(void)
{
	struct kprobe *kp;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kpp_hooks); i++) {
		kp = kpp_hooks[i].rp ? &kpp_hooks[i].rp->kp : kpp_hooks[i].kp;
		if (kp && READ_ONCE(kpp_hooks[i].live) &&
		    le32_to_cpu(READ_ONCE(*(__le32 *)kp->addr)) != BRK64_OPCODE_KPROBES)
			return false;
	}
	return true;
}

/*
 * Install every hook.  On failure the ones in place stay: the caller
 * takes them out with the rest of kpp_shutdown() (src/main.c), since a
 * vCPU may have been partitioned meanwhile.
 */
int kpp_hooks_install(void)
{
	unsigned int i;
	int ret;

	for_each_kernel_tracepoint(kpp_find_tp, NULL);
	if (!kpp_entry_tp || !kpp_exit_tp) {
		pr_err("KVM's kvm_entry/kvm_exit tracepoints not found; is CONFIG_KVM tracing built in?\n");
		return -ENOENT;
	}

	ret = kpp_exports_resolve();
	if (ret)
		return ret;

	for (i = 0; i < ARRAY_SIZE(kpp_hooks); i++) {
		ret = kpp_hook_register(&kpp_hooks[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* kpp_shutdown() step 2: nothing registers a VM or partitions a vCPU. */
void kpp_hooks_remove_starters(void)
{
	int i;

	for (i = ARRAY_SIZE(kpp_hooks) - 1; i >= 0; i--)
		if (kpp_hooks[i].starts)
			kpp_hook_unregister(&kpp_hooks[i]);
}

/*
 * kpp_shutdown() step 6: the rest.  The tracepoints first: while the entry
 * and exit hooks run, every put is seen, so that they never meet a vCPU
 * the module did not see put (an exit's c->lazy, say).  No tracepoint
 * callback runs on.
 */
void kpp_hooks_remove(void)
{
	int i;

	for (i = ARRAY_SIZE(kpp_hooks) - 1; i >= 0; i--)
		if (kpp_hooks[i].tp)
			kpp_hook_unregister(&kpp_hooks[i]);
	tracepoint_synchronize_unregister();
	for (i = ARRAY_SIZE(kpp_hooks) - 1; i >= 0; i--)
		kpp_hook_unregister(&kpp_hooks[i]);
}
