// SPDX-License-Identifier: GPL-2.0
/*
 * Pure register policy for the partitioned PMU.  Nothing here touches
 * hardware or kernel state: the module feeds it register values and applies
 * what it returns, and tests/unit/ runs the same code in userspace.
 */
#include "kpp_policy.h"

/*
 * Parse "hpmn=" strictly: decimal digits, one optional trailing newline
 * (sysfs writes), nothing else.  Values past the architectural maximum of
 * 31 event counters are -ERANGE; anything malformed is -EINVAL.
 */
int kpp_parse_hpmn(const char *s, int *hpmn)
{
	unsigned int v = 0;
	const char *p = s;

	if (!s || !*s || *s == '\n')
		return -EINVAL;
	if (*p == '-')
		return (p[1] >= '0' && p[1] <= '9') ? -ERANGE : -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v <= KPP_MAX_COUNTERS)
			v = v * 10 + (unsigned int)(*p - '0');
	}
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	if (v > KPP_MAX_COUNTERS)
		return -ERANGE;
	*hpmn = (int)v;
	return 0;
}

u32 kpp_pmcr_n(u64 pmcr)
{
	return (u32)((pmcr >> KPP_PMCR_N_SHIFT) & KPP_PMCR_N_MASK);
}

u32 kpp_pmuver(u64 dfr0)
{
	return (u32)((dfr0 >> KPP_PMUVER_SHIFT) & 0xf);
}

/* PMUVer is ordered except for IMPLEMENTATION DEFINED (0xf), which is none. */
bool kpp_pmuver_at_least(u32 pmuver, u32 min)
{
	return pmuver != KPP_PMUVER_IMP_DEF && pmuver >= min;
}

void kpp_caps_from_regs(struct kpp_pmu_caps *caps, u64 pmcr, u64 dfr0,
			u64 mmfr0, bool vhe)
{
	caps->nr_counters = kpp_pmcr_n(pmcr);
	caps->pmuver = kpp_pmuver(dfr0);
	caps->hpmn0 = ((dfr0 >> KPP_DFR0_HPMN0_SHIFT) & 0xf) != 0;
	caps->fgt = ((mmfr0 >> KPP_MMFR0_FGT_SHIFT) & 0xf) != 0;
	caps->vhe = vhe;
}

/* The guest gets half of the event counters, the host keeps the rest. */
u32 kpp_default_hpmn(const struct kpp_pmu_caps *caps)
{
	u32 hpmn = caps->nr_counters / 2;

	if (!hpmn && !caps->hpmn0 && caps->nr_counters)
		hpmn = 1;
	return hpmn;
}

enum kpp_refusal kpp_check_hpmn(const struct kpp_pmu_caps *caps, u32 hpmn)
{
	if (!kpp_pmuver_at_least(caps->pmuver, KPP_PMUVER_V3))
		return KPP_NO_PMU;
	if (!caps->vhe)
		return KPP_NO_VHE;
	if (!kpp_pmuver_at_least(caps->pmuver, KPP_PMUVER_V3P1))
		return KPP_PMU_TOO_OLD;
	if (hpmn > caps->nr_counters)
		return KPP_HPMN_TOO_BIG;
	if (!hpmn && !caps->hpmn0)
		return KPP_HPMN0_UNSUPPORTED;
	return KPP_OK;
}

int kpp_refusal_errno(enum kpp_refusal why)
{
	switch (why) {
	case KPP_OK:
		return 0;
	case KPP_NO_PMU:
	case KPP_NO_VHE:
	case KPP_PMU_TOO_OLD:
		return -ENODEV;
	case KPP_HPMN_TOO_BIG:
	case KPP_HPMN0_UNSUPPORTED:
	default:
		return -EINVAL;
	}
}

const char *kpp_refusal_str(enum kpp_refusal why)
{
	switch (why) {
	case KPP_OK:
		return "ok";
	case KPP_NO_PMU:
		return "no architected PMUv3";
	case KPP_NO_VHE:
		return "host is not VHE: KVM is nVHE, protected or absent";
	case KPP_PMU_TOO_OLD:
		return "PMU older than PMUv3p1 has no MDCR_EL2.HPMD";
	case KPP_HPMN_TOO_BIG:
		return "hpmn exceeds PMCR_EL0.N";
	case KPP_HPMN0_UNSUPPORTED:
		return "hpmn=0 needs FEAT_HPMN0 (ID_AA64DFR0_EL1.HPMN0)";
	}
	return "unknown";
}

