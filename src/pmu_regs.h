/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PMUv3 event counter n by index (Arm ARM D24.5): PMEVCNTR<n>_EL0 and
 * PMEVTYPER<n>_EL0 directly where the kernel has PMEVN_SWITCH()
 * (HAVE_PMEVN_SWITCH, v6.4), else through PMSELR_EL0.SEL and
 * PMXEVCNTR_EL0/PMXEVTYPER_EL0, an ISB after each selection.  The latter
 * clobbers PMSELR_EL0: callers switch the whole PMU context and put the
 * right PMSELR_EL0 back.
 */
#ifndef KPP_PMU_REGS_H
#define KPP_PMU_REGS_H

#include <asm/barrier.h>
#include <asm/sysreg.h>

#ifdef HAVE_PMEVN_SWITCH
#include <linux/perf/arm_pmuv3.h>

/*
 * One switch per counter and operation, not one per register access as
 * read_pmevcntrn() and friends would: n < hpmn <= 30, never the default.
 */
#define KPP_WRITE_EVCNTR(n)	write_sysreg(val, pmevcntr##n##_el0)
#define KPP_LOAD_COUNTER(n)	do {					\
	write_sysreg(typer, pmevtyper##n##_el0);			\
	write_sysreg(cntr, pmevcntr##n##_el0);				\
} while (0)
#define KPP_SAVE_COUNTER(n)	do {					\
	*cntr = read_sysreg(pmevcntr##n##_el0);				\
	*typer = read_sysreg(pmevtyper##n##_el0);			\
	if (scrub) {							\
		write_sysreg(0, pmevtyper##n##_el0);			\
		write_sysreg(0, pmevcntr##n##_el0);			\
	}								\
} while (0)

static inline void kpp_write_evcntr(unsigned int n, u64 val)
{
	PMEVN_SWITCH(n, KPP_WRITE_EVCNTR);
}

static inline void kpp_load_counter(unsigned int n, u64 typer, u64 cntr)
{
	PMEVN_SWITCH(n, KPP_LOAD_COUNTER);
}

/* Read counter n's value and type; zero both if @scrub. */
static inline void kpp_save_counter(unsigned int n, u64 *typer, u64 *cntr, bool scrub)
{
	PMEVN_SWITCH(n, KPP_SAVE_COUNTER);
}
#else
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

static inline void kpp_load_counter(unsigned int n, u64 typer, u64 cntr)
{
	kpp_select_counter(n);
	write_sysreg(typer, pmxevtyper_el0);
	write_sysreg(cntr, pmxevcntr_el0);
}

static inline void kpp_save_counter(unsigned int n, u64 *typer, u64 *cntr, bool scrub)
{
	kpp_select_counter(n);	/* once for both registers, both ways */
	*cntr = read_sysreg(pmxevcntr_el0);
	*typer = read_sysreg(pmxevtyper_el0);
	if (scrub) {
		write_sysreg(0, pmxevtyper_el0);
		write_sysreg(0, pmxevcntr_el0);
	}
}
#endif

#endif /* KPP_PMU_REGS_H */
