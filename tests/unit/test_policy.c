// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace tests for include/kpp_policy.h, built against the same
 * src/policy.c that goes into the module.  Output is TAP, closed by an
 * "N passed, N failed" line; every check prints expected and seen values.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kpp_policy.h"

static int passed, failed;

#define CHECK_EQ(what, seen, expect) do {					\
	unsigned long long s_ = (unsigned long long)(seen);			\
	unsigned long long e_ = (unsigned long long)(expect);			\
	if (s_ == e_) {								\
		passed++;							\
		printf("ok %d - %s\n", passed + failed, what);			\
	} else {								\
		failed++;							\
		printf("not ok %d - %s: expected 0x%llx, seen 0x%llx\n",	\
		       passed + failed, what, e_, s_);				\
	}									\
} while (0)

/* QEMU -cpu max: PMCR_EL0.N = 6, PMUv3p5 (seen in NOTES.md). */
static const struct kpp_pmu_caps qemu_max = {
	.nr_counters = 6, .pmuver = KPP_PMUVER_V3P5, .vhe = true,
};

/* Show "\n" in test names so that TAP stays one line per check. */
static void escape(char *out, size_t len, const char *in)
{
	size_t o = 0;

	for (; *in && o + 3 < len; in++) {
		if (*in == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			out[o++] = *in;
		}
	}
	out[o] = 0;
}

static void test_parse(void)
{
	static const struct {
		const char *in;
		int ret;
		int val;
	} cases[] = {
		{ "0", 0, 0 }, { "3", 0, 3 }, { "3\n", 0, 3 }, { "31", 0, 31 },
		{ "007", 0, 7 },
		{ "32", -ERANGE, 0 }, { "99", -ERANGE, 0 },
		{ "4294967299", -ERANGE, 0 }, { "-1", -ERANGE, 0 },
		{ "abc", -EINVAL, 0 }, { "", -EINVAL, 0 }, { "\n", -EINVAL, 0 },
		{ "3\n\n", -EINVAL, 0 }, { " 3", -EINVAL, 0 }, { "3 ", -EINVAL, 0 },
		{ "0x3", -EINVAL, 0 }, { "+3", -EINVAL, 0 }, { "-", -EINVAL, 0 },
		{ "3abc", -EINVAL, 0 },
	};
	char what[80], esc[24];
	unsigned int i;
	int dummy;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v = -42, ret = kpp_parse_hpmn(cases[i].in, &v);

		escape(esc, sizeof(esc), cases[i].in);
		snprintf(what, sizeof(what), "parse \"%s\" returns %d", esc,
			 cases[i].ret);
		CHECK_EQ(what, ret, cases[i].ret);
		snprintf(what, sizeof(what), "parse \"%s\" value", esc);
		CHECK_EQ(what, v, cases[i].ret ? -42 : cases[i].val);
	}
	CHECK_EQ("parse NULL returns -EINVAL", kpp_parse_hpmn(NULL, &dummy), -EINVAL);
}

static void test_caps(void)
{
	struct kpp_pmu_caps c;
	/* PMCR_EL0 with N = 6; DFR0 PMUVer = 6, HPMN0 = 1; MMFR0 FGT = 1 */
	uint64_t pmcr = 6ULL << 11 | 0x41 << 24;
	uint64_t dfr0 = 6ULL << 8 | 1ULL << 60;
	uint64_t mmfr0 = 1ULL << 56;

	kpp_caps_from_regs(&c, pmcr, dfr0, mmfr0, true);
	CHECK_EQ("caps: N from PMCR_EL0[15:11]", c.nr_counters, 6);
	CHECK_EQ("caps: PMUVer from DFR0[11:8]", c.pmuver, 6);
	CHECK_EQ("caps: HPMN0 from DFR0[63:60]", c.hpmn0, 1);
	CHECK_EQ("caps: FGT from MMFR0[59:56]", c.fgt, 1);
	kpp_caps_from_regs(&c, 31ULL << 11, 4ULL << 8, 0, false);
	CHECK_EQ("caps: N = 31", c.nr_counters, 31);
	CHECK_EQ("caps: no HPMN0", c.hpmn0, 0);
	CHECK_EQ("caps: no FGT", c.fgt, 0);
	CHECK_EQ("caps: vhe flag", c.vhe, 0);
	CHECK_EQ("pmuver IMP_DEF is not >= v3", kpp_pmuver_at_least(0xf, 1), 0);
	CHECK_EQ("pmuver v3p5 >= v3p1", kpp_pmuver_at_least(6, 4), 1);
}

