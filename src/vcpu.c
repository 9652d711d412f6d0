// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU context switch of the partitioned PMU.
 *
 * While a vCPU of a partitioned VM is loaded on a CPU, the guest owns that
 * CPU's event counters [0, hpmn) and PMCCNTR_EL0 outright: MDCR_EL2.HPMN
 * is hpmn and TPM/TPMCR are clear, so the guest reads and programs them,
 * and PMCR_EL0, PMCNTEN, PMINTEN, PMOVS, PMSELR and PMUSERENR, with no trap.
 *
 *  load:  KVM's copies (the vCPU's sysregs) -> hardware, then MDCR_EL2.
 *  entry: MDCR_EL2 again, if KVM rewrote it (it does once per load).
 *  exit:  PMOVS, PMINTEN, PMCNTEN and PMCR_EL0.E -> KVM's copies, so that
 *         KVM's own vPMU code (kvm_pmu_update_state()) drives the guest's
 *         PMU PPI; PMCNTEN goes back to 0 at the next entry.
 *  put:   hardware -> KVM's copies, the guest's counters stopped and its
 *         overflow flags cleared, the host's PMCR_EL0 back.
 *
 * While the guest runs, KVM's copy of PMCNTENSET_EL0 reads 0 for the
 * guest's counters, so any perf event KVM creates to back them is created
 * disabled and stays so (kvm_pmu_counter_is_enabled()).
 *
 * Guest overflow: counters [0, hpmn) raise the host's PMU interrupt
 * (PMINTENSET_EL1 is the guest's).  kpp_guest_irq_begin() moves the new
 * flags into KVM's PMOVSSET_EL0 and masks their PMINTENSET_EL1 bits while
 * the flags stay set in hardware for the guest to read; the exit sync
 * unmasks them once the guest has cleared the flags.
 *
 * Mode switches (vms/<vm>/mode) take effect at each vCPU's next load:
 *  partitioned -> trapped: the state is in KVM's copies since vcpu_put;
 *         KVM_REQ_RELOAD_PMU makes KVM back them with perf events again.
 *  trapped -> partitioned: KVM's perf events hold part of each count and
 *         only sleeping code may read and release them, so the load
 *         queues a task_work.  It runs in the vCPU thread before the next
 *         guest entry (KVM's run loop handles TIF_NOTIFY_RESUME there),
 *         folds the events into KVM's copies as KVM's own
 *         kvm_pmu_stop_counter() does, and partitions the vCPU.
 */
#include <linux/irq_work.h>
#include <linux/kvm_host.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/sched/clock.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/wait_bit.h>
#include <asm/barrier.h>
#include <asm/daifflags.h>
#include <asm/sysreg.h>

#include "exports.h"
#include "kpp.h"
#include "pmu_regs.h"
#include "kvm_pmu.h"
#include "vm.h"

/* A vCPU's register in KVM's memory-backed copy (not NV's VNCR page). */
#define kvm_reg(vcpu, r)	ctxt_sys_reg(&(vcpu)->arch.ctxt, (r))

struct kpp_cpu {
	struct kvm_vcpu *vcpu;	/* loaded here, or NULL */
	struct kpp_vm *vm;
	bool partitioned;	/* the guest's PMU state is in hardware */
	bool host_stopped;	/* arm_pmu->stop() since load: HPME clear */
	u32 hpmn;
	u64 guest_mask;		/* PMCNTEN/PMINTEN/PMOVS bits: [0, hpmn) and 31 */
	u64 host_pmcr;		/* the host driver's PMCR_EL0 at load */
	u64 masked;		/* PMINTENSET_EL1 bits held clear, flag pending */
	bool inject_pending;	/* an overflow seen in NMI, the PPI not raised */
	bool synced;		/* a load or put seen here since kpp_init() */
};

static DEFINE_PER_CPU(struct kpp_cpu, kpp_cpu);
static DEFINE_PER_CPU(struct kpp_hook_stats, kpp_cpu_stats);

static void kpp_inject_work_fn(struct irq_work *work);
static DEFINE_PER_CPU(struct irq_work, kpp_inject_work);

/* Raise the guest's PMU PPI now, as kvm_pmu_update_state() would.  Not NMI. */
static void kpp_inject(struct kvm_vcpu *vcpu)
{
	kpp_vgic_inject_pmu_irq(vcpu, true);
#ifdef HAVE_KVM_PMU_IRQ_LEVEL
	/* so that KVM lowers it once the guest clears the flag */
	vcpu->arch.pmu.irq_level = true;
#endif
}

/* A load or put went unseen: partition nothing more, say so once. */
static void kpp_hooks_lost(void)
{
	__this_cpu_inc(kpp_cpu_stats.hooks_missed);
	if (!READ_ONCE(kpp.hooks_missed)) {
		WRITE_ONCE(kpp.hooks_missed, true);
		pr_warn("a vCPU load or put went unseen (kprobes disarmed?): partitioning stops; reload the module\n");
	}
}

/*
 * Is this CPU's account of its loaded vCPU KVM's own (kvm_running_vcpu,
 * written around every load and put)?  It is not only when the load or
 * put kprobe was missed: kprobes disarmed through debugfs (kprobes/enabled
 * set to 0) while the tracepoints and the driver's callbacks run on.
 * Then c->vcpu may be freed: drop it untouched, stop its counters, give
 * the host its PMCR_EL0 back, and partition nothing more until the module
 * is loaded again (its counts since the last put are lost).  IRQs off.
 */
static bool kpp_cpu_check(struct kpp_cpu *c, struct kvm_vcpu *running)
{
	if (likely(!c->vcpu || c->vcpu == running))
		return true;
	if (c->partitioned) {
		write_sysreg(c->guest_mask, pmcntenclr_el0);
		write_sysreg(c->guest_mask, pmintenclr_el1);
		write_sysreg(c->host_pmcr, pmcr_el0);
		isb();
	}
	c->vcpu = NULL;
	c->vm = NULL;
	c->partitioned = false;
	c->inject_pending = false;
	c->masked = 0;
	kpp_hooks_lost();
	return false;
}

/* The same, where the running vCPU is not at hand (entry, PMU callbacks). */
static bool kpp_cpu_valid(struct kpp_cpu *c)
{
	return !c->vcpu || kpp_cpu_check(c, kpp_get_running_vcpu());
}

/* An overflow taken as a pseudo-NMI: raise the PPI, if still loaded. */
static void kpp_inject_pending(struct kpp_cpu *c)
{
	if (!c->inject_pending)
		return;
	c->inject_pending = false;
	if (c->vcpu)
		kpp_inject(c->vcpu);
}

static void kpp_inject_work_fn(struct irq_work *work)
{
	unsigned long flags;

	kpp_pmu_irq_save(flags);
	kpp_inject_pending(this_cpu_ptr(&kpp_cpu));
	kpp_pmu_irq_restore(flags);
}

/* Module init, before the host PMU interrupt is wrapped. */
void kpp_vcpu_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(kpp_inject_work, cpu) = IRQ_WORK_INIT_HARD(kpp_inject_work_fn);
}

/* Module exit, once no vCPU is partitioned: no injection work is left. */
void kpp_vcpu_irq_work_sync(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		irq_work_sync(per_cpu_ptr(&kpp_inject_work, cpu));
}

static void kpp_write_mdcr(struct kpp_cpu *c)
{
	struct kpp_mdcr_in in = {
		.kvm_mdcr	= c->vcpu->arch.mdcr_el2,
		.hpmn		= c->hpmn,
		.pmuver		= __this_cpu_read(kpp_cpu_caps.pmuver),
		.host_stopped	= c->host_stopped,
		.host_lp	= c->host_pmcr & KPP_PMCR_LP,
		/* test builds only (make KPP_TEST_OMIT_HPME=1): the seed's bug */
		.omit_hpme	= IS_ENABLED(CONFIG_KPP_TEST_OMIT_HPME),
	};
	u64 mdcr = kpp_mdcr_partitioned(&in);

	if (read_sysreg(mdcr_el2) != mdcr) {
		write_sysreg(mdcr, mdcr_el2);
		isb();
		__this_cpu_inc(kpp_cpu_stats.mdcr_writes);
	}
}

/* KVM's copies -> hardware.  IRQs off; the host owns no guest counter. */
static void kpp_guest_load(struct kpp_cpu *c, struct kvm_vcpu *vcpu)
{
	u64 gm = c->guest_mask, ovs, inten, cnten;
	unsigned int i;

	lockdep_assert_irqs_disabled();
	kpp_set_guest_nr_counters(vcpu, c->hpmn);

	c->host_pmcr = read_sysreg(pmcr_el0);
	c->host_stopped = !(c->host_pmcr & KPP_PMCR_E);
	/* HPMN first: from here PMCR_EL0.E only enables the guest's counters. */
	kpp_write_mdcr(c);

	write_sysreg(gm, pmcntenclr_el0);
	isb();
	for (i = 0; i < c->hpmn; i++) {
		kpp_write_evtyper(i, kvm_reg(vcpu, PMEVTYPER0_EL0 + i));
		kpp_write_evcntr(i, kvm_reg(vcpu, PMEVCNTR0_EL0 + i));
	}
	write_sysreg(kvm_reg(vcpu, PMCCFILTR_EL0), pmccfiltr_el0);
	write_sysreg(kvm_reg(vcpu, PMCCNTR_EL0), pmccntr_el0);

	ovs = kvm_reg(vcpu, PMOVSSET_EL0) & gm;
	inten = kvm_reg(vcpu, PMINTENSET_EL1) & gm;
	c->masked = ovs & inten;	/* already forwarded: do not refire */
	kvm_reg(vcpu, PMOVSSET_EL0) = ovs;
	kvm_reg(vcpu, PMINTENSET_EL1) = inten;
	write_sysreg(gm, pmovsclr_el0);
	write_sysreg(ovs, pmovsset_el0);
	write_sysreg(gm, pmintenclr_el1);
	write_sysreg(inten & ~c->masked, pmintenset_el1);

	write_sysreg(kvm_reg(vcpu, PMSELR_EL0), pmselr_el0);
	write_sysreg(kvm_reg(vcpu, PMUSERENR_EL0), pmuserenr_el0);
	write_sysreg(kpp_pmcr_to_hw(kvm_reg(vcpu, PMCR_EL0)), pmcr_el0);

	cnten = kvm_reg(vcpu, PMCNTENSET_EL0) & gm;
	kvm_reg(vcpu, PMCNTENSET_EL0) = 0;
	isb();
	write_sysreg(cnten, pmcntenset_el0);
	isb();
}

/* Hardware -> KVM's copies; stop the guest's counters.  IRQs off. */
static void kpp_guest_save(struct kpp_cpu *c, struct kvm_vcpu *vcpu)
{
	u64 gm = c->guest_mask, cnten, ovs, inten;
	unsigned int i;

	lockdep_assert_irqs_disabled();
	kvm_reg(vcpu, PMSELR_EL0) = read_sysreg(pmselr_el0) & 0x1f;
	cnten = read_sysreg(pmcntenset_el0) & gm;
	write_sysreg(gm, pmcntenclr_el0);
	isb();
	for (i = 0; i < c->hpmn; i++) {
		kvm_reg(vcpu, PMEVCNTR0_EL0 + i) = kpp_read_evcntr(i);
		kvm_reg(vcpu, PMEVTYPER0_EL0 + i) = kpp_read_evtyper(i);
	}
	kvm_reg(vcpu, PMCCNTR_EL0) = read_sysreg(pmccntr_el0);
	kvm_reg(vcpu, PMCCFILTR_EL0) = read_sysreg(pmccfiltr_el0);

	ovs = read_sysreg(pmovsset_el0) & gm;
	inten = (read_sysreg(pmintenset_el1) & gm) | c->masked;
	/*
	 * The guest's N is hpmn: bits [hpmn, 31) do not exist for it and must
	 * read 0 in KVM's copies too (v6.6 KVM does not mask them itself, and
	 * KVM's reset leaves them UNKNOWN).
	 */
	kvm_reg(vcpu, PMOVSSET_EL0) = ovs;
	kvm_reg(vcpu, PMINTENSET_EL1) = inten;
	kvm_reg(vcpu, PMCNTENSET_EL0) = cnten;
	kvm_reg(vcpu, PMCR_EL0) = kpp_pmcr_from_hw(kvm_reg(vcpu, PMCR_EL0),
						   read_sysreg(pmcr_el0), c->hpmn);
	kvm_reg(vcpu, PMUSERENR_EL0) = read_sysreg(pmuserenr_el0);

	/* Nothing of the guest's may reach the host driver's IRQ handler. */
	write_sysreg(gm, pmintenclr_el1);
	write_sysreg(gm, pmovsclr_el0);
	c->masked = 0;
	/* The host's PMCR_EL0, with E as its driver last asked. */
	write_sysreg((c->host_pmcr & ~KPP_PMCR_E) |
		     (c->host_stopped ? 0 : KPP_PMCR_E), pmcr_el0);
	isb();
}

/* Hand this CPU's PMU to the loaded vCPU.  IRQs off. */
static void kpp_partition(struct kpp_cpu *c, struct kpp_vm *vm,
			  struct kvm_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();
	c->partitioned = true;
	c->hpmn = READ_ONCE(vm->hpmn);
	c->guest_mask = kpp_guest_counter_mask(c->hpmn) | KPP_BIT(KPP_CYCLE_IDX);
	kpp_guest_load(c, vcpu);
	__this_cpu_inc(kpp_cpu_stats.switches);
	atomic64_inc(&vm->stats.switches);
}

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
static void kpp_fold_kvm_events(struct kvm_vcpu *vcpu)
{
	bool wide = kpp_pmuver_at_least(this_cpu_read(kpp_cpu_caps.pmuver),
					 KPP_PMUVER_V3P5);
	struct kvm_pmc *pmc = vcpu->arch.pmu.pmc;
	u64 enabled, running, val;
	unsigned int i, reg;

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
	}
}

/* task_work, in the vCPU thread at the top of KVM's run loop, or on exit to user. */
static void kpp_fold_fn(struct callback_head *cb)
{
	struct kpp_fold *f = container_of(cb, struct kpp_fold, cb);
	struct kvm_vcpu *vcpu = f->vcpu;
	struct kpp_cpu *c;
	struct kpp_vm *vm;
	unsigned long flags;
	bool loaded;

	kpp_fold_unlist(f);
	/* Loaded on this CPU means loaded by us, inside a vCPU ioctl. */
	preempt_disable();
	loaded = this_cpu_read(kpp_cpu.vcpu) == vcpu;
	preempt_enable();

	if (loaded)
		kpp_fold_kvm_events(vcpu);

	kpp_pmu_irq_save(flags);
	rcu_read_lock();
	c = this_cpu_ptr(&kpp_cpu);
	vm = kpp_vm_find(f->kvm);
	if (vm)
		clear_bit(f->idx, vm->fold_queued);
	if (loaded && vm && c->vcpu == vcpu && c->vm == vm && !c->partitioned &&
	    READ_ONCE(vm->partitioned) && !READ_ONCE(kpp.unloading)) {
		clear_bit(f->idx, vm->trapped);
		kpp_partition(c, vm, vcpu);
		atomic64_inc(&vm->stats.mode_switches);
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

/* The loading vCPU's mode, against what its VM wants.  IRQs off. */
static void kpp_vcpu_mode(struct kpp_cpu *c, struct kpp_vm *vm,
			  struct kvm_vcpu *vcpu)
{
	int idx = vcpu->vcpu_idx;
	bool want;

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

	if (want && !test_bit(idx, vm->trapped) && kpp_kvm_has_events(vcpu))
		set_bit(idx, vm->trapped);	/* fold first */
	if (!test_bit(idx, vm->trapped)) {
		if (want) {
			kpp_partition(c, vm, vcpu);
			return;
		}
		set_bit(idx, vm->trapped);
		kvm_make_request(KVM_REQ_RELOAD_PMU, vcpu);
		atomic64_inc(&vm->stats.mode_switches);
	} else if (want) {
		kpp_fold_queue(vm, vcpu);
	}
}

/*
 * Called with preemption disabled, after kvm_arch_vcpu_load(): KVM has
 * written its MDCR_EL2 and PMUSERENR_EL0 for this vCPU.
 */
void kpp_vcpu_loaded(struct kvm_vcpu *vcpu)
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
	c->partitioned = false;
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
		if (c->partitioned)
			kpp_guest_save(c, vcpu);
		/* before it blocks in WFI, say */
		kpp_inject_pending(c);
	}
	c->inject_pending = false;
	c->partitioned = false;
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
 * KVM's last write of MDCR_EL2 (see compat/hooks.c).  KVM's own value stays
 * in vcpu->arch.mdcr_el2, so KVM sees no change and rewrites the register
 * only at the next vcpu_load: one MRS and a compare per entry.
 */
void kpp_guest_enter(void)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);

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
	if (c->partitioned) {
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
	if (!c->partitioned)
		goto out;
	vcpu = c->vcpu;
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

/* KVM's kvm_pmu_overflow_status() for the guest's counters, from hardware. */
static bool kpp_overflow_live(struct kvm_vcpu *vcpu, u64 pmcr)
{
	return (pmcr & KPP_PMCR_E) && vcpu->arch.pmu.irq_num &&
	       (kvm_reg(vcpu, PMOVSSET_EL0) & kvm_reg(vcpu, PMINTENSET_EL1));
}

/* The guest's PMU control registers that the host driver writes. */
static void kpp_guest_ctl_save(struct kpp_irq_ctx *x)
{
	x->pmcr = read_sysreg(pmcr_el0);
	x->pmuserenr = read_sysreg(pmuserenr_el0);
	x->pmselr = read_sysreg(pmselr_el0);
}

static void kpp_guest_ctl_restore(const struct kpp_irq_ctx *x)
{
	write_sysreg(kpp_pmcr_to_hw(x->pmcr), pmcr_el0);
	write_sysreg(x->pmuserenr, pmuserenr_el0);
	write_sysreg(x->pmselr, pmselr_el0);
	isb();
}

/*
 * arm_pmu->start()/stop() write PMCR_EL0.E, which is the guest's while a
 * partitioned vCPU is loaded; the host's counters [hpmn, N) are enabled by
 * MDCR_EL2.HPME then.  But armv8pmu_start() does more: it sets the host's
 * EL0 access and, from v6.6, asks KVM to resync the EL0 filter of
 * guest-only events (KVM_REQ_RESYNC_PMU_EL0).  Perf relies on that
 * whenever it schedules a :G event in while a vCPU stays loaded, as at
 * every multiplexing rotation; without it the event keeps
 * PMEVTYPER<n>_EL0.U set and misses the guest's EL0.  From 7.x both also
 * drive BRBE.  So the driver's callback runs as usual between these two
 * calls; the guest's PMCR_EL0, PMSELR_EL0 and PMUSERENR_EL0 are put back
 * after it, and HPME takes the host's enable.  IRQs off.  begin returns
 * false when no partitioned vCPU is loaded here.
 */
bool kpp_host_pmu_toggle_begin(struct kpp_irq_ctx *x)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);

	lockdep_assert_irqs_disabled();
	if (!kpp_cpu_valid(c) || !c->partitioned)
		return false;
	kpp_guest_ctl_save(x);
	return true;
}

