/* SPDX-License-Identifier: MIT */
/* The LTTng-UST tracepoint that bench/lttng/lttng-bench.c measures: the
 * same two fields as vtrace's stress_event. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER vtrace_bench
#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "bench/lttng/lttng-tp.h"

#if !defined(VTRACE_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define VTRACE_LTTNG_TP_H

#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(vtrace_bench, event,
	LTTNG_UST_TP_ARGS(uint32_t, thread, uint64_t, seq),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint32_t, thread, thread)
		lttng_ust_field_integer(uint64_t, seq, seq)
	)
)

#endif

#include <lttng/tracepoint-event.h>
