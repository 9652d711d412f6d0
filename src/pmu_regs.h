/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PMUv3 event counter n by index, through PMSELR_EL0.SEL and
 * PMXEVCNTR_EL0/PMXEVTYPER_EL0 (Arm ARM D24.5).  This clobbers PMSELR_EL0:
 * callers switch the whole PMU context and put the right PMSELR_EL0 back.
 */
#ifndef KPP_PMU_REGS_H
#define KPP_PMU_REGS_H

#include <asm/barrier.h>
#include <asm/sysreg.h>

static inline void kpp_select_counter(unsigned int n)
{
	write_sysreg(n, pmselr_el0);
	isb();
}

static inline void kpp_write_evcntr(unsigned int n, u64 val)
{
	kpp_select_counter(n);
	write_sysreg(val, pmxevcntr_el0);
}

static inline void kpp_write_evtyper(unsigned int n, u64 val)
{
	kpp_select_counter(n);
	write_sysreg(val, pmxevtyper_el0);
}

#endif /* KPP_PMU_REGS_H */
