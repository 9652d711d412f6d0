/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bare-metal guest payloads, run by vmm at EL1 with the MMU off.
 *
 * The whole image (guest_image .. guest_image_end) is copied to the start
 * of guest RAM, and vCPU 0 enters the chosen payload with its arguments in
 * x0..x3 (vmm --argN / --NAME).  Code is position independent.  Payloads
 * report 64-bit values by storing to REPORT_BASE + 8 * slot (an unmapped
 * address: KVM_EXIT_MMIO) and stop with PSCI SYSTEM_OFF.
 * The code sits in .rodata: the host never executes it.
 *
 * Registers: x0..x3 arguments, x10 REPORT_BASE.  The exception handlers
 * use x16..x19 as scratch and keep their state in x20..x28, so payloads
 * leave those alone and need no stack:
 *   x20 PMU overflow IRQs taken	x21 UNDEFs taken and skipped
 *   x22 re-arm value (2^32 - P)	x23 sum of counter values at IRQ entry
 *   x24 max counter value at IRQ entry	x25 overflow counter index
 *   x26 spurious IRQs (INTID 1023)	x27 flags (FLAG_*)
 *   x28 virtual timer IRQs
 * Any other exception is reported in slots SLOT_EXC_* and stops the guest;
 * vmm then exits 1 with a decoded message.
 */

#define REPORT_BASE		0x0a000000
#define PSCI_VERSION		0x84000000
#define PSCI_SYSTEM_OFF		0x84000008
#define BROKEN_IPA		0x20000000	/* outside every memslot and device */

/* Slots every payload may use to report an unexpected exception */
#define SLOT_EXC_INFO		27	/* ESR_EL1, or ICC_IAR1_EL1 for an IRQ */
#define SLOT_EXC_ELR		28
#define SLOT_EXC_FAR		29
#define SLOT_EXC		30	/* vector offset; written last */

/* GICv3 as vmm configures it: GICD, and the redistributor of vCPU 0 */
#define GICD_BASE		0x08000000
#define GICR_BASE		0x080a0000
#define GICR_SGI_OFF		0x10000		/* SGI_base = RD_base + 64K */
#define GICD_CTLR		0x0
#define GICD_CTLR_RWP_BIT	31
#define GICD_CTLR_ARE		(1 << 4)	/* ARE (DS=1 layout) */
#define GICD_CTLR_ENGRP1	(1 << 1)	/* EnableGrp1 (DS=1 layout) */
#define GICR_WAKER		0x14
#define GICR_WAKER_PS		(1 << 1)	/* ProcessorSleep */
#define GICR_WAKER_CA_BIT	2		/* ChildrenAsleep */
#define GICR_IGROUPR0		0x080
#define GICR_ISENABLER0		0x100
#define GICR_IPRIORITYR		0x400
#define IRQ_PRIO		0x80
#define PMU_IRQ			23
#define VTIMER_IRQ		27
#define INTID_SPURIOUS		1023

/* x27 flags */
#define FLAG_UNDEF_OK		0	/* sync handler: skip EC 0x00 (UNDEF) */
#define FLAG_EOIMODE		1	/* ICC_CTLR_EL1.EOImode: write ICC_DIR_EL1 */

/* PMCR_EL0: E enable, P reset event counters, C reset PMCCNTR, LC 64-bit PMCCNTR */
#define PMCR_E			(1 << 0)
#define PMCR_P			(1 << 1)
#define PMCR_C			(1 << 2)
#define PMCR_LC			(1 << 6)
#define PMEVTYPER_NSH		(1 << 27)	/* count at EL2 (also PMCCFILTR_EL0) */
#define PMCNTEN_C		(1 << 31)	/* PMCNTENSET_EL0.C: cycle counter */

