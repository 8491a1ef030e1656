// SPDX-License-Identifier: MIT
/*
 * Unit tests of the consumer: packet closing (pure functions), head
 * validation, and the drain path through a real io_uring into a temporary
 * directory, read back and checked record by record.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "consumer/consumer-internal.h"
#include "tests/consumer/sim-producer.h"

#define SLOTS RING_SLOTS_PER_PACKET

static struct ring_record *slot(void *pkt, unsigned i)
{
	return (struct ring_record *)pkt + i;
}

static void put(void *pkt, unsigned at, uint32_t nslots, uint64_t ts)
{
	slot(pkt, at)->id = 0;
	slot(pkt, at)->nslots = nslots;
	slot(pkt, at)->timestamp = ts;
}

static void *new_packet(void)
{
	void *p = NULL;

	assert_int_equal(posix_memalign(&p, 4096, RING_PACKET_SIZE), 0);
	memset(p, 0xee, RING_PACKET_SIZE);	/* garbage everywhere */
	return p;
}

static struct ring_packet_header *hdr(void *pkt)
{
	return pkt;
}

/* ------------------------------------------------------------ packets */

static void test_packet_walk_stops_at_pad(void **state)
{
	void *pkt = new_packet();
	enum cons_walk_end why;
	unsigned records, end;

	(void)state;
	for (unsigned i = 1; i <= 10; i++)
		put(pkt, i, 1, i);
	slot(pkt, 11)->id = RING_PAD_ID;
	slot(pkt, 11)->nslots = SLOTS - 11;
	end = cons_packet_walk(pkt, 1, SLOTS, &why, NULL, &records);
	assert_int_equal(end, 11);
	assert_int_equal(records, 10);
	assert_int_equal(why, CONS_END_PAD);
	free(pkt);
}

static void test_packet_close_content_size_multislot(void **state)
{
	struct cons_stream_state st = { .cpu_id = 3 };
	struct cons_close c;
	void *pkt = new_packet();
	unsigned at = 1, n = 0;

	(void)state;
	memcpy(st.uuid, sim_uuid, 16);
	/* 3-slot records: 21 of them fill slots 1..63 exactly. */
	while (at + 3 <= SLOTS) {
		put(pkt, at, 3, 100 + at);
		at += 3;
		n++;
	}
	assert_int_equal(at, SLOTS);
	cons_packet_close(&st, pkt, SLOTS, 0, &c);
	assert_true(c.write);
	assert_int_equal(c.records, n);
	assert_int_equal(c.why, CONS_END_LIMIT);
	assert_int_equal(hdr(pkt)->content_size, 4096 * 8);
	assert_int_equal(hdr(pkt)->packet_size, 32768);
	assert_int_equal(hdr(pkt)->magic, RING_CTF_MAGIC);
	assert_memory_equal(hdr(pkt)->uuid, sim_uuid, 16);
	assert_int_equal(hdr(pkt)->stream_id, 0);
	assert_int_equal(hdr(pkt)->cpu_id, 3);
	assert_int_equal(hdr(pkt)->packet_seq_num, 0);

	/* A 2-slot then 1-slot mix ending in a pad. */
	pkt = (memset(pkt, 0xee, 4096), pkt);
	put(pkt, 1, 2, 500);
	put(pkt, 3, 1, 501);
	put(pkt, 4, 5, 502);
	slot(pkt, 9)->id = RING_PAD_ID;
	slot(pkt, 9)->nslots = SLOTS - 9;
	cons_packet_close(&st, pkt, SLOTS, 0, &c);
	assert_int_equal(c.records, 3);
	assert_int_equal(c.why, CONS_END_PAD);
	assert_int_equal(hdr(pkt)->content_size, 9 * 64 * 8);
	assert_int_equal(hdr(pkt)->packet_seq_num, 1);
	free(pkt);
}

