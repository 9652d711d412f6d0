// SPDX-License-Identifier: GPL-2.0
/* The module's tracepoints (src/kpp_trace.h), defined here. */
#define CREATE_TRACE_POINTS
#include "kpp_trace.h"
