/* SPDX-License-Identifier: MIT */
/*
 * What the generated trace.h needs at run time: the per-vCPU trace state,
 * the global enabled count and the ring fast path.
 */
#ifndef VTRACE_TRACE_RT_H
#define VTRACE_TRACE_RT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "generated/autoconf.h"
#include "ring/ring.h"

/*
 * Per-vCPU trace state, embedded in the vCPU's hot state.  `mask` has one
 * bit per vcpu event (tracetool's vcpu index); control writes it, the vCPU
 * reads it in every vcpu trace_NAME().  `tcg_mask` is the translator's copy
 * of the tcg bits: the vCPU thread refreshes it at a block boundary after
 * control set `tcg_dirty`, so a change takes effect at that vCPU's next
 * block and never in the middle of one.
 */
struct trace_vcpu {
	uint64_t mask;
	uint64_t tcg_mask;
	struct ring_writer *ring;	/* this vCPU's ring (ring_null_writer) */
	uint32_t index;
	uint32_t tcg_dirty;
	/* Ask the vCPU to reach a block boundary soon (set by the emulator). */
	void (*kick)(void *opaque);
	void *kick_opaque;
};

/* Number of enabled (event, vCPU) pairs plus enabled non-vCPU events: zero
 * means nothing is traced, one load tells. */
extern uint32_t trace_events_enabled_count;

/* Copy a string argument into its fixed room; a string that does not fit is
 * cut and ends in "..." so the reader sees it was cut. */
static inline void trace_copy_string(char *dst, const char *src, size_t room)
{
	size_t n = src ? strnlen(src, room) : 0;

	if (!src) {
		memcpy(dst, "(null)", 7);
		return;
	}
	if (n < room) {
		memcpy(dst, src, n + 1);
		return;
	}
	memcpy(dst, src, room - 4);
	memcpy(dst + room - 4, "...", 4);
}

#endif /* VTRACE_TRACE_RT_H */
