// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_PMEVN_SWITCH: linux/perf/arm_pmuv3.h has PMEVN_SWITCH(), a switch
 * over PMEVCNTR<n>_EL0/PMEVTYPER<n>_EL0 by number, which its own
 * read_pmevcntrn() and friends (asm/arm_pmuv3.h) are built on (v6.4: the
 * PMUv3 driver moved to drivers/perf for 32-bit Arm too).  Before, the
 * module goes through PMSELR_EL0 and an ISB.  Checked: Debian 6.1 has no
 * linux/perf/arm_pmuv3.h; v6.6.57, Debian 6.12 and 7.3 have the macro.
 */
#include <linux/perf/arm_pmuv3.h>
#include <asm/sysreg.h>

u64 kpp_probe(int n);

#define KPP_PROBE_READ(n)	(val = read_sysreg(pmevcntr##n##_el0))

u64 kpp_probe(int n)
{
	u64 val = 0;

	PMEVN_SWITCH(n, KPP_PROBE_READ);
	return val;
}
