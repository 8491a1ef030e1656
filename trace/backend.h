/* SPDX-License-Identifier: MIT */
/*
 * Start and stop tracing in a program: build the CTF metadata from the
 * event table, open a session with a consumer (connect to one the user
 * started, or spawn one), and give every registered vCPU its ring.
 */
#ifndef VTRACE_TRACE_BACKEND_H
#define VTRACE_TRACE_BACKEND_H

#include <stdio.h>

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
	unsigned block_timeout_ms;	/* 0: CONFIG_BLOCK_TIMEOUT_MS */
};

/* Remember @o for trace_backend_on() (outdir default: trace-PID). */
void trace_backend_configure(const struct trace_backend_opts *o);
/* configure + on.  0 or -errno; the error is also printed on stderr. */
int trace_backend_start(const struct trace_backend_opts *o);
/* Start a session with the configured consumer (spawned or by socket). */
int trace_backend_on(void);
/* Retire the session: the consumer writes what was published and exits. */
void trace_backend_off(void);
/* Write into DIR from now on (restarts a running session there). */
int trace_backend_set_dir(const char *dir);
struct ring_session *trace_backend_session(void);
/* Everything published so far is on disk when this returns 0. */
int trace_backend_flush(void);
/* Events dropped by this and earlier sessions. */
uint64_t trace_backend_dropped(void);
/* One line: on/off, directory, consumer, drops. */
void trace_backend_status(FILE *out);
/* At exit: BYE, and wait for a spawned consumer.  Returns its status. */
int trace_backend_stop(void);

/* Path of a program installed next to the running one (build/NAME). */
void trace_backend_sibling(const char *name, char *buf, size_t len);

#endif /* VTRACE_TRACE_BACKEND_H */
