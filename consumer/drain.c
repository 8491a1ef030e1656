// SPDX-License-Identifier: MIT
/*
 * Ring scanning and packet closing: the consumer side of ring/ring-abi.h.
 *
 * Each ring is a sequence of 64-slot packets indexed by free-running slot
 * counters.  r->scan is the next slot we have not closed yet: normally the
 * start of a packet, mid-packet after a partial flush.  A packet is closed
 *
 *  - in place (zero copy) when it is complete and nothing of it was flushed
 *    before: slot 0 is filled with the CTF header and the ring memory itself
 *    is written to the stream file; its tail is released when the write
 *    completes;
 *  - through a bounce buffer otherwise (partial flush, or the rest of a
 *    packet after a partial flush): the records from r->scan on are copied
 *    behind a fresh header, so no record is ever written twice; the ring
 *    packet is free as soon as the copy is made.
 *
 * The tail moves in whole packets, in order, up to the first packet whose
 * write has not completed (the producer only ever waits for whole packets).
 *
 * Nothing read from shared memory is trusted: head is bounded by what we
 * saw last and by tail + capacity, nslots by the packet, events_discarded
 * by ctl->dropped.  We index the mapping only with our own geometry.
 *
 * The packet functions at the top are pure (no I/O) for the unit tests.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "consumer/consumer-internal.h"

#define SLOTS RING_SLOTS_PER_PACKET

/* Shared memory is read once per value: relaxed atomics keep the compiler
 * from reloading a value we already checked. */
#define shm_load(p) __atomic_load_n((p), __ATOMIC_RELAXED)

/* Walk records from @first while they end at or before @limit.  With
 * @clamp_ts, also raise timestamps below *ts to *ts (in place) and report
 * the first and last timestamps. */
static unsigned walk(void *pkt, unsigned first, unsigned limit,
		     enum cons_walk_end *why, uint32_t *bad_nslots,
		     unsigned *records, uint64_t *ts, uint64_t *first_ts,
		     unsigned *clamped)
{
	struct ring_record *rec = pkt;
	unsigned slot = first, n = 0;

	*why = CONS_END_LIMIT;
	if (limit > SLOTS)
		limit = SLOTS;
	while (slot < limit) {
		uint32_t id = shm_load(&rec[slot].id);
		uint32_t nslots = shm_load(&rec[slot].nslots);

		if (id == RING_PAD_ID) {
			*why = CONS_END_PAD;
			break;
		}
		if (nslots == 0 || nslots > SLOTS - slot) {
			*why = CONS_END_BAD;
			if (bad_nslots)
				*bad_nslots = nslots;
			break;
		}
		if (nslots > limit - slot)
			break;		/* not published yet */
		if (ts) {
			uint64_t t = shm_load(&rec[slot].timestamp);

			if (t < *ts) {
				rec[slot].timestamp = *ts;
				(*clamped)++;
			} else {
				*ts = t;
			}
			if (n == 0)
				*first_ts = *ts;
		}
		slot += nslots;
		n++;
	}
	*records = n;
	return slot;
}

unsigned cons_packet_walk(const void *pkt, unsigned first, unsigned limit,
			  enum cons_walk_end *why, uint32_t *bad_nslots,
			  unsigned *records)
{
	return walk((void *)pkt, first, limit, why, bad_nslots, records, NULL,
		    NULL, NULL);
}

static void fill_header(struct cons_stream_state *st, void *pkt,
			uint64_t begin, uint64_t end, unsigned end_slot,
			uint64_t discarded)
{
	struct ring_packet_header *h = pkt;

	h->magic = RING_CTF_MAGIC;
	memcpy(h->uuid, st->uuid, sizeof(h->uuid));
	h->stream_id = 0;
	h->timestamp_begin = begin;
	h->timestamp_end = end;
	h->content_size = end_slot * RING_SLOT_SIZE * 8;
	h->packet_size = RING_PACKET_SIZE * 8;
	h->packet_seq_num = st->next_seq++;
	h->cpu_id = st->cpu_id;
	h->events_discarded = discarded;
	st->last_ts = end;
	st->last_discarded = discarded;
	st->packets++;
}

