/* SPDX-License-Identifier: MIT */
/*
 * vtrace-consumer: the process that owns the rings of one traced program,
 * drains them to disk with io_uring and writes a CTF 1.8 trace directory.
 *
 * Usage from a program that spawns the consumer itself:
 *
 *	struct cons_options opt = { .dir = "trace-1234", .sock_fd = fd };
 *	return cons_run(&opt);		// returns the process exit status
 *
 * The program on the other end of the socket speaks ring/session-proto.h.
 */
#ifndef VTRACE_CONSUMER_H
#define VTRACE_CONSUMER_H

#include <stdbool.h>

struct cons_options {
	const char *dir;		/* output directory, created 0750 */
	const char *listen_path;	/* --listen: socket to create, or NULL */
	int sock_fd;			/* --fd: connected socket, or -1 */
	bool quiet;			/* no status line, no per-ring summary */
};

/* Serve one producer from HELLO to BYE (or its death).  Returns 0 when the
 * producer left and the trace is closed, 1 on a setup error (after printing
 * one line on stderr). */
int cons_run(const struct cons_options *opt);

#endif /* VTRACE_CONSUMER_H */
