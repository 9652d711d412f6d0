// SPDX-License-Identifier: GPL-2.0
/*
 * include/kpp_policy.h spells the MDCR_EL2 fields itself so that it builds
 * in userspace.  Check them against the kernel's own names where it has
 * them: asm/kvm_arm.h up to 6.12, generated asm/sysreg-defs.h in 7.x.
 */
#include <linux/build_bug.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>

#include "kpp_policy.h"

#ifdef HAVE_MDCR_EL2_HCCD
static_assert(KPP_MDCR_HPMN_MASK == MDCR_EL2_HPMN_MASK);
static_assert(KPP_MDCR_TPMCR == MDCR_EL2_TPMCR);
static_assert(KPP_MDCR_TPM == MDCR_EL2_TPM);
static_assert(KPP_MDCR_HPME == MDCR_EL2_HPME);
static_assert(KPP_MDCR_HPMD == MDCR_EL2_HPMD);
static_assert(KPP_MDCR_HCCD == MDCR_EL2_HCCD);
static_assert(KPP_MDCR_HLP == MDCR_EL2_HLP);
#endif
