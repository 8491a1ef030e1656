/* SPDX-License-Identifier: MIT */
/*
 * Internals of vtrace-consumer, shared by its files and by
 * tests/consumer/test-consumer.c.  Nothing outside consumer/ includes this.
 *
 * Ownership: struct cons_ctx owns everything.  Each struct cons_ring owns its
 * memfd and mapping (created by session.c), its CTF stream state and its
 * stream file (ctf.c).  The writer (writer.c) owns the io_uring, the bounce
 * buffers and the per-I/O records; an I/O points back at its ring.
 */
#ifndef VTRACE_CONSUMER_INTERNAL_H
#define VTRACE_CONSUMER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <liburing.h>

#include "generated/autoconf.h"
#include "ring/ring-abi.h"
#include "ring/session-proto.h"

#define CONS_NAME "vtrace-consumer"

/* ------------------------------------------------------------ packets */

/* Why a walk over the records of a packet stopped. */
enum cons_walk_end {
	CONS_END_LIMIT,		/* reached the published limit (or slot 64) */
	CONS_END_PAD,		/* RING_PAD_ID: the rest of the packet is unused */
	CONS_END_BAD,		/* nslots 0 or running past the packet */
};

/* CTF state of one stream, carried from packet to packet.  Pure data: the
 * packet functions below only read and update this. */
struct cons_stream_state {
	uint8_t uuid[16];
	uint32_t cpu_id;
	uint32_t next_seq;		/* packet_seq_num of the next packet */
	uint64_t last_ts;		/* timestamp_end of the last packet */
	uint64_t last_discarded;	/* events_discarded of the last packet */
	uint64_t packets;		/* packets closed */
	uint64_t events;		/* records in them */
};

/* What cons_packet_close() did. */
struct cons_close {
	unsigned records;		/* records in the packet */
	unsigned end_slot;		/* slot after the content, 1..64 */
	enum cons_walk_end why;
	unsigned bad_slot;		/* CONS_END_BAD: where, and the value */
	uint32_t bad_nslots;
	unsigned ts_clamped;		/* records whose timestamp went back */
	bool write;			/* false: empty and no new drops, skip */
};

/*
 * Walk the records of the 4096-byte packet @pkt from slot @first while they
 * end at or before slot @limit (<= 64).  Each id and nslots is read once.
 * Returns the slot after the last whole record and sets *why; *bad_nslots
 * gets the offending value on CONS_END_BAD.  A record that would end past
 * @limit but within the packet is not bad, only unpublished: the walk stops
 * before it with CONS_END_LIMIT.
 */
unsigned cons_packet_walk(const void *pkt, unsigned first, unsigned limit,
			  enum cons_walk_end *why, uint32_t *bad_nslots,
			  unsigned *records);

/*
 * Close a packet whose records start at slot 1 of @pkt and end at or
 * before slot @limit: fill slot 0 with the CTF packet header and context
 * and update @st.  @snapshot is the producer's events_discarded for this
 * packet (already checked against ctl->dropped by the caller, or 0).
 * Timestamps that would go back in time are raised in place to the
 * stream's last one so that babeltrace2 sees a monotonic stream.
 * When the packet has no records and carries no new drops, nothing is
 * written to @pkt, @st is unchanged and out->write is false.
 */
void cons_packet_close(struct cons_stream_state *st, void *pkt, unsigned limit,
		       uint64_t snapshot, struct cons_close *out);

/* Fill @pkt (4096 bytes) as a packet with no record carrying @discarded. */
void cons_packet_empty(struct cons_stream_state *st, void *pkt,
		       uint64_t discarded);

/* ------------------------------------------------------------ rings */

enum cons_pkt_state {
	CONS_PKT_FREE = 0,
	CONS_PKT_INFLIGHT,		/* zero-copy write from the ring */
	CONS_PKT_DONE,			/* on disk, copied out or skipped */
};

/* One stream file (ctf.c). */
struct cons_stream {
	char name[16];			/* "vcpu3", "sys0" */
	int fd;				/* -1 until the first packet */
	bool direct;			/* opened with O_DIRECT */
	uint64_t off;			/* next file offset */
	int err;			/* first write error (errno), 0 if none */
	uint64_t fail_off;		/* lowest offset that failed */
	uint64_t fail_ev_before;	/* events before that offset */
	uint64_t sub_events;		/* events submitted for writing */
	uint64_t sub_packets;
	uint64_t lost_events;		/* never submitted: stream failed */
	uint64_t lost_packets;
};

struct cons_ring {
	unsigned index;
	uint32_t cpu_id;
	int memfd;
	struct ring_ctl *ctl;		/* our mapping of the memfd */
	uint8_t *data;			/* ctl + RING_CTL_SIZE */
	size_t map_size;
	uint64_t npackets;
	uint64_t capacity;		/* slots */

	uint64_t last_head;		/* last head seen and accepted */
	uint64_t scan;			/* next slot to close; mid-packet
					 * after a partial flush */
	uint64_t tail;			/* last tail stored */
	uint8_t *pstate;		/* enum cons_pkt_state per packet */
	unsigned inflight;		/* zero-copy writes in flight */
	uint64_t dropped;		/* last validated ctl->dropped */

	bool rejected;			/* bad head: no longer drained */
	bool bad_reported;		/* bad nslots reported */
	bool ts_reported;		/* timestamp clamp reported */
	bool disc_reported;		/* bad events_discarded reported */

	struct cons_stream_state st;
	struct cons_stream stream;
};

/* ------------------------------------------------------------ writer */

