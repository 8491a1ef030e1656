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
 *		struct ring_ctl *ctl = w->ctl;
 *		uint64_t head = ring_stamp(w, r, ID, NSLOTS, timestamp);
 *		... store the arguments into r->args ...
 *		ring_publish(w, ctl, head);
 *	}
 */
#ifndef VTRACE_RING_H
#define VTRACE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring/ring-abi.h"

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
 * path, which drops the event without counting it (there is no ring to
 * count it in; trace_backend_dropped() counts only rings' drops). */
extern struct ring_writer ring_null_writer;

/*
 * The calling thread's writer.  A thread either has a home, a place that
 * holds its writer (a vCPU thread: its trace_vcpu's ring), or takes a sys
 * ring from the session on first use.  A new or retired session resets
 * every thread's ring_self to NULL (ring_self_reset_all(), from another
 * thread: hence the relaxed atomic load), so each thread looks its writer
 * up again on its next event and `trace-file on` after `off` reaches all.
 */
extern __thread struct ring_writer *ring_self;
extern __thread struct ring_writer **ring_self_home;
struct ring_writer *ring_self_attach_slow(void);
void ring_self_reset_all(void);

/*
 * Grace periods: when a retired session's rings may be unmapped.
 *
 * A thread that writes events holds a writer of a session only inside one
 * emit.  Each writing thread says where it holds none: ring_quiescent() (a
 * vCPU between blocks, any thread before the writer lookup of a non-vCPU
 * event), and ring_thread_offline() ... ring_thread_online() around a
 * sleep.  A session retired at epoch E (ring_grace_start(), after its
 * writers were unpublished) may go once ring_grace_done(E): every listed
 * thread is offline or passed a quiescent point at E or later.
 */
extern uint64_t ring_grace_epoch;
extern __thread uint64_t ring_self_qs;
void ring_quiescent_slow(uint64_t epoch);
void ring_thread_offline(void);
void ring_thread_online(void);
uint64_t ring_grace_start(void);
bool ring_grace_done(uint64_t epoch);

static inline void ring_quiescent(void)
{
	/* Pairs with the release in ring_grace_start(): once we see its
	 * epoch, we see the writers it unpublished before. */
	uint64_t e = __atomic_load_n(&ring_grace_epoch, __ATOMIC_ACQUIRE);

	if (__builtin_expect(e != ring_self_qs, 0))
		ring_quiescent_slow(e);
}

static inline struct ring_writer *ring_self_writer(void)
{
	struct ring_writer *w;

	ring_quiescent();	/* the previous event is done */
	w = __atomic_load_n(&ring_self, __ATOMIC_RELAXED);

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

/*
 * Stamp a record that ring_reserve() returned (id, size, @timestamp in the
 * caller's clock: trace/clock.h for tracetool's code) and return the head
 * that publishes it.  The loads happen here, before the caller stores the
 * arguments, so those stores cannot force a reload.
 */
static inline uint64_t ring_stamp(struct ring_writer *w, struct ring_record *r,
				  uint32_t id, uint32_t nslots,
				  uint64_t timestamp)
{
	uint64_t head = w->head + nslots;

	r->id = id;
	r->nslots = nslots;
	r->timestamp = timestamp;
	return head;
}

/* Publish every record up to @head (from ring_stamp); @ctl is w->ctl. */
static inline void ring_publish(struct ring_writer *w, struct ring_ctl *ctl,
				uint64_t head)
{
	w->head = head;
	/* P1: the record's stores are visible before the new head; pairs with
	 * the load-acquire of head in the consumer (C1). */
	__atomic_store_n(&ctl->head, head, __ATOMIC_RELEASE);
}

/* Stamp and publish in one go, for a record whose arguments are stored. */
static inline void ring_commit(struct ring_writer *w, struct ring_record *r,
			       uint32_t id, uint32_t nslots, uint64_t timestamp)
{
	ring_publish(w, w->ctl, ring_stamp(w, r, id, nslots, timestamp));
}

/*
 * Set up @w over a mapped ring (@map, @map_bytes) that the consumer
 * formatted; checks the geometry in its control page.  0 or -EPROTO.
 */
int ring_writer_init(struct ring_writer *w, void *map, uint64_t map_bytes,
		     enum ring_policy policy, unsigned index,
		     struct ring_session *session);

/* Give the calling thread a home: it writes to whatever ring *home holds
 * (a vCPU thread passes &vcpu->ring), now and after every new session.
 * The thread is then listed for grace periods, online. */
void ring_thread_set_home(struct ring_writer **home);

#endif /* VTRACE_RING_H */
