// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_ARM_PMU_CNTR_MASK: struct arm_pmu has a cntr_mask bitmap indexed by
 * hardware counter number, the cycle counter at bit 31 (v6.12: Rob
 * Herring's Armv9.4 instruction-counter series, whose first patch turns
 * num_events into a bitmap).
 * Before, it has int num_events, counting the cycle counter, with driver
 * index 0 for the cycle counter and index n + 1 for event counter n.
 * Checked: v6.6.34 (linux-intel-lts2023-chromium) and Debian 6.1 have
 * num_events; Debian 6.12 and 7.3 have cntr_mask.
 */
#include <linux/bitmap.h>
#include <linux/perf/arm_pmu.h>

int kpp_probe(struct arm_pmu *pmu);
int kpp_probe(struct arm_pmu *pmu)
{
	return bitmap_weight(pmu->cntr_mask, ARMPMU_MAX_HWEVENTS);
}
