/* SPDX-License-Identifier: MIT */
/*
 * Start and stop tracing in a program: build the CTF metadata from the
 * event table, open a session with a consumer (connect to one the user
 * started, or spawn one), and give every registered vCPU its ring.
 */
#ifndef VTRACE_TRACE_BACKEND_H
#define VTRACE_TRACE_BACKEND_H

#include "ring/session.h"

struct trace_backend_opts {
	const char *consumer_socket;	/* connect here; NULL: spawn */
	const char *consumer_bin;	/* spawn this (default: next to us) */
	const char *outdir;		/* spawn: the trace directory */
	const char *procname;
	unsigned nvcpus;
	unsigned nsys;
	unsigned ring_kb;		/* 0: CONFIG_RING_KB */
	enum ring_policy policy;
};

/* 0 or -errno; the error is also printed once on stderr. */
int trace_backend_start(const struct trace_backend_opts *o);
struct ring_session *trace_backend_session(void);
int trace_backend_flush(void);
/* Stop: every writer thread must have stopped.  Returns the consumer's
 * exit status when we spawned it. */
int trace_backend_stop(void);

/* Path of a program installed next to the running one (build/NAME). */
void trace_backend_sibling(const char *name, char *buf, size_t len);

#endif /* VTRACE_TRACE_BACKEND_H */
