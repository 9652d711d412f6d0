// SPDX-License-Identifier: GPL-2.0
/*
 * Mode switches (vms/<vm>/mode), which take effect at each vCPU's next
 * load:
 *  partitioned -> trapped: the state is in KVM's copies since vcpu_put;
 *         KVM_REQ_RELOAD_PMU makes KVM back them with perf events again.
 *  trapped -> partitioned: KVM's perf events hold part of each count and
 *         only sleeping code may read and release them, so the load
 *         queues a task_work.  It runs in the vCPU thread before the next
 *         guest entry (KVM's run loop handles TIF_NOTIFY_RESUME there),
 *         folds the events into KVM's copies as KVM's own
 *         kvm_pmu_stop_counter() does, and partitions the vCPU.
 */
#include <linux/kvm_host.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/wait_bit.h>
#include <asm/kvm_emulate.h>

#include "exports.h"
#include "kpp.h"
#include "kvm_pmu.h"
#include "kpp_trace.h"
#include "switch.h"
#include "vm.h"

struct kpp_fold {
	struct callback_head cb;
	struct list_head node;	/* on kpp_folds until it runs or is cancelled */
	struct task_struct *task;	/* the vCPU thread, referenced */
	struct kvm *kvm;	/* compared, never followed, unless loaded */
	struct kvm_vcpu *vcpu;
	int idx;
};

static LIST_HEAD(kpp_folds);
static DEFINE_SPINLOCK(kpp_folds_lock);
static atomic_t kpp_folds_pending = ATOMIC_INIT(0);
static bool kpp_folds_queued;	/* since load: rmmod must wait for their text */

static void kpp_fold_done(void)
{
	if (atomic_dec_and_test(&kpp_folds_pending))
		wake_up_var(&kpp_folds_pending);
}

static void kpp_fold_unlist(struct kpp_fold *f)
{
	unsigned long flags;

	spin_lock_irqsave(&kpp_folds_lock, flags);
	list_del_init(&f->node);
	spin_unlock_irqrestore(&kpp_folds_lock, flags);
}

static void kpp_fold_free(struct kpp_fold *f)
{
	put_task_struct(f->task);
	kfree(f);
	kpp_fold_done();
}

/*
 * KVM's kvm_pmu_stop_counter() for every counter: the count of KVM's perf
 * event goes into KVM's copy and the event is released.  The vCPU thread,
 * inside KVM_RUN (vcpu->mutex held), may sleep.
 */
static unsigned int kpp_fold_kvm_events(struct kvm_vcpu *vcpu)
{
	bool wide = kpp_pmuver_at_least(this_cpu_read(kpp_cpu_caps.pmuver),
					 KPP_PMUVER_V3P5);
	struct kvm_pmc *pmc = vcpu->arch.pmu.pmc;
	unsigned int i, reg, n = 0;
	u64 enabled, running, val;

	for (i = 0; i <= KPP_CYCLE_IDX; i++) {
		if (!pmc[i].perf_event)
			continue;
		reg = i == KPP_CYCLE_IDX ? PMCCNTR_EL0 : PMEVCNTR0_EL0 + i;
		perf_event_disable(pmc[i].perf_event);
		val = kvm_reg(vcpu, reg) +
		      perf_event_read_value(pmc[i].perf_event, &enabled, &running);
		/* PMEVCNTR<n>_EL0 are 64-bit from PMUv3p5 only */
		kvm_reg(vcpu, reg) = i == KPP_CYCLE_IDX || wide ? val : lower_32_bits(val);
		perf_event_release_kernel(pmc[i].perf_event);
		pmc[i].perf_event = NULL;
		this_cpu_inc(kpp_cpu_stats.folds);
		n++;
	}
	return n;
}

