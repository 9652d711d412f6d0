/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Register policy for the partitioned PMU: which MDCR_EL2 bits to set and
 * which counters belong to whom.  Pure functions with no kernel dependency,
 * so that tests/unit/ can exercise them in userspace.
 *
 * References are to the Arm ARM (DDI 0487), register MDCR_EL2 and D13
 * "The Performance Monitors Extension".
 */
#ifndef KPP_POLICY_H
#define KPP_POLICY_H

/* In userspace, tests/unit/shim/ provides these two. */
#include <linux/errno.h>
#include <linux/types.h>

#define KPP_BIT(n)		(1ULL << (n))
#define KPP_GENMASK(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))

/* MDCR_EL2 fields (same values as the kernel's MDCR_EL2_* on every version). */
#define KPP_MDCR_HPMN_MASK	KPP_GENMASK(4, 0)	/* counters [0,HPMN) to EL0/EL1 */
#define KPP_MDCR_TPMCR		KPP_BIT(5)	/* trap PMCR_EL0 to EL2 */
#define KPP_MDCR_TPM		KPP_BIT(6)	/* trap all PMU registers to EL2 */
#define KPP_MDCR_HPME		KPP_BIT(7)	/* enable counters [HPMN,N) */
#define KPP_MDCR_HPMD		KPP_BIT(17)	/* [0,HPMN) do not count at EL2 (PMUv3p1) */
#define KPP_MDCR_HCCD		KPP_BIT(23)	/* PMCCNTR does not count at EL2 (PMUv3p5) */
#define KPP_MDCR_HLP		KPP_BIT(26)	/* [HPMN,N) overflow at 64 bits (PMUv3p5) */

/* PMCR_EL0.N, bits [15:11]: number of event counters. */
#define KPP_PMCR_N_SHIFT	11
#define KPP_PMCR_N_MASK		0x1fULL

/* PMCCNTR_EL0 is bit 31 in PMCNTEN, PMINTEN and PMOVS. */
#define KPP_CYCLE_IDX		31
#define KPP_MAX_COUNTERS	31

/* ID_AA64DFR0_EL1.PMUVer, bits [11:8]. */
#define KPP_PMUVER_SHIFT	8
#define KPP_PMUVER_NI		0x0
#define KPP_PMUVER_V3		0x1
#define KPP_PMUVER_V3P1		0x4
#define KPP_PMUVER_V3P4		0x5
#define KPP_PMUVER_V3P5		0x6
#define KPP_PMUVER_IMP_DEF	0xf
/* ID_AA64DFR0_EL1.HPMN0, bits [63:60]: MDCR_EL2.HPMN may be 0. */
#define KPP_DFR0_HPMN0_SHIFT	60
/* ID_AA64MMFR0_EL1.FGT, bits [59:56]: fine-grained traps. */
#define KPP_MMFR0_FGT_SHIFT	56

/* What one CPU's PMU offers, as read from its ID and PMU registers. */
struct kpp_pmu_caps {
	u32 nr_counters;	/* PMCR_EL0.N as seen at EL2 */
	u32 pmuver;		/* ID_AA64DFR0_EL1.PMUVer */
	bool hpmn0;		/* FEAT_HPMN0 */
	bool fgt;		/* FEAT_FGT */
	bool vhe;		/* host kernel runs at EL2 */
};

/* Why a partition cannot be installed; KPP_OK when it can. */
enum kpp_refusal {
	KPP_OK = 0,
	KPP_NO_PMU,		/* no PMUv3, or IMPLEMENTATION DEFINED PMU */
	KPP_NO_VHE,		/* nVHE/protected KVM: EL2 is not ours to program */
	KPP_PMU_TOO_OLD,	/* HPMD needs PMUv3p1 */
	KPP_HPMN_TOO_BIG,	/* hpmn > PMCR_EL0.N */
	KPP_HPMN0_UNSUPPORTED,	/* hpmn == 0 without FEAT_HPMN0: UNPREDICTABLE */
};

/* Unset "hpmn=": take KPP_HPMN_DEFAULT, the guest's half of the counters. */
#define KPP_HPMN_UNSET		(-1)

int kpp_parse_hpmn(const char *s, int *hpmn);
u32 kpp_pmcr_n(u64 pmcr);
u32 kpp_pmuver(u64 dfr0);
bool kpp_pmuver_at_least(u32 pmuver, u32 min);
void kpp_caps_from_regs(struct kpp_pmu_caps *caps, u64 pmcr, u64 dfr0,
			u64 mmfr0, bool vhe);
u32 kpp_default_hpmn(const struct kpp_pmu_caps *caps);
enum kpp_refusal kpp_check_hpmn(const struct kpp_pmu_caps *caps, u32 hpmn);
int kpp_refusal_errno(enum kpp_refusal why);
const char *kpp_refusal_str(enum kpp_refusal why);

u64 kpp_guest_counter_mask(u32 hpmn);
u32 kpp_trapped_host_counters(u32 hpmn, u32 pmuver);
u64 kpp_driver_guest_idx_mask(u32 hpmn, bool cycle_idx_zero);
u64 kpp_host_counter_mask(u32 nr_counters, u32 hpmn);

/* MDCR_EL2 for a loaded vCPU whose guest owns counters [0, hpmn). */
struct kpp_mdcr_in {
	u64 kvm_mdcr;		/* what KVM computed for this vCPU */
	u32 hpmn;
	u32 pmuver;
	bool host_stopped;	/* the host driver stopped its PMU (arm_pmu->stop) */
	bool host_lp;		/* the host driver's PMCR_EL0.LP (64-bit counters) */
	bool force_dp;		/* kpp_pmcr_force_dp(): trap PMCR_EL0 (TPMCR) */
	bool omit_hpme;		/* test builds only: reproduce the seed's bug */
};

u64 kpp_mdcr_partitioned(const struct kpp_mdcr_in *in);
bool kpp_pmcr_force_dp(u32 pmuver);

/*
 * PMCR_EL0 bits a guest owns once MDCR_EL2.TPMCR is clear: E, D, X, DP, LC
 * and LP.  P and C (bits 1, 2) are write-only resets: never replayed.
 */
#define KPP_PMCR_E		KPP_BIT(0)
#define KPP_PMCR_P		KPP_BIT(1)
#define KPP_PMCR_C		KPP_BIT(2)
#define KPP_PMCR_DP		KPP_BIT(5)
#define KPP_PMCR_LP		KPP_BIT(7)
#define KPP_PMCR_GUEST_MASK	(KPP_GENMASK(7, 0) & ~(KPP_PMCR_P | KPP_PMCR_C))

/*
 * force_dp: the hardware's PMCR_EL0.DP is kept 1, KVM's copy holds the
 * guest's DP (kpp_pmcr_force_dp()).
 */
u64 kpp_pmcr_to_hw(u64 kvm_pmcr, bool force_dp);
u64 kpp_pmcr_from_hw(u64 kvm_pmcr, u64 hw_pmcr, u32 hpmn, bool force_dp);
u64 kpp_pmcr_guest_write(u64 kvm_pmcr, u64 val);

/* Lazy ownership: did MDCR_EL2.TPM trap a PMU register access (ESR_EL2)? */
bool kpp_esr_pmu_access(u64 esr);

#endif /* KPP_POLICY_H */
