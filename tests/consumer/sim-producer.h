/* SPDX-License-Identifier: MIT */
/*
 * A minimal producer for the consumer's tests: the ring protocol of
 * ring/ring-abi.h written out plainly (P1-P4), independent of ring/ so the
 * consumer is tested against the ABI, not against one implementation.
 *
 *	struct sim_ring s;
 *	sim_ring_attach(&s, map, efd, true);
 *	sim_write(&s, 0, 1, ts, a, b);    // 0, or -ENOBUFS when dropped
 */
#ifndef VTRACE_TESTS_SIM_PRODUCER_H
#define VTRACE_TESTS_SIM_PRODUCER_H

#include <errno.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ring/ring-abi.h"
#include "ring/session-proto.h"

/*
 * Receive the consumer's RINGS message and exactly @nfds descriptors
 * (the eventfd, then the rings).  0 when the message is a well-formed
 * RINGS reply carrying them, else -1; the caller checks the contents.
 */
static inline int sim_recv_rings(int sock, struct vt_rings *r, int *fds,
				 unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * (VT_MAX_RINGS + 1))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { r, sizeof(*r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	struct cmsghdr *c;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(*r) ||
	    r->msg.magic != VT_PROTO_MAGIC || r->msg.type != VT_MSG_RINGS)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(nfds * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
	return 0;
}

struct sim_ring {
	struct ring_ctl *ctl;
	struct ring_record *slots;
	uint64_t capacity;		/* slots */
	uint64_t head;
	uint64_t dropped;
	int efd;			/* eventfd to wake the consumer, or -1 */
	bool block;			/* wait for room instead of dropping */
	unsigned wakeups;
};

static inline void sim_ring_attach(struct sim_ring *s, void *map, int efd,
				   bool block)
{
	struct ring_ctl *ctl = map;

	memset(s, 0, sizeof(*s));
	s->ctl = ctl;
	s->slots = (struct ring_record *)((char *)map + ctl->data_offset);
	s->capacity = ctl->data_size / RING_SLOT_SIZE;
	s->efd = efd;
	s->block = block;
}

static inline void sim_publish(struct sim_ring *s)
{
	/* P1: pairs with the consumer's load-acquire of head (C1). */
	__atomic_store_n(&s->ctl->head, s->head, __ATOMIC_RELEASE);
}

static inline bool sim_room(struct sim_ring *s)
{
	/* P2: pairs with the consumer's store of tail (C2); seq_cst for P4. */
	uint64_t tail = __atomic_load_n(&s->ctl->tail, __ATOMIC_SEQ_CST);

	return s->head + RING_SLOTS_PER_PACKET - tail <= s->capacity;
}

static inline void sim_drop(struct sim_ring *s)
{
	s->dropped++;
	__atomic_store_n(&s->ctl->dropped, s->dropped, __ATOMIC_RELAXED);
}

/* Open the packet at s->head (a packet start).  false: no room, dropped. */
static inline bool sim_open_packet(struct sim_ring *s)
{
	struct ring_ctl *ctl = s->ctl;
	struct ring_packet_header *h;

	/* P3: pairs with the consumer's flag store and head load (C3), as
	 * in ring/producer.c wake_consumer(). */
	__atomic_fetch_add(&ctl->head, 0, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ctl->consumer_sleeping, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&ctl->consumer_sleeping, 0, __ATOMIC_ACQ_REL) &&
	    s->efd >= 0) {
		uint64_t one = 1;

		s->wakeups++;
		if (write(s->efd, &one, sizeof(one)) < 0) {
			/* saturated: the consumer is awake anyway */
		}
	}
	while (!sim_room(s)) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		uint32_t seen;

		if (!s->block)
			return false;
		/* P4: pairs with the consumer's tail store and flag load
		 * (C4); the tail load is sim_room()'s. */
		__atomic_store_n(&ctl->producer_waiting, 1, __ATOMIC_SEQ_CST);
		seen = __atomic_load_n(&ctl->tail_seq, __ATOMIC_ACQUIRE);
		if (sim_room(s))
			break;
		syscall(SYS_futex, &ctl->tail_seq, FUTEX_WAIT, seen, &ts, NULL,
			0);
	}
	h = (struct ring_packet_header *)&s->slots[s->head & (s->capacity - 1)];
	h->events_discarded = s->dropped;
	s->head++;
	return true;
}