static void test_packet_close_bad_nslots_zero(void **state)
{
	struct cons_stream_state st = { 0 };
	struct cons_close c;
	void *pkt = new_packet();

	(void)state;
	put(pkt, 1, 1, 10);
	put(pkt, 2, 1, 11);
	put(pkt, 3, 0, 12);		/* bad */
	put(pkt, 4, 1, 13);
	cons_packet_close(&st, pkt, SLOTS, 0, &c);
	assert_int_equal(c.why, CONS_END_BAD);
	assert_int_equal(c.bad_nslots, 0);
	assert_int_equal(c.bad_slot, 3);
	assert_int_equal(c.records, 2);
	assert_int_equal(hdr(pkt)->content_size, 3 * 64 * 8);
	assert_int_equal(hdr(pkt)->timestamp_end, 11);
	free(pkt);
}

static void test_packet_close_bad_nslots_past_packet(void **state)
{
	struct cons_stream_state st = { 0 };
	struct cons_close c;
	void *pkt = new_packet();

	(void)state;
	put(pkt, 1, 1, 10);
	put(pkt, 2, 63, 11);		/* 2 + 63 > 64 */
	cons_packet_close(&st, pkt, SLOTS, 0, &c);
	assert_int_equal(c.why, CONS_END_BAD);
	assert_int_equal(c.bad_nslots, 63);
	assert_int_equal(c.records, 1);
	assert_int_equal(hdr(pkt)->content_size, 2 * 64 * 8);

	/* Huge values must not wrap the bound check. */
	memset(pkt, 0xee, 4096);
	put(pkt, 1, 0xffffffffu, 10);
	cons_packet_close(&st, pkt, SLOTS, 1, &c);
	assert_int_equal(c.why, CONS_END_BAD);
	assert_int_equal(c.records, 0);
	assert_true(c.write);		/* new drop: written, empty */
	assert_int_equal(hdr(pkt)->content_size, 64 * 8);
	free(pkt);
}

static void test_packet_close_timestamps_monotonic(void **state)
{
	struct cons_stream_state st = { 0 };
	struct cons_close c;
	void *pkt = new_packet();

	(void)state;
	put(pkt, 1, 1, 1000);
	put(pkt, 2, 1, 1005);
	put(pkt, 3, 1, 1003);		/* went back: raised to 1005 */
	put(pkt, 4, 1, 1010);
	cons_packet_close(&st, pkt, 5, 0, &c);
	assert_int_equal(c.records, 4);
	assert_int_equal(c.ts_clamped, 1);
	assert_int_equal(hdr(pkt)->timestamp_begin, 1000);
	assert_int_equal(hdr(pkt)->timestamp_end, 1010);
	assert_int_equal(slot(pkt, 3)->timestamp, 1005);
	assert_int_equal(hdr(pkt)->content_size, 5 * 64 * 8);

	/* Next packet starts before the last end: begin is raised so the
	 * stream stays monotonic. */
	memset(pkt, 0xee, 4096);
	put(pkt, 1, 1, 900);
	put(pkt, 2, 1, 2000);
	cons_packet_close(&st, pkt, 3, 0, &c);
	assert_int_equal(hdr(pkt)->timestamp_begin, 1010);
	assert_int_equal(hdr(pkt)->timestamp_end, 2000);
	assert_true(hdr(pkt)->timestamp_begin >= 1000);

	/* An empty packet carrying drops sits at the last end. */
	cons_packet_empty(&st, pkt, 4);
	assert_int_equal(hdr(pkt)->timestamp_begin, 2000);
	assert_int_equal(hdr(pkt)->timestamp_end, 2000);
	assert_int_equal(hdr(pkt)->content_size, 512);
	assert_int_equal(hdr(pkt)->events_discarded, 4);
	assert_int_equal(hdr(pkt)->packet_seq_num, 2);
	free(pkt);
}

static void test_packet_close_discarded_non_decreasing(void **state)
{
	struct cons_stream_state st = { 0 };
	struct cons_close c;
	void *pkt = new_packet();

	(void)state;
	put(pkt, 1, 1, 1);
	cons_packet_close(&st, pkt, 2, 5, &c);
	assert_int_equal(hdr(pkt)->events_discarded, 5);
	put(pkt, 1, 1, 2);
	cons_packet_close(&st, pkt, 2, 3, &c);	/* snapshot went back */
	assert_int_equal(hdr(pkt)->events_discarded, 5);
	put(pkt, 1, 1, 3);
	cons_packet_close(&st, pkt, 2, 9, &c);
	assert_int_equal(hdr(pkt)->events_discarded, 9);
	assert_int_equal(st.last_discarded, 9);
	free(pkt);
}

