// SPDX-License-Identifier: MIT
/*
 * Fuzz the consumer's ring scanning (consumer/drain.c) against a producer
 * that does anything to the shared memory: head, dropped, packet headers
 * and records are written from the input between the consumer's steps.
 *
 * The ring (control page + 4 packets) is a heap block, so ASan catches any
 * access outside it; the stream file is /dev/null, written through a real
 * io_uring (plain writes, no fixed buffers).
 *
 * Input: a program of 3-byte ops (op, a, b):
 *   0  a valid record of 1 + b % 3 slots (the producer's protocol)
 *   1  head += a (may run past what was written: unpublished garbage)
 *   2  head = a random-looking value (beyond capacity, backwards, ...)
 *   3  8 bytes of the ring data at offset (a << 8 | b) * 8 = a, b...
 *   4  dropped = a << 8 | b (may go back)
 *   5  events_discarded of the packet at head = a << 24
 *   6  the consumer's drain step (complete packets)
 *   7  a flush: drain with partial packets, then wait for the writes
 *   8  the final drop count (cons_ring_final)
 * then a last flush.  Invariants after every step: tail is a packet
 * start, tail <= scan <= last_head <= tail + capacity, and a rejected
 * ring stays rejected and untouched.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "consumer/consumer-internal.h"
#include "tests/consumer/sim-producer.h"
#include "tests/fuzz/fuzz.h"

const char fuzz_name[] = "ring";

#define NPACKETS 4
#define SLOTS RING_SLOTS_PER_PACKET
#define MAP_SIZE (RING_CTL_SIZE + NPACKETS * RING_PACKET_SIZE)

static struct cons_ctx ctx;
static struct cons_ring ring;
static int devnull = -1;
static bool uring_ok;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	FUZZ_ASSERT(devnull >= 0);
	uring_ok = cons_writer_init(&ctx.w, 8, 4, cons_ring_write_done) == 0;
	if (!uring_ok)
		fprintf(stderr, "fuzz-ring: no io_uring here; the writer is "
				"not exercised\n");
	ctx.dir = "/dev/null-dir";
	ctx.dirfd = -1;
	ctx.rings = &ring;
	ctx.nrings = 1;
	ctx.inflight_per_ring = 2;
	ctx.max_batch = 2;
	ctx.quiet = true;
	return 0;
}

static void check(const struct cons_ring *r, uint64_t head_before_reject)
{
	FUZZ_ASSERT(r->tail % SLOTS == 0);
	FUZZ_ASSERT(r->tail <= r->scan || r->rejected);
	FUZZ_ASSERT(r->scan <= r->last_head);
	FUZZ_ASSERT(r->last_head - r->tail <= r->capacity);
	if (r->rejected)
		FUZZ_ASSERT(r->last_head == head_before_reject);
}

static void flush(void)
{
	uint64_t head;

	if (!uring_ok)
		return;
	if (cons_ring_load_head(&ring, &head))
		head = 0;
	for (int i = 0; i < 64 && cons_drain_ring(&ctx, &ring, head, true); i++)
		cons_writer_reap(&ctx.w, true);
	cons_writer_submit(&ctx.w);
	cons_writer_drain_all(&ctx.w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *map;
	struct sim_ring sim;
	uint64_t ts = 100, seq = 0, last_head = 0;

	if (devnull < 0)
		LLVMFuzzerInitialize(NULL, NULL);
	map = aligned_alloc(4096, MAP_SIZE);
	FUZZ_ASSERT(map);
	memset(map, 0, MAP_SIZE);
	FUZZ_ASSERT(cons_ring_init(&ring, map, 0, 0, NPACKETS,
				   RING_POLICY_DISCARD) == 0);
	strcpy(ring.stream.name, "vcpu0");
	ring.stream.fd = devnull;
	sim_ring_attach(&sim, map, -1, false);

	for (size_t i = 0; i + 3 <= size; i += 3) {
		unsigned op = data[i] % 9, a = data[i + 1], b = data[i + 2];
		uint64_t head;

		if (!ring.rejected)
			last_head = ring.last_head;
		switch (op) {
		case 0:
			sim.head = __atomic_load_n(&sim.ctl->head, __ATOMIC_RELAXED);
			if (sim.head - __atomic_load_n(&sim.ctl->tail, __ATOMIC_RELAXED) <=
			    sim.capacity)
				sim_write(&sim, 0, 1 + b % 3, ts++, 0, seq++);
			break;
		case 1:
			__atomic_store_n(&sim.ctl->head, sim.ctl->head + a,
					 __ATOMIC_RELEASE);
			break;
		case 2:
			__atomic_store_n(&sim.ctl->head,
					 ((uint64_t)a << 56) ^ ((uint64_t)b << 3) ^
						 ring.last_head,
					 __ATOMIC_RELEASE);
			break;
		case 3: {
			size_t off = ((size_t)a << 8 | b) * 8 %
				     (NPACKETS * RING_PACKET_SIZE);

			memcpy(map + RING_CTL_SIZE + off, data + i, 3);
			memcpy(map + RING_CTL_SIZE + off + 3, &ts, 5);
			break;
		}
		case 4:
			__atomic_store_n(&sim.ctl->dropped, (uint64_t)a << 8 | b,
					 __ATOMIC_RELAXED);
			break;
		case 5: {
			uint64_t at = sim.ctl->head & ~(uint64_t)(SLOTS - 1);
			struct ring_packet_header *h = (void *)(map + RING_CTL_SIZE +
				(at & (NPACKETS * SLOTS - 1)) * RING_SLOT_SIZE);

			h->events_discarded = (uint64_t)a << 24 | b;
			break;
		}
		case 6:
			if (!uring_ok)
				break;
			cons_writer_reap(&ctx.w, false);
			if (!cons_ring_load_head(&ring, &head))
				cons_drain_ring(&ctx, &ring, head, false);
			cons_writer_submit(&ctx.w);
			break;
		case 7:
			flush();
			break;
		default:
			if (!uring_ok)
				break;
			for (int k = 0; k < 8 && cons_ring_final(&ctx, &ring) == -EAGAIN; k++)
				cons_writer_reap(&ctx.w, true);
			break;
		}
		check(&ring, last_head);
	}
	flush();
	check(&ring, last_head);
	if (uring_ok)
		FUZZ_ASSERT(ctx.w.inflight == 0 && ring.inflight == 0);
	free(ring.pstate);
	free(map);
	return 0;
}
