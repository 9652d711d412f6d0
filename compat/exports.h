/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel functions that some kernels do not export to modules
 * (compat/exports), reached by address on those.  The address comes from
 * kpp_exports_resolve() at load (compat/hooks.c), as LTTng's
 * wrapper/kallsyms.h does.
 */
#ifndef KPP_COMPAT_EXPORTS_H
#define KPP_COMPAT_EXPORTS_H

#include <linux/task_work.h>

int kpp_exports_resolve(void);

/* task_work_add(): not exported by upstream v6.6 */
#ifdef HAVE_EXPORT_TASK_WORK_ADD
#define kpp_task_work_add	task_work_add
#else
extern int (*kpp_task_work_add)(struct task_struct *task,
				struct callback_head *twork,
				enum task_work_notify_mode mode);
#endif

#endif /* KPP_COMPAT_EXPORTS_H */
