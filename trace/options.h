/* SPDX-License-Identifier: MIT */
/*
 * The -trace option, QEMU's syntax plus ours:
 *   -trace [enable=]GLOB[,events=FILE][,file=DIR][,consumer=SOCKET]
 *          [,policy=discard|block][,ring=KB][,block-timeout=MS]
 * It may be given more than once.  enable= and events= take effect at
 * once; the rest fills the backend options.
 */
#ifndef VTRACE_TRACE_OPTIONS_H
#define VTRACE_TRACE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "trace/backend.h"

struct trace_cmdline {
	struct trace_backend_opts backend;
	bool requested;		/* events enabled, or file=/consumer= given */
	bool help;		/* -trace help: list the events and exit */
	char outdir[4096];	/* backend.outdir points here */
	char consumer[108];	/* backend.consumer_socket points here */
};

/*
 * Parse and apply one -trace argument.  Returns 0, or -1 after printing
 * one line on @err naming the bad value (unknown key, bad policy,
 * unreadable events file).  A glob that matches nothing is a warning
 * on @err and returns 0.
 */
int trace_cmdline_parse(struct trace_cmdline *tc, const char *arg, FILE *err);

/* -trace help: every event name, one a line. */
void trace_cmdline_list(FILE *out);

#endif /* VTRACE_TRACE_OPTIONS_H */
