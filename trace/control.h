/* SPDX-License-Identifier: MIT */
/*
 * Run-time control of trace events: the generated event table, lookup by
 * name or glob, enable and disable globally or for one vCPU, and the events
 * file (-trace events=FILE).  Control calls may come from any thread (the
 * monitor, main); they serialise on one mutex.  The fast path only reads the
 * counters and masks they write.
 */
#ifndef VTRACE_TRACE_CONTROL_H
#define VTRACE_TRACE_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/trace-rt.h"

#define TRACE_VCPU_NONE 0xffffffffu
#define TRACE_ALL_VCPUS (-1)

enum trace_arg_kind {
	TRACE_ARG_UNSIGNED,
	TRACE_ARG_SIGNED,
	TRACE_ARG_POINTER,
	TRACE_ARG_STRING,
};

struct trace_event_arg {
	const char *name;
	const char *ctype;	/* as written in trace-events */
	enum trace_arg_kind kind;
	uint16_t offset;	/* in the record payload */
	uint16_t size;
};

/* One entry of the generated table (build/generated/.../trace.c). */
struct trace_event {
	uint32_t id;
	const char *name;
	const char *format;	/* PRI macros expanded */
	uint8_t sstate;		/* compiled in */
	uint8_t is_tcg;
	uint16_t nargs;
	uint32_t vcpu_id;	/* bit in vCPU masks, or TRACE_VCPU_NONE */
	uint16_t nslots;
	const struct trace_event_arg *args;
	uint16_t *dstate;	/* enabled vCPUs (vcpu events) or 0/1 */
};

extern struct trace_event trace_events[];
extern const unsigned trace_event_count;
extern const char trace_ctf_env[];
extern const char trace_ctf_events[];

static inline bool trace_event_is_vcpu(const struct trace_event *ev)
{
	return ev->vcpu_id != TRACE_VCPU_NONE;
}

struct trace_event *trace_event_find(const char *name);

/* Call @fn for every event whose name matches @glob (fnmatch: * ? []). */
unsigned trace_event_foreach(const char *glob,
			     void (*fn)(struct trace_event *, void *), void *opaque);

/*
 * Enable or disable every event matching @glob, on every vCPU
 * (vcpu == TRACE_ALL_VCPUS) or on one.  Returns the number of events
 * changed or matched (>= 0), or:
 *   -ENOENT  @glob has no wildcard and names no event
 *   -EINVAL  a vCPU was given and an exactly named event is not a vcpu event,
 *            or the vCPU index is not registered
 *   -EPERM   an exactly named event is compiled out (`disable`)
 * A glob that matches nothing returns 0.
 */
int trace_event_set(const char *glob, bool on, int vcpu);

/* Enabled state: globally (vcpu < 0: on for any vCPU, or on for a non-vcpu
 * event), or for one vCPU. */
bool trace_event_get(const struct trace_event *ev, int vcpu);

/* vCPUs: register before they run; the mask is set from the global state. */
void trace_vcpu_register(struct trace_vcpu *tv, unsigned index);
unsigned trace_vcpu_count(void);
struct trace_vcpu *trace_vcpu_get(unsigned index);

/*
 * Apply an events file: one glob per line, `-GLOB` disables, `#` starts a
 * comment, blank lines are skipped.  Problems (unknown exact names, compiled
 * out events) are reported on @err as "FILE:LINE: message" and counted;
 * returns that count, or -errno when the file cannot be read (-EINVAL:
 * not a regular file).
 */
int trace_events_file_apply(const char *path, FILE *err);

/* Parse one events-file line into @glob / @on: returns 1 when the line holds
 * an entry, 0 for blank or comment lines. */
int trace_events_parse_line(char *line, const char **glob, bool *on);

/* Reset every dynamic state to off (tests). */
void trace_control_reset(void);

#endif /* VTRACE_TRACE_CONTROL_H */
