// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_MDCR_EL2_HCCD: the kernel names MDCR_EL2.HCCD (bit 23) and friends,
 * hand-written in asm/kvm_arm.h (v6.6, Debian 6.1 and 6.12) or generated
 * into asm/sysreg-defs.h from arch/arm64/tools/sysreg (Debian 7.3).  Used
 * only to cross-check our own KPP_MDCR_* constants at build time.
 */
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>

u64 kpp_probe(void);
u64 kpp_probe(void)
{
	return MDCR_EL2_HCCD | MDCR_EL2_HPMD | MDCR_EL2_HPME | MDCR_EL2_HPMN_MASK;
}
