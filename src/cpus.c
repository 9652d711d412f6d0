// SPDX-License-Identifier: GPL-2.0
/*
 * Each CPU's PMU as it looks from EL2, and the partition's module-wide
 * state.  Every CPU must honour hpmn: PMCR_EL0.N >= hpmn, FEAT_HPMN0 for
 * hpmn = 0, a PMUv3 and VHE (src/policy.c decides, this file reads).
 */
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "kpp.h"

struct kpp_state kpp;
DEFINE_PER_CPU(struct kpp_pmu_caps, kpp_cpu_caps);
/* stats/, summed by kpp_hook_stats_sum() (src/switch.c) */
DEFINE_PER_CPU(struct kpp_hook_stats, kpp_cpu_stats);

/* Runs on each CPU: the PMU's shape as that CPU sees it from EL2. */
void kpp_read_caps(void *unused)
{
	struct kpp_pmu_caps *caps = this_cpu_ptr(&kpp_cpu_caps);
	u64 dfr0 = read_sysreg_s(SYS_ID_AA64DFR0_EL1);
	u64 pmcr = 0;

	/* PMCR_EL0 is UNDEFINED without an architected PMUv3. */
	if (kpp_pmuver_at_least(kpp_pmuver(dfr0), KPP_PMUVER_V3))
		pmcr = read_sysreg(pmcr_el0);
	kpp_caps_from_regs(caps, pmcr, dfr0,
			   read_sysreg_s(SYS_ID_AA64MMFR0_EL1),
			   is_kernel_in_hyp_mode());
}

/*
 * Check every online CPU (their caps read) against hpmn, or choose the
 * default from the smallest PMU when hpmn is KPP_HPMN_UNSET.  Sets
 * kpp.hpmn, kpp.min_n, kpp.min_pmuver and kpp.hpmn_min.  Under
 * cpus_read_lock().
 */
int kpp_cpus_check(int hpmn_param)
{
	struct kpp_pmu_caps *caps;
	enum kpp_refusal why;
	u32 hpmn, min_n = U32_MAX, min_pmuver = KPP_PMUVER_IMP_DEF;
	int cpu;

	for_each_online_cpu(cpu) {
		caps = per_cpu_ptr(&kpp_cpu_caps, cpu);
		min_n = min(min_n, caps->nr_counters);
		min_pmuver = min(min_pmuver, caps->pmuver);
	}

	if (hpmn_param == KPP_HPMN_UNSET) {
		hpmn = U32_MAX;
		for_each_online_cpu(cpu)
			hpmn = min(hpmn, kpp_default_hpmn(per_cpu_ptr(&kpp_cpu_caps, cpu)));
	} else {
		hpmn = hpmn_param;
	}

	for_each_online_cpu(cpu) {
		caps = per_cpu_ptr(&kpp_cpu_caps, cpu);
		why = kpp_check_hpmn(caps, hpmn);
		if (why == KPP_OK)
			continue;
		if (why == KPP_HPMN_TOO_BIG || why == KPP_HPMN0_UNSUPPORTED)
			pr_err("hpmn=%u refused on CPU%d: %s (PMCR_EL0.N=%u); use hpmn=%u..%u\n",
			       hpmn, cpu, kpp_refusal_str(why), caps->nr_counters,
			       caps->hpmn0 ? 0 : 1, min_n);
		else
			pr_err("cannot partition the PMU of CPU%d: %s\n", cpu,
			       kpp_refusal_str(why));
		return kpp_refusal_errno(why);
	}
	kpp.hpmn = hpmn;
	kpp.min_n = min_n;
	kpp.min_pmuver = min_pmuver;
	kpp.hpmn_min = 0;
	for_each_online_cpu(cpu)
		if (!per_cpu_ptr(&kpp_cpu_caps, cpu)->hpmn0)
			kpp.hpmn_min = 1;
	return 0;
}

/*
 * A CPU coming online after load: read its PMU and refuse to bring it up
 * if it cannot honour hpmn (a cluster with fewer counters, say).  Runs on
 * that CPU (CPUHP_AP_ONLINE_DYN); an error rolls the online back.
 */
int kpp_cpu_online(unsigned int cpu)
{
	const struct kpp_pmu_caps *caps = per_cpu_ptr(&kpp_cpu_caps, cpu);
	enum kpp_refusal why;

	/* The hotplug thread is bound to this CPU; keep this_cpu_ptr() quiet. */
	preempt_disable();
	kpp_read_caps(NULL);
	preempt_enable();
	why = kpp_check_hpmn(caps, kpp.hpmn);
	if (why == KPP_OK) {
		WRITE_ONCE(kpp.min_n, min(kpp.min_n, caps->nr_counters));
		WRITE_ONCE(kpp.min_pmuver, min(kpp.min_pmuver, caps->pmuver));
		return 0;
	}
	pr_err("CPU%u cannot come online: %s (PMCR_EL0.N=%u, hpmn=%u); unload the module first\n",
	       cpu, kpp_refusal_str(why), caps->nr_counters, kpp.hpmn);
	return kpp_refusal_errno(why);
}
