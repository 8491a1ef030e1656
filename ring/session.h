/* SPDX-License-Identifier: MIT */
/*
 * A producer's session with vtrace-consumer: connect (or spawn the
 * consumer), send the CTF metadata, receive the rings and map them.
 *
 *	struct ring_session *s;
 *	int err = ring_session_connect("/tmp/vt.sock", &params, &s);
 *	vcpu->ring = ring_session_vcpu(s, 0);
 *	ring_thread_set_home(&vcpu->ring);             // on vCPU 0's thread
 *	...
 *	ring_session_flush(s);      // everything published is on disk
 *	ring_session_close(s);      // or ring_session_retire(s)
 *
 * The consumer owns the memory: if this process dies, the consumer still
 * maps the rings and writes out everything that was published.
 */
#ifndef VTRACE_RING_SESSION_H
#define VTRACE_RING_SESSION_H

#include <stdint.h>
#include <sys/types.h>

#include "ring/ring-abi.h"

struct ring_session;
struct ring_writer;

struct ring_session_params {
	unsigned nvcpus;		/* vCPU rings, streams vcpu0.. */
	unsigned nsys;			/* rings for other threads, sys0.. */
	unsigned ring_kb;		/* per ring */
	enum ring_policy policy;
	unsigned block_timeout_ms;	/* block policy: then discard */
	uint8_t uuid[16];		/* trace uuid, as in the metadata */
	const char *metadata;		/* CTF metadata text */
};

/* Connect to a consumer listening on @path. 0 or -errno. */
int ring_session_connect(const char *path, const struct ring_session_params *p,
			 struct ring_session **out);

/* Start @consumer_bin -o @outdir --fd N as a child on a socketpair. */
int ring_session_spawn(const char *consumer_bin, const char *outdir,
		       const struct ring_session_params *p,
		       struct ring_session **out);

struct ring_writer *ring_session_vcpu(struct ring_session *s, unsigned vcpu);

/* Total events dropped so far on every ring of the session. */
uint64_t ring_session_dropped(struct ring_session *s);

/* Ask the consumer to write everything published so far, partial packets
 * included, and wait for its answer. 0, or -errno (-EPIPE: consumer gone,
 * -ETIMEDOUT). */
int ring_session_flush(struct ring_session *s, unsigned timeout_ms);

/* Say BYE and wait for a spawned consumer to exit (its status is
 * returned, or -errno); the session is then retired. */
int ring_session_close(struct ring_session *s);

/* Say BYE and stop using the session, while writer threads may still be
 * running: every thread looks its writer up again.  The caller first
 * unpublishes the vCPU writers it handed out, and afterwards makes the
 * vCPUs reach a block boundary (ring_quiescent()).  The session is freed
 * (rings unmapped, fds closed, consumer reaped) by ring_session_reap()
 * once its grace period is over (ring.h).  Returns its drop count. */
uint64_t ring_session_retire(struct ring_session *s);

/* Free the retired sessions that are done.  Blocks only when more than 4
 * are left, waiting for the oldest at most 10 s. */
void ring_session_reap(void);

/* The session's consumer went away (hang-up seen); writers then never
 * block and their events are counted as dropped. */
int ring_session_alive(struct ring_session *s);

pid_t ring_session_consumer_pid(struct ring_session *s);

/* Called on the writing thread: bind the ring's pages to this CPU's NUMA
 * node (libnuma), when the machine has more than one node. */
void ring_writer_bind_local_node(struct ring_writer *w);

#endif /* VTRACE_RING_SESSION_H */