static void test_check(void)
{
	struct kpp_pmu_caps c = qemu_max;
	u32 h;

	for (h = 1; h <= 6; h++)
		CHECK_EQ("hpmn in [1,N] accepted", kpp_check_hpmn(&c, h), KPP_OK);
	CHECK_EQ("hpmn = N+1 refused", kpp_check_hpmn(&c, 7), KPP_HPMN_TOO_BIG);
	CHECK_EQ("hpmn = 31 refused", kpp_check_hpmn(&c, 31), KPP_HPMN_TOO_BIG);
	CHECK_EQ("hpmn = 0 refused without HPMN0", kpp_check_hpmn(&c, 0),
		 KPP_HPMN0_UNSUPPORTED);
	c.hpmn0 = true;
	CHECK_EQ("hpmn = 0 accepted with HPMN0", kpp_check_hpmn(&c, 0), KPP_OK);
	c = qemu_max;
	c.pmuver = KPP_PMUVER_V3;
	CHECK_EQ("PMUv3p0 refused", kpp_check_hpmn(&c, 3), KPP_PMU_TOO_OLD);
	c.pmuver = KPP_PMUVER_IMP_DEF;
	CHECK_EQ("IMP DEF PMU refused", kpp_check_hpmn(&c, 3), KPP_NO_PMU);
	c.pmuver = KPP_PMUVER_NI;
	CHECK_EQ("no PMU refused", kpp_check_hpmn(&c, 3), KPP_NO_PMU);
	c = qemu_max;
	c.vhe = false;
	CHECK_EQ("nVHE refused", kpp_check_hpmn(&c, 3), KPP_NO_VHE);
	CHECK_EQ("too big is -EINVAL", kpp_refusal_errno(KPP_HPMN_TOO_BIG), -EINVAL);
	CHECK_EQ("no VHE is -ENODEV", kpp_refusal_errno(KPP_NO_VHE), -ENODEV);
	CHECK_EQ("ok is 0", kpp_refusal_errno(KPP_OK), 0);
	CHECK_EQ("every refusal has a message",
		 strcmp(kpp_refusal_str(KPP_HPMN0_UNSUPPORTED), "unknown") != 0, 1);

	c = qemu_max;
	CHECK_EQ("default hpmn is N/2", kpp_default_hpmn(&c), 3);
	c.nr_counters = 1;
	CHECK_EQ("default hpmn never 0 without HPMN0", kpp_default_hpmn(&c), 1);
	c.hpmn0 = true;
	CHECK_EQ("default hpmn 0 with HPMN0 and N=1", kpp_default_hpmn(&c), 0);
	c.nr_counters = 0;
	c.hpmn0 = false;
	CHECK_EQ("default hpmn 0 when N=0", kpp_default_hpmn(&c), 0);
}

static void test_masks(void)
{
	CHECK_EQ("guest mask hpmn=0", kpp_guest_counter_mask(0), 0);
	CHECK_EQ("guest mask hpmn=3", kpp_guest_counter_mask(3), 0x7);
	CHECK_EQ("guest mask hpmn=31", kpp_guest_counter_mask(31), 0x7fffffff);
	CHECK_EQ("host mask N=6 hpmn=3", kpp_host_counter_mask(6, 3), 0x38);
	CHECK_EQ("host mask N=6 hpmn=0", kpp_host_counter_mask(6, 0), 0x3f);
	CHECK_EQ("host mask N=6 hpmn=6", kpp_host_counter_mask(6, 6), 0);
	CHECK_EQ("host mask N=6 hpmn=7", kpp_host_counter_mask(6, 7), 0);
	CHECK_EQ("host and guest masks disjoint and cover N",
		 kpp_host_counter_mask(31, 5) ^ kpp_guest_counter_mask(5), 0x7fffffff);
	CHECK_EQ("driver idx, num_events scheme, hpmn=3: PMCCNTR 0, counters 1..3",
		 kpp_driver_guest_idx_mask(3, true), 0xf);
	CHECK_EQ("driver idx, cntr_mask scheme, hpmn=3: counters 0..2, PMCCNTR 31",
		 kpp_driver_guest_idx_mask(3, false), 0x80000007);
	CHECK_EQ("driver idx, num_events scheme, hpmn=0: PMCCNTR only",
		 kpp_driver_guest_idx_mask(0, true), 0x1);
	CHECK_EQ("driver idx, cntr_mask scheme, hpmn=6",
		 kpp_driver_guest_idx_mask(6, false), 0x8000003f);
	CHECK_EQ("masks never include the cycle counter",
		 (kpp_host_counter_mask(31, 0) | kpp_guest_counter_mask(31)) &
		 KPP_BIT(KPP_CYCLE_IDX), 0);
}

