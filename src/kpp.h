/* SPDX-License-Identifier: GPL-2.0 */
/* Module-wide state of kvm_pmu_partition. */
#ifndef KPP_H
#define KPP_H

#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <asm/daifflags.h>

#include "kpp_policy.h"

#define KPP_VERSION "0.1.0"

struct kpp_state {
	u32 hpmn;		/* guest counters [0, hpmn) */
	u32 hpmn_min;		/* 0 with FEAT_HPMN0 on every CPU, else 1 */
	u32 min_n;		/* the smallest PMCR_EL0.N of the CPUs */
	u32 min_pmuver;		/* the oldest ID_AA64DFR0_EL1.PMUVer of the CPUs */
	bool dynamic;		/* reserve=dynamic: claimed per load (src/host_pmu.c) */
	bool lazy;		/* lazy=1: a vCPU partitioned from its first PMU access */
	bool lazy_free;		/* lazy_free=1: and free again when it stops counting */
	bool unloading;		/* rmmod: partition no more vCPUs */
	bool live;		/* every hook in: kpp_init() done */
	bool hooks_missed;	/* a load or put went unseen (src/switch.c) */
};

/* src/cpus.c: the partition, and each CPU's PMU */
extern struct kpp_state kpp;
void kpp_read_caps(void *unused);
int kpp_cpus_check(int hpmn_param);
int kpp_cpu_online(unsigned int cpu);

/*
 * The host PMU interrupt shares the per-CPU state with the hooks.  With
 * pseudo-NMI (CONFIG_ARM64_PSEUDO_NMI, irqchip.gicv3_pseudo_nmi=1) it is
 * an NMI, which local_irq_save() does not hold off; masking DAIF does.
 */
#define kpp_pmu_irq_save(flags)		((flags) = local_daif_save())
#define kpp_pmu_irq_restore(flags)	local_daif_restore(flags)
DECLARE_PER_CPU(struct kpp_pmu_caps, kpp_cpu_caps);	/* per-CPU PMU shape */

struct arm_pmu;
struct kvm;
struct kvm_vcpu;

/* src/vm.c: the VM registry; struct kpp_vm is in src/vm.h. */
struct kpp_vm;
struct kobject;
struct kpp_vm *kpp_vm_created(struct kvm *kvm);
struct kpp_vm *kpp_vm_destroyed(struct kvm *kvm);
unsigned int kpp_vms_partitioned(void);
unsigned int kpp_vm_objects_alive(void);
void kpp_vms_hand_back(void);
void kpp_vms_unregister_all(void);
void kpp_vms_exit(void);

/* src/guest_n.c: the N a VMM may choose (kernels with a per-VM N) */
void kpp_vm_pmu_chosen(struct kvm *kvm);
int kpp_vm_n_written(struct kvm *kvm, u32 old, u32 new);

/* src/vm_sysfs.c: vms/<pid>-<fd>/ */
int kpp_vm_sysfs_init(struct kobject *parent);
void kpp_vm_sysfs_exit(void);

/*
 * How often each hook ran, per CPU (src/switch.c), summed over CPUs for
 * stats/ (src/sysfs.c, kpp_stat_attrs[]).  Only u64 counters: the sum
 * adds them as an array.
 */
struct kpp_hook_stats {
	u64 loads;
	u64 puts;
	u64 entries;
	u64 unknown_entries;
	u64 mdcr_writes;	/* MDCR_EL2 written for a partitioned vCPU */
	u64 switches;		/* guest PMU state loaded into hardware */
	u64 overflows;		/* guest overflow interrupts forwarded to KVM */
	u64 host_toggles;	/* arm_pmu->start/stop turned into HPME */
	u64 unpartitions;	/* partitioned vCPUs handed back to KVM at rmmod */
	u64 hooks_missed;	/* vCPUs dropped: their load or put went unseen */
	u64 folds;		/* KVM's perf events folded into a vCPU's copies */
	u64 pmcr_traps;		/* guest PMCR_EL0 accesses emulated (TPMCR, no HCCD) */
	u64 dp_cleared;		/* exits that found PMCR_EL0.DP cleared untrapped */
	u64 unreserved_loads;	/* partitioned vCPUs loaded trapped: PMU not held */
	u64 host_rescheds;	/* reserve=dynamic: perf reschedules at load or put */
	u64 host_events_moved;	/* host events moved off the guest's counters */
	u64 host_events_waiting;	/* flexible host events left to perf's rotation */
	u64 host_pinned_lost;	/* pinned host events put in error by a load */
	u64 lazy_loads;		/* loads of a free vCPU: nothing switched */
	u64 lazy_owned;		/* free vCPUs whose guest touched its PMU */
	u64 lazy_freed;		/* vCPUs free again: all counters off at put */
};

