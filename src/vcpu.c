// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU as KVM's hooks see it (hooks/kvm.c): load, guest entry, guest
 * exit, put, and the hand-back at module unload.
 *
 *  load:  the vCPU's mode (src/mode.c), before KVM's own load.
 *  entry: partitioned, its PMU state into hardware at the first entry
 *         after a load (src/switch.c); MDCR_EL2 again, if KVM rewrote it.
 *  exit:  PMOVS, PMINTEN, PMCNTEN and PMCR_EL0.E -> KVM's copies, so that
 *         KVM's own vPMU code (kvm_pmu_update_state()) drives the guest's
 *         PMU PPI; PMCNTEN goes back to 0 at the next entry.
 *  put:   the PMU state back into KVM's copies.
 */
#include <linux/kvm_host.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <asm/barrier.h>
#include <asm/sysreg.h>

#include "kpp.h"
#include "kpp_trace.h"
#include "switch.h"
#include "vm.h"

/*
 * The VM of a vCPU being loaded, registered now if it predates the module;
 * NULL if out of memory or unloading (the vCPU then stays trapped).
 * Preemption off; a loaded vCPU's VM is not destroyed under it.
 */
static struct kpp_vm *kpp_vm_of(struct kvm_vcpu *vcpu)
{
	struct kpp_vm *vm;

	rcu_read_lock();
	vm = kpp_vm_find(vcpu->kvm);
	rcu_read_unlock();
	if (vm)
		return vm;
	vm = kpp_vm_register(vcpu);
	if (vm)
		kpp_vm_sysfs_queue(vm);
	return vm;
}

/* Called with preemption disabled, before kvm_arch_vcpu_load(). */
void kpp_vcpu_load(struct kvm_vcpu *vcpu)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);
	u64 t0 = local_clock();
	struct kpp_vm *vm = kpp_vm_of(vcpu);
	unsigned long flags;

	lockdep_assert_preemption_disabled();
	__this_cpu_inc(kpp_cpu_stats.loads);
	kpp_pmu_irq_save(flags);
	kpp_cpu_check(c, vcpu);	/* the last put seen? */
	c->synced = READ_ONCE(kpp.live);
	c->vcpu = vcpu;
	c->vm = vm;
	c->pending = false;
	c->partitioned = false;
	c->lazy = false;
	if (vm)
		kpp_vcpu_mode(c, vm, vcpu);
	kpp_pmu_irq_restore(flags);
	if (vm) {
		atomic64_inc(&vm->stats.loads);
		atomic64_add(local_clock() - t0, &vm->stats.hook_ns);
	}
}

/* Called with preemption disabled, before kvm_arch_vcpu_put(). */
void kpp_vcpu_put(struct kvm_vcpu *vcpu)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);
	u64 t0 = local_clock();
	struct kpp_vm *vm = NULL;
	unsigned long flags;

	lockdep_assert_preemption_disabled();
	__this_cpu_inc(kpp_cpu_stats.puts);
	kpp_pmu_irq_save(flags);
	if (kpp_cpu_check(c, vcpu) && c->vcpu == vcpu) {
		vm = c->vm;
		if (c->partitioned) {
			kpp_guest_save(c, vcpu);
			kpp_vcpu_idle_check(c, vcpu);
		}
		if (c->partitioned || c->pending) {
			/* pending: no entry since the load, nothing in hardware */
			kpp_switch_cancel(c);
			trace_vcpu_unpartition(vm->name, vcpu->vcpu_idx, "put");
		}
		/* before it blocks in WFI, say */
		kpp_inject_pending(c);
	}
	c->inject_pending = false;
	c->pending = false;
	c->partitioned = false;
	c->lazy = false;
	/* after: perf's reschedule runs the driver's stop/start unwrapped */
	kpp_host_pmu_unclaim();
	c->synced = READ_ONCE(kpp.live);
	c->vcpu = NULL;
	c->vm = NULL;
	kpp_pmu_irq_restore(flags);
	if (vm) {
		atomic64_inc(&vm->stats.puts);
		atomic64_add(local_clock() - t0, &vm->stats.hook_ns);
	}
}

/*
 * Called with IRQs off, just before the world switch into the guest, after
 * KVM's last write of MDCR_EL2 (see hooks/kvm.c).  KVM's own value stays
 * in vcpu->arch.mdcr_el2, so KVM sees no change and rewrites the register
 * only at the next vcpu_load: one MRS and a compare per entry.  The first
 * entry after a partitioned load puts the guest's state into hardware.
 */
void kpp_guest_enter(void)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);
	unsigned long flags;

	lockdep_assert_irqs_disabled();
	__this_cpu_inc(kpp_cpu_stats.entries);
	if (unlikely(!kpp_cpu_valid(c) || !c->vcpu)) {
		__this_cpu_inc(kpp_cpu_stats.unknown_entries);
		/*
		 * Once a load or put was seen here with every hook in, every
		 * later load is seen: an entry without one is a missed hook.
		 */
		if (c->synced && !READ_ONCE(kpp.unloading))
			kpp_hooks_lost();
		return;
	}
	if (unlikely(c->pending)) {
		/* IRQs off, but not a pseudo-NMI PMU interrupt */
		kpp_pmu_irq_save(flags);
		kpp_switch_in(c);
		kpp_pmu_irq_restore(flags);
	} else if (c->partitioned) {
		/* KVM's copy of PMCNTENSET_EL0 reads 0 while the guest runs */
		kvm_reg(c->vcpu, PMCNTENSET_EL0) = 0;
		kpp_write_mdcr(c);
	}
}

/*
 * Called after the guest exits, IRQs on, preemption off, before KVM's next
 * kvm_pmu_flush_hwstate(): bring KVM's view of the overflow line up to date
 * with what the guest did to PMOVS, PMINTEN and PMCR_EL0.E without a trap.
 */
void kpp_guest_exit(void)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);
	struct kvm_vcpu *vcpu;
	unsigned long flags;
	u64 gm, ovs, unmask;

	/* Checked at the entry; preemption stays off from there to here. */
	kpp_pmu_irq_save(flags);
	if (unlikely(c->lazy))
		kpp_vcpu_lazy_exit(c);
	if (!c->partitioned)
		goto out;
	vcpu = c->vcpu;
	kpp_guest_keep_dp(c, vcpu);
	gm = c->guest_mask;
	ovs = read_sysreg(pmovsset_el0) & gm;
	unmask = c->masked & ~ovs;	/* the guest has cleared these flags */
	if (unmask) {
		write_sysreg(unmask, pmintenset_el1);
		c->masked &= ~unmask;
	}
	kvm_reg(vcpu, PMOVSSET_EL0) = ovs;
	kvm_reg(vcpu, PMINTENSET_EL1) = (read_sysreg(pmintenset_el1) & gm) | c->masked;
	kvm_reg(vcpu, PMCR_EL0) = (kvm_reg(vcpu, PMCR_EL0) & ~KPP_PMCR_E) |
		(read_sysreg(pmcr_el0) & KPP_PMCR_E);
	/*
	 * v6.6's kvm_pmu_overflow_status() also ANDs PMCNTENSET_EL0: give it
	 * the guest's until the next entry, or KVM never sees the overflow
	 * and never lowers the PPI raised above, and the guest takes it
	 * forever.  Nothing in KVM creates a perf event in between.
	 */
	kvm_reg(vcpu, PMCNTENSET_EL0) = read_sysreg(pmcntenset_el0) & gm;
out:
	kpp_pmu_irq_restore(flags);
}

/*
 * Module unload, on each CPU with IRQs off: hand a loaded partitioned vCPU
 * back to KVM's emulated PMU, with its values, and KVM's MDCR_EL2.  KVM
 * recreates the perf events behind its counters before the next entry
 * (KVM_REQ_RELOAD_PMU), on host counters released just after this.
 */
void kpp_vcpu_unpartition_this_cpu(void)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);
	struct kvm_vcpu *vcpu = c->vcpu;
	unsigned long flags;

	kpp_pmu_irq_save(flags);
	if (c->partitioned || c->pending) {
		if (c->partitioned)
			kpp_guest_save(c, vcpu);
		kpp_switch_cancel(c);
		trace_vcpu_unpartition(c->vm->name, vcpu->vcpu_idx, "rmmod");
		kpp_inject_pending(c);
		c->partitioned = false;
		kpp_host_pmu_unclaim();
		set_bit(vcpu->vcpu_idx, c->vm->trapped);
		write_sysreg(vcpu->arch.mdcr_el2, mdcr_el2);
		isb();
		kvm_make_request(KVM_REQ_RELOAD_PMU, vcpu);
		__this_cpu_inc(kpp_cpu_stats.unpartitions);
	}
	kpp_pmu_irq_restore(flags);
}

