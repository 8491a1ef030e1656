// SPDX-License-Identifier: MIT
/*
 * Fuzz the consumer's packet validation (consumer/drain.c): the record
 * walk and cons_packet_close(), which turn whatever a producer left in a
 * packet into a CTF packet.
 *
 * Input: 8 bytes of parameters (first slot, limit, snapshot and the
 * stream's last timestamp and discarded count, folded), then the packet
 * (zero-filled to 4096 bytes).  The packet is an exact heap block, so ASan
 * catches any access outside it.
 *
 * Invariants, for any packet content:
 *  - the walk stays in [first, min(limit, 64)] and counts at most one
 *    record per slot;
 *  - a closed packet is well formed up to content_size: header fields as
 *    the consumer promises (magic, uuid, sizes, seq, cpu_id), every record
 *    within the content with nslots >= 1, timestamps non-decreasing and
 *    within [timestamp_begin, timestamp_end], events_discarded never going
 *    back; re-walking the closed packet finds the same records and stops
 *    at the content's end, never on a bad record;
 *  - a packet that is not written leaves the stream state unchanged.
 */
#include <string.h>

#include "consumer/consumer-internal.h"
#include "tests/fuzz/fuzz.h"

const char fuzz_name[] = "drain";

#define SLOTS RING_SLOTS_PER_PACKET

static uint64_t u64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t params[8] = { 0 };
	uint8_t *pkt = malloc(RING_PACKET_SIZE);
	struct cons_stream_state st = { .cpu_id = 7, .next_seq = 3 }, before;
	struct ring_packet_header *h = (void *)pkt;
	enum cons_walk_end why;
	struct cons_close c;
	uint32_t bad = 0;
	unsigned first, limit, records, end, rec2, slot, n;
	uint64_t snapshot, ts;

	FUZZ_ASSERT(pkt);
	memcpy(params, data, size < 8 ? size : 8);
	memset(pkt, 0, RING_PACKET_SIZE);
	if (size > 8)
		memcpy(pkt, data + 8,
		       size - 8 < RING_PACKET_SIZE ? size - 8 : RING_PACKET_SIZE);
	memset(st.uuid, 0x5a, sizeof(st.uuid));
	first = params[0] % (SLOTS + 2);
	limit = params[1] % (SLOTS + 8);
	snapshot = params[2] & 1 ? u64_at(pkt + 56) : params[2] >> 1;
	st.last_ts = params[3] & 1 ? u64_at(pkt + 72) : (uint64_t)params[3] << 8;
	st.last_discarded = params[4] >> 2;
	st.packets = params[5] & 1;

	/* The walk alone. */
	end = cons_packet_walk(pkt, first, limit, &why, &bad, &records);
	if (first < SLOTS && first < limit) {
		FUZZ_ASSERT(end >= first);
		FUZZ_ASSERT(end <= (limit < SLOTS ? limit : SLOTS));
		FUZZ_ASSERT(records <= end - first);
	} else {
		FUZZ_ASSERT(records == 0);
	}

	/* Closing, as the consumer does before a write. */
	before = st;
	cons_packet_close(&st, pkt, limit, snapshot, &c);
	FUZZ_ASSERT(c.end_slot >= 1 && c.end_slot <= SLOTS);
	FUZZ_ASSERT(c.records <= c.end_slot - 1);
	if (!c.write) {
		FUZZ_ASSERT(memcmp(&st, &before, sizeof(st)) == 0);
		free(pkt);
		return 0;
	}
	FUZZ_ASSERT(h->magic == RING_CTF_MAGIC && h->stream_id == 0);
	FUZZ_ASSERT(memcmp(h->uuid, st.uuid, 16) == 0);
	FUZZ_ASSERT(h->packet_size == RING_PACKET_SIZE * 8);
	FUZZ_ASSERT(h->content_size == c.end_slot * RING_SLOT_SIZE * 8);
	FUZZ_ASSERT(h->packet_seq_num == before.next_seq);
	FUZZ_ASSERT(st.next_seq == before.next_seq + 1);
	FUZZ_ASSERT(h->cpu_id == before.cpu_id);
	FUZZ_ASSERT(h->events_discarded >= before.last_discarded);
	FUZZ_ASSERT(h->timestamp_begin <= h->timestamp_end);
	FUZZ_ASSERT(h->timestamp_begin >= before.last_ts);
	FUZZ_ASSERT(st.events == before.events + c.records);
	ts = h->timestamp_begin;
	for (slot = 1, n = 0; slot < c.end_slot; n++) {
		struct ring_record *r = (void *)(pkt + slot * RING_SLOT_SIZE);

		FUZZ_ASSERT(r->id != RING_PAD_ID);
		FUZZ_ASSERT(r->nslots >= 1 && r->nslots <= c.end_slot - slot);
		FUZZ_ASSERT(r->timestamp >= ts && r->timestamp <= h->timestamp_end);
		ts = r->timestamp;
		slot += r->nslots;
	}
	FUZZ_ASSERT(slot == c.end_slot && n == c.records);
	rec2 = 0;
	end = cons_packet_walk(pkt, 1, c.end_slot, &why, &bad, &rec2);
	FUZZ_ASSERT(end == c.end_slot && rec2 == c.records && why != CONS_END_BAD);
	free(pkt);
	return 0;
}