DECLARE_PER_CPU(struct kpp_hook_stats, kpp_cpu_stats);	/* src/cpus.c */

/* What the host PMU driver wrappers save around the driver's callbacks. */
struct kpp_irq_ctx {
	u64 pmcr, pmuserenr, pmselr;
	u64 ovs;		/* the guest's overflow flags, hidden */
	u64 fresh;		/* of those, the ones that raised this IRQ */
};

/* hooks/kvm.c: reach into KVM */
int kpp_hooks_install(void);
void kpp_hooks_remove_starters(void);
void kpp_hooks_remove(void);

/* src/vcpu.c: what the KVM hooks call */
void kpp_vcpu_load(struct kvm_vcpu *vcpu);
void kpp_vcpu_put(struct kvm_vcpu *vcpu);
void kpp_guest_enter(void);
void kpp_guest_exit(void);
void kpp_vcpu_unpartition_this_cpu(void);

/* src/switch.c; the first is KVM's access_pmcr() without HCCD */
bool kpp_guest_pmcr_access(struct kvm_vcpu *vcpu, u64 *regval, bool is_write);
void kpp_hook_stats_sum(struct kpp_hook_stats *sum);
void kpp_hooks_lost(void);	/* a hook went, or will go, unseen */

/* src/mode.c */
void kpp_vcpu_folds_cancel(void);
void kpp_vcpu_folds_sync(void);

/* src/irq.c: what the host PMU driver's wrappers call */
void kpp_irq_init(void);
void kpp_irq_work_sync(void);
bool kpp_host_pmu_toggle_begin(struct kpp_irq_ctx *x);
void kpp_host_pmu_toggle_end(const struct kpp_irq_ctx *x, bool on);
bool kpp_guest_irq_begin(struct kpp_irq_ctx *x);
void kpp_guest_irq_end(struct kpp_irq_ctx *x);

#define KPP_MAX_ARM_PMUS	4	/* big.LITTLE and beyond */

/* src/host_pmu.c; callers hold cpus_read_lock() */
int kpp_host_pmu_reserve(u32 hpmn);
void kpp_host_pmu_release(void);
void kpp_host_pmu_release_this_cpu(void);
int kpp_host_pmus(struct arm_pmu ***pmus);
bool kpp_host_pmu_reserved(int cpu);	/* at vCPU load, preemption off */
/* reserve=dynamic, on the CPU with IRQs off */
struct pmu_hw_events;
bool kpp_host_pmu_claim(const char *vm, int vcpu);
void kpp_host_pmu_unclaim(void);
unsigned long kpp_host_pmu_hidden(struct arm_pmu *pmu, struct pmu_hw_events *hw);

/* hooks/arm_pmu.c */
int kpp_host_pmu_wrap(void);
void kpp_host_pmu_unwrap(void);

/*
 * Test builds (KPP_TEST_FAULTS=1, src/faults.c): fail the Nth hook
 * registration, sleep after a chosen step of kpp_shutdown(), and switch
 * an isolation rule off (skip_rules=BIT(rule)) so that its test
 * (tests/vm/cases/45-isolation.sh) is seen to fail.
 */
enum kpp_rule {
	KPP_RULE_SCRUB,		/* zero the guest's counters at put */
	KPP_RULE_FILTER,	/* a VM with a KVM event filter stays trapped */
	KPP_RULE_DP,		/* no HCCD: PMCR_EL0.DP forced, PMCR_EL0 emulated */
	KPP_RULE_NV,		/* a VM with nested virtualisation stays trapped */
	KPP_RULE_IRQ_FLAGS,	/* the host's IRQ handler sees no guest PMOVS bit */
	KPP_RULE_CPU,		/* partitioned only on a CPU whose PMU is reserved */
};

#ifdef CONFIG_KPP_TEST_FAULTS
extern unsigned int kpp_skip_rules;
static inline bool kpp_rule_off(enum kpp_rule r)
{
	return READ_ONCE(kpp_skip_rules) & BIT(r);
}

int kpp_fault_hook(const char *what);
void kpp_fault_delay(unsigned int step);
bool kpp_fault_skip_offline(void);
#else
static inline bool kpp_rule_off(enum kpp_rule r)
{
	return false;
}

static inline int kpp_fault_hook(const char *what)
{
	return 0;
}

static inline void kpp_fault_delay(unsigned int step)
{
}

static inline bool kpp_fault_skip_offline(void)
{
	return false;
}
#endif

/* src/sysfs.c */
int kpp_sysfs_init(void);
void kpp_sysfs_exit(void);

#endif /* KPP_H */
