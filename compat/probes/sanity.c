// SPDX-License-Identifier: GPL-2.0
/* Must always compile: if it does not, probing itself is broken. */
#include <linux/module.h>
#include <linux/kvm_host.h>
#include <linux/perf/arm_pmu.h>

int kpp_probe(void);
int kpp_probe(void)
{
	return sizeof(struct kvm_vcpu) + sizeof(struct arm_pmu) > 0;
}
