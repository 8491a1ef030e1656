/* SPDX-License-Identifier: MIT */
/*
 * The CTF 1.8 metadata of a vtrace trace, parsed from the TSDL subset that
 * docs/FORMAT.md describes (the output of tools/tracetool and
 * trace/ctf-metadata.c).  No build-time event table is needed: every event
 * id, name, field layout and format string comes from the text.
 *
 * Usage:
 *
 *	char err[256];
 *	struct vt_metadata *md = vt_metadata_parse_file("DIR/metadata",
 *						       err, sizeof(err));
 *	if (!md)
 *		fprintf(stderr, "%s\n", err);	// "DIR/metadata:12: reason"
 *	const struct vt_event_class *ec = vt_metadata_event(md, id);
 *	...
 *	vt_metadata_free(md);
 *
 * The parser accepts exactly what the generator writes (typealiases, trace,
 * env, clock, stream, event blocks; integer types with size/align/signed/
 * base/encoding/map; UTF8 byte arrays) and rejects anything else with the
 * file, the line and the reason.  It also checks that the packet header,
 * packet context and event header are the fixed layout of
 * ring/ring-abi.h, which is what the stream reader relies on.
 */
#ifndef VTRACE_METADATA_H
#define VTRACE_METADATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest event id the parser accepts; ids index a flat table. */
#define VT_METADATA_MAX_ID	(1u << 20)

enum vt_field_kind {
	VT_FIELD_UNSIGNED,	/* uintN_t */
	VT_FIELD_SIGNED,	/* intN_t */
	VT_FIELD_HEX,		/* x64_t (base = hex): pointers */
	VT_FIELD_STRING,	/* UTF8 byte array, NUL-terminated within len */
	VT_FIELD_PAD,		/* the vt_pad filler: readers skip it */
};

/* One field of an event payload.  Offsets are from the start of the
 * payload (record byte 16). */
struct vt_field {
	char *name;
	enum vt_field_kind kind;
	uint32_t offset;	/* bytes */
	uint32_t size;		/* bytes: 1, 2, 4 or 8 for integers, N for arrays */
};

struct vt_event_class {
	uint32_t id;
	char *name;
	char *format;		/* env vtrace_fmt_<id>, or NULL */
	struct vt_field *fields;
	unsigned int nfields;
	uint32_t payload_size;	/* bytes, fields and filler */
	uint32_t nslots;	/* 64-byte slots a record of this event takes */
	void *priv;		/* free for the user (e.g. a compiled format) */
};

struct vt_env_entry {
	char *key;
	bool is_string;
	char *string;
	int64_t integer;
};

struct vt_metadata {
	char *path;
	uint8_t uuid[16];
	bool has_uuid;

	struct vt_env_entry *env;
	unsigned int nenv;

	char *clock_name;
	uint64_t clock_freq;		/* Hz, default 1000000000 */
	int64_t clock_offset_s;
	int64_t clock_offset;		/* ticks */

	struct vt_event_class **by_id;	/* [0, nids): NULL where no event */
	uint32_t nids;
	struct vt_event_class *events;	/* in declaration order */
	unsigned int nevents;
};

/*
 * Parse TSDL text.  path is only used in messages.  Returns NULL and
 * writes "path:line: reason" into err on a parse error or when out of
 * memory.
 */
struct vt_metadata *vt_metadata_parse(const char *text, size_t len,
				      const char *path, char *err,
				      size_t errlen);
/* Read and parse a metadata file; "path: strerror" on I/O errors. */
struct vt_metadata *vt_metadata_parse_file(const char *path, char *err,
					   size_t errlen);
void vt_metadata_free(struct vt_metadata *md);

static inline const struct vt_event_class *
vt_metadata_event(const struct vt_metadata *md, uint32_t id)
{
	return id < md->nids ? md->by_id[id] : NULL;
}

/* env lookups: NULL / false when the key is absent or of the other type. */
const char *vt_metadata_env_string(const struct vt_metadata *md,
				   const char *key);
bool vt_metadata_env_int(const struct vt_metadata *md, const char *key,
			 int64_t *value);

/*
 * Clock ticks to nanoseconds, computed exactly as babeltrace2 does
 * (1e9 * ticks / freq in double precision, truncated), so that times and
 * deltas agree with `babeltrace2` to the nanosecond.
 */
static inline uint64_t vt_metadata_ticks_to_ns(const struct vt_metadata *md,
					       uint64_t ticks)
{
	double ns;

	if (md->clock_freq == 1000000000u)
		return ticks;
	ns = 1e9 * (double)ticks / (double)md->clock_freq;
	return ns >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)ns;
}

/* Nanoseconds from the Unix epoch of clock value ticks: offset_s, then
 * offset and ticks each converted as above (babeltrace2's
 * --clock-seconds, digits joined). */
static inline int64_t vt_metadata_ns_from_origin(const struct vt_metadata *md,
						 uint64_t ticks)
{
	int64_t base = md->clock_offset_s * 1000000000;

	if (md->clock_offset >= 0)
		base += (int64_t)vt_metadata_ticks_to_ns(md,
						(uint64_t)md->clock_offset);
	else
		base -= (int64_t)vt_metadata_ticks_to_ns(md,
						-(uint64_t)md->clock_offset);
	return base + (int64_t)vt_metadata_ticks_to_ns(md, ticks);
}

#endif /* VTRACE_METADATA_H */