void cons_packet_close(struct cons_stream_state *st, void *pkt, unsigned limit,
		       uint64_t snapshot, struct cons_close *out)
{
	uint64_t ts = st->last_ts, first_ts = st->last_ts;
	uint64_t discarded = snapshot > st->last_discarded ? snapshot :
			     st->last_discarded;

	memset(out, 0, sizeof(*out));
	out->end_slot = walk(pkt, 1, limit, &out->why, &out->bad_nslots,
			     &out->records, &ts, &first_ts, &out->ts_clamped);
	if (out->why == CONS_END_BAD)
		out->bad_slot = out->end_slot;
	if (out->records == 0 && discarded == st->last_discarded)
		return;
	out->write = true;
	fill_header(st, pkt, first_ts, ts, out->end_slot, discarded);
	st->events += out->records;
}

void cons_packet_empty(struct cons_stream_state *st, void *pkt,
		       uint64_t discarded)
{
	memset(pkt, 0, RING_PACKET_SIZE);
	if (discarded < st->last_discarded)
		discarded = st->last_discarded;
	fill_header(st, pkt, st->last_ts, st->last_ts, 1, discarded);
}

/* ------------------------------------------------------------ rings */

static const char *ring_name(struct cons_ring *r)
{
	return r->stream.name;
}

int cons_ring_load_head(struct cons_ring *r, uint64_t *head)
{
	uint64_t h;

	if (r->rejected)
		return -EINVAL;
	/* C1: pairs with the producer's store-release of head (P1): the
	 * records below head are visible once we see head.  seq_cst for
	 * C3 (consumer/main.c serve()). */
	h = __atomic_load_n(&r->ctl->head, __ATOMIC_SEQ_CST);
	if (h < r->last_head || h - r->tail > r->capacity) {
		fprintf(stderr,
			CONS_NAME ": ring %s rejected: head %llu outside "
			"[last seen %llu, tail %llu + capacity %llu]; "
			"no longer drained\n",
			ring_name(r), (unsigned long long)h,
			(unsigned long long)r->last_head,
			(unsigned long long)r->tail,
			(unsigned long long)r->capacity);
		r->rejected = true;
		return -EINVAL;
	}
	r->last_head = h;
	*head = h;
	return 0;
}

bool cons_ring_has_work(struct cons_ring *r)
{
	uint64_t head;

	if (cons_ring_load_head(r, &head))
		return false;
	return head >= (r->scan / SLOTS + 1) * SLOTS;
}

