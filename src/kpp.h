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

#endif /* KPP_H */
