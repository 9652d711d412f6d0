// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_pmu_partition: lifecycle and module parameters.
 *
 * Partition each CPU's PMUv3 with MDCR_EL2.HPMN: event counters [0, hpmn)
 * for the guest, [hpmn, N) for host perf.  Loading checks every CPU
 * (src/cpus.c), reserves the guest's counters from host perf
 * (src/host_pmu.c), wraps the host PMU driver (hooks/arm_pmu.c), then
 * hooks KVM (hooks/kvm.c); kpp_shutdown() is the one way back down.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>

#include "kpp.h"

static int hpmn_param = KPP_HPMN_UNSET;

static int hpmn_param_set(const char *val, const struct kernel_param *kp)
{
	int hpmn, ret;

	ret = kpp_parse_hpmn(val, &hpmn);
	if (ret) {
		pr_err("hpmn=%s: %s; use a counter count from 0 to %u\n",
		       val, ret == -ERANGE ? "out of range" : "not a number",
		       KPP_MAX_COUNTERS);
		return -EINVAL;
	}
	*(int *)kp->arg = hpmn;
	return 0;
}

static const struct kernel_param_ops hpmn_param_ops = {
	.set = hpmn_param_set,
	.get = param_get_int,
};

module_param_cb(hpmn, &hpmn_param_ops, &hpmn_param, 0444);
MODULE_PARM_DESC(hpmn,
		 "Event counters [0,hpmn) given to guests (MDCR_EL2.HPMN); default: half of the smallest PMCR_EL0.N");

/*
 * reserve=static by default: with dynamic, perf's scaling of multiplexed
 * host :G events of a partitioned guest is biased low (they run more
 * while its vCPU is not loaded, when they count nothing): 90-realvmm A
 * read 3.7% below the loop with 8 events on n1-11.
 */
static bool reserve_static = true;

static int reserve_param_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "dynamic")) {
		reserve_static = false;
	} else if (sysfs_streq(val, "static")) {
		reserve_static = true;
	} else {
		pr_err("reserve=%s: use 'dynamic' (the guest's counters are the host's while no partitioned vCPU is loaded on a CPU) or 'static' (from load to unload)\n",
		       val);
		return -EINVAL;
	}
	return 0;
}

static int reserve_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", reserve_static ? "static" : "dynamic");
}

static const struct kernel_param_ops reserve_param_ops = {
	.set = reserve_param_set,
	.get = reserve_param_get,
};

module_param_cb(reserve, &reserve_param_ops, NULL, 0444);
MODULE_PARM_DESC(reserve,
		 "When host perf is kept off the guest's counters: 'static' (default) from load to unload, 'dynamic' only while a partitioned vCPU is loaded on the CPU");

static bool lazy = true;
module_param(lazy, bool, 0444);
MODULE_PARM_DESC(lazy,
		 "Partition a vCPU from its guest's first PMU access (default Y); N: from its first load");

static bool lazy_free;
module_param(lazy_free, bool, 0444);
MODULE_PARM_DESC(lazy_free,
		 "With lazy: free a vCPU again at a put that finds all its counters off (default N: host :G counts of a guest running perf stat read 1-2% low with it)");

static enum cpuhp_state kpp_cpuhp_state;

/* Undo what kpp_init() set up before sysfs and the hooks, in reverse. */
static void kpp_teardown(void)
{
	cpuhp_remove_state_nocalls(kpp_cpuhp_state);
	kpp_host_pmu_unwrap();
	/* an overflow taken as a pseudo-NMI may have queued an injection */
	kpp_irq_work_sync();
	cpus_read_lock();
	kpp_host_pmu_release();
	cpus_read_unlock();
}

/* On each CPU, IRQs off: the loaded vCPU back to KVM, the counters to perf. */
static void kpp_unload_this_cpu(void *unused)
{
	kpp_vcpu_unpartition_this_cpu();
	kpp_host_pmu_release_this_cpu();
}

/*
 * The one way down, for rmmod and for a load that failed once a hook was
 * live.  Each step copes with what was never set up.
 */