/* task_work, in the vCPU thread at the top of KVM's run loop, or on exit to user. */
static void kpp_fold_fn(struct callback_head *cb)
{
	struct kpp_fold *f = container_of(cb, struct kpp_fold, cb);
	struct kvm_vcpu *vcpu = f->vcpu;
	struct kpp_cpu *c;
	unsigned int folded = 0;
	struct kpp_vm *vm;
	unsigned long flags;
	bool loaded;

	kpp_fold_unlist(f);
	/* Loaded on this CPU means loaded by us, inside a vCPU ioctl. */
	preempt_disable();
	loaded = this_cpu_read(kpp_cpu.vcpu) == vcpu;
	preempt_enable();

	if (loaded)
		folded = kpp_fold_kvm_events(vcpu);

	kpp_pmu_irq_save(flags);
	rcu_read_lock();
	c = this_cpu_ptr(&kpp_cpu);
	vm = kpp_vm_find(f->kvm);
	if (vm)
		clear_bit(f->idx, vm->fold_queued);
	if (vm && loaded)
		trace_fold(vm->name, f->idx, folded);
	if (loaded && vm && c->vcpu == vcpu && c->vm == vm && !c->partitioned && !c->pending &&
	    READ_ONCE(vm->partitioned) && !READ_ONCE(kpp.unloading) &&
	    !READ_ONCE(kpp.hooks_missed) && kpp_admit_cpu(smp_processor_id()) &&
	    kpp_partition(c, vm, vcpu)) {
		clear_bit(f->idx, vm->trapped);
		atomic64_inc(&vm->stats.mode_switches);
		trace_vcpu_partition(vm->name, f->idx, c->hpmn, "fold");
		trace_mode_switch(vm->name, f->idx, true);
	} else if (loaded) {
		/* Back to KVM after all: it recreates the events. */
		kvm_make_request(KVM_REQ_RELOAD_PMU, vcpu);
	}
	/* Not loaded (run on the way to userspace): the next load queues it again. */
	rcu_read_unlock();
	kpp_pmu_irq_restore(flags);
	kpp_fold_free(f);
}

/* Queue the fold for the loading vCPU's thread.  IRQs off. */
static void kpp_fold_queue(struct kpp_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kpp_fold *f = NULL;

	lockdep_assert_irqs_disabled();
	if (test_and_set_bit(vcpu->vcpu_idx, vm->fold_queued))
		return;
	atomic_inc(&kpp_folds_pending);
	/* Pairs with kpp_shutdown(): count first, then look. */
	smp_mb__after_atomic();
	if (!READ_ONCE(kpp.unloading))
		f = kmalloc(sizeof(*f), GFP_ATOMIC);
	if (f) {
		init_task_work(&f->cb, kpp_fold_fn);
		f->task = get_task_struct(current);
		f->kvm = vcpu->kvm;
		f->vcpu = vcpu;
		f->idx = vcpu->vcpu_idx;
		spin_lock(&kpp_folds_lock);
		list_add_tail(&f->node, &kpp_folds);
		spin_unlock(&kpp_folds_lock);
		if (!kpp_task_work_add(current, &f->cb, TWA_RESUME)) {
			WRITE_ONCE(kpp_folds_queued, true);
			return;
		}
		kpp_fold_unlist(f);
		put_task_struct(f->task);
		kfree(f);
	}
	clear_bit(vcpu->vcpu_idx, vm->fold_queued);
	kpp_fold_done();
}

static bool kpp_is_cb(struct callback_head *cb, void *data)
{
	return cb == data;
}

/*
 * Module exit, once kpp.unloading is set (no fold is queued any more,
 * but by a load already past its check): take back every fold that has
 * not started.  A vCPU thread asleep in
 * WFI or PSCI CPU_OFF would run its fold only when it wakes, so waiting
 * for it could last forever; its vCPU simply stays with KVM's events.
 * Then wait for the folds already running, which do not block.
 */