/* Event counters [0, hpmn): PMCNTEN/PMINTEN/PMOVS bits the guest owns. */
u64 kpp_guest_counter_mask(u32 hpmn)
{
	return hpmn ? KPP_GENMASK(hpmn - 1, 0) : 0;
}

/*
 * The host perf driver's indexes of the guest's counters, [0, hpmn) and
 * PMCCNTR.  Before v6.12 (cycle_idx_zero) the driver puts PMCCNTR at
 * index 0 and event counter n at n + 1; from v6.12 index n is counter n
 * and PMCCNTR is 31.
 */
u64 kpp_driver_guest_idx_mask(u32 hpmn, bool cycle_idx_zero)
{
	if (cycle_idx_zero)
		return kpp_guest_counter_mask(hpmn) << 1 | KPP_BIT(0);
	return kpp_guest_counter_mask(hpmn) | KPP_BIT(KPP_CYCLE_IDX);
}

/* Event counters [hpmn, N): still the host perf driver's. */
u64 kpp_host_counter_mask(u32 nr_counters, u32 hpmn)
{
	if (hpmn >= nr_counters)
		return 0;
	return KPP_GENMASK(nr_counters - 1, hpmn);
}

/*
 * Host event counters a trapped VM with hpmn counters needs, outside the
 * guests' [0, hpmn) and PMCCNTR: one pinned perf event per counter, but
 * KVM's cycle counter event is 64-bit, so before PMUv3p5 (no 64-bit event
 * counters) it takes a chained pair (CHAIN, arm_pmuv3's
 * armv8pmu_get_chain_idx()) once PMCCNTR_EL0 is the guests'.
 */
u32 kpp_trapped_host_counters(u32 hpmn, u32 pmuver)
{
	return hpmn + (kpp_pmuver_at_least(pmuver, KPP_PMUVER_V3P5) ? 1 : 2);
}

/*
 * MDCR_EL2 while a partitioned vCPU is loaded.  Under VHE this value is live
 * for the host kernel too, so:
 *  - HPMN = hpmn: [0, HPMN) become the guest's, readable at EL0/EL1 and
 *    enabled by the guest's PMCR_EL0.E;
 *  - TPM clear: no trap on guest PMU register accesses, but TPMCR set
 *    with force_dp (no HCCD, kpp_pmcr_force_dp()) for PMCR_EL0 alone;
 *  - HPME: [HPMN, N) are enabled by HPME, not PMCR_EL0.E, once HPMN < N,
 *    so HPME carries the host driver's PMCR_EL0.E: set unless the driver
 *    stopped its PMU.  Leaving it clear stops every host counter while the
 *    vCPU is loaded (the seed's bug: host perf reads 0 for guest events);
 *  - HPMD set: guest counters do not count EL2 (host) work;
 *  - HCCD set on PMUv3p5: PMCCNTR, the guest's, does not count EL2 either;
 *  - HLP on PMUv3p5 as the host driver's PMCR_EL0.LP: PMCR_EL0.LP now only
 *    covers [0, HPMN), and the driver's 64-bit counters must stay 64-bit.
 */
u64 kpp_mdcr_partitioned(const struct kpp_mdcr_in *in)
{
	u64 mdcr = in->kvm_mdcr;

	mdcr &= ~KPP_MDCR_HPMN_MASK;
	mdcr &= ~(KPP_MDCR_TPM | KPP_MDCR_TPMCR);
	mdcr |= (u64)in->hpmn & KPP_MDCR_HPMN_MASK;
	mdcr |= KPP_MDCR_HPMD;
	if (!in->host_stopped && !in->omit_hpme)
		mdcr |= KPP_MDCR_HPME;
	else
		mdcr &= ~KPP_MDCR_HPME;
	mdcr &= ~KPP_MDCR_HLP;
	if (kpp_pmuver_at_least(in->pmuver, KPP_PMUVER_V3P5)) {
		mdcr |= KPP_MDCR_HCCD;
		if (in->host_lp)
			mdcr |= KPP_MDCR_HLP;
	}
	if (in->force_dp)
		mdcr |= KPP_MDCR_TPMCR;
	return mdcr;
}

