/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Each CPU's account of the vCPU loaded on it: src/switch.c moves the
 * guest's PMU state between KVM's copies and the hardware; src/vcpu.c
 * (the vCPU hooks), src/mode.c (mode switches) and src/irq.c (the PMU
 * interrupt and the host driver's start/stop) act on it.  Every access
 * is on the CPU itself, with the PMU interrupt masked (kpp_pmu_irq_save()).
 */
#ifndef KPP_SWITCH_H
#define KPP_SWITCH_H

#include <linux/compiler.h>
#include <linux/kvm_host.h>
#include <linux/percpu.h>

#include "exports.h"
#include "kpp.h"

/* A vCPU's register in KVM's memory-backed copy (not NV's VNCR page). */
#define kvm_reg(vcpu, r)	ctxt_sys_reg(&(vcpu)->arch.ctxt, (r))

struct kpp_cpu {
	struct kvm_vcpu *vcpu;	/* loaded here, or NULL */
	struct kpp_vm *vm;
	bool pending;		/* partitioned: into hardware at the next entry */
	bool partitioned;	/* the guest's PMU state is in hardware */
	bool host_stopped;	/* arm_pmu->stop() since load: HPME clear */
	bool force_dp;		/* no HCCD: PMCR_EL0.DP kept 1, PMCR_EL0 trapped */
	u32 hpmn;
	u64 guest_mask;		/* PMCNTEN/PMINTEN/PMOVS bits: [0, hpmn) and 31 */
	u64 host_pmcr;		/* the host driver's PMCR_EL0 at load */
	u64 masked;		/* PMINTENSET_EL1 bits held clear, flag pending */
	u64 cnten;		/* KVM's PMCNTENSET_EL0, held while pending */
	bool inject_pending;	/* an overflow seen in NMI, the PPI not raised */
	bool lazy;		/* the loaded vCPU is free: its PMU accesses trap */
	bool synced;		/* a load or put seen here since kpp_init() */
};

DECLARE_PER_CPU(struct kpp_cpu, kpp_cpu);

/* src/switch.c */
void kpp_cpu_drop(struct kpp_cpu *c);
void kpp_write_mdcr(struct kpp_cpu *c);
bool kpp_partition(struct kpp_cpu *c, struct kpp_vm *vm, struct kvm_vcpu *vcpu);
void kpp_switch_in(struct kpp_cpu *c);
void kpp_switch_cancel(struct kpp_cpu *c);
void kpp_guest_save(struct kpp_cpu *c, struct kvm_vcpu *vcpu);
void kpp_guest_keep_dp(struct kpp_cpu *c, struct kvm_vcpu *vcpu);

/*
 * Is this CPU's account of its loaded vCPU KVM's own (kvm_running_vcpu,
 * written around every load and put)?  Not when a load or put kprobe was
 * missed (kprobes disarmed through debugfs while the tracepoints and the
 * driver's callbacks run on): then kpp_cpu_drop().  IRQs off.
 */
static inline bool kpp_cpu_check(struct kpp_cpu *c, struct kvm_vcpu *running)
{
	if (likely(!c->vcpu || c->vcpu == running))
		return true;
	kpp_cpu_drop(c);
	return false;
}

/* The same, where the running vCPU is not at hand (entry, PMU callbacks). */
static inline bool kpp_cpu_valid(struct kpp_cpu *c)
{
	return !c->vcpu || kpp_cpu_check(c, kpp_get_running_vcpu());
}

/* src/irq.c: an overflow taken as a pseudo-NMI, its PPI not raised yet */
void kpp_inject_pending(struct kpp_cpu *c);

/* src/mode.c: the loading vCPU's mode, against what its VM wants */
void kpp_vcpu_mode(struct kpp_cpu *c, struct kpp_vm *vm, struct kvm_vcpu *vcpu);
void kpp_vcpu_lazy_exit(struct kpp_cpu *c);
void kpp_vcpu_idle_check(struct kpp_cpu *c, struct kvm_vcpu *vcpu);

#endif /* KPP_SWITCH_H */