void kpp_vcpu_folds_cancel(void)
{
	struct task_struct *task;
	struct kpp_fold *f;

again:
	for (;;) {
		spin_lock_irq(&kpp_folds_lock);
		f = list_first_entry_or_null(&kpp_folds, struct kpp_fold, node);
		if (f) {
			list_del_init(&f->node);
			/* Once unlocked, a running fold may free f: keep its task. */
			task = get_task_struct(f->task);
		}
		spin_unlock_irq(&kpp_folds_lock);
		if (!f)
			break;
		/* Not on the task's list: it runs now, and frees itself. */
		if (kpp_task_work_cancel_match(task, kpp_is_cb, &f->cb))
			kpp_fold_free(f);
		put_task_struct(task);
	}
	/* A load that saw kpp.unloading clear may still list one: look again. */
	if (!wait_var_event_timeout(&kpp_folds_pending,
				    !atomic_read(&kpp_folds_pending), HZ / 10))
		goto again;
}

/*
 * Module exit, after kpp_vcpu_folds_cancel(): a fold's task_work may still
 * be returning into this module's text, preempted there.  Tasks RCU waits
 * for every task to switch voluntarily (it is plain RCU on kernels that
 * cannot preempt there).  It takes a while, so only when a fold was queued.
 */
void kpp_vcpu_folds_sync(void)
{
	if (READ_ONCE(kpp_folds_queued))
		synchronize_rcu_tasks();
}

/*
 * Does KVM have a perf event behind any counter of this vCPU?  Then part
 * of a count is in the event, not in KVM's register: it must be folded
 * before the state goes into hardware (a vCPU that ran before our hooks
 * were all in place, or a KVM_SET_ONE_REG that made KVM create one).
 */
static bool kpp_kvm_has_events(struct kvm_vcpu *vcpu)
{
	unsigned int i;

	for (i = 0; i <= KPP_CYCLE_IDX; i++)
		if (vcpu->arch.pmu.pmc[i].perf_event)
			return true;
	return false;
}

/*
 * Lazy ownership.  A vCPU of a partitioned VM is free until its guest
 * first touches its PMU: it runs on KVM's emulated PMU with KVM's
 * MDCR_EL2 (TPM set), which with no counter enabled counts nothing, and
 * its loads and puts switch nothing.  The first access traps,
 * and KVM emulates it as on any trapped vCPU.  The exit hook marks the
 * vCPU owned and queues its fold, which runs in the vCPU thread before
 * the next entry (the top of KVM's run loop, before its requests: a
 * reschedule of host events there asks KVM to resync their EL0 filter,
 * kvm_vcpu_pmu_resync_el0()), folds what KVM created for that access and
 * partitions the vCPU.  With lazy_free=1 it goes back to free at a put
 * that finds every counter disabled and no overflow interrupt pending: a
 * guest done with perf (KVM's copies keep its counts and flags for the
 * next access).  Off by default: a guest running perf stat turns its
 * counters off at each of its own context switches, and host :G counts
 * of it then read 1 to 2% low (90-realvmm A, not explained yet).
 */

/* A free vCPU's exit (IRQs off): its first PMU access, by ESR_EL2? */
void kpp_vcpu_lazy_exit(struct kpp_cpu *c)
{
	if (!kpp_esr_pmu_access(kvm_vcpu_get_esr(c->vcpu)))
		return;
	set_bit(c->vcpu->vcpu_idx, c->vm->owned);
	trace_lazy(c->vm->name, c->vcpu->vcpu_idx, true);
	c->lazy = false;
	__this_cpu_inc(kpp_cpu_stats.lazy_owned);
	kpp_fold_queue(c->vm, c->vcpu);
}

/*
 * Does the guest count on KVM's PMU: PMCR_EL0.E and one of its counters
 * enabled?  KVM also creates perf events of its own accord, disabled (6.1
 * does for PMCCNTR at its first PMU reload, from the reset PMCR_EL0.C):
 * those say nothing of the guest.
 */
static bool kpp_guest_counting(struct kpp_vm *vm, struct kvm_vcpu *vcpu)
{
	u64 gm = kpp_guest_counter_mask(READ_ONCE(vm->hpmn)) | KPP_BIT(KPP_CYCLE_IDX);

	return (kvm_reg(vcpu, PMCR_EL0) & KPP_PMCR_E) &&
	       (kvm_reg(vcpu, PMCNTENSET_EL0) & gm);
}