void cons_ring_wake_producer(struct cons_ring *r)
{
	struct ring_ctl *ctl = r->ctl;

	/* C4: our seq_cst tail store (cons_ring_release()), then this
	 * seq_cst flag load; pairs with the producer's seq_cst flag store
	 * and tail load (P4): either it sees our new tail or we see its
	 * flag and wake it. */
	if (!__atomic_load_n(&ctl->producer_waiting, __ATOMIC_SEQ_CST))
		return;
	__atomic_store_n(&ctl->producer_waiting, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&ctl->tail_seq, 1, __ATOMIC_RELEASE);
	/* Not FUTEX_PRIVATE: the word is in a mapping shared by processes. */
	syscall(SYS_futex, &ctl->tail_seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void cons_ring_release(struct cons_ring *r)
{
	uint64_t t = r->tail;

	while (t + SLOTS <= r->scan) {
		uint8_t *state = &r->pstate[(t / SLOTS) & (r->npackets - 1)];

		if (*state != CONS_PKT_DONE)
			break;
		*state = CONS_PKT_FREE;
		t += SLOTS;
	}
	if (t == r->tail)
		return;
	r->tail = t;
	/* C2: pairs with the producer's load of tail (P2): the packet's
	 * write completed before the producer may reuse it.  seq_cst for C4
	 * in cons_ring_wake_producer(). */
	__atomic_store_n(&r->ctl->tail, t, __ATOMIC_SEQ_CST);
	cons_ring_wake_producer(r);
}

/* The writer's completion callback (cons_writer_init()): packets written
 * zero copy from the ring are done, the tail may move over them. */
void cons_ring_write_done(struct cons_ring *r, uint64_t packet, unsigned npk)
{
	for (unsigned i = 0; i < npk; i++)
		r->pstate[(packet + i) & (r->npackets - 1)] = CONS_PKT_DONE;
	r->inflight--;
	cons_ring_release(r);
}

static uint8_t *packet_mem(struct cons_ring *r, uint64_t packet)
{
	return r->data + (packet & (r->npackets - 1)) * RING_PACKET_SIZE;
}

/* The producer's events_discarded for packet @pkt, or 0 when it cannot be
 * right (more than the ring's drop count now). */
static uint64_t read_snapshot(struct cons_ring *r, const uint8_t *pkt)
{
	const struct ring_packet_header *h = (const void *)pkt;
	uint64_t snap = shm_load(&h->events_discarded);
	uint64_t dropped = shm_load(&r->ctl->dropped);

	if (snap <= dropped)
		return snap;
	if (!r->disc_reported) {
		fprintf(stderr,
			CONS_NAME ": ring %s: packet events_discarded %llu > "
			"dropped %llu, ignored\n",
			ring_name(r), (unsigned long long)snap,
			(unsigned long long)dropped);
		r->disc_reported = true;
	}
	return 0;
}

static void report_close(struct cons_ring *r, uint64_t packet,
			 const struct cons_close *c, unsigned bad_slot)
{
	if (c->why == CONS_END_BAD && !r->bad_reported) {
		fprintf(stderr,
			CONS_NAME ": ring %s: packet %llu slot %u: bad nslots "
			"%u, rest of the packet ignored (reported once)\n",
			ring_name(r), (unsigned long long)packet, bad_slot,
			c->bad_nslots);
		r->bad_reported = true;
	}
	if (c->ts_clamped && !r->ts_reported) {
		fprintf(stderr,
			CONS_NAME ": ring %s: packet %llu: %u timestamps went "
			"back in time, raised (reported once)\n",
			ring_name(r), (unsigned long long)packet,
			c->ts_clamped);
		r->ts_reported = true;
	}
}

/*
 * babeltrace2 counts drops as the difference between the events_discarded
 * of two packets of a stream; drops in a stream's first packet only get a
 * "may have discarded" with no number.  So a stream whose first packet
 * would carry drops starts with an empty packet at 0.  0 or -EAGAIN.
 */
static int stream_lead_in(struct cons_ctx *ctx, struct cons_ring *r,
			  uint64_t discarded)
{
	uint8_t *buf;
	int bounce;

	if (r->st.packets || discarded <= r->st.last_discarded)
		return 0;
	buf = cons_writer_get_bounce(&ctx->w, &bounce);
	if (!buf)
		return -EAGAIN;
	cons_packet_empty(&r->st, buf, 0);
	return cons_writer_write(&ctx->w, r, CONS_NO_PACKET, 1, bounce, buf, 0);
}

/*
 * Copy the records of @packet from slot @from up to @to into a bounce
 * buffer and write them as a packet of their own.  Returns the slot after
 * the records taken (@from if none), or -EAGAIN without a bounce buffer.
 */
static int close_copy(struct cons_ctx *ctx, struct cons_ring *r,
		      uint64_t packet, unsigned from, unsigned to)
{
	uint8_t *src = packet_mem(r, packet);
	uint64_t snap;
	enum cons_walk_end why;
	uint32_t bad = 0;
	unsigned records, end;
	struct cons_close c;
	uint8_t *buf;
	int bounce, err;

	end = cons_packet_walk(src, from, to, &why, &bad, &records);
	snap = read_snapshot(r, src);
	if (records == 0 && snap <= r->st.last_discarded) {
		if (why == CONS_END_BAD) {
			c = (struct cons_close){ .why = why, .bad_nslots = bad };
			report_close(r, packet, &c, end);
		}
		return end;
	}
	err = stream_lead_in(ctx, r, snap);
	if (err)
		return err;
	buf = cons_writer_get_bounce(&ctx->w, &bounce);
	if (!buf)
		return -EAGAIN;
	memcpy(buf + RING_SLOT_SIZE, src + from * RING_SLOT_SIZE,
	       (end - from) * RING_SLOT_SIZE);
	memset(buf + (1 + end - from) * RING_SLOT_SIZE, 0,
	       RING_PACKET_SIZE - (1 + end - from) * RING_SLOT_SIZE);
	cons_packet_close(&r->st, buf, 1 + end - from, snap, &c);
	if (why == CONS_END_BAD) {
		c.why = why;
		c.bad_nslots = bad;
	}
	report_close(r, packet, &c, end);
	if (!c.write) {
		cons_writer_put_bounce(&ctx->w, bounce);
		return end;
	}
	err = cons_writer_write(&ctx->w, r, CONS_NO_PACKET, 1, bounce, buf,
				c.records);
	return err ? err : (int)end;
}

/*
 * Close the complete packets from r->scan on, up to @limit.  A packet
 * partly flushed before goes through a bounce buffer; a run of untouched
 * ones, contiguous in the mapping, is closed in place and written in one
 * zero-copy write of up to ctx->max_batch packets.  Returns the packets
 * consumed (>= 1), or -EAGAIN when the writer has no room now.
 */
static int close_full(struct cons_ctx *ctx, struct cons_ring *r,
		      uint64_t limit)
{
	uint64_t packet = r->scan / SLOTS;
	unsigned off = r->scan % SLOTS, n = 0, max = ctx->max_batch;
	uint32_t events = 0;
	struct cons_close c;
	uint64_t snap;
	int ret;

	if (off) {
		ret = close_copy(ctx, r, packet, off, SLOTS);
		if (ret < 0)
			return ret;
		r->pstate[packet & (r->npackets - 1)] = CONS_PKT_DONE;
		return 1;
	}
	snap = read_snapshot(r, packet_mem(r, packet));
	ret = stream_lead_in(ctx, r, snap);
	if (ret)
		return ret;
	if (r->inflight >= ctx->inflight_per_ring ||
	    !cons_writer_can_submit(&ctx->w))
		return -EAGAIN;
	if (!max)
		max = 1;
	for (;;) {
		uint8_t *pkt = packet_mem(r, packet + n);

		if (n)
			snap = read_snapshot(r, pkt);
		cons_packet_close(&r->st, pkt, SLOTS, snap, &c);
		report_close(r, packet + n, &c, c.end_slot);
		if (!c.write) {
			/* Nothing to write: done now, and it ends the run
			 * (a write is contiguous). */
			r->pstate[(packet + n) & (r->npackets - 1)] =
				CONS_PKT_DONE;
			break;
		}
		events += c.records;
		n++;
		if (n == max || (packet + n + 1) * SLOTS > limit ||
		    ((packet + n) & (r->npackets - 1)) == 0)
			break;
	}
	if (n) {
		for (unsigned i = 0; i < n; i++)
			r->pstate[(packet + i) & (r->npackets - 1)] =
				CONS_PKT_INFLIGHT;
		r->inflight++;	/* until cons_ring_write_done() */
		ret = cons_writer_write(&ctx->w, r, packet, n, -1,
					packet_mem(r, packet), events);
		if (ret) {
			for (unsigned i = 0; i < n; i++)
				r->pstate[(packet + i) & (r->npackets - 1)] =
					CONS_PKT_FREE;
			r->inflight--;
			return ret;
		}
	}
	return c.write ? (int)n : (int)n + 1;
}

int cons_drain_ring(struct cons_ctx *ctx, struct cons_ring *r, uint64_t limit,
		    bool partial)
{
	int ret = 0;

	if (r->rejected)
		return 0;
	if (limit > r->last_head)
		limit = r->last_head;
	while ((r->scan / SLOTS + 1) * SLOTS <= limit) {
		ret = close_full(ctx, r, limit);
		if (ret < 0)
			break;
		r->scan = (r->scan / SLOTS + ret) * SLOTS;
	}
	cons_ring_release(r);
	if (ret == -EAGAIN)
		return 1;
	if (partial && r->scan < limit) {
		uint64_t packet = r->scan / SLOTS;
		unsigned from = r->scan % SLOTS ? r->scan % SLOTS : 1;
		unsigned to = limit % SLOTS;

		if (to > from) {
			ret = close_copy(ctx, r, packet, from, to);
			if (ret == -EAGAIN)
				return 1;
			if (ret > (int)from)
				r->scan = packet * SLOTS + ret;
		}
	}
	return 0;
}

/*
 * A stream that failed (disk full, I/O error) is a hole-free prefix of
 * packets up to s->fail_off.  At the end it gets one more packet there,
 * with no records, the next sequence number (readers count the packets in
 * between as lost) and events_discarded raised by every event that never
 * reached the disk, so babeltrace2 and vtrace report the loss.  Called
 * after every write completed and the disk reserve was given back.
 */
void cons_ring_write_losses(struct cons_ring *r, const char *dir)
{
	struct cons_stream *s = &r->stream;
	uint64_t discarded = r->st.last_discarded > r->dropped ?
				     r->st.last_discarded : r->dropped;
	uint64_t lost = s->sub_events - s->fail_ev_before + s->lost_events;
	unsigned npk = 0;
	uint8_t *pkt;

	if (s->fd < 0 || !s->err || !lost)
		return;
	if (posix_memalign((void **)&pkt, RING_PACKET_SIZE,
			   2 * RING_PACKET_SIZE))
		return;
	memset(pkt, 0, 2 * RING_PACKET_SIZE);
	if (s->fail_off == 0) {
		/* No packet before: the count needs one to start from. */
		fill_header(&r->st, pkt, r->st.last_ts, r->st.last_ts, 1, 0);
		npk++;
	}
	fill_header(&r->st, pkt + npk * RING_PACKET_SIZE, r->st.last_ts,
		    r->st.last_ts, 1, discarded + lost);
	npk++;
	if (ftruncate(s->fd, s->fail_off) == 0 &&
	    pwrite(s->fd, pkt, npk * RING_PACKET_SIZE, (off_t)s->fail_off) ==
		    (ssize_t)(npk * RING_PACKET_SIZE))
		s->fail_off += npk * RING_PACKET_SIZE;
	else
		fprintf(stderr, CONS_NAME ": %s/%s: cannot record the %llu "
			"lost events in the trace: %s\n", dir, s->name,
			(unsigned long long)lost, strerror(errno));
	free(pkt);
}

int cons_ring_final(struct cons_ctx *ctx, struct cons_ring *r)
{
	uint64_t dropped = shm_load(&r->ctl->dropped);
	uint8_t *buf;
	int bounce;

	if (dropped < r->st.last_discarded || dropped < r->dropped) {
		fprintf(stderr,
			CONS_NAME ": ring %s: dropped count %llu went back "
			"(written %llu), ignored\n",
			ring_name(r), (unsigned long long)dropped,
			(unsigned long long)r->st.last_discarded);
		r->dropped = r->st.last_discarded > r->dropped ?
				     r->st.last_discarded : r->dropped;
		return 0;
	}
	r->dropped = dropped;
	if (dropped == r->st.last_discarded)
		return 0;
	if (stream_lead_in(ctx, r, dropped))
		return -EAGAIN;
	buf = cons_writer_get_bounce(&ctx->w, &bounce);
	if (!buf)
		return -EAGAIN;
	cons_packet_empty(&r->st, buf, dropped);
	return cons_writer_write(&ctx->w, r, CONS_NO_PACKET, 1, bounce, buf, 0);
}