static void test_trapped(void)
{
	CHECK_EQ("trapped, PMUv3p5: hpmn + 1 host counters",
		 kpp_trapped_host_counters(3, KPP_PMUVER_V3P5), 4);
	CHECK_EQ("trapped, PMUv3p1: the cycle counter's chained pair, hpmn + 2",
		 kpp_trapped_host_counters(2, KPP_PMUVER_V3P1), 4);
}

static void test_mdcr(void)
{
	/* KVM's trapped value: HPMN = N = 6, TPM, TPMCR, plus TDA etc. */
	const u64 kvm = 6 | KPP_MDCR_TPM | KPP_MDCR_TPMCR | KPP_BIT(9) | KPP_BIT(10);
	struct kpp_mdcr_in in = {
		.kvm_mdcr = kvm, .hpmn = 3, .pmuver = KPP_PMUVER_V3P5,
	};
	u64 m = kpp_mdcr_partitioned(&in);

	CHECK_EQ("mdcr HPMN = hpmn", m & KPP_MDCR_HPMN_MASK, 3);
	CHECK_EQ("mdcr TPM clear", m & KPP_MDCR_TPM, 0);
	CHECK_EQ("mdcr TPMCR clear", m & KPP_MDCR_TPMCR, 0);
	CHECK_EQ("mdcr HPME set (host counters keep counting)", m & KPP_MDCR_HPME,
		 KPP_MDCR_HPME);
	CHECK_EQ("mdcr HPMD set", m & KPP_MDCR_HPMD, KPP_MDCR_HPMD);
	CHECK_EQ("mdcr HCCD set on PMUv3p5", m & KPP_MDCR_HCCD, KPP_MDCR_HCCD);
	CHECK_EQ("mdcr keeps KVM's other bits", m & (KPP_BIT(9) | KPP_BIT(10)),
		 KPP_BIT(9) | KPP_BIT(10));
	CHECK_EQ("mdcr exact value", m,
		 3 | KPP_MDCR_HPME | KPP_MDCR_HPMD | KPP_MDCR_HCCD | KPP_BIT(9) |
		 KPP_BIT(10));

	in.pmuver = KPP_PMUVER_V3P4;
	CHECK_EQ("mdcr no HCCD before PMUv3p5",
		 kpp_mdcr_partitioned(&in) & KPP_MDCR_HCCD, 0);
	in.hpmn = 0;
	CHECK_EQ("mdcr HPMN = 0", kpp_mdcr_partitioned(&in) & KPP_MDCR_HPMN_MASK, 0);
	in.hpmn = 3;
	in.kvm_mdcr = kvm | KPP_MDCR_HPME;
	in.omit_hpme = true;
	CHECK_EQ("omit_hpme (test flag) clears HPME",
		 kpp_mdcr_partitioned(&in) & KPP_MDCR_HPME, 0);
	in.omit_hpme = false;
	in.host_stopped = true;
	m = kpp_mdcr_partitioned(&in);
	CHECK_EQ("host_stopped: HPME clear (arm_pmu->stop)", m & KPP_MDCR_HPME, 0);
	CHECK_EQ("host_stopped: HPMN, HPMD still applied",
		 m & (KPP_MDCR_HPMN_MASK | KPP_MDCR_HPMD), 3 | KPP_MDCR_HPMD);
	in.host_stopped = false;
	in.host_lp = true;
	in.pmuver = KPP_PMUVER_V3P5;
	CHECK_EQ("host_lp: HLP set on PMUv3p5 (host counters stay 64-bit)",
		 kpp_mdcr_partitioned(&in) & KPP_MDCR_HLP, KPP_MDCR_HLP);
	in.pmuver = KPP_PMUVER_V3P4;
	CHECK_EQ("host_lp: no HLP before PMUv3p5",
		 kpp_mdcr_partitioned(&in) & KPP_MDCR_HLP, 0);
	in.pmuver = KPP_PMUVER_V3P5;
	in.host_lp = false;
	CHECK_EQ("no host_lp: HLP clear even if KVM had it",
		 (in.kvm_mdcr = kvm | KPP_MDCR_HLP, kpp_mdcr_partitioned(&in)) & KPP_MDCR_HLP, 0);
	in.kvm_mdcr = kvm;
	in.force_dp = true;
	CHECK_EQ("force_dp: TPMCR set (PMCR_EL0 emulated), TPM clear",
		 kpp_mdcr_partitioned(&in) & (KPP_MDCR_TPMCR | KPP_MDCR_TPM),
		 KPP_MDCR_TPMCR);
	in.force_dp = false;
	in.kvm_mdcr = ~0ULL;
	m = kpp_mdcr_partitioned(&in);
	CHECK_EQ("mdcr from all-ones: HPMN replaced", m & KPP_MDCR_HPMN_MASK, 3);
	CHECK_EQ("mdcr from all-ones: traps cleared",
		 m & (KPP_MDCR_TPM | KPP_MDCR_TPMCR), 0);
}