#define EV_INST_RETIRED		0x08
#define EV_CPU_CYCLES		0x11

	.macro	report, slot, reg
	str	\reg, [x10, #(8 * \slot)]
	.endm

	.macro	system_off
	movz	x0, #(PSCI_SYSTEM_OFF & 0xffff)
	movk	x0, #(PSCI_SYSTEM_OFF >> 16), lsl #16
	hvc	#0
	b	.
	.endm

	/* Common entry: report base, handler state, VBAR_EL1 */
	.macro	payload_entry
	movz	x10, #(REPORT_BASE >> 16), lsl #16
	mov	x20, xzr
	mov	x21, xzr
	mov	x22, xzr
	mov	x23, xzr
	mov	x24, xzr
	mov	x25, xzr
	mov	x26, xzr
	mov	x27, xzr
	mov	x28, xzr
	adr	x12, vectors
	msr	vbar_el1, x12
	isb
	.endm

	.section .rodata.guest, "a"

	.balign	2048
	.globl	guest_image, guest_image_end
guest_image:

/*
 * VBAR_EL1 table (2 KiB aligned; offsets from guest_image are kept when
 * copied).  Payloads run in EL1h, so only "current EL with SP_ELx" sync
 * (0x200) and IRQ (0x280) are handled.
 */
	.macro	ventry, label
	.balign	0x80
	b	\label
	.endm

	.macro	vbad, off
	.balign	0x80
	mov	x16, #\off
	b	unexpected
	.endm

	.balign	2048
vectors:
	vbad	0x000
	vbad	0x080
	vbad	0x100
	vbad	0x180
	ventry	sync_handler
	ventry	irq_handler
	vbad	0x300
	vbad	0x380
	vbad	0x400
	vbad	0x480
	vbad	0x500
	vbad	0x580
	vbad	0x600
	vbad	0x680
	vbad	0x700
	vbad	0x780

/* Synchronous: skip UNDEFs (ESR_EL1.EC == 0x00) when FLAG_UNDEF_OK */
sync_handler:
	mrs	x16, esr_el1
	ubfx	x17, x16, #26, #6		/* ESR_EL1.EC */
	cbnz	x17, 1f
	tbz	x27, #FLAG_UNDEF_OK, 1f
	add	x21, x21, #1
	mrs	x17, elr_el1
	add	x17, x17, #4			/* step over the faulting instruction */
	msr	elr_el1, x17
	eret
1:	mov	x16, #0x200
	b	unexpected

/*
 * IRQ: acknowledge with ICC_IAR1_EL1.  INTID 23 is the PMU overflow of
 * counter x25: note the counter (events since the wrap, i.e. the skid),
 * re-arm it to x22, clear PMOVSCLR_EL0 bit x25.  INTID 27 is the virtual
 * timer backstop: disable it.  Then ICC_EOIR1_EL1 (+ ICC_DIR_EL1 when
 * EOImode), eret.
 */
irq_handler:
	mrs	x16, icc_iar1_el1
	and	x17, x16, #0xffffff		/* ICC_IAR1_EL1.INTID */
	cmp	x17, #PMU_IRQ
	b.eq	2f
	cmp	x17, #VTIMER_IRQ
	b.eq	3f
	cmp	x17, #INTID_SPURIOUS
	b.ne	9f
	add	x26, x26, #1			/* spurious: no EOI */
	eret
2:	msr	pmselr_el0, x25
	isb
	mrs	x17, pmxevcntr_el0
	msr	pmxevcntr_el0, x22		/* re-arm: 2^32 - P */
	mov	w17, w17			/* bits [31:0]: PMUv3p5 counters are 64-bit */
	mov	x18, #1
	lsl	x18, x18, x25
	msr	pmovsclr_el0, x18
	isb
	add	x20, x20, #1
	add	x23, x23, x17
	cmp	x17, x24
	csel	x24, x17, x24, hi
	b	4f
3:	msr	cntv_ctl_el0, xzr		/* CNTV_CTL_EL0.ENABLE = 0 */
	isb
	add	x28, x28, #1
4:	msr	icc_eoir1_el1, x16
	tbz	x27, #FLAG_EOIMODE, 5f
	msr	icc_dir_el1, x16
5:	eret
9:	mov	x19, x16
	mov	x16, #0x280
	b	unexpected_info

/* x16 = vector offset; x19 = info (ESR_EL1 unless unexpected_info) */
unexpected:
	mrs	x19, esr_el1
unexpected_info:
	movz	x17, #(REPORT_BASE >> 16), lsl #16
	str	x19, [x17, #(8 * SLOT_EXC_INFO)]
	mrs	x18, elr_el1
	str	x18, [x17, #(8 * SLOT_EXC_ELR)]
	mrs	x18, far_el1
	str	x18, [x17, #(8 * SLOT_EXC_FAR)]
	str	x16, [x17, #(8 * SLOT_EXC)]
	system_off

/*
 * gic_init: GICv3 CPU interface and redistributor of vCPU 0, distributor.
 * x11 = mask of PPIs to make group 1, priority IRQ_PRIO, and enable.
 * Clobbers x12, x13.  Call with IRQs masked.
 */
gic_init:
	mrs	x12, icc_sre_el1
	orr	x12, x12, #1			/* ICC_SRE_EL1.SRE */
	msr	icc_sre_el1, x12
	isb
	movz	x12, #(GICR_BASE >> 16), lsl #16
	ldr	w13, [x12, #GICR_WAKER]
	bic	w13, w13, #GICR_WAKER_PS
	str	w13, [x12, #GICR_WAKER]
1:	ldr	w13, [x12, #GICR_WAKER]
	tbnz	w13, #GICR_WAKER_CA_BIT, 1b
	add	x12, x12, #GICR_SGI_OFF
	mov	w13, #IRQ_PRIO
	strb	w13, [x12, #(GICR_IPRIORITYR + PMU_IRQ)]
	strb	w13, [x12, #(GICR_IPRIORITYR + VTIMER_IRQ)]
	ldr	w13, [x12, #GICR_IGROUPR0]
	orr	w13, w13, w11
	str	w13, [x12, #GICR_IGROUPR0]
	str	w11, [x12, #GICR_ISENABLER0]
	movz	x12, #(GICD_BASE >> 16), lsl #16
	mov	w13, #(GICD_CTLR_ARE | GICD_CTLR_ENGRP1)
	str	w13, [x12, #GICD_CTLR]
2:	ldr	w13, [x12, #GICD_CTLR]
	tbnz	w13, #GICD_CTLR_RWP_BIT, 2b
	mov	x12, #0xff
	msr	icc_pmr_el1, x12		/* ICC_PMR_EL1: let every priority in */
	mrs	x12, icc_ctlr_el1
	tbz	x12, #1, 3f			/* ICC_CTLR_EL1.EOImode */
	orr	x27, x27, #(1 << FLAG_EOIMODE)
3:	mov	x12, #1
	msr	icc_igrpen1_el1, x12		/* ICC_IGRPEN1_EL1.Enable */
	isb
	ret

/* evcntr_read: entry n (8 bytes) is "mrs x13, PMEVCNTR<n>_EL0; ret" */
	.balign	8
evcntr_read:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	mrs	x13, pmevcntr\n\()_el0
	ret
	.endr

/* evtyper_write: entry n (8 bytes) is "msr PMEVTYPER<n>_EL0, x12; ret" */
	.balign	8
evtyper_write:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	msr	pmevtyper\n\()_el0, x12
	ret
	.endr

/*
 * pmu-basic.  x0 = iters, x1 = reset.  Slots: 0 PMCR_EL0.N, 1 PMCR_EL0,
 * 2 PMEVCNTR0_EL0 (INST_RETIRED), 3 PMCCNTR_EL0, 4 loop iterations.
 *
 * Counted window: everything after the enabling MSR PMCR_EL0 up to the
 * disabling one, i.e. exactly 2 * iters instructions (subs + b.ne per
 * iteration), plus whatever the two MSRs themselves contribute.
 */
	.balign	4
	.globl	guest_pmu_basic
guest_pmu_basic:
	payload_entry
	mov	x5, x1				/* reset */
	cbnz	x0, 1f
	mov	x0, #1
1:	mov	x3, x0
	mov	x4, x0
	mrs	x0, pmcr_el0
	ubfx	x1, x0, #11, #5			/* PMCR_EL0.N */
	report	0, x1
	report	1, x0

	mov	x0, #EV_INST_RETIRED		/* PMEVTYPER0_EL0: EL0+EL1, no filter */
	msr	pmevtyper0_el0, x0
	msr	pmccfiltr_el0, xzr		/* PMCCFILTR_EL0: EL0+EL1 */
	movz	x0, #1				/* PMCNTENSET_EL0: P0 and C */
	movk	x0, #(PMCNTEN_C >> 16), lsl #16
	msr	pmcntenset_el0, x0
	msr	pmevcntr0_el0, xzr
	msr	pmccntr_el0, xzr
	mov	x0, #(PMCR_LC | PMCR_E)
	cbz	x5, 3f
	/*
	 * reset=1: PMCR_EL0.P at EL1 must reset only counters [0, HPMN); QEMU
	 * (7.2, 10.0) resets all of them, the host's too.
	 */
	mov	x0, #(PMCR_LC | PMCR_C | PMCR_P | PMCR_E)
3:	mov	x1, #PMCR_LC
	isb
	msr	pmcr_el0, x0			/* enable (and reset) */
2:	subs	x3, x3, #1
	b.ne	2b
	msr	pmcr_el0, x1			/* disable */
	isb
	mrs	x0, pmevcntr0_el0
	report	2, x0
	mrs	x0, pmccntr_el0
	report	3, x0
	report	4, x4
	system_off

/*
 * pmu-access.  x0 = iters: iters reads of PMEVCNTR0_EL0 and iters writes
 * of PMSELR_EL0.  Slots: 0 accesses made (2 * iters).
 */
	.balign	4
	.globl	guest_pmu_access
guest_pmu_access:
	payload_entry
	cbnz	x0, 1f
	mov	x0, #1
1:	mov	x3, x0
2:	mrs	x1, pmevcntr0_el0
	msr	pmselr_el0, xzr
	subs	x3, x3, #1
	b.ne	2b
	lsl	x0, x0, #1
	report	0, x0
	system_off

/*
 * pmu-overflow.  x0 = period P, x1 = iters, x2 = mode, x3 = counter n.
 * Counter n is armed at 2^32 - P (PMCR_EL0.LP = 0: it overflows at 2^32),
 * with PMINTENSET_EL1 bit n; the PMU IRQ is PPI 23.
 *   mode 0: INST_RETIRED, IRQs unmasked, a loop of 2 * iters instructions;
 *	     each IRQ re-arms the counter to 2^32 - P.
 *   mode 1: as 0 but with PSTATE.I set during the loop (one overflow is
 *	     left pending), then WFI until ISR_EL1.I and unmask: the pending
 *	     overflow IRQ wakes WFI.
 *   mode 2: CPU_CYCLES, IRQs unmasked, WFI at once, until the PMU IRQ or a
 *	     10 ms virtual timer backstop (PPI 27) fires: does the counter
 *	     count while the vCPU waits?
 *   mode 3: as 0 with CPU_CYCLES; mode 4: as 1 with CPU_CYCLES.
 *   mode 5: as 3, but every iteration also reads PMXEVCNTR_EL0 (3
 *	     instructions per iteration): QEMU notices an overflow of a
 *	     counter the guest owns outright only at a PMU register access
 *	     or an exception level change (measured: modes 0 and 3 take
 *	     their first interrupt late, after an exit).
 * Slots: 0 irqs, 1 final counter, 2 skid sum, 3 skid max (counter bits
 * [31:0] at IRQ entry, i.e. events since the wrap), 4 spurious, 5 WFIs returned,
 * 6 timer IRQs, 7 period, 8 iters, 9 mode, 10 counter, 11 re-arm value.
 */
	.balign	4
	.globl	guest_pmu_overflow
guest_pmu_overflow:
	payload_entry
	cbnz	x1, 1f
	mov	x1, #1
1:	and	x25, x3, #0x1f
	mov	x12, #1
	lsl	x12, x12, #32
	sub	x22, x12, x0			/* 2^32 - P */
	mov	x11, #(1 << PMU_IRQ)
	orr	x11, x11, #(1 << VTIMER_IRQ)
	bl	gic_init
	mov	x6, xzr
	/* KVM resets PMOVSSET/PMINTENSET/PMCNTENSET to UNKNOWN: clear all */
	mov	x12, #-1
	msr	pmcntenclr_el0, x12
	msr	pmintenclr_el1, x12
	msr	pmovsclr_el0, x12
	msr	pmselr_el0, x25
	isb
	mov	x12, #EV_INST_RETIRED
	mov	x13, #EV_CPU_CYCLES
	cmp	x2, #2
	csel	x12, x13, x12, hs		/* modes 2..4: CPU_CYCLES */
	msr	pmxevtyper_el0, x12
	msr	pmxevcntr_el0, x22
	mov	x12, #1
	lsl	x12, x12, x25
	msr	pmovsclr_el0, x12
	msr	pmintenset_el1, x12
	msr	pmcntenset_el0, x12
	mov	x13, #PMCR_E			/* no P: it would reset counter n */
	mov	x5, x1
	cmp	x2, #1
	b.eq	10f
	cmp	x2, #4
	b.eq	10f
	cmp	x2, #2
	b.eq	20f
	cmp	x2, #5
	b.eq	40f

	msr	daifclr, #2			/* PSTATE.I = 0 */
	isb
	msr	pmcr_el0, x13
2:	subs	x5, x5, #1
	b.ne	2b
	msr	pmcr_el0, xzr
	isb
	msr	daifset, #2
	b	30f

10:	isb
	msr	pmcr_el0, x13
11:	subs	x5, x5, #1
	b.ne	11b
	/* keep PMCR_EL0.E: it gates the overflow interrupt request */
12:	wfi
	add	x6, x6, #1
	mrs	x12, isr_el1
	tbz	x12, #7, 12b			/* ISR_EL1.I: IRQ pending */
	msr	daifclr, #2
	isb
	msr	daifset, #2
	msr	pmcr_el0, xzr
	isb
	b	30f

20:	mrs	x12, cntfrq_el0
	mov	x14, #100
	udiv	x12, x12, x14			/* 10 ms */
	msr	cntv_tval_el0, x12
	mov	x12, #1				/* CNTV_CTL_EL0.ENABLE */
	msr	cntv_ctl_el0, x12
	msr	daifclr, #2
	isb
	msr	pmcr_el0, x13
21:	wfi
	add	x6, x6, #1
	orr	x12, x20, x28
	cbz	x12, 21b
	msr	pmcr_el0, xzr
	isb
	msr	daifset, #2
	msr	cntv_ctl_el0, xzr

	b	30f

40:	msr	daifclr, #2
	isb
	msr	pmcr_el0, x13
41:	mrs	x12, pmxevcntr_el0
	subs	x5, x5, #1
	b.ne	41b
	msr	pmcr_el0, xzr
	isb
	msr	daifset, #2

30:	msr	pmselr_el0, x25
	isb
	mrs	x12, pmxevcntr_el0
	report	0, x20
	report	1, x12
	report	2, x23
	report	3, x24
	report	4, x26
	report	5, x6
	report	6, x28
	report	7, x0
	report	8, x1
	report	9, x2
	report	10, x3
	report	11, x22
	system_off

/*
 * pmu-high.  x0 = first counter (hpmn), x1 = end (exclusive).  For each n
 * in [x0, x1) (n <= 30): MRS PMEVCNTR<n>_EL0, then PMSELR_EL0 = n and MRS
 * PMXEVCNTR_EL0.  UNDEFs (ESR_EL1.EC 0x00) are counted and skipped.
 * Slots: 0 PMCR_EL0.N, 1 attempts, 2 UNDEFs, 3 UNDEFs of PMEVCNTR<n>,
 * 4 UNDEFs of PMXEVCNTR, 5 first, 6 end, 7 XOR of the values read.
 */
	.balign	4
	.globl	guest_pmu_high
guest_pmu_high:
	payload_entry
	orr	x27, x27, #(1 << FLAG_UNDEF_OK)
	mrs	x12, pmcr_el0
	ubfx	x12, x12, #11, #5		/* PMCR_EL0.N */
	report	0, x12
	mov	x5, x0
	mov	x6, xzr
	mov	x7, xzr
	mov	x8, xzr
	mov	x9, xzr
1:	cmp	x5, x1
	b.hs	2f
	cmp	x5, #30
	b.hi	2f
	mov	x13, xzr
	mov	x11, x21
	adr	x15, evcntr_read
	add	x15, x15, x5, lsl #3
	blr	x15
	add	x6, x6, #1
	sub	x11, x21, x11
	add	x7, x7, x11
	eor	x9, x9, x13
	mov	x13, xzr
	mov	x11, x21
	msr	pmselr_el0, x5
	isb
	mrs	x13, pmxevcntr_el0
	add	x6, x6, #1
	sub	x11, x21, x11
	add	x8, x8, x11
	eor	x9, x9, x13
	add	x5, x5, #1
	b	1b
2:	report	1, x6
	report	2, x21
	report	3, x7
	report	4, x8
	report	5, x0
	report	6, x1
	report	7, x9
	system_off

/*
 * pmu-el2filter.  x0 = iters, x1 = traps.  Counter 0: INST_RETIRED with
 * PMEVTYPER0_EL0.NSH (count EL2 too); counter 1: INST_RETIRED, no filter;
 * PMCCFILTR_EL0.NSH.  Counted window: a 2 * iters loop, then traps HVC
 * PSCI_VERSION (4 instructions each) that run KVM at EL2.
 * Slots: 0 inst_nsh, 1 inst, 2 cycles_nsh, 3 PMEVTYPER0_EL0 and
 * 4 PMCCFILTR_EL0 as read back, 5 iters, 6 traps.
 */
	.balign	4
	.globl	guest_pmu_el2filter
guest_pmu_el2filter:
	payload_entry
	cbnz	x0, 1f
	mov	x0, #1
1:	mov	x7, x0
	mov	x8, x1
	mov	x5, x0
	mov	x6, x1
	mov	x12, #EV_INST_RETIRED
	orr	x12, x12, #PMEVTYPER_NSH
	msr	pmevtyper0_el0, x12
	mov	x12, #EV_INST_RETIRED
	msr	pmevtyper1_el0, x12
	mov	x12, #PMEVTYPER_NSH
	msr	pmccfiltr_el0, x12
	movz	x12, #3				/* PMCNTENSET_EL0: P0, P1 and C */
	movk	x12, #(PMCNTEN_C >> 16), lsl #16
	msr	pmcntenset_el0, x12
	msr	pmevcntr0_el0, xzr		/* zeroed by writes: QEMU's */
	msr	pmevcntr1_el0, xzr		/* PMCR_EL0.P would reset the */
	msr	pmccntr_el0, xzr		/* host's counters too */
	mov	x13, #(PMCR_LC | PMCR_E)
	mov	x14, #PMCR_LC
	isb
	msr	pmcr_el0, x13
2:	subs	x5, x5, #1
	b.ne	2b
	cbz	x6, 4f
3:	movz	x0, #(PSCI_VERSION >> 16), lsl #16
	hvc	#0
	subs	x6, x6, #1
	b.ne	3b
4:	msr	pmcr_el0, x14
	isb
	mrs	x12, pmevcntr0_el0
	report	0, x12
	mrs	x12, pmevcntr1_el0
	report	1, x12
	mrs	x12, pmccntr_el0
	report	2, x12
	mrs	x12, pmevtyper0_el0
	report	3, x12
	mrs	x12, pmccfiltr_el0
	report	4, x12
	report	5, x7
	report	6, x8
	system_off

/*
 * pmu-all6.  x0 = iters, x1 = counters (<= 6), x2 = PMCCNTR_EL0's start
 * value.  PMEVTYPER<n>_EL0 = INST_RETIRED
 * (even n) or CPU_CYCLES (odd n), enable them and PMCCNTR_EL0, reset, run a
 * 2 * iters loop, disable, read all.  Slots: 0..5 PMEVCNTR<n>_EL0,
 * 6 PMCCNTR_EL0, 7 iters, 8 counters.
 */
	.balign	4
	.globl	guest_pmu_all6
guest_pmu_all6:
	payload_entry
	cbnz	x0, 1f
	mov	x0, #1
1:	mov	x7, x0
	mov	x8, x1
	cmp	x8, #6
	mov	x12, #6
	csel	x8, x12, x8, hi
	mov	x5, xzr
2:	cmp	x5, x8
	b.hs	3f
	mov	x12, #EV_INST_RETIRED
	mov	x13, #EV_CPU_CYCLES
	tst	x5, #1
	csel	x12, x13, x12, ne
	adr	x15, evtyper_write
	add	x15, x15, x5, lsl #3
	blr	x15
	msr	pmselr_el0, x5			/* counter n = 0: no PMCR_EL0.P, */
	isb					/* which QEMU applies to the */
	msr	pmxevcntr_el0, xzr		/* host's counters too */
	add	x5, x5, #1
	b	2b
3:	msr	pmccfiltr_el0, xzr
	msr	pmccntr_el0, x2			/* x2: PMCCNTR's start value */
	mrs	x12, pmcr_el0			/* as a guest OS would: counters */
	ubfx	x12, x12, #11, #5		/* [counters, PMCR_EL0.N) off, */
	mov	x13, #1				/* whatever KVM's reset left */
	lsl	x13, x13, x12
	sub	x13, x13, #1
	mov	x14, #1
	lsl	x14, x14, x8
	sub	x14, x14, #1
	bic	x13, x13, x14
	msr	pmcntenclr_el0, x13
	mov	x12, #1
	lsl	x12, x12, x8
	sub	x12, x12, #1
	orr	x12, x12, #PMCNTEN_C
	msr	pmcntenset_el0, x12
	mov	x5, x7
	mov	x13, #(PMCR_LC | PMCR_E)
	mov	x14, #PMCR_LC
	isb
	msr	pmcr_el0, x13			/* enable */
4:	subs	x5, x5, #1
	b.ne	4b
	msr	pmcr_el0, x14			/* disable */
	isb
	mov	x5, xzr
5:	cmp	x5, x8
	b.hs	6f
	adr	x15, evcntr_read
	add	x15, x15, x5, lsl #3
	blr	x15
	str	x13, [x10, x5, lsl #3]		/* slot n */
	add	x5, x5, #1
	b	5b
6:	mrs	x12, pmccntr_el0
	report	6, x12
	report	7, x7
	report	8, x8
	system_off

/*
 * pmu-rounds.  x0 = rounds, x1 = iters: each round programs counters 0..2
 * (INST_RETIRED) and PMCCNTR, zeroes and enables them, runs a loop of
 * 2 * iters instructions, stops them and reads all four: 15 PMU register
 * accesses a round, all in one KVM_RUN.  Slots: 0 rounds, 1 the sum of
 * every value read, 2 the last round's counter 0.
 */
	.balign	4
	.globl	guest_pmu_rounds
guest_pmu_rounds:
	payload_entry
	cbnz	x1, 1f
	mov	x1, #1
1:	mov	x4, x0				/* rounds left */
	mov	x5, xzr				/* sum */
	mov	x6, #EV_INST_RETIRED
	mov	x7, #(PMCR_LC | PMCR_E)
	mov	x8, #PMCR_LC
	movz	x9, #7				/* PMCNTENSET_EL0: P0..P2 and C */
	movk	x9, #(PMCNTEN_C >> 16), lsl #16
	cbz	x4, 4f
2:	msr	pmevtyper0_el0, x6
	msr	pmevtyper1_el0, x6
	msr	pmevtyper2_el0, x6
	msr	pmccfiltr_el0, xzr
	msr	pmevcntr0_el0, xzr
	msr	pmevcntr1_el0, xzr
	msr	pmevcntr2_el0, xzr
	msr	pmccntr_el0, xzr
	msr	pmcntenset_el0, x9
	msr	pmcr_el0, x7			/* enable */
	mov	x3, x1
3:	subs	x3, x3, #1
	b.ne	3b
	msr	pmcr_el0, x8			/* disable */
	mrs	x12, pmevcntr0_el0
	add	x5, x5, x12
	mrs	x13, pmevcntr1_el0
	add	x5, x5, x13
	mrs	x13, pmevcntr2_el0
	add	x5, x5, x13
	mrs	x13, pmccntr_el0
	add	x5, x5, x13
	subs	x4, x4, #1
	b.ne	2b
4:	report	0, x0
	report	1, x5
	report	2, x12
	system_off

/*
 * mmio-rounds.  x0 = rounds, x1 = pmu: rounds reports to slot 2, each a
 * KVM_EXIT_MMIO, so a return to the VMM and back (a vcpu put and load on
 * arm64).  pmu=1 first enables counters 0..2 (INST_RETIRED) and PMCCNTR,
 * which count on through the rounds: a vCPU that owns PMU state.  pmu=2
 * counts a 2000-instruction loop on them, then disables them all and
 * clears their overflow flags before the rounds: a guest done with its
 * PMU.  Slots:
 * 0 rounds, 1 counter 0 at the end (pmu=1, 2), 3 counter 0 before the
 * rounds (pmu=2).
 */
	.balign	4
	.globl	guest_mmio_rounds
guest_mmio_rounds:
	payload_entry
	mov	x4, x0
	cbz	x1, 1f
	mov	x6, #EV_INST_RETIRED
	msr	pmevtyper0_el0, x6
	msr	pmevtyper1_el0, x6
	msr	pmevtyper2_el0, x6
	msr	pmccfiltr_el0, xzr
	msr	pmevcntr0_el0, xzr
	movz	x9, #7
	movk	x9, #(PMCNTEN_C >> 16), lsl #16
	msr	pmcntenset_el0, x9
	mov	x7, #(PMCR_LC | PMCR_E)
	msr	pmcr_el0, x7
	cmp	x1, #2
	b.ne	1f
	mov	x3, #1000
5:	subs	x3, x3, #1
	b.ne	5b
	msr	pmcntenclr_el0, x9
	msr	pmovsclr_el0, x9
	isb
	mrs	x13, pmevcntr0_el0
	report	3, x13
1:	cbz	x4, 3f
2:	report	2, x4
	subs	x4, x4, #1
	b.ne	2b
3:	report	0, x0
	mov	x12, xzr
	cbz	x1, 4f
	mrs	x12, pmevcntr0_el0
4:	report	1, x12
	system_off

/* null: report nothing, power off.  A baseline for exit counts. */
	.balign	4
	.globl	guest_null
guest_null:
	system_off

/* hang: spin forever with interrupts masked.  Tests vmm's timeout. */
	.balign	4
	.globl	guest_hang
guest_hang:
	b	.

/*
 * wfi: INST_RETIRED on counter 0 and PMCCNTR counting, then WFI forever
 * with every interrupt disabled at the GIC: the vCPU blocks in KVM.
 * x0 = virtual timer ticks to arm CNTV_EL0 after (0: none).  Once it
 * expires, KVM's background timer wakes the blocked vCPU again and again
 * (a vCPU load and put each time), and the vCPU stays blocked.
 */
	.balign	4
	.globl	guest_wfi
guest_wfi:
	payload_entry
	mov	x1, #EV_INST_RETIRED
	msr	pmevtyper0_el0, x1
	msr	pmccfiltr_el0, xzr
	movz	x1, #1				/* PMCNTENSET_EL0: P0 and C */
	movk	x1, #(PMCNTEN_C >> 16), lsl #16
	msr	pmcntenset_el0, x1
	mov	x1, #(PMCR_LC | PMCR_E)
	msr	pmcr_el0, x1
	isb
	cbz	x0, 1f
	mrs	x1, cntvct_el0
	add	x1, x1, x0
	msr	cntv_cval_el0, x1
	mov	x1, #1				/* CNTV_CTL_EL0: ENABLE, IMASK clear */
	msr	cntv_ctl_el0, x1
	isb
1:	wfi
	b	1b

/*
 * broken.  x0 = 0: UDF with no vector table (VBAR_EL1 keeps its reset
 * value 0, outside RAM).  x0 = 1: branch to BROKEN_IPA, outside every
 * memslot.  Either way the vector fetch aborts at stage 2 and KVM injects
 * a prefetch abort, forever: the guest is stuck inside KVM (vmm times
 * out).  x0 = 2: UDF with our vectors, which report it (vmm exits 1).
 */
	.balign	4
	.globl	guest_broken
guest_broken:
	cmp	x0, #1
	b.eq	1f
	b.hi	2f
	udf	#0
1:	movz	x12, #(BROKEN_IPA >> 16), lsl #16
	br	x12
2:	payload_entry
	udf	#0

guest_image_end:
