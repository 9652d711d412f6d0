// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/kvm_pmu_partition/: read-only view of the module's choices.
 *   hpmn      event counters [0, hpmn) given to guests (MDCR_EL2.HPMN)
 *   pmcr_n    PMCR_EL0.N of each online CPU, "cpuN:n" per line
 *   features  what the CPUs offer: vhe fgt hpmn0 pmuver (common to all)
 *   compat    the compat paths this build took, from the compile probes
 *   partitioned_vms  VMs whose guests own counters [0, hpmn)
 *   stats/    hook counters: vcpu_loads vcpu_puts guest_entries
 *             unknown_entries (entries with no vCPU loaded by our hook)
 *             mdcr_writes (MDCR_EL2 written for a partitioned vCPU)
 *             state_switches (guest PMU state loaded into hardware)
 *             overflows_forwarded (guest overflow IRQs handed to KVM)
 *             host_pmu_toggles (arm_pmu start/stop turned into HPME)
 *             kvm_event_folds (KVM perf events folded at trapped ->
 *             partitioned), pmcr_traps (guest PMCR_EL0 accesses
 *             emulated where there is no HCCD), dp_cleared (guest
 *             exits that found PMCR_EL0.DP cleared: a PE or model that
 *             does not trap PMCR_EL0 on TPMCR), vm_objects (VMs the
 *             module tracks)
 *   vms/      one directory per VM (src/vm_sysfs.c)
 */
#include <linux/cpumask.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "kpp.h"

static struct kobject *kpp_kobj;

static ssize_t hpmn_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", kpp.hpmn);
}

static ssize_t pmcr_n_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	int cpu, len = 0;

	for_each_online_cpu(cpu)
		len += sysfs_emit_at(buf, len, "cpu%d:%u\n", cpu,
				     per_cpu_ptr(&kpp_cpu_caps, cpu)->nr_counters);
	return len;
}

/* Features every online CPU has: the partition relies on the weakest one. */
static ssize_t features_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	bool vhe = true, fgt = true, hpmn0 = true;
	u32 pmuver = KPP_PMUVER_IMP_DEF;
	const struct kpp_pmu_caps *c;
	int cpu;

	for_each_online_cpu(cpu) {
		c = per_cpu_ptr(&kpp_cpu_caps, cpu);
		vhe &= c->vhe;
		fgt &= c->fgt;
		hpmn0 &= c->hpmn0;
		pmuver = min(pmuver, c->pmuver);
	}
	return sysfs_emit(buf, "vhe=%d fgt=%d hpmn0=%d pmuver=%#x\n",
			  vhe, fgt, hpmn0, pmuver);
}

static ssize_t compat_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", KPP_COMPAT_DESC);
}

/* stats/<name>: one of struct kpp_hook_stats, summed over CPUs */
struct kpp_stat_attr {
	struct kobj_attribute attr;
	size_t off;
};

static ssize_t kpp_stat_show(struct kobject *k, struct kobj_attribute *a,
			     char *buf)
{
	const struct kpp_stat_attr *sa = container_of(a, struct kpp_stat_attr, attr);
	struct kpp_hook_stats s;

	kpp_hook_stats_sum(&s);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((char *)&s + sa->off));
}

#define KPP_STAT(_name, _field) {					\
	.attr = __ATTR(_name, 0444, kpp_stat_show, NULL),		\
	.off = offsetof(struct kpp_hook_stats, _field),			\
}

/* The one table of the statistics' names. */
static struct kpp_stat_attr kpp_stat_attrs[] = {
	KPP_STAT(vcpu_loads, loads),
	KPP_STAT(vcpu_puts, puts),
	KPP_STAT(guest_entries, entries),
	KPP_STAT(unknown_entries, unknown_entries),
	KPP_STAT(mdcr_writes, mdcr_writes),
	KPP_STAT(state_switches, switches),
	KPP_STAT(overflows_forwarded, overflows),
	KPP_STAT(host_pmu_toggles, host_toggles),
	KPP_STAT(kvm_event_folds, folds),
	KPP_STAT(hooks_missed, hooks_missed),
	KPP_STAT(pmcr_traps, pmcr_traps),
	KPP_STAT(dp_cleared, dp_cleared),
	KPP_STAT(unreserved_loads, unreserved_loads),
	KPP_STAT(host_rescheds, host_rescheds),
	KPP_STAT(host_events_moved, host_events_moved),
	KPP_STAT(host_events_waiting, host_events_waiting),
	KPP_STAT(host_pinned_lost, host_pinned_lost),
	KPP_STAT(lazy_loads, lazy_loads),
	KPP_STAT(lazy_owned, lazy_owned),
	KPP_STAT(lazy_freed, lazy_freed),
};

static ssize_t vm_objects_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%u\n", kpp_vm_objects_alive());
}

static struct kobj_attribute vm_objects_attr = __ATTR_RO(vm_objects);

static ssize_t partitioned_vms_show(struct kobject *k, struct kobj_attribute *a,
				    char *buf)
{
	return sysfs_emit(buf, "%u\n", kpp_vms_partitioned());
}

static struct kobj_attribute partitioned_vms_attr = __ATTR_RO(partitioned_vms);

static struct kobj_attribute hpmn_attr = __ATTR_RO(hpmn);
static struct kobj_attribute pmcr_n_attr = __ATTR_RO(pmcr_n);
static struct kobj_attribute features_attr = __ATTR_RO(features);
static struct kobj_attribute compat_attr = __ATTR_RO(compat);

static struct attribute *kpp_attrs[] = {
	&hpmn_attr.attr,
	&pmcr_n_attr.attr,
	&features_attr.attr,
	&partitioned_vms_attr.attr,
	&compat_attr.attr,
	NULL,
};

static const struct attribute_group kpp_group = {
	.attrs = kpp_attrs,
};

/* Filled from kpp_stat_attrs[] at init, plus vm_objects and NULL. */
static struct attribute *kpp_stats_attrs[ARRAY_SIZE(kpp_stat_attrs) + 2];

static const struct attribute_group kpp_stats_group = {
	.name = "stats",
	.attrs = kpp_stats_attrs,
};

static const struct attribute_group *kpp_groups[] = {
	&kpp_group,
	&kpp_stats_group,
	NULL,
};

int kpp_sysfs_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(kpp_stat_attrs); i++)
		kpp_stats_attrs[i] = &kpp_stat_attrs[i].attr.attr;
	kpp_stats_attrs[i] = &vm_objects_attr.attr;
	kpp_kobj = kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
	if (!kpp_kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(kpp_kobj, kpp_groups);
	if (!ret) {
		ret = kpp_vm_sysfs_init(kpp_kobj);
		if (ret)
			sysfs_remove_groups(kpp_kobj, kpp_groups);
	}
	if (ret)
		kobject_put(kpp_kobj);
	return ret;
}

/* After every hook is gone. */
void kpp_sysfs_exit(void)
{
	kpp_vm_sysfs_exit();
	sysfs_remove_groups(kpp_kobj, kpp_groups);
	kobject_put(kpp_kobj);
}