struct cons_io {
	struct cons_ring *ring;
	uint64_t packet;		/* first ring packet, or CONS_NO_PACKET */
	unsigned npk;			/* packets in this write */
	unsigned len;			/* bytes: npk * RING_PACKET_SIZE */
	int bounce;			/* bounce buffer index, or -1 */
	void *buf;
	uint64_t off;			/* file offset */
	uint32_t events;
	uint64_t ev_before;		/* stream events before this packet */
	unsigned retries;
	unsigned done;			/* bytes written by short writes */
	struct cons_io *next_free;
};

#define CONS_NO_PACKET UINT64_MAX

/* A zero-copy write of ring packets is over (on disk or lost). */
typedef void (*cons_write_done_fn)(struct cons_ring *r, uint64_t packet,
				   unsigned npk);

struct cons_writer {
	struct io_uring uring;
	cons_write_done_fn done;	/* the ring's owner: drain.c */
	bool ready;
	bool fixed;			/* buffers registered */
	unsigned qd;
	unsigned inflight;		/* submitted, not completed */
	unsigned pending;		/* prepared, not yet submitted */
	struct cons_io *ios;
	struct cons_io *free_ios;
	uint8_t *bounce;		/* nbounce * 4096, aligned */
	unsigned nbounce;
	int *free_bounce;		/* stack of free indices */
	unsigned nfree_bounce;
	unsigned bounce_buf_index;	/* fixed buffer index of the pool */
	uint64_t bytes;			/* written successfully */
};

/* ------------------------------------------------------------ context */

struct cons_ctx {
	const char *dir;
	int dirfd;
	int sock;
	int efd;			/* eventfd the producer writes */
	int pidfd;			/* -1 when pidfd_open is unavailable */
	int live_fd;			/* flock on metadata: the trace is live */
	int sigfd;
	bool quiet;
	bool tty;
	bool producer_gone;
	uint64_t bad_msgs;		/* control messages ignored */

	uint32_t pid;
	uint32_t nvcpus, nsys, policy, ring_kb;
	uint8_t uuid[16];
	char *metadata;
	uint32_t metadata_len;

	unsigned nrings;
	struct cons_ring *rings;
	struct cons_writer w;
	unsigned inflight_per_ring;
	unsigned max_batch;		/* packets per zero-copy write */
};

/* session.c */
int cons_listen(const char *path, int sigfd, int *out_fd);
int cons_session_hello(struct cons_ctx *ctx);
int cons_rings_create(struct cons_ctx *ctx, uint32_t ring_kb);
int cons_rings_send(struct cons_ctx *ctx, int status);
int cons_send_msg(int sock, uint32_t type, uint32_t seq, int32_t status);
void cons_rings_destroy(struct cons_ctx *ctx);
int cons_ring_init(struct cons_ring *r, void *map, unsigned index,
		   uint32_t cpu_id, uint64_t npackets, uint32_t policy);

/* drain.c */
int cons_ring_load_head(struct cons_ring *r, uint64_t *head);
bool cons_ring_has_work(struct cons_ring *r);
int cons_drain_ring(struct cons_ctx *ctx, struct cons_ring *r, uint64_t limit,
		    bool partial);
void cons_ring_release(struct cons_ring *r);
void cons_ring_write_done(struct cons_ring *r, uint64_t packet, unsigned npk);
int cons_ring_final(struct cons_ctx *ctx, struct cons_ring *r);
void cons_ring_write_losses(struct cons_ring *r, const char *dir);

/* writer.c */
int cons_writer_init(struct cons_writer *w, unsigned qd, unsigned nbounce,
		     cons_write_done_fn done);
void cons_writer_register(struct cons_writer *w, struct cons_ring *rings,
			  unsigned nrings);
void cons_writer_exit(struct cons_writer *w);
void *cons_writer_get_bounce(struct cons_writer *w, int *index);
void cons_writer_put_bounce(struct cons_writer *w, int index);
bool cons_writer_can_submit(struct cons_writer *w);
int cons_writer_write(struct cons_writer *w, struct cons_ring *r,
		      uint64_t packet, unsigned npk, int bounce, void *buf,
		      uint32_t events);
int cons_writer_submit(struct cons_writer *w);
int cons_writer_reap(struct cons_writer *w, bool wait);
int cons_writer_drain_all(struct cons_writer *w);

/* ctf.c */
int cons_trace_dir(const char *dir, int *out_dirfd);
int cons_write_metadata(int dirfd, const char *text, size_t len);
/* Mark the trace live for readers (flock on metadata); the fd to keep. */
int cons_lock_live(int dirfd);
int cons_stream_open(int dirfd, struct cons_stream *s);
void cons_stream_failed(struct cons_stream *s, const char *dir, int err,
			uint64_t off, uint64_t ev_before);
int cons_stream_close(struct cons_stream *s, const char *dir);
/* Disk space kept for the packets that record losses at the end
 * (cons_ring_write_losses()): DIR/.vtrace-reserve, which readers skip. */
void cons_reserve_create(int dirfd, unsigned nstreams);
void cons_reserve_release(int dirfd);
void cons_stream_name(char *buf, size_t size, unsigned index,
		      unsigned nvcpus);

/* Wake a producer blocked on a full ring (block policy, pair C4/P4). */
void cons_ring_wake_producer(struct cons_ring *r);

/* The trace directory, for the writer that opens stream files lazily. */
extern const char *cons_dir_name;
extern int cons_dir_fd;

#endif /* VTRACE_CONSUMER_INTERNAL_H */