static void test_packet_close_empty_skipped_unless_drops(void **state)
{
	struct cons_stream_state st = { .last_discarded = 2, .next_seq = 7 };
	struct cons_close c;
	void *pkt = new_packet();

	(void)state;
	slot(pkt, 1)->id = RING_PAD_ID;
	slot(pkt, 1)->nslots = 63;
	cons_packet_close(&st, pkt, SLOTS, 2, &c);
	assert_false(c.write);
	assert_int_equal(st.next_seq, 7);	/* no seq number used */
	cons_packet_close(&st, pkt, SLOTS, 3, &c);
	assert_true(c.write);
	assert_int_equal(hdr(pkt)->packet_seq_num, 7);
	assert_int_equal(hdr(pkt)->events_discarded, 3);
	assert_int_equal(hdr(pkt)->content_size, 512);
	free(pkt);
}

static void test_packet_walk_unpublished_record_is_not_bad(void **state)
{
	void *pkt = new_packet();
	enum cons_walk_end why;
	unsigned records, end;

	(void)state;
	put(pkt, 1, 1, 1);
	put(pkt, 2, 4, 2);		/* ends at 6, limit is 4 */
	end = cons_packet_walk(pkt, 1, 4, &why, NULL, &records);
	assert_int_equal(end, 2);
	assert_int_equal(records, 1);
	assert_int_equal(why, CONS_END_LIMIT);
	free(pkt);
}

/* ------------------------------------------------------------ rings */

/* Why io_uring could not be set up (-errno), for the SKIP line. */
static int uring_error;

struct fixture {
	char dir[64];
	struct cons_ctx ctx;
	struct cons_ring ring;
	void *map;
	struct sim_ring sim;
	uint64_t npackets;
};

static int setup_ring(void **state, uint64_t npackets, bool with_writer)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t size = RING_CTL_SIZE + npackets * RING_PACKET_SIZE;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/vtrace-cons-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(posix_memalign(&f->map, 4096, size), 0);
	memset(f->map, 0, size);
	f->npackets = npackets;
	assert_int_equal(cons_ring_init(&f->ring, f->map, 0, 0, npackets,
					RING_POLICY_DISCARD), 0);
	memcpy(f->ring.st.uuid, sim_uuid, 16);
	strcpy(f->ring.stream.name, "vcpu0");
	f->ctx.dir = f->dir;
	f->ctx.dirfd = open(f->dir, O_RDONLY | O_DIRECTORY);
	f->ctx.rings = &f->ring;
	f->ctx.nrings = 1;
	f->ctx.inflight_per_ring = 4;
	f->ctx.max_batch = 1;
	cons_dir_fd = f->ctx.dirfd;
	cons_dir_name = f->dir;
	sim_ring_attach(&f->sim, f->map, -1, false);
	if (with_writer) {
		int err = cons_writer_init(&f->ctx.w, 8, 4, cons_ring_write_done);

		if (err) {
			uring_error = err;
			*state = f;
			return 0;
		}
		cons_writer_register(&f->ctx.w, &f->ring, 1);
	}
	*state = f;
	return 0;
}

static int setup_small(void **state)
{
	return setup_ring(state, 4, true);
}

