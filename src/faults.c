// SPDX-License-Identifier: GPL-2.0
/*
 * Test builds only (make KPP_TEST_FAULTS=1; Kbuild leaves this file out
 * otherwise): fail the Nth hook registration, and sleep after chosen
 * points of kpp_shutdown(), so that tests/vm/cases/78-faults.sh can reach
 * the windows in between; skip_rules switches isolation rules off, so
 * that tests/vm/cases/45-isolation.sh sees each rule's test fail without
 * its rule; skip_offline leaves a CPU's PMU unreserved, for KPP_RULE_CPU's
 * test.
 */
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

#include "kpp.h"

static unsigned int fail_hook;
module_param(fail_hook, uint, 0444);
MODULE_PARM_DESC(fail_hook, "TEST BUILD: the Nth hook registration fails (1-based; 0: none)");

static unsigned int delay_steps, delay_ms;
module_param(delay_steps, uint, 0444);
MODULE_PARM_DESC(delay_steps, "TEST BUILD: sleep delay_ms after shutdown point n (1-6) if bit n is set");
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "TEST BUILD: see delay_steps");

static bool skip_offline;
module_param(skip_offline, bool, 0444);
MODULE_PARM_DESC(skip_offline, "TEST BUILD: leave the CPUs offline at load unreserved, as if their PMU went unseen");

unsigned int kpp_skip_rules;
module_param_named(skip_rules, kpp_skip_rules, uint, 0644);
MODULE_PARM_DESC(skip_rules, "TEST BUILD: bit n switches isolation rule n off (enum kpp_rule)");

int kpp_fault_hook(const char *what)
{
	static unsigned int seq;

	if (++seq != fail_hook)
		return 0;
	pr_warn("TEST BUILD: hook %u (%s) fails by request\n", seq, what);
	return -EIO;
}

void kpp_fault_delay(unsigned int step)
{
	if (!(delay_steps & BIT(step)))
		return;
	pr_info("TEST BUILD: shutdown step %u done; sleeping %u ms\n", step, delay_ms);
	msleep(delay_ms);
	pr_info("TEST BUILD: shutdown step %u: slept\n", step);
}

bool kpp_fault_skip_offline(void)
{
	return skip_offline;
}
