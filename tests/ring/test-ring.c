/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the ring producer (ring/ring.h, ring/producer.c) over a
 * ring in this process's memory, formatted as the consumer would.  The
 * last test is a two-thread stress of the publish/release protocol with a
 * reader thread playing the consumer; `make check` also runs it under TSan.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ring/ring.h"

#define NPACKETS 4

struct test_ring {
	void *map;
	size_t bytes;
	struct ring_ctl *ctl;
	struct ring_record *slots;
	struct ring_writer w;
};

static struct test_ring *ring_new(unsigned npackets, enum ring_policy policy)
{
	struct test_ring *r = calloc(1, sizeof(*r));

	r->bytes = RING_CTL_SIZE + (size_t)npackets * RING_PACKET_SIZE;
	r->map = aligned_alloc(RING_PACKET_SIZE, r->bytes);
	memset(r->map, 0, r->bytes);
	r->ctl = r->map;
	r->ctl->magic = RING_MAGIC;
	r->ctl->version = RING_ABI_VERSION;
	r->ctl->slot_size = RING_SLOT_SIZE;
	r->ctl->packet_size = RING_PACKET_SIZE;
	r->ctl->data_offset = RING_CTL_SIZE;
	r->ctl->data_size = (uint64_t)npackets * RING_PACKET_SIZE;
	r->slots = (struct ring_record *)((char *)r->map + RING_CTL_SIZE);
	assert_int_equal(ring_writer_init(&r->w, r->map, r->bytes, policy, 0, NULL), 0);
	return r;
}

static void ring_free(struct test_ring *r)
{
	free(r->map);
	free(r);
}

static bool emit(struct test_ring *r, uint32_t id, unsigned nslots, uint64_t value)
{
	struct ring_record *rec = ring_reserve(&r->w, nslots);

	if (!rec)
		return false;
	memcpy(rec->args, &value, sizeof(value));
	ring_commit(&r->w, rec, id, nslots, value);
	return true;
}

static void test_ring_publish_first_record(void **state)
{
	struct test_ring *r = ring_new(NPACKETS, RING_POLICY_DISCARD);

	assert_true(emit(r, 7, 1, 42));
	/* slot 0 is the packet header, the record is in slot 1 */
	assert_int_equal(r->ctl->head, 2);
	assert_int_equal(r->slots[1].id, 7);
	assert_int_equal(r->slots[1].nslots, 1);
	assert_int_not_equal(r->slots[1].timestamp, 0);
	assert_int_equal(*(uint64_t *)r->slots[1].args, 42);
	assert_int_equal(((struct ring_packet_header *)&r->slots[0])->events_discarded, 0);
	ring_free(r);
}

static void test_ring_packet_fills_then_next_packet(void **state)
{
	struct test_ring *r = ring_new(NPACKETS, RING_POLICY_DISCARD);

	for (unsigned i = 0; i < RING_SLOTS_PER_PACKET - 1; i++)
		assert_true(emit(r, 1, 1, i));
	assert_int_equal(r->ctl->head, 64);
	assert_true(emit(r, 1, 1, 63));
	assert_int_equal(r->ctl->head, 66);
	assert_int_equal(*(uint64_t *)r->slots[65].args, 63);
	assert_true(r->slots[64].id != 1 || r->slots[64].nslots != 1);
	ring_free(r);
}

static void test_ring_record_never_straddles_a_packet(void **state)
{
	struct test_ring *r = ring_new(NPACKETS, RING_POLICY_DISCARD);

	for (unsigned i = 0; i < 61; i++)
		assert_true(emit(r, 1, 1, i));
	/* slots 62 and 63 are free: a three-slot record goes to packet 1 */
	assert_true(emit(r, 2, 3, 99));
	assert_int_equal(r->slots[62].id, RING_PAD_ID);
	assert_int_equal(r->slots[62].nslots, 2);
	assert_int_equal(r->slots[65].id, 2);
	assert_int_equal(r->slots[65].nslots, 3);
	assert_int_equal(r->ctl->head, 68);
	/* an exact fit does not pad */
	for (unsigned i = 0; i < 58; i++)
		assert_true(emit(r, 1, 1, i));
	assert_int_equal(r->ctl->head, 126);
	assert_true(emit(r, 2, 2, 5));
	assert_int_equal(r->ctl->head, 128);
	assert_int_equal(r->slots[126].id, 2);
	ring_free(r);
}

