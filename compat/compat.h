/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every object by Kbuild, so that src/ reads like
 * upstream code.  The HAVE_* facts come from the
 * compile probes in compat/probes/, run by compat/probe.sh for the kernel
 * being built against; a shim here names the upstream change it papers
 * over and the version that brought it.
 */
#ifndef KPP_COMPAT_H
#define KPP_COMPAT_H

#include "generated/kpp_config.h"

#endif /* KPP_COMPAT_H */
