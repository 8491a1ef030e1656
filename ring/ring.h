/* SPDX-License-Identifier: MIT */
/*
 * The producer side of a ring: the fast path every trace_NAME() inlines.
 *
 * One thread writes a ring.  The fast path has no atomic read-modify-write,
 * no syscall, no lock and no allocation: it checks that the record fits in
 * the packet being filled, stores the record and publishes the head with a
 * store-release.  Opening a packet (once per 63 one-slot records) is the slow
 * path: it checks for room, applies the full-ring policy, and wakes the
 * consumer if the consumer said it sleeps.
 *
 * Usage (what tracetool generates):
 *
 *	struct ring_record *r = ring_reserve(w, NSLOTS);
 *	if (r) {
 *		... store the arguments into r->args ...
 *		ring_commit(w, r, ID, NSLOTS);
 *	}
 */
#ifndef VTRACE_RING_H
#define VTRACE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring/ring-abi.h"
#include "trace/clock.h"

/* Process-local view of one ring; never in shared memory. */
struct ring_writer {
	uint64_t head;			/* next free slot (local copy) */
	struct ring_record *slots;	/* data area of the mapping, or NULL */
	uint64_t slot_mask;		/* nslots - 1 */
	struct ring_ctl *ctl;		/* shared control page */
	uint64_t tail_cache;		/* last tail read from ctl */
	uint64_t capacity;		/* slots in the ring */
	uint64_t dropped;		/* local copy of ctl->dropped */
	uint32_t policy;		/* enum ring_policy, may fall back */
	uint32_t index;			/* ring index in the session */
	struct ring_session *session;
};

/* The writer of a thread that has no ring: every reserve takes the slow
 * path, which drops (and counts) the event. */
extern struct ring_writer ring_null_writer;

/* The calling thread's writer; set by ring_thread_attach(), or taken from
 * the session's pool of sys rings on first use. */
extern __thread struct ring_writer *ring_self;
struct ring_writer *ring_self_attach_slow(void);

static inline struct ring_writer *ring_self_writer(void)
{
	struct ring_writer *w = ring_self;

	if (__builtin_expect(w == NULL, 0))
		w = ring_self_attach_slow();
	return w;
}

struct ring_record *ring_reserve_slow(struct ring_writer *w, unsigned nslots);

/*
 * Return the slot for a record of @nslots slots, or NULL when the event is
 * dropped (ring full under the discard policy, or no ring).  The fast path
 * applies while the record fits in the packet being filled.
 */
static inline struct ring_record *ring_reserve(struct ring_writer *w,
					       unsigned nslots)
{
	uint64_t in_packet = w->head & (RING_SLOTS_PER_PACKET - 1);

	if (__builtin_expect(in_packet == 0 ||
				     in_packet + nslots > RING_SLOTS_PER_PACKET,
			     0))
		return ring_reserve_slow(w, nslots);
	return &w->slots[w->head & w->slot_mask];
}

/* Stamp and publish a record that ring_reserve() returned. */
static inline void ring_commit(struct ring_writer *w, struct ring_record *r,
			       uint32_t id, uint32_t nslots)
{
	r->id = id;
	r->nslots = nslots;
	r->timestamp = trace_clock_now();
	w->head += nslots;
	/* P1: the record's stores are visible before the new head; pairs with
	 * the load-acquire of head in the consumer (C1). */
	__atomic_store_n(&w->ctl->head, w->head, __ATOMIC_RELEASE);
}

/*
 * Set up @w over a mapped ring (@map, @map_bytes) that the consumer
 * formatted; checks the geometry in its control page.  0 or -EPROTO.
 */
int ring_writer_init(struct ring_writer *w, void *map, uint64_t map_bytes,
		     enum ring_policy policy, unsigned index,
		     struct ring_session *session);

/* Make @w the calling thread's writer (a vCPU thread takes its own ring). */
static inline void ring_thread_attach(struct ring_writer *w)
{
	ring_self = w;
}

#endif /* VTRACE_RING_H */