void kpp_host_pmu_toggle_end(const struct kpp_irq_ctx *x, bool on)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);

	kpp_guest_ctl_restore(x);
	c->host_stopped = !on;
	kpp_write_mdcr(c);
	__this_cpu_inc(kpp_cpu_stats.host_toggles);
}

/*
 * The host PMU interrupt, before the driver's handler, which clears every
 * overflow flag (armv8pmu_getreset_flags()) and writes PMCR_EL0.E.  Forward
 * the guest's new flags to KVM and hide the guest's state from the handler.
 * Returns false when no partitioned vCPU is loaded here.  IRQs off.
 */
bool kpp_guest_irq_begin(struct kpp_irq_ctx *x)
{
	struct kpp_cpu *c = this_cpu_ptr(&kpp_cpu);
	struct kvm_vcpu *vcpu;
	u64 gm;

	if (!kpp_cpu_valid(c) || !c->partitioned)
		return false;
	vcpu = c->vcpu;
	gm = c->guest_mask;
	kpp_guest_ctl_save(x);
	x->ovs = read_sysreg(pmovsset_el0) & gm;
	x->fresh = x->ovs & read_sysreg(pmintenset_el1) & gm;
	if (x->fresh) {
		/* Quiet the line until the guest clears the flags. */
		write_sysreg(x->fresh, pmintenclr_el1);
		c->masked |= x->fresh;
		kvm_reg(vcpu, PMOVSSET_EL0) |= x->ovs;
		kvm_reg(vcpu, PMINTENSET_EL1) |= x->fresh;
		kvm_reg(vcpu, PMCR_EL0) = (kvm_reg(vcpu, PMCR_EL0) & ~KPP_PMCR_E) |
			(x->pmcr & KPP_PMCR_E);
		/*
		 * KVM would raise the PPI at the next kvm_pmu_flush_hwstate();
		 * raise it now, so that a vCPU about to block in WFI wakes.
		 */
		if (kpp_overflow_live(vcpu, x->pmcr)) {
			if (in_nmi()) {
				/* the vGIC's locks are not NMI-safe */
				c->inject_pending = true;
				irq_work_queue(this_cpu_ptr(&kpp_inject_work));
			} else {
				kpp_inject(vcpu);
			}
		}
		kvm_make_request(KVM_REQ_IRQ_PENDING, vcpu);
		__this_cpu_inc(kpp_cpu_stats.overflows);
		atomic64_inc(&c->vm->stats.overflows);
	}
	if (x->ovs)
		write_sysreg(x->ovs, pmovsclr_el0);
	isb();
	return true;
}

void kpp_guest_irq_end(struct kpp_irq_ctx *x)
{
	if (x->ovs)
		write_sysreg(x->ovs, pmovsset_el0);
	kpp_guest_ctl_restore(x);
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
	if (c->partitioned) {
		kpp_guest_save(c, vcpu);
		kpp_inject_pending(c);
		c->partitioned = false;
		set_bit(vcpu->vcpu_idx, c->vm->trapped);
		write_sysreg(vcpu->arch.mdcr_el2, mdcr_el2);
		isb();
		kvm_make_request(KVM_REQ_RELOAD_PMU, vcpu);
		__this_cpu_inc(kpp_cpu_stats.unpartitions);
	}
	kpp_pmu_irq_restore(flags);
}

void kpp_hook_stats_sum(struct kpp_hook_stats *sum)
{
	const u64 *s;
	u64 *t = (u64 *)sum;
	unsigned int i;
	int cpu;

	BUILD_BUG_ON(sizeof(*sum) % sizeof(u64));
	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		s = (const u64 *)per_cpu_ptr(&kpp_cpu_stats, cpu);
		for (i = 0; i < sizeof(*sum) / sizeof(u64); i++)
			t[i] += READ_ONCE(s[i]);
	}
}