static int teardown_ring(void **state)
{
	struct fixture *f = *state;
	char path[128];

	cons_stream_close(&f->ring.stream, f->dir);
	cons_writer_exit(&f->ctx.w);
	free(f->ring.pstate);
	free(f->map);
	snprintf(path, sizeof(path), "%s/vcpu0", f->dir);
	unlink(path);
	close(f->ctx.dirfd);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A test that needs io_uring where it cannot run is skipped, and the
 * binary then exits 77 (run-all.sh counts it as skipped, not passed). */
static unsigned uring_skipped;

static void need_uring(struct fixture *f)
{
	if (!f->ctx.w.ready) {
		uring_skipped++;
		skip();
	}
}

/* Read the stream file back: check every packet and collect each
 * record's first argument into @vals.  Returns the number of records. */
static unsigned read_back(struct fixture *f, uint64_t *vals, unsigned max,
			  unsigned *npackets)
{
	char path[128];
	uint8_t pkt[RING_PACKET_SIZE];
	unsigned n = 0, p = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/vcpu0", f->dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	while (read(fd, pkt, sizeof(pkt)) == (ssize_t)sizeof(pkt)) {
		struct ring_packet_header *h = (void *)pkt;
		unsigned end = h->content_size / 8 / 64, at = 1;

		assert_int_equal(h->magic, RING_CTF_MAGIC);
		assert_int_equal(h->packet_size, 32768);
		assert_int_equal(h->packet_seq_num, p);
		assert_true(end >= 1 && end <= SLOTS);
		while (at < end) {
			struct ring_record *r = slot(pkt, at);

			assert_true(r->nslots >= 1 && at + r->nslots <= end);
			assert_true(r->timestamp >= h->timestamp_begin);
			assert_true(r->timestamp <= h->timestamp_end);
			assert_true(n < max);
			memcpy(&vals[n++], r->args, 8);
			at += r->nslots;
		}
		p++;
	}
	close(fd);
	*npackets = p;
	return n;
}

