// SPDX-License-Identifier: GPL-2.0
/* HAVE_SYSTEM_DFL_WQ: the unbound system_dfl_wq (system_wq's successor). */
#include <linux/workqueue.h>

struct workqueue_struct *kpp_probe(void);
struct workqueue_struct *kpp_probe(void)
{
	return system_dfl_wq;
}