static void test_pmcr(void)
{
	/* N=6, LC, E, plus P and C as a guest might have written them */
	const u64 kvm = (6ULL << 11) | KPP_BIT(6) | KPP_PMCR_E | KPP_PMCR_P | KPP_PMCR_C;

	CHECK_EQ("pmcr to hw: E and LC, no P/C reset, no N",
		 kpp_pmcr_to_hw(kvm, false), KPP_BIT(6) | KPP_PMCR_E);
	CHECK_EQ("pmcr to hw: LP, DP, X, D kept", kpp_pmcr_to_hw(0xf8, false), 0xf8);
	CHECK_EQ("pmcr from hw: guest cleared E, N = hpmn",
		 kpp_pmcr_from_hw(kvm, (3ULL << 11) | KPP_BIT(6), 3, false),
		 (3ULL << 11) | KPP_BIT(6));
	CHECK_EQ("pmcr from hw: guest set E, DP",
		 kpp_pmcr_from_hw(0, KPP_PMCR_E | KPP_BIT(5) | (6ULL << 11), 2, false),
		 (2ULL << 11) | KPP_PMCR_E | KPP_BIT(5));
	CHECK_EQ("pmcr from hw: KVM's bits above N kept",
		 kpp_pmcr_from_hw(KPP_BIT(20) | KPP_PMCR_E, 0, 4, false),
		 KPP_BIT(20) | (4ULL << 11));
	/* no HCCD: the hardware's DP is 1, the guest's is in KVM's copy */
	CHECK_EQ("force_dp before PMUv3p5", kpp_pmcr_force_dp(KPP_PMUVER_V3P1), true);
	CHECK_EQ("force_dp on PMUv3p4", kpp_pmcr_force_dp(KPP_PMUVER_V3P4), true);
	CHECK_EQ("no force_dp from PMUv3p5 (HCCD)", kpp_pmcr_force_dp(KPP_PMUVER_V3P5), false);
	CHECK_EQ("force_dp: pmcr to hw sets DP",
		 kpp_pmcr_to_hw(KPP_PMCR_E, true), KPP_PMCR_E | KPP_PMCR_DP);
	CHECK_EQ("force_dp: pmcr from hw keeps the guest's DP (0)",
		 kpp_pmcr_from_hw(KPP_PMCR_E, KPP_PMCR_E | KPP_PMCR_DP, 3, true),
		 (3ULL << 11) | KPP_PMCR_E);
	CHECK_EQ("force_dp: pmcr from hw keeps the guest's DP (1)",
		 kpp_pmcr_from_hw(KPP_PMCR_DP, KPP_PMCR_DP | KPP_PMCR_E, 3, true),
		 (3ULL << 11) | KPP_PMCR_E | KPP_PMCR_DP);
	CHECK_EQ("guest write: E, DP, LC taken, P and C not kept, N kept",
		 kpp_pmcr_guest_write((6ULL << 11) | KPP_PMCR_DP,
				      KPP_PMCR_E | KPP_PMCR_P | KPP_PMCR_C | KPP_BIT(6)),
		 (6ULL << 11) | KPP_PMCR_E | KPP_BIT(6));
}

