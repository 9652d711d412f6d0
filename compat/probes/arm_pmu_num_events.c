// SPDX-License-Identifier: GPL-2.0
/* HAVE_ARM_PMU_NUM_EVENTS: struct arm_pmu has int num_events (before v6.12). */
#include <linux/perf/arm_pmu.h>

int kpp_probe(struct arm_pmu *pmu);
int kpp_probe(struct arm_pmu *pmu)
{
	return pmu->num_events;
}