/*
 * Before PMUv3p5 there is no MDCR_EL2.HCCD: PMCCNTR_EL0 stops at EL2
 * (where HPMD prohibits counting) only while PMCR_EL0.DP is 1.  DP is
 * the guest's, so the hardware's is kept 1 and PMCR_EL0 is trapped
 * (TPMCR) and emulated with the guest's own DP.  The guest cannot tell:
 * for it no prohibited region exists below EL2.
 */
bool kpp_pmcr_force_dp(u32 pmuver)
{
	return !kpp_pmuver_at_least(pmuver, KPP_PMUVER_V3P5);
}

/* PMCR_EL0 to load for a guest, from KVM's copy: only the guest's bits. */
u64 kpp_pmcr_to_hw(u64 kvm_pmcr, bool force_dp)
{
	return (kvm_pmcr & KPP_PMCR_GUEST_MASK) | (force_dp ? KPP_PMCR_DP : 0);
}

/*
 * KVM's copy of PMCR_EL0 after the guest ran: the guest's bits from
 * hardware (DP from KVM's copy when forced), N as the guest read it
 * (HPMN), everything else as KVM had it.
 */
u64 kpp_pmcr_from_hw(u64 kvm_pmcr, u64 hw_pmcr, u32 hpmn, bool force_dp)
{
	const u64 n = KPP_PMCR_N_MASK << KPP_PMCR_N_SHIFT;
	u64 own = force_dp ? KPP_PMCR_GUEST_MASK & ~KPP_PMCR_DP : KPP_PMCR_GUEST_MASK;

	return (kvm_pmcr & ~(own | KPP_PMCR_P | KPP_PMCR_C | n)) |
	       (hw_pmcr & own) |
	       (((u64)hpmn & KPP_PMCR_N_MASK) << KPP_PMCR_N_SHIFT);
}

/* KVM's copy after the guest writes @val to PMCR_EL0 (P and C not kept). */
u64 kpp_pmcr_guest_write(u64 kvm_pmcr, u64 val)
{
	return (kvm_pmcr & ~(KPP_PMCR_GUEST_MASK | KPP_PMCR_P | KPP_PMCR_C)) |
	       (val & KPP_PMCR_GUEST_MASK);
}

/*
 * Lazy ownership (src/mode.c): is the exception a free vCPU took, by its
 * ESR_EL2, an access to a PMU register that MDCR_EL2.TPM trapped?
 *  - MRS/MSR (EC 0x18): op0 3, op1 3, CRn 9, CRm 12..14 (PMCR_EL0 to
 *    PMOVSSET_EL0), or op1 0 and CRm 14 (PMINTENSET/CLR_EL1, PMMIR_EL1);
 *    op0 3, op1 3, CRn 14, CRm 8..15 (PMEVCNTR<n>_EL0, PMEVTYPER<n>_EL0,
 *    PMCCFILTR_EL0).  Arm ARM D24.5.
 *  - AArch32 MCR/MRC p15 (EC 0x03): opc1 0, c9 c12..c14 or c14 c8..c15;
 *    MCRR/MRRC p15 (EC 0x04): opc1 0, c9 (the 64-bit PMCCNTR).
 */
bool kpp_esr_pmu_access(u64 esr)
{
	u32 ec = (esr >> 26) & 0x3f;
	u32 op0 = (esr >> 20) & 0x3;
	u32 op1 = (esr >> 14) & 0x7;
	u32 crn = (esr >> 10) & 0xf;
	u32 crm = (esr >> 1) & 0xf;

	switch (ec) {
	case 0x18:
		if (op0 != 3)
			return false;
		if (crn == 9 && crm >= 12 && crm <= 14)
			return op1 == 3 || (op1 == 0 && crm == 14);
		return crn == 14 && crm >= 8 && op1 == 3;
	case 0x03:
		return op1 == 0 && ((crn == 9 && crm >= 12 && crm <= 14) ||
				    (crn == 14 && crm >= 8));
	case 0x04:
		return ((esr >> 16) & 0xf) == 0 && crm == 9;
	}
	return false;
}
