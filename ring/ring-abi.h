/* SPDX-License-Identifier: MIT */
/*
 * The shared-memory ring ABI, read by two processes: the traced program
 * (producer, one writer per ring) and vtrace-consumer (reader, owner of the
 * memory).  Everything here is fixed-width, little-endian (x86-64 host) and
 * position independent: offsets, never pointers.
 *
 * One ring is one memfd:
 *
 *   offset 0                 struct ring_ctl (one 4096-byte page)
 *   offset ctl.data_offset   npackets * 4096-byte packets
 *
 * A packet is 64 slots of 64 bytes.  Slot 0 is the CTF packet header and
 * context (struct ring_packet_header); slots 1..63 hold records.  A record
 * (struct ring_record) takes 1..63 whole slots and never straddles a packet,
 * so a full packet is written to disk as it is: zero copy, O_DIRECT aligned.
 *
 * Counters are free-running 64-bit slot numbers, masked on use:
 *
 *   head  slots published by the producer (store-release, producer only)
 *   tail  slots the consumer has on disk   (store-release, consumer only)
 *
 * Memory-ordering pairs (see ring/ring.h and consumer/drain.c):
 *   P1 producer: write record, then store-release head
 *      pairs with C1 consumer: load-acquire head, then read records.
 *   C2 consumer: write to disk completes, then store tail (seq_cst)
 *      pairs with P2 producer: load tail (seq_cst), then reuse the packet.
 *   P3 producer: store head; seq_cst read-modify-write of head (+0);
 *      seq_cst load of consumer_sleeping
 *      pairs with C3 consumer: seq_cst store of consumer_sleeping;
 *      seq_cst load of head.  Either the producer sees the flag and wakes
 *      the consumer, or the consumer sees the new head and does not sleep.
 *   C4 consumer: seq_cst store of tail; seq_cst load of producer_waiting
 *      pairs with P4 producer (block policy): seq_cst store of
 *      producer_waiting; seq_cst load of tail; futex-wait on tail_seq.
 * P3/C3 and P4/C4 are store-then-load on both sides: they rely on the one
 * total order of seq_cst operations, not on standalone fences, so TSan
 * (which ignores fences) sees the same orderings the hardware gives.
 */
#ifndef VTRACE_RING_ABI_H
#define VTRACE_RING_ABI_H

#include <stdint.h>

#define RING_MAGIC		0x47525456u	/* "VTRG" little-endian */
#define RING_ABI_VERSION	1u

#define RING_SLOT_SIZE		64u
#define RING_PACKET_SIZE	4096u
#define RING_SLOTS_PER_PACKET	(RING_PACKET_SIZE / RING_SLOT_SIZE)
#define RING_PAYLOAD_SIZE	48u	/* args in the first slot of a record */
#define RING_CTL_SIZE		4096u
#define RING_MIN_PACKETS	4u
#define RING_MAX_PACKETS	(1u << 20)	/* 4 GiB per ring */

/* Record id that marks the unused tail of a packet: the next record did not
 * fit, so the producer moved on to the next packet. */
#define RING_PAD_ID		0xffffffffu

/* The CTF packet magic and the cpu_id of rings that are not vCPUs. */
#define RING_CTF_MAGIC		0xc1fc1fc1u
#define RING_CPU_ID_SYS		0x10000u	/* sys ring n has cpu_id 0x10000 + n */

enum ring_policy {
	RING_POLICY_DISCARD = 0,	/* drop the new event, count it */
	RING_POLICY_BLOCK = 1,		/* wait for the consumer, bounded */
};

/* One 64-byte slot.  CTF sees u32 id, a 32-bit alignment gap (nslots) and a
 * u64 timestamp: the event header of the stream class. */
struct ring_record {
	uint32_t id;
	uint32_t nslots;	/* slots this record spans, 1..63 */
	uint64_t timestamp;
	uint8_t args[RING_PAYLOAD_SIZE];
};

/* Slot 0 of every packet: CTF 1.8 packet header (24 bytes) and packet
 * context (40 bytes), exactly as the metadata declares them.  The producer
 * writes events_discarded (its cumulative drop count when it opened the
 * packet); the consumer fills in everything else before the write. */
struct ring_packet_header {
	uint32_t magic;
	uint8_t uuid[16];
	uint32_t stream_id;
	uint64_t timestamp_begin;
	uint64_t timestamp_end;
	uint32_t content_size;		/* bits */
	uint32_t packet_size;		/* bits */
	uint32_t packet_seq_num;
	uint32_t cpu_id;
	uint64_t events_discarded;	/* cumulative per stream */
};

/* The control page.  The consumer writes the first cache line once, before
 * handing the memfd over; after that each side writes only its own line. */
struct ring_ctl {
	/* Line 0: geometry, written by the consumer at creation. */
	uint32_t magic;
	uint32_t version;
	uint32_t slot_size;
	uint32_t packet_size;
	uint64_t data_offset;		/* bytes from the start of the memfd */
	uint64_t data_size;		/* npackets * RING_PACKET_SIZE */
	uint32_t ring_index;		/* position in the session's ring list */
	uint32_t cpu_id;		/* vCPU index, or RING_CPU_ID_SYS + n */
	uint32_t policy;		/* enum ring_policy */
	uint32_t pad0[5];

	/* Line 1: written by the producer only. */
	_Alignas(64) uint64_t head;	/* P1: store-release */
	uint64_t dropped;		/* events dropped, cumulative */
	uint32_t producer_waiting;	/* P4: set before futex-waiting */
	uint32_t pad1[11];

	/* Line 2: written by the consumer only (and the flag exchanges). */
	_Alignas(64) uint64_t tail;	/* C2: store-release */
	uint32_t tail_seq;		/* futex word, bumped when tail moves */
	uint32_t consumer_sleeping;	/* C3: set before the consumer sleeps */
	uint32_t pad2[12];
};

_Static_assert(sizeof(struct ring_record) == RING_SLOT_SIZE, "record is a slot");
_Static_assert(sizeof(struct ring_packet_header) == RING_SLOT_SIZE,
	       "packet header is slot 0");
_Static_assert(sizeof(struct ring_ctl) == 3 * 64, "control page layout");
_Static_assert(__builtin_offsetof(struct ring_ctl, head) == 64, "producer line");
_Static_assert(__builtin_offsetof(struct ring_ctl, tail) == 128, "consumer line");
_Static_assert(__builtin_offsetof(struct ring_packet_header, timestamp_begin) == 24,
	       "CTF packet context follows the 24-byte header");

#endif /* VTRACE_RING_ABI_H */
