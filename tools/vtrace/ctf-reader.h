/* SPDX-License-Identifier: MIT */
/*
 * A streaming reader of vtrace CTF trace directories (docs/FORMAT.md):
 * every stream file merged by timestamp, one item at a time, in bounded
 * memory.  Used by `vtrace dump` and meant for report and export too.
 *
 * Usage:
 *
 *	struct vt_trace *t = vt_trace_open("traces/run1", NULL);
 *	struct vt_item it;
 *	int ret;
 *
 *	if (!t)
 *		return 1;			// already reported
 *	while ((ret = vt_trace_next(t, &it)) > 0) {
 *		switch (it.kind) {
 *		case VT_ITEM_EVENT:		// it.event, it.payload
 *		case VT_ITEM_DISCARDED:		// it.count events dropped
 *		case VT_ITEM_LOST_PACKETS:	// it.count packets missing
 *		}
 *	}
 *	bad = ret < 0 || vt_trace_errors(t);
 *	vt_trace_close(t);
 *
 * Order: items come in timestamp order; equal timestamps come in stream
 * order (vcpu0, vcpu1, ..., sys0, sys1, ..., then other names).  Within a
 * stream, file order.  Loss items take the timestamp_begin of the packet
 * that reports them and come before that packet's events: first the
 * packets missing before it (packet_seq_num gap), then the events
 * dropped since the previous packet (events_discarded grew).
 *
 * Damaged data never stops the reader: a bad packet (truncated, bad
 * magic, uuid not the metadata's, content_size larger than the packet,
 * ...) or a bad record (id not in the metadata, wrong nslots, runs past
 * content_size) is reported through on_error with the file and the byte
 * offset, and reading goes on at the next 4096-byte packet of that file.
 * Packets skipped that way are not reported again as lost.
 *
 * Memory: each stream file is mmap'd read-only, records are decoded in
 * place, and pages already read are dropped (MADV_DONTNEED) as the reader
 * moves on, so the resident size does not grow with the trace.  An
 * item's payload pointer stays valid until the next vt_trace_next() call.
 * A stream file truncated by someone else while mapped raises SIGBUS.
 */
#ifndef VTRACE_CTF_READER_H
#define VTRACE_CTF_READER_H

#include <stdint.h>

#include "ring/ring-abi.h"
#include "tools/vtrace/metadata.h"

struct vt_trace;

/* One stream file.  index is its rank in the stream order. */
struct vt_stream {
	const char *name;	/* "vcpu0" */
	const char *path;	/* "DIR/vcpu0" */
	unsigned int index;
};

enum vt_item_kind {
	VT_ITEM_EVENT,
	VT_ITEM_DISCARDED,	/* count events dropped by the producer */
	VT_ITEM_LOST_PACKETS,	/* count packets missing (seq num gap) */
};

struct vt_item {
	enum vt_item_kind kind;
	const struct vt_stream *stream;
	uint32_t cpu_id;		/* the packet's: vCPU or 0x10000 + n */
	uint64_t timestamp;		/* clock ticks */
	uint64_t offset;		/* in the file: record or packet */
	const struct vt_event_class *event;	/* EVENT */
	const uint8_t *payload;		/* EVENT: event->payload_size bytes */
	uint64_t count;			/* DISCARDED, LOST_PACKETS */
};

/* Called for every problem found.  path is the file (NULL when reason
 * already names it, as for metadata errors "DIR/metadata:LINE: ..."),
 * offset the byte offset in it or -1. */
typedef void (*vt_error_fn)(void *opaque, const char *path, int64_t offset,
			    const char *reason);

struct vt_trace_options {
	vt_error_fn on_error;	/* NULL: "vtrace: PATH: offset N: REASON" */
	void *opaque;
};

/* Parse DIR/metadata and map every stream file.  NULL when the trace
 * cannot be read at all (reported through on_error).  A stream file that
 * cannot be opened is reported and counted in vt_trace_errors(). */
struct vt_trace *vt_trace_open(const char *dir,
			       const struct vt_trace_options *opts);
void vt_trace_close(struct vt_trace *t);

const struct vt_metadata *vt_trace_metadata(const struct vt_trace *t);
unsigned int vt_trace_nstreams(const struct vt_trace *t);
const struct vt_stream *vt_trace_stream(const struct vt_trace *t,
					unsigned int index);

/* 1: *item filled, 0: end of trace. */
int vt_trace_next(struct vt_trace *t, struct vt_item *item);

/*
 * The same without the copy, for hot loops: the next item, valid until
 * the next call, or NULL at the end of the trace.  (Copying an item that
 * was just written field by field stalls on store forwarding; reading
 * its fields in place does not.)
 */
const struct vt_item *vt_trace_next_ref(struct vt_trace *t);

/*
 * The time span of the trace from its packet headers, without reading any
 * record: the smallest timestamp_begin of each stream's first good packet
 * and the largest timestamp_end of each stream's last good packet.  Bad
 * packets are stepped over silently (vt_trace_next() reports them).
 * Returns 0, or -1 when no stream has a good packet.  Call it before or
 * after reading; it does not move the cursors.
 */
int vt_trace_time_range(struct vt_trace *t, uint64_t *begin, uint64_t *end);

/* Problems reported so far (bad packets, bad records, unreadable files). */
/* Packets a live trace (its consumer still running) did not have on disk
 * yet: skipped, not counted as errors. */
uint64_t vt_trace_unwritten(const struct vt_trace *t);
uint64_t vt_trace_errors(const struct vt_trace *t);

/* cpu_id of a sys ring (sysN has RING_CPU_ID_SYS + N), else a vCPU. */
static inline int vt_cpu_is_sys(uint32_t cpu_id)
{
	return cpu_id >= RING_CPU_ID_SYS;
}

#endif /* VTRACE_CTF_READER_H */