/* ESR_EL2 of a trapped MRS/MSR (EC 0x18): ISS op0, op2, op1, CRn, CRm. */
static u64 esr_sys64(u32 op0, u32 op1, u32 crn, u32 crm, u32 op2, bool read)
{
	return (0x18ULL << 26) | ((u64)op0 << 20) | ((u64)op2 << 17) |
	       ((u64)op1 << 14) | ((u64)crn << 10) | (5 << 5) | (crm << 1) | read;
}

static void test_esr_pmu(void)
{
	CHECK_EQ("PMCR_EL0 read", kpp_esr_pmu_access(esr_sys64(3, 3, 9, 12, 0, true)), true);
	CHECK_EQ("PMCNTENSET_EL0 write", kpp_esr_pmu_access(esr_sys64(3, 3, 9, 12, 1, false)), true);
	CHECK_EQ("PMCCNTR_EL0", kpp_esr_pmu_access(esr_sys64(3, 3, 9, 13, 0, true)), true);
	CHECK_EQ("PMUSERENR_EL0", kpp_esr_pmu_access(esr_sys64(3, 3, 9, 14, 0, true)), true);
	CHECK_EQ("PMINTENSET_EL1", kpp_esr_pmu_access(esr_sys64(3, 0, 9, 14, 1, false)), true);
	CHECK_EQ("PMEVCNTR0_EL0", kpp_esr_pmu_access(esr_sys64(3, 3, 14, 8, 0, true)), true);
	CHECK_EQ("PMEVTYPER30_EL0", kpp_esr_pmu_access(esr_sys64(3, 3, 14, 15, 6, false)), true);
	CHECK_EQ("PMCCFILTR_EL0", kpp_esr_pmu_access(esr_sys64(3, 3, 14, 15, 7, false)), true);
	CHECK_EQ("not CNTVCT_EL0 (c14 c0)", kpp_esr_pmu_access(esr_sys64(3, 3, 14, 0, 2, true)), false);
	CHECK_EQ("not PMSCR_EL1 (SPE, c9 c9)", kpp_esr_pmu_access(esr_sys64(3, 0, 9, 9, 0, true)), false);
	CHECK_EQ("not op1 0 c9 c12", kpp_esr_pmu_access(esr_sys64(3, 0, 9, 12, 0, true)), false);
	CHECK_EQ("not op0 2 (debug) c9 c14", kpp_esr_pmu_access(esr_sys64(2, 3, 9, 14, 0, true)), false);
	CHECK_EQ("not an HVC (EC 0x16)", kpp_esr_pmu_access((0x16ULL << 26) | 9 << 10), false);
	CHECK_EQ("AArch32 MRC p15 c9 c13 (PMCCNTR)",
		 kpp_esr_pmu_access((0x03ULL << 26) | (9 << 10) | (13 << 1)), true);
	CHECK_EQ("AArch32 MRC p15 c14 c8 (PMEVCNTR0)",
		 kpp_esr_pmu_access((0x03ULL << 26) | (14 << 10) | (8 << 1)), true);
	CHECK_EQ("AArch32 MRC p15 c1 c0 (SCTLR): no",
		 kpp_esr_pmu_access((0x03ULL << 26) | (1 << 10)), false);
	CHECK_EQ("AArch32 MRRC p15 c9 (PMCCNTR 64-bit)",
		 kpp_esr_pmu_access((0x04ULL << 26) | (9 << 1)), true);
	CHECK_EQ("AArch32 MRRC p15 c14, opc1 1 (CNTVCT): no",
		 kpp_esr_pmu_access((0x04ULL << 26) | (1 << 16) | (14 << 1)), false);
}

int main(void)
{
	printf("TAP version 13\n");
	test_parse();
	test_caps();
	test_check();
	test_masks();
	test_trapped();
	test_mdcr();
	test_pmcr();
	test_esr_pmu();
	printf("1..%d\n", passed + failed);
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