static void kpp_shutdown(void)
{
	/* 1. Partition no more vCPUs, queue no more folds. */
	WRITE_ONCE(kpp.unloading, true);
	smp_mb();	/* pairs with kpp_fold_queue(): set, then count */
	kpp_fault_delay(1);
	/* 2. The folds not started stay undone: those vCPUs keep KVM's events. */
	kpp_vcpu_folds_cancel();
	kpp_fault_delay(2);
	/*
	 * 3. Hand each loaded vCPU back to KVM's emulated PMU with its values
	 * and release the guest's counters, on each CPU in one step, before
	 * KVM can recreate its perf events there; then ask KVM to recreate
	 * them for every vCPU.  Before any hook goes: removing a kprobe puts
	 * every loaded vCPU (stop_machine()), and KVM must not recreate its
	 * events while the counters are still reserved (measured: its
	 * PMCCNTR event then counted nothing).  A vCPU loaded from here on
	 * is handed back by the load hook.
	 */
	cpus_read_lock();
	on_each_cpu(kpp_unload_this_cpu, NULL, 1);
	cpus_read_unlock();
	kpp_vms_hand_back();
	kpp_fault_delay(3);
	/* 4. Every VM dying, while the destroy hook still runs. */
	kpp_vms_unregister_all();
	kpp_fault_delay(4);
	/* 5. The hooks: VM creation, N and load first, destroy last. */
	kpp_hooks_remove_starters();
	kpp_fault_delay(5);
	kpp_hooks_remove();
	kpp_fault_delay(6);
	/* 6. No fold's return into this text left; then sysfs, the PMU. */
	kpp_vcpu_folds_sync();
	kpp_sysfs_exit();
	kpp_teardown();
	kpp_vms_exit();
}

static int __init kpp_init(void)
{
	const struct kpp_pmu_caps *c;
	int ret;

	kpp_irq_init();
	cpus_read_lock();
	on_each_cpu(kpp_read_caps, NULL, 1);
	kpp.dynamic = !reserve_static;
	kpp.lazy = lazy;
	kpp.lazy_free = lazy && lazy_free;
	ret = kpp_cpus_check(hpmn_param);
	if (!ret) {
		hpmn_param = kpp.hpmn;	/* show the effective value in sysfs */
		ret = kpp_host_pmu_reserve(kpp.hpmn);
	}
	if (!ret) {
		ret = kpp_host_pmu_wrap();
		if (ret)
			kpp_host_pmu_release();
	}
	if (!ret) {
		ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
							   "kvm_pmu_partition:online",
							   kpp_cpu_online, NULL);
		if (ret >= 0) {
			kpp_cpuhp_state = ret;
			ret = 0;
		} else {
			kpp_host_pmu_unwrap();
			kpp_host_pmu_release();
		}
	}
	cpus_read_unlock();
	if (ret)
		return ret;

	ret = kpp_sysfs_init();
	if (ret) {
		kpp_teardown();
		return ret;
	}
	ret = kpp_hooks_install();
	if (ret) {
		/* A vCPU may be partitioned, a fold queued: all the way down. */
		kpp_shutdown();
		return ret;
	}

	WRITE_ONCE(kpp.live, true);
	if (IS_ENABLED(CONFIG_KPP_TEST_FAULTS))
		pr_warn("TEST BUILD: fault injection (fail_hook, delay_steps); never use it in production\n");
	if (IS_ENABLED(CONFIG_KPP_TEST_OMIT_HPME))
		pr_warn("TEST BUILD: MDCR_EL2.HPME is left clear (the seed's bug); never use it in production\n");
	c = per_cpu_ptr(&kpp_cpu_caps, raw_smp_processor_id());
	pr_info("hpmn=%u of N=%u, PMUVer=%#x, VHE=%d FGT=%d HPMN0=%d, reserve=%s lazy=%d, compat: %s\n",
		kpp.hpmn, c->nr_counters, c->pmuver, c->vhe, c->fgt, c->hpmn0,
		kpp.dynamic ? "dynamic" : "static", kpp.lazy, KPP_COMPAT_DESC);
	return 0;
}

static void __exit kpp_exit(void)
{
	struct kpp_hook_stats st;

	kpp_shutdown();
	kpp_hook_stats_sum(&st);
	pr_info("unloaded; %llu loaded vCPUs handed back to KVM's emulated PMU\n",
		st.unpartitions);
}

module_init(kpp_init);
module_exit(kpp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Partition the arm64 PMU between KVM guests and host perf with MDCR_EL2.HPMN");
MODULE_AUTHOR("kvm_pmu_partition developers");
MODULE_VERSION(KPP_VERSION);
