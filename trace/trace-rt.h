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
#include "trace/clock.h"

/*
 * Per-vCPU trace state, embedded in the vCPU's hot state.  `mask` has one
 * bit per vcpu event (tracetool's vcpu index); control writes it, the vCPU
 * reads it in every vcpu trace_NAME().  The tcg bits are decided when a
 * block is translated: when one changes, control calls `kick`, which hands
 * the new bits to the translator; they take effect at that vCPU's next
 * block and never in the middle of one.
 */
struct trace_vcpu {
	uint64_t mask;
	struct ring_writer *ring;	/* this vCPU's ring (ring_null_writer) */
	uint32_t index;
	/* A tcg bit of `mask` changed: hand `mask` to the translator (set by
	 * the emulator; called with control's lock held). */
	void (*kick)(void *opaque);
	void *kick_opaque;
	/* Make the vCPU reach its next block boundary, where it passes a
	 * quiescent point (ring.h); set by the emulator, same opaque. */
	void (*boundary)(void *opaque);
};

/* The vCPU's ring: the acquire pairs with the release in trace/backend.c's
 * assign_vcpu_rings(), so the writer a new session built is seen whole. */
static inline struct ring_writer *trace_vcpu_ring(struct trace_vcpu *vcpu)
{
	return __atomic_load_n(&vcpu->ring, __ATOMIC_ACQUIRE);
}

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
