// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU context switch: what happens at vcpu_load, vcpu_put and guest entry.
 *
 * For now this tracks which vCPU is loaded on each CPU (KVM's own
 * kvm_get_running_vcpu() is not exported to modules from 7.x) and counts
 * the hook invocations.  The partition itself plugs in here.
 */
#include <linux/kvm_host.h>
#include <linux/percpu.h>

#include "kpp.h"

static DEFINE_PER_CPU(struct kvm_vcpu *, kpp_loaded_vcpu);
static DEFINE_PER_CPU(struct kpp_hook_stats, kpp_cpu_stats);

/* Called with preemption disabled, after kvm_arch_vcpu_load(). */
void kpp_vcpu_loaded(struct kvm_vcpu *vcpu)
{
	__this_cpu_write(kpp_loaded_vcpu, vcpu);
	__this_cpu_inc(kpp_cpu_stats.loads);
}

/* Called with preemption disabled, before kvm_arch_vcpu_put(). */
void kpp_vcpu_put(struct kvm_vcpu *vcpu)
{
	__this_cpu_write(kpp_loaded_vcpu, NULL);
	__this_cpu_inc(kpp_cpu_stats.puts);
}

/* Called with IRQs off, just before the world switch into the guest. */
void kpp_guest_enter(void)
{
	__this_cpu_inc(kpp_cpu_stats.entries);
	if (unlikely(!__this_cpu_read(kpp_loaded_vcpu)))
		__this_cpu_inc(kpp_cpu_stats.unknown_entries);
}

void kpp_hook_stats_sum(struct kpp_hook_stats *sum)
{
	const struct kpp_hook_stats *s;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(&kpp_cpu_stats, cpu);
		sum->loads += READ_ONCE(s->loads);
		sum->puts += READ_ONCE(s->puts);
		sum->entries += READ_ONCE(s->entries);
		sum->unknown_entries += READ_ONCE(s->unknown_entries);
	}
}
