// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks into KVM, which is built in on arm64 and exports none of what we
 * need.  Everything that reaches into KVM by name lives here, in the style
 * of LTTng's include/wrapper/: the rest of the module calls
 * kpp_hooks_install()/kpp_hooks_remove() and gets three callbacks.
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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "kpp.h"

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

static void kpp_entry_probe(void *data, unsigned long vcpu_pc)
{
	kpp_guest_enter();
}

static struct tracepoint *kpp_entry_tp;

static void kpp_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "kvm_entry"))
		*(struct tracepoint **)priv = tp;
}

int kpp_hooks_install(void)
{
	int ret;

	for_each_kernel_tracepoint(kpp_find_tp, &kpp_entry_tp);
	if (!kpp_entry_tp) {
		pr_err("KVM's kvm_entry tracepoint not found; is CONFIG_KVM tracing built in?\n");
		return -ENOENT;
	}

	ret = register_kretprobe(&kpp_load_probe);
	if (ret) {
		pr_err("cannot hook kvm_arch_vcpu_load (kretprobe: %d)\n", ret);
		return ret;
	}
	ret = register_kprobe(&kpp_put_probe);
	if (ret) {
		pr_err("cannot hook kvm_arch_vcpu_put (kprobe: %d)\n", ret);
		goto err_load;
	}
	ret = tracepoint_probe_register(kpp_entry_tp, kpp_entry_probe, NULL);
	if (ret) {
		pr_err("cannot attach to the kvm_entry tracepoint: %d\n", ret);
		goto err_put;
	}
	return 0;

err_put:
	unregister_kprobe(&kpp_put_probe);
err_load:
	unregister_kretprobe(&kpp_load_probe);
	return ret;
}

void kpp_hooks_remove(void)
{
	tracepoint_probe_unregister(kpp_entry_tp, kpp_entry_probe, NULL);
	unregister_kprobe(&kpp_put_probe);
	unregister_kretprobe(&kpp_load_probe);
	/* No probe of ours may still be running once the module text goes. */
	tracepoint_synchronize_unregister();
}
