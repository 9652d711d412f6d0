/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for the kernel's <linux/errno.h>. */
#ifndef KPP_SHIM_LINUX_ERRNO_H
#define KPP_SHIM_LINUX_ERRNO_H
#include_next <linux/errno.h>	/* uapi: EINVAL, ERANGE, ... */
#endif
