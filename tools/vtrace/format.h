/* SPDX-License-Identifier: MIT */
/*
 * printf-style rendering of an event's payload with its trace-events
 * format string, without calling printf per value.
 *
 * A format is compiled once per event class: the text is split into
 * literals and conversions, each conversion is bound to the next field of
 * the payload (vt_pad fillers skipped; the field order is the argument
 * order) and checked against the field's type.  Rendering then only
 * loads values from the payload and formats them into a caller buffer.
 *
 *	char err[128];
 *	struct vt_format *f = vt_format_compile(ec->format, ec, err,
 *						sizeof(err));
 *	if (!f)
 *		f = vt_format_compile_fields(ec);	// "a=1 b=0x2 s=text"
 *	char *end = vt_format_render(f, payload, buf);	// needs
 *						// vt_format_max_len(f) bytes
 *
 * Supported: conversions d i u x X o c s p and %%, flags - + space 0 #,
 * width and precision as numbers (not *), length modifiers hh h l ll z j
 * t.  Integer values are converted as C would after the length modifier
 * (%hhu of 0x1ff prints 255, %d of -1 in a uint64_t field prints -1).
 * Strings stop at the first NUL or at the end of their array; control
 * characters are written as \n, \t, \r or \xNN so that one event stays
 * one line.
 */
#ifndef VTRACE_FORMAT_H
#define VTRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "tools/vtrace/metadata.h"

struct vt_format;

/* NULL with a reason in err when fmt uses something unsupported or does
 * not match the fields (a conversion without a field, %s on an integer,
 * an integer conversion on a string). */
struct vt_format *vt_format_compile(const char *fmt,
				    const struct vt_event_class *ec,
				    char *err, size_t errlen);
/* Fallback when there is no usable format: "name=value" for every field,
 * simpletrace style (hex fields as 0x..., strings as text). */
struct vt_format *vt_format_compile_fields(const struct vt_event_class *ec);
void vt_format_free(struct vt_format *f);

/* Upper bound of the bytes vt_format_render() writes, slack included. */
size_t vt_format_max_len(const struct vt_format *f);

/* Render the payload at out; returns the end of the text (no NUL).  The
 * payload must hold ec->payload_size bytes; out must have room for
 * vt_format_max_len() bytes (short copies write a little past the end of
 * the text they produce). */
char *vt_format_render(const struct vt_format *f, const uint8_t *payload,
		       char *out);

/* Integer helpers shared with dump: write the decimal text of v at out and
 * return its end. */
char *vt_format_u64(char *out, uint64_t v);
char *vt_format_i64(char *out, int64_t v);

/* Bytes a padded copy may read or write past n. */
#define VT_COPY_SLACK	32

/*
 * Copy n bytes without a libc call for short n: may read up to
 * VT_COPY_SLACK bytes past src + n and write as far past dst + n, so both
 * buffers need that slack.  Returns dst + n.
 */
static inline char *vt_copy_padded(char *dst, const char *src, size_t n)
{
	if (__builtin_expect(n <= 32, 1)) {
		__builtin_memcpy(dst, src, 16);
		__builtin_memcpy(dst + 16, src + 16, 16);
	} else {
		__builtin_memcpy(dst, src, n);
	}
	return dst + n;
}

#endif /* VTRACE_FORMAT_H */