static void test_drain_partial_then_complete_no_duplicates(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	uint64_t vals[256], head;
	unsigned n, np, i;

	need_uring(f);
	/* 10 records, then a flush-like partial drain. */
	for (i = 0; i < 10; i++)
		assert_int_equal(sim_write(&f->sim, 0, 1, 100 + i, i, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	assert_int_equal(cons_writer_submit(&f->ctx.w), 0);
	assert_int_equal(cons_writer_drain_all(&f->ctx.w), 0);
	assert_int_equal(r->scan, 11);
	assert_int_equal(r->tail, 0);		/* packet 0 still open */
	n = read_back(f, vals, 256, &np);
	assert_int_equal(n, 10);
	assert_int_equal(np, 1);

	/* A second partial drain with nothing new writes nothing. */
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	cons_writer_drain_all(&f->ctx.w);
	n = read_back(f, vals, 256, &np);
	assert_int_equal(np, 1);

	/* Fill packet 0 (with 3-slot records, forcing a pad) and part of
	 * packet 1. */
	for (i = 10; i < 40; i++)
		assert_int_equal(sim_write(&f->sim, 1, 3, 100 + i, i, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_true(head > 64);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, false), 0);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	cons_ring_release(r);
	assert_int_equal(r->tail, 64);		/* packet 0 released */
	assert_int_equal(__atomic_load_n(&r->ctl->tail, __ATOMIC_ACQUIRE), 64);
	/* Now the partial rest. */
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	n = read_back(f, vals, 256, &np);
	assert_int_equal(n, 40);
	assert_int_equal(np, 3);
	for (i = 0; i < 40; i++)
		assert_int_equal(vals[i], i);	/* once each, in order */
}

static void test_drain_two_partials_then_complete(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	uint64_t vals[256], head;
	unsigned n, np, i = 0;

	need_uring(f);
	for (; i < 5; i++)
		assert_int_equal(sim_write(&f->sim, 0, 1, i, i, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	assert_int_equal(r->scan, 6);
	for (; i < 10; i++)
		assert_int_equal(sim_write(&f->sim, 0, 1, i, i, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	assert_int_equal(r->scan, 11);
	for (; i < 80; i++)
		assert_int_equal(sim_write(&f->sim, 0, 1, i, i, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	assert_int_equal(r->tail, 64);
	n = read_back(f, vals, 256, &np);
	assert_int_equal(n, 80);
	assert_int_equal(np, 4);	/* 0-4, 5-9, 10-62, 63-79 */
	for (i = 0; i < n; i++)
		assert_int_equal(vals[i], i);
}

static void test_drain_releases_tail_only_after_write(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	uint64_t head, vals[1024];
	unsigned i, n, np;

	need_uring(f);
	/* Fill the whole ring (4 packets of 63 records). */
	for (i = 0; i < 4 * 63; i++)
		assert_int_equal(sim_write(&f->sim, 0, 1, i, i, 0), 0);
	/* The next record needs packet 4 = packet 0 again: no room. */
	assert_int_equal(sim_write(&f->sim, 0, 1, 999, 999, 0), -ENOBUFS);
	assert_int_equal(f->sim.dropped, 1);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(head, 4 * 64);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, false), 0);
	/* Submitted but not reaped: nothing released yet. */
	assert_int_equal(r->tail, 0);
	assert_int_equal(r->inflight, 4);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	assert_int_equal(r->inflight, 0);
	assert_int_equal(r->tail, 4 * 64);
	/* Room again; the next packet carries the drop. */
	assert_int_equal(sim_write(&f->sim, 0, 1, 1000, 1000, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	assert_int_equal(r->st.last_discarded, 1);
	/* And the final drain has nothing more to say about drops. */
	assert_int_equal(cons_ring_final(&f->ctx, r), 0);
	cons_writer_drain_all(&f->ctx.w);
	n = read_back(f, vals, 1024, &np);
	assert_int_equal(n, 4 * 63 + 1);
	assert_int_equal(np, 5);
	assert_int_equal(r->dropped, 1);
}

static void test_drain_final_packet_carries_drops(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	uint64_t head, vals[16];
	unsigned n, np;
	char path[128];
	uint8_t pkt[4096];
	int fd;

	need_uring(f);
	assert_int_equal(sim_write(&f->sim, 0, 1, 5, 1, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	/* Drops after the last packet was written. */
	sim_drop(&f->sim);
	sim_drop(&f->sim);
	assert_int_equal(cons_ring_final(&f->ctx, r), 0);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	n = read_back(f, vals, 16, &np);
	assert_int_equal(n, 1);
	assert_int_equal(np, 2);
	snprintf(path, sizeof(path), "%s/vcpu0", f->dir);
	fd = open(path, O_RDONLY);
	assert_int_equal(pread(fd, pkt, 4096, 4096), 4096);
	close(fd);
	assert_int_equal(((struct ring_packet_header *)pkt)->events_discarded, 2);
	assert_int_equal(((struct ring_packet_header *)pkt)->content_size, 512);
	assert_int_equal(r->dropped, 2);
}

static void test_drain_drops_only_stream_starts_at_zero(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	struct ring_packet_header h[2];
	char path[128];
	int fd;

	need_uring(f);
	/* Nothing but drops: babeltrace2 needs a packet at 0 before the one
	 * carrying them to print a count. */
	for (int k = 0; k < 7; k++)
		sim_drop(&f->sim);
	assert_int_equal(cons_ring_final(&f->ctx, r), 0);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	snprintf(path, sizeof(path), "%s/vcpu0", f->dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), 2 * 4096);
	assert_int_equal(pread(fd, &h[0], 64, 0), 64);
	assert_int_equal(pread(fd, &h[1], 64, 4096), 64);
	close(fd);
	assert_int_equal(h[0].events_discarded, 0);
	assert_int_equal(h[0].packet_seq_num, 0);
	assert_int_equal(h[1].events_discarded, 7);
	assert_int_equal(h[1].packet_seq_num, 1);
	assert_int_equal(r->dropped, 7);
}

static int setup_batch(void **state)
{
	int ret = setup_ring(state, 8, true);

	((struct fixture *)*state)->ctx.max_batch = 4;
	return ret;
}

static void test_drain_batches_contiguous_packets(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	uint64_t head, vals[1024];
	unsigned i, n, np;

	need_uring(f);
	/* 6 full packets: packets 0-3 go in one write, 4-5 in another. */
	for (i = 0; i < 6 * 63; i++)
		assert_int_equal(sim_write(&f->sim, 0, 1, i, i, 0), 0);
	assert_int_equal(sim_write(&f->sim, 0, 1, 9999, 6 * 63, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, false), 0);
	assert_int_equal(r->inflight, 2);
	assert_int_equal(r->stream.sub_packets, 6);
	assert_int_equal(r->scan, 6 * 64);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	assert_int_equal(r->tail, 6 * 64);
	assert_int_equal(f->ctx.w.bytes, 6 * 4096);
	/* The run stops at the end of the mapping: packets 6, 7 then 0. */
	for (i = 6 * 63 + 1; i < 9 * 63 + 1; i++)
		assert_int_equal(sim_write(&f->sim, 0, 1, 10000 + i, i, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	assert_int_equal(r->inflight, 2);	/* 6-7, then 8 (= slot 0) */
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	n = read_back(f, vals, 1024, &np);
	assert_int_equal(n, 9 * 63 + 1);
	assert_int_equal(np, 10);
	for (i = 0; i < n; i++)
		assert_int_equal(vals[i], i);
}

static void test_writer_enospc_counts_lost_and_releases(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	uint64_t head;
	unsigned i;

	need_uring(f);
	/* /dev/full stands in for a full disk. */
	r->stream.fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	assert_true(r->stream.fd >= 0);
	for (i = 0; i < 2 * 63; i++)
		assert_int_equal(sim_write(&f->sim, 0, 1, i, i, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, false), 0);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	assert_int_equal(r->stream.err, ENOSPC);
	assert_int_equal(r->stream.fail_off, 0);
	assert_int_equal(r->stream.fail_ev_before, 0);
	/* The ring moves on all the same. */
	assert_int_equal(r->tail, 2 * 64);
	/* Later packets are not written, only counted. */
	for (i = 0; i < 63 + 5; i++)
		assert_int_equal(sim_write(&f->sim, 0, 1, 500 + i, i, 0), 0);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(cons_drain_ring(&f->ctx, r, head, true), 0);
	cons_writer_submit(&f->ctx.w);
	cons_writer_drain_all(&f->ctx.w);
	assert_int_equal(r->tail, 3 * 64);
	assert_int_equal(r->stream.lost_packets, 2);
	assert_int_equal(r->stream.lost_events, 63 + 5);
	assert_int_equal(r->stream.sub_events, 2 * 63);
	close(r->stream.fd);
	r->stream.fd = -1;
}

static void test_head_out_of_bounds_rejected(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	uint64_t head;

	/* A producer claiming more than the ring holds. */
	__atomic_store_n(&r->ctl->head, r->capacity + 1, __ATOMIC_RELEASE);
	assert_int_equal(cons_ring_load_head(r, &head), -EINVAL);
	assert_true(r->rejected);
	/* Once rejected, the ring stays rejected and is not drained. */
	__atomic_store_n(&r->ctl->head, 10, __ATOMIC_RELEASE);
	assert_int_equal(cons_ring_load_head(r, &head), -EINVAL);
	assert_false(cons_ring_has_work(r));
	assert_int_equal(cons_drain_ring(&f->ctx, r, 100, true), 0);
	assert_int_equal(r->scan, 0);
}

static void test_head_backwards_rejected(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	uint64_t head;

	__atomic_store_n(&r->ctl->head, r->capacity, __ATOMIC_RELEASE);
	assert_int_equal(cons_ring_load_head(r, &head), 0);
	assert_int_equal(head, r->capacity);
	__atomic_store_n(&r->ctl->head, 5, __ATOMIC_RELEASE);
	assert_int_equal(cons_ring_load_head(r, &head), -EINVAL);
	assert_true(r->rejected);
}

static void test_writer_packet_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct cons_ring *r = &f->ring;
	uint8_t back[4096];
	char path[128];
	uint8_t *buf;
	int bounce, fd;

	need_uring(f);
	buf = cons_writer_get_bounce(&f->ctx.w, &bounce);
	assert_non_null(buf);
	for (unsigned i = 0; i < 4096; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	memcpy(back, buf, 4096);
	assert_int_equal(cons_writer_write(&f->ctx.w, r, CONS_NO_PACKET, 1,
					   bounce, buf, 3), 0);
	assert_int_equal(cons_writer_submit(&f->ctx.w), 0);
	assert_int_equal(cons_writer_drain_all(&f->ctx.w), 0);
	assert_int_equal(f->ctx.w.bytes, 4096);
	assert_int_equal(r->stream.err, 0);
	assert_int_equal(r->stream.sub_events, 3);
	snprintf(path, sizeof(path), "%s/vcpu0", f->dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	memset(buf, 0, 4096);		/* the bounce is free again */
	assert_int_equal(read(fd, buf, 4096), 4096);
	assert_memory_equal(buf, back, 4096);
	assert_int_equal(lseek(fd, 0, SEEK_END), 4096);
	close(fd);
}

static void test_stream_open_refuses_symlink(void **state)
{
	struct fixture *f = *state;
	struct cons_stream s = { .fd = -1 };
	char path[128];

	snprintf(path, sizeof(path), "%s/vcpu0", f->dir);
	assert_int_equal(symlink("/tmp/vtrace-cons-test-target", path), 0);
	strcpy(s.name, "vcpu0");
	assert_true(cons_stream_open(f->ctx.dirfd, &s) < 0);
	assert_int_equal(s.fd, -1);
	unlink(path);
}

static void test_trace_dir_created_0750_and_no_symlink(void **state)
{
	struct fixture *f = *state;
	char path[160], link[200];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/a/b/trace", f->dir);
	assert_int_equal(cons_trace_dir(path, &fd), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(cons_write_metadata(fd, "/* CTF 1.8 */\n", 14), 0);
	/* metadata is new: a second write refuses. */
	assert_true(cons_write_metadata(fd, "x", 1) < 0);
	close(fd);
	snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(cons_trace_dir(link, &fd), -ELOOP);
	unlink(link);
	snprintf(link, sizeof(link), "%s/metadata", path);
	unlink(link);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/b", f->dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a", f->dir);
	rmdir(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packet_walk_stops_at_pad),
		cmocka_unit_test(test_packet_close_content_size_multislot),
		cmocka_unit_test(test_packet_close_bad_nslots_zero),
		cmocka_unit_test(test_packet_close_bad_nslots_past_packet),
		cmocka_unit_test(test_packet_close_timestamps_monotonic),
		cmocka_unit_test(test_packet_close_discarded_non_decreasing),
		cmocka_unit_test(test_packet_close_empty_skipped_unless_drops),
		cmocka_unit_test(test_packet_walk_unpublished_record_is_not_bad),
		cmocka_unit_test_setup_teardown(
			test_drain_partial_then_complete_no_duplicates,
			setup_small, teardown_ring),
		cmocka_unit_test_setup_teardown(
			test_drain_two_partials_then_complete, setup_small,
			teardown_ring),
		cmocka_unit_test_setup_teardown(
			test_drain_releases_tail_only_after_write, setup_small,
			teardown_ring),
		cmocka_unit_test_setup_teardown(
			test_drain_final_packet_carries_drops, setup_small,
			teardown_ring),
		cmocka_unit_test_setup_teardown(
			test_drain_drops_only_stream_starts_at_zero,
			setup_small, teardown_ring),
		cmocka_unit_test_setup_teardown(
			test_drain_batches_contiguous_packets, setup_batch,
			teardown_ring),
		cmocka_unit_test_setup_teardown(
			test_writer_enospc_counts_lost_and_releases,
			setup_small, teardown_ring),
		cmocka_unit_test_setup_teardown(test_head_out_of_bounds_rejected,
						setup_small, teardown_ring),
		cmocka_unit_test_setup_teardown(test_head_backwards_rejected,
						setup_small, teardown_ring),
		cmocka_unit_test_setup_teardown(test_writer_packet_roundtrip,
						setup_small, teardown_ring),
		cmocka_unit_test_setup_teardown(test_stream_open_refuses_symlink,
						setup_small, teardown_ring),
		cmocka_unit_test_setup_teardown(
			test_trace_dir_created_0750_and_no_symlink, setup_small,
			teardown_ring),
	};

	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	if (rc == 0 && uring_skipped) {
		printf("SKIP: %u io_uring tests: io_uring: %s\n", uring_skipped,
		       strerror(-uring_error));
		return 77;
	}
	return rc;
}