/* Write one record of @nslots slots; args a and b are its first fields. */
static inline int sim_write(struct sim_ring *s, uint32_t id, uint32_t nslots,
			    uint64_t ts, uint64_t a, uint64_t b)
{
	uint64_t in = s->head % RING_SLOTS_PER_PACKET;
	struct ring_record *r;

	if (in == 0 || in + nslots > RING_SLOTS_PER_PACKET) {
		if (in != 0) {
			r = &s->slots[s->head & (s->capacity - 1)];
			r->id = RING_PAD_ID;
			r->nslots = (uint32_t)(RING_SLOTS_PER_PACKET - in);
			s->head += RING_SLOTS_PER_PACKET - in;
			sim_publish(s);
		}
		if (!sim_open_packet(s)) {
			sim_drop(s);
			return -ENOBUFS;
		}
	}
	r = &s->slots[s->head & (s->capacity - 1)];
	memset(r, 0, (size_t)nslots * RING_SLOT_SIZE);
	r->id = id;
	r->nslots = nslots;
	r->timestamp = ts;
	memcpy(r->args, &a, sizeof(a));
	memcpy(r->args + 8, &b, sizeof(b));
	s->head += nslots;
	sim_publish(s);
	return 0;
}

/* Minimal metadata: "smoke" (two u64, 1 slot) and "smoke_big" (two u64,
 * 3 slots).  %s: the uuid text, twice. */
#define SIM_METADATA_FMT \
	"/* CTF 1.8 */\n" \
	"typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n" \
	"typealias integer { size = 32; align = 32; signed = false; } := uint32_t;\n" \
	"typealias integer { size = 64; align = 64; signed = false; } := uint64_t;\n" \
	"trace {\n" \
	"	major = 1; minor = 8;\n" \
	"	uuid = \"%s\";\n" \
	"	byte_order = le;\n" \
	"	packet.header := struct { uint32_t magic; uint8_t uuid[16]; uint32_t stream_id; };\n" \
	"};\n" \
	"env { hostname = \"smoke\"; domain = \"vtrace\"; tracer_name = \"vtrace\"; tracer_major = 0; tracer_minor = 1; };\n" \
	"clock { name = \"monotonic\"; uuid = \"%s\"; freq = 1000000000; precision = 1; offset_s = 1764150000; offset = 0; absolute = FALSE; };\n" \
	"typealias integer { size = 64; align = 64; signed = false; map = clock.monotonic.value; } := clk64_t;\n" \
	"stream {\n" \
	"	id = 0;\n" \
	"	packet.context := struct { clk64_t timestamp_begin; clk64_t timestamp_end;\n" \
	"		uint32_t content_size; uint32_t packet_size; uint32_t packet_seq_num;\n" \
	"		uint32_t cpu_id; uint64_t events_discarded; };\n" \
	"	event.header := struct { uint32_t id; clk64_t timestamp; };\n" \
	"};\n" \
	"event { name = \"smoke\"; id = 0; stream_id = 0; fields := struct {\n" \
	"	uint64_t a; uint64_t b;\n" \
	"	integer { size = 8; align = 8; signed = false; encoding = UTF8; } vt_pad[32]; }; };\n" \
	"event { name = \"smoke_big\"; id = 1; stream_id = 0; fields := struct {\n" \
	"	uint64_t a; uint64_t b;\n" \
	"	integer { size = 8; align = 8; signed = false; encoding = UTF8; } vt_pad[160]; }; };\n"

#define SIM_UUID_TEXT "6b5e1c1a-0d3c-4f6e-9a21-5c0f7e1d2b3a"
static const uint8_t sim_uuid[16] = {
	0x6b, 0x5e, 0x1c, 0x1a, 0x0d, 0x3c, 0x4f, 0x6e,
	0x9a, 0x21, 0x5c, 0x0f, 0x7e, 0x1d, 0x2b, 0x3a,
};

#endif /* VTRACE_TESTS_SIM_PRODUCER_H */
