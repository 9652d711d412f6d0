/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every object by Kbuild, so that src/ reads like
 * upstream code.  The HAVE_* facts come from the
 * compile probes in compat/probes/, run by compat/probe.sh for the kernel
 * being built against; a shim here names the upstream change it papers
 * over and the version that brought it.
 */
#ifndef KPP_COMPAT_H
#define KPP_COMPAT_H

/* Every log line of the module, once for all files: before <linux/printk.h>. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "generated/kpp_config.h"

/*
 * struct arm_pmu's counters: v6.12 ("perf: arm_pmu" cntr_mask series)
 * replaced int num_events by a cntr_mask bitmap and made the driver's
 * index the hardware counter number, PMCCNTR at 31.  Before, index 0 is
 * PMCCNTR and index n + 1 is event counter n.
 */
#ifdef HAVE_ARM_PMU_CNTR_MASK
#define KPP_PMU_CYCLE_IDX_ZERO	false
#else
#define KPP_PMU_CYCLE_IDX_ZERO	true
#endif

/*
 * kzalloc_obj(): the slab's typed allocators, new in 7.x (present in
 * Debian 7.2, absent in 6.12); a kzalloc() of the object's size before.
 */
#ifndef HAVE_KZALLOC_OBJ
#define kzalloc_obj(obj, gfp)	kzalloc(sizeof(obj), gfp)
#endif

/*
 * system_dfl_wq: the unbound system workqueue's new name (the workqueue
 * rework that deprecates system_wq; 7.x logs a line for work queued on
 * system_wq).  Debian's 6.12 has it; before, system_unbound_wq.
 */
#ifndef HAVE_SYSTEM_DFL_WQ
#define system_dfl_wq	system_unbound_wq
#endif

#endif /* KPP_COMPAT_H */
