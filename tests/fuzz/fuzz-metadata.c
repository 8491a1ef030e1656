// SPDX-License-Identifier: MIT
/*
 * Fuzz the CTF metadata parser of `vtrace dump` (tools/vtrace/metadata.c)
 * and the format compiler and renderer it feeds (tools/vtrace/format.c).
 *
 * Input: TSDL text.  Every event class the parser accepts gets its format
 * compiled (or the field fallback) and rendered over a payload of exactly
 * payload_size bytes taken from the input, in a heap block of that size,
 * so ASan catches any read or write beyond it.  Invariants: the id table and the field layout
 * stay inside the payload.
 */
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tools/vtrace/format.h"
#include "tools/vtrace/metadata.h"

const char fuzz_name[] = "metadata";

static void exercise(const struct vt_metadata *md, const uint8_t *data,
		     size_t size)
{
	for (unsigned int i = 0; i < md->nevents; i++) {
		const struct vt_event_class *ec = &md->events[i];
		struct vt_format *f = NULL;
		char err[128];
		uint8_t *payload;
		char *out, *end;
		size_t max;

		FUZZ_ASSERT(vt_metadata_event(md, ec->id) == ec);
		for (unsigned int k = 0; k < ec->nfields; k++) {
			const struct vt_field *fl = &ec->fields[k];

			FUZZ_ASSERT(fl->size > 0);
			FUZZ_ASSERT((uint64_t)fl->offset + fl->size <=
				    ec->payload_size);
		}
		if (ec->payload_size > 64 * 64)
			continue;	/* no record can hold it */
		if (ec->format)
			f = vt_format_compile(ec->format, ec, err, sizeof(err));
		if (!f)
			f = vt_format_compile_fields(ec);
		if (!f)
			continue;
		/* The renderer's contract: payload_size bytes of payload,
		 * max_len bytes of output; exact heap blocks, so ASan sees
		 * any access past them. */
		payload = malloc(ec->payload_size ? ec->payload_size : 1);
		max = vt_format_max_len(f);
		out = malloc(max + 1);
		FUZZ_ASSERT(payload && out);
		for (size_t b = 0; b < ec->payload_size; b++)
			payload[b] = size ? data[(b * 7 + i) % size] : 0;
		end = vt_format_render(f, payload, out);
		FUZZ_ASSERT(end >= out && (size_t)(end - out) <= max);
		free(out);
		free(payload);
		vt_format_free(f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_metadata *md;
	char err[256];

	md = vt_metadata_parse((const char *)data, size, "fuzz", err,
			       sizeof(err));
	if (!md) {
		FUZZ_ASSERT(strncmp(err, "fuzz", 4) == 0);
		return 0;
	}
	exercise(md, data, size);
	vt_metadata_free(md);
	return 0;
}
