// SPDX-License-Identifier: GPL-2.0
/* HAVE_KZALLOC_OBJ: the slab's typed kzalloc_obj() (7.x). */
#include <linux/slab.h>

int *kpp_probe(void);
int *kpp_probe(void)
{
	int *p = kzalloc_obj(*p, GFP_KERNEL);

	return p;
}