static void test_ring_full_discards_and_counts(void **state)
{
	struct test_ring *r = ring_new(NPACKETS, RING_POLICY_DISCARD);
	unsigned accepted = 0;

	for (unsigned i = 0; i < 1000; i++)
		accepted += emit(r, 1, 1, i);
	assert_int_equal(accepted, NPACKETS * (RING_SLOTS_PER_PACKET - 1));
	assert_int_equal(r->ctl->dropped, 1000 - accepted);
	assert_int_equal(r->ctl->head, NPACKETS * RING_SLOTS_PER_PACKET);
	/* the consumer frees one packet: the next packet records the drops */
	__atomic_store_n(&r->ctl->tail, RING_SLOTS_PER_PACKET, __ATOMIC_RELEASE);
	assert_true(emit(r, 1, 1, 5000));
	assert_int_equal(((struct ring_packet_header *)&r->slots[0])->events_discarded,
			 1000 - accepted);
	/* wrapped onto packet 0's memory */
	assert_int_equal(*(uint64_t *)r->slots[1].args, 5000);
	assert_int_equal(r->ctl->head, NPACKETS * RING_SLOTS_PER_PACKET + 2);
	ring_free(r);
}

static void test_ring_ignores_a_tail_beyond_head(void **state)
{
	struct test_ring *r = ring_new(NPACKETS, RING_POLICY_DISCARD);
	unsigned accepted = 0;

	/* A corrupt consumer claims to have read more than was written. */
	__atomic_store_n(&r->ctl->tail, 1000000, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < 1000; i++)
		accepted += emit(r, 1, 1, i);
	assert_int_equal(accepted, NPACKETS * (RING_SLOTS_PER_PACKET - 1));
	ring_free(r);
}

static void test_ring_null_writer_drops_quietly(void **state)
{
	struct ring_record *rec = ring_reserve(&ring_null_writer, 1);

	assert_null(rec);
	assert_null(ring_self_writer()->slots);
}

/* A reader thread that plays the consumer: takes complete packets, checks
 * every record's sequence number, then releases the tail. */
struct reader {
	struct test_ring *r;
	uint64_t total;
	uint64_t next_seq;
	int errors;
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct ring_ctl *ctl = rd->r->ctl;
	uint64_t pos = 0, tail = 0, mask = rd->r->w.capacity - 1;

	while (rd->next_seq < rd->total) {
		/* C1: pairs with the producer's store-release of head. */
		uint64_t head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);

		while (pos < head) {
			struct ring_record *rec = &rd->r->slots[pos & mask];
			uint64_t seq;

			if ((pos & (RING_SLOTS_PER_PACKET - 1)) == 0) {
				pos++;		/* packet header slot */
				continue;
			}
			if (rec->id == RING_PAD_ID) {
				pos = (pos | (RING_SLOTS_PER_PACKET - 1)) + 1;
				continue;
			}
			memcpy(&seq, rec->args, sizeof(seq));
			if (seq != rd->next_seq)
				rd->errors++;
			rd->next_seq = seq + 1;
			pos += rec->nslots ? rec->nslots : 1;
		}
		if ((pos & ~(uint64_t)(RING_SLOTS_PER_PACKET - 1)) > tail) {
			tail = pos & ~(uint64_t)(RING_SLOTS_PER_PACKET - 1);
			/* C2, then C4: pairs with the producer's P2 and P4. */
			__atomic_store_n(&ctl->tail, tail, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&ctl->producer_waiting, __ATOMIC_SEQ_CST)) {
				__atomic_store_n(&ctl->producer_waiting, 0, __ATOMIC_RELAXED);
				__atomic_add_fetch(&ctl->tail_seq, 1, __ATOMIC_RELEASE);
			}
		} else {
			sched_yield();
		}
	}
	return NULL;
}

static void test_ring_block_policy_two_threads_lose_nothing(void **state)
{
	struct test_ring *r = ring_new(NPACKETS, RING_POLICY_BLOCK);
	struct reader rd = { .r = r, .total = 200000 };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, reader_main, &rd), 0);
	for (uint64_t seq = 0; seq < rd.total; seq++)
		assert_true(emit(r, 1, (seq % 7) == 3 ? 2 : 1, seq));
	pthread_join(t, NULL);
	assert_int_equal(rd.errors, 0);
	assert_int_equal(rd.next_seq, rd.total);
	assert_int_equal(r->ctl->dropped, 0);
	ring_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_publish_first_record),
		cmocka_unit_test(test_ring_packet_fills_then_next_packet),
		cmocka_unit_test(test_ring_record_never_straddles_a_packet),
		cmocka_unit_test(test_ring_full_discards_and_counts),
		cmocka_unit_test(test_ring_ignores_a_tail_beyond_head),
		cmocka_unit_test(test_ring_null_writer_drops_quietly),
		cmocka_unit_test(test_ring_block_policy_two_threads_lose_nothing),
	};

	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
