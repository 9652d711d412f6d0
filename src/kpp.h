/* SPDX-License-Identifier: GPL-2.0 */
/* Module-wide state of kvm_pmu_partition. */
#ifndef KPP_H
#define KPP_H

#include <linux/percpu.h>
#include <linux/types.h>

#include "kpp_policy.h"

#define KPP_VERSION "0.1.0"

struct kpp_state {
	u32 hpmn;		/* guest counters [0, hpmn) */
};

extern struct kpp_state kpp;
DECLARE_PER_CPU(struct kpp_pmu_caps, kpp_cpu_caps);	/* per-CPU PMU shape */

struct kvm_vcpu;

/* How often each hook ran (src/vcpu.c), summed over CPUs for sysfs. */
struct kpp_hook_stats {
	u64 loads;
	u64 puts;
	u64 entries;
	u64 unknown_entries;
	u64 mdcr_writes;	/* MDCR_EL2 rewritten at guest entry */
};

/* compat/hooks.c: reach into KVM; the callbacks are in src/vcpu.c. */
int kpp_hooks_install(void);
void kpp_hooks_remove(void);
void kpp_vcpu_loaded(struct kvm_vcpu *vcpu);
void kpp_vcpu_put(struct kvm_vcpu *vcpu);
void kpp_guest_enter(void);
void kpp_hook_stats_sum(struct kpp_hook_stats *sum);

/* src/host_pmu.c; callers hold cpus_read_lock() */
int kpp_host_pmu_reserve(u32 hpmn);
void kpp_host_pmu_release(void);

/* src/sysfs.c */
int kpp_sysfs_init(void);
void kpp_sysfs_exit(void);

#endif /* KPP_H */