/* At put, the guest's state just saved into KVM's copies.  IRQs off. */
void kpp_vcpu_idle_check(struct kpp_cpu *c, struct kvm_vcpu *vcpu)
{
	u64 gm = c->guest_mask;

	if (!READ_ONCE(kpp.lazy_free) || !c->vm || (kvm_reg(vcpu, PMCNTENSET_EL0) & gm) ||
	    (kvm_reg(vcpu, PMOVSSET_EL0) & kvm_reg(vcpu, PMINTENSET_EL1) & gm))
		return;
	/* KVM's state from here: with no counter enabled, no event counts */
	set_bit(vcpu->vcpu_idx, c->vm->trapped);
	clear_bit(vcpu->vcpu_idx, c->vm->owned);
	__this_cpu_inc(kpp_cpu_stats.lazy_freed);
	trace_lazy(c->vm->name, vcpu->vcpu_idx, false);
}

/* The loading vCPU's mode, against what its VM wants.  IRQs off. */
void kpp_vcpu_mode(struct kpp_cpu *c, struct kpp_vm *vm, struct kvm_vcpu *vcpu)
{
	int idx = vcpu->vcpu_idx;
	bool want, events;

	lockdep_assert_irqs_disabled();
	if (!READ_ONCE(vm->ran)) {
		/* From here N and vms/<vm>/hpmn are fixed (src/guest_n.c). */
		spin_lock(&kpp_vms_lock);
		if (!vm->ran)
			kpp_vm_first_run(vm, vcpu);
		WRITE_ONCE(vm->ran, true);
		spin_unlock(&kpp_vms_lock);
	}
	/* v6.6 and older: N is each vCPU's PMCR_EL0, reset to the host's */
	if (!KPP_KVM_VM_N && vm->fixed_n)
		kpp_set_guest_nr_counters(vcpu, READ_ONCE(vm->hpmn));
	if (!kvm_vcpu_has_pmu(vcpu))
		return;
	want = READ_ONCE(vm->partitioned) && !READ_ONCE(kpp.unloading) &&
	       !READ_ONCE(kpp.hooks_missed);
	if (want && !kpp_admit_cpu(smp_processor_id())) {
		__this_cpu_inc(kpp_cpu_stats.unreserved_loads);
		pr_notice_ratelimited("CPU%d: PMU not held by the module (offline at load): vCPUs run trapped there\n",
				      smp_processor_id());
		want = false;
	}

	events = want && kpp_kvm_has_events(vcpu);
	if (events && kpp_guest_counting(vm, vcpu))
		set_bit(idx, vm->owned);	/* its guest counts on KVM's PMU */
	if (want && READ_ONCE(kpp.lazy) && !test_bit(idx, vm->owned)) {
		set_bit(idx, vm->trapped);	/* free: KVM's PMU, TPM set */
		c->lazy = true;
		__this_cpu_inc(kpp_cpu_stats.lazy_loads);
		atomic64_inc(&vm->stats.lazy_loads);
		return;
	}
	if (events)
		set_bit(idx, vm->trapped);	/* fold first */
	if (!test_bit(idx, vm->trapped)) {
		if (want && kpp_partition(c, vm, vcpu)) {
			trace_vcpu_partition(vm->name, idx, c->hpmn, "load");
			return;
		}
		set_bit(idx, vm->trapped);
		kvm_make_request(KVM_REQ_RELOAD_PMU, vcpu);
		atomic64_inc(&vm->stats.mode_switches);
		trace_mode_switch(vm->name, idx, false);
	} else if (want) {
		/*
		 * Through the fold even with no event to fold: this load may
		 * be a preemption inside KVM's PMU emulation, whose
		 * kvm_pmu_create_perf_event() sleeps and then goes on to
		 * create its events, enabled by KVM's copies of PMCR_EL0.E and
		 * PMCNTENSET_EL0 as they were, beside the guest's counters.
		 * The fold runs at the top of KVM's run loop, between two.
		 */
		kpp_fold_queue(vm, vcpu);
	}
}

