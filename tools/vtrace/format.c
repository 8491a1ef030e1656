// SPDX-License-Identifier: MIT
/*
 * Compiled printf formats (see format.h for the contract).
 *
 * A compiled format is an array of ops; each op is "literal text, then at
 * most one conversion bound to a payload field".  The literal bytes live
 * in one buffer owned by the format.  Conversions without flags, width or
 * precision (the common case: "thread=%u seq=%lu") take a short path;
 * everything else goes through one general integer routine that follows
 * C99 7.19.6.1: precision = minimum digits, '#' prefixes, sign flags, '0'
 * padding only without '-' and without a precision.
 */
#include "tools/vtrace/format.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WIDTH	4096	/* width and precision above this: rejected */

enum {
	FLAG_MINUS = 1,
	FLAG_PLUS = 2,
	FLAG_SPACE = 4,
	FLAG_ZERO = 8,
	FLAG_HASH = 16,
};

struct fmt_op {
	uint32_t lit_off, lit_len;	/* literal in f->text */
	char conv;			/* 0: literal only */
	uint8_t flags;
	uint8_t bits;			/* value width after the length modifier */
	bool simple;			/* no flags, width or precision */
	int32_t width;			/* -1: none */
	int32_t prec;			/* -1: none */
	uint32_t field_off;		/* payload offset */
	uint32_t field_size;
	uint8_t field_kind;		/* enum vt_field_kind */
	const char *name;		/* fields fallback: "name=" literal */
};

struct vt_format {
	char *text;
	struct fmt_op *ops;
	unsigned int nops;
	size_t max_len;
};

/* ------------------------------------------------------------ integers */

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324"
	"25262728293031323334353637383940414243444546474849"
	"50515253545556575859606162636465666768697071727374"
	"75767778798081828384858687888990919293949596979899";

/* Write the decimal digits of v ending at end; returns the first digit. */
static inline char *u64_dec_back(char *end, uint64_t v)
{
	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100);

		v /= 100;
		end -= 2;
		memcpy(end, &digit_pairs[2 * r], 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, &digit_pairs[2 * v], 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

static inline unsigned int dec_digits(uint64_t v)
{
	unsigned int n = 1;

	while (v >= 100) {
		v /= 100;
		n += 2;
	}
	return n + (v >= 10);
}

char *vt_format_u64(char *out, uint64_t v)
{
	out += dec_digits(v);
	u64_dec_back(out, v);
	return out;
}

char *vt_format_i64(char *out, int64_t v)
{
	if (v < 0) {
		*out++ = '-';
		return vt_format_u64(out, -(uint64_t)v);
	}
	return vt_format_u64(out, (uint64_t)v);
}

static inline char *u64_hex_back(char *end, uint64_t v, const char *digits)
{
	do {
		*--end = digits[v & 15];
		v >>= 4;
	} while (v);
	return end;
}

static inline char *u64_oct_back(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + (v & 7));
		v >>= 3;
	} while (v);
	return end;
}

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

/* Load a field as a 64-bit value: sign-extended for signed fields. */
static inline uint64_t load_field(const uint8_t *p, uint32_t size, int kind)
{
	switch (size) {
	case 1:
		return kind == VT_FIELD_SIGNED ? (uint64_t)(int64_t)(int8_t)*p :
						 *p;
	case 2: {
		uint16_t v;

		memcpy(&v, p, 2);
		return kind == VT_FIELD_SIGNED ? (uint64_t)(int64_t)(int16_t)v :
						 v;
	}
	case 4: {
		uint32_t v;

		memcpy(&v, p, 4);
		return kind == VT_FIELD_SIGNED ? (uint64_t)(int64_t)(int32_t)v :
						 v;
	}
	default: {
		uint64_t v;

		memcpy(&v, p, 8);
		return v;
	}
	}
}

/* Truncate as the length modifier would, sign-extending for %d/%i. */
static inline uint64_t cast_value(uint64_t v, unsigned int bits, bool is_signed)
{
	switch (bits) {
	case 8:
		return is_signed ? (uint64_t)(int64_t)(int8_t)v : (uint8_t)v;
	case 16:
		return is_signed ? (uint64_t)(int64_t)(int16_t)v : (uint16_t)v;
	case 32:
		return is_signed ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
	default:
		return v;
	}
}

static char *pad(char *out, char c, int n)
{
	if (n > 0) {
		memset(out, c, (size_t)n);
		out += n;
	}
	return out;
}

/* The general integer conversion: d i u x X o p with any flags. */
static char *render_int(const struct fmt_op *op, uint64_t v, char *out)
{
	char buf[32];
	char *end = buf + sizeof(buf), *digits = end;
	const char *prefix = "";
	char sign = 0;
	int ndigits, zeros = 0, len, fill;
	bool is_signed = op->conv == 'd' || op->conv == 'i';
	int prec = op->prec;

	if (op->conv == 'p') {
		if (!v) {		/* glibc prints a null pointer so */
			len = 5;
			fill = op->width > len ? op->width - len : 0;
			if (!(op->flags & FLAG_MINUS))
				out = pad(out, ' ', fill);
			memcpy(out, "(nil)", 5);
			out += 5;
			if (op->flags & FLAG_MINUS)
				out = pad(out, ' ', fill);
			return out;
		}
		prefix = "0x";
	}
	v = cast_value(v, op->bits, is_signed);
	if (is_signed && (int64_t)v < 0) {
		sign = '-';
		v = -v;
	} else if (is_signed && (op->flags & FLAG_PLUS)) {
		sign = '+';
	} else if (is_signed && (op->flags & FLAG_SPACE)) {
		sign = ' ';
	} else if (op->conv == 'p' && (op->flags & FLAG_PLUS)) {
		sign = '+';
	} else if (op->conv == 'p' && (op->flags & FLAG_SPACE)) {
		sign = ' ';
	}
	if (!(prec == 0 && v == 0)) {
		switch (op->conv) {
		case 'x':
		case 'p':
			digits = u64_hex_back(end, v, hex_lower);
			break;
		case 'X':
			digits = u64_hex_back(end, v, hex_upper);
			break;
		case 'o':
			digits = u64_oct_back(end, v);
			break;
		default:
			digits = u64_dec_back(end, v);
		}
	}
	ndigits = (int)(end - digits);
	if (prec > ndigits)
		zeros = prec - ndigits;
	if (op->flags & FLAG_HASH) {
		if (op->conv == 'o' && !zeros && (ndigits == 0 || *digits != '0'))
			zeros = 1;
		else if (op->conv == 'x' && v)
			prefix = "0x";
		else if (op->conv == 'X' && v)
			prefix = "0X";
	}
	len = (sign != 0) + (int)strlen(prefix) + zeros + ndigits;
	fill = op->width > len ? op->width - len : 0;
	if ((op->flags & FLAG_ZERO) && !(op->flags & FLAG_MINUS) && prec < 0) {
		zeros += fill;
		fill = 0;
	}
	if (!(op->flags & FLAG_MINUS))
		out = pad(out, ' ', fill);
	if (sign)
		*out++ = sign;
	while (*prefix)
		*out++ = *prefix++;
	out = pad(out, '0', zeros);
	memcpy(out, digits, (size_t)ndigits);
	out += ndigits;
	if (op->flags & FLAG_MINUS)
		out = pad(out, ' ', fill);
	return out;
}

/* ------------------------------------------------------------ text */

/* Copy n bytes of text, escaping control characters. */
static char *copy_text(char *out, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c >= 0x20 && c != 0x7f) {
			*out++ = (char)c;
			continue;
		}
		*out++ = '\\';
		switch (c) {
		case '\n': *out++ = 'n'; break;
		case '\t': *out++ = 't'; break;
		case '\r': *out++ = 'r'; break;
		default:
			*out++ = 'x';
			*out++ = hex_lower[c >> 4];
			*out++ = hex_lower[c & 15];
		}
	}
	return out;
}

static char *render_string(const struct fmt_op *op, const uint8_t *s,
			   char *out)
{
	size_t n = op->field_size;
	const uint8_t *nul = memchr(s, 0, n);
	char *start = out;
	int fill;

	if (nul)
		n = (size_t)(nul - s);
	if (op->prec >= 0 && (size_t)op->prec < n)
		n = (size_t)op->prec;
	if (op->width <= 0)
		return copy_text(out, s, n);
	/* Right alignment needs the length first: render, then move. */
	out = copy_text(out, s, n);
	fill = op->width - (int)(out - start);
	if (fill <= 0)
		return out;
	if (op->flags & FLAG_MINUS)
		return pad(out, ' ', fill);
	memmove(start + fill, start, (size_t)(out - start));
	memset(start, ' ', (size_t)fill);
	return out + fill;
}

static char *render_char(const struct fmt_op *op, uint64_t v, char *out)
{
	char buf[4];
	uint8_t c = (uint8_t)v;
	int n = (int)(copy_text(buf, &c, 1) - buf);
	int fill = op->width > n ? op->width - n : 0;

	if (!(op->flags & FLAG_MINUS))
		out = pad(out, ' ', fill);
	memcpy(out, buf, (size_t)n);
	out += n;
	if (op->flags & FLAG_MINUS)
		out = pad(out, ' ', fill);
	return out;
}

char *vt_format_render(const struct vt_format *f, const uint8_t *payload,
		       char *out)
{
	const struct fmt_op *op = f->ops, *last = f->ops + f->nops;

	for (; op < last; op++) {
		const uint8_t *field = payload + op->field_off;
		uint64_t v;

		out = vt_copy_padded(out, f->text + op->lit_off, op->lit_len);
		switch (op->conv) {
		case 0:
			continue;
		case 's':
			if (op->simple) {
				size_t n = strnlen((const char *)field,
						   op->field_size);

				out = copy_text(out, field, n);
			} else {
				out = render_string(op, field, out);
			}
			continue;
		case 'c':
			out = render_char(op, load_field(field, op->field_size,
							 op->field_kind),
					  out);
			continue;
		}
		v = load_field(field, op->field_size, op->field_kind);
		if (!op->simple) {
			out = render_int(op, v, out);
			continue;
		}
		switch (op->conv) {
		case 'd':
		case 'i':
			out = vt_format_i64(out, (int64_t)cast_value(v, op->bits,
								     true));
			break;
		case 'u':
			out = vt_format_u64(out, cast_value(v, op->bits, false));
			break;
		case 'x':
		case 'X': {
			char buf[16], *end = buf + sizeof(buf), *start;

			start = u64_hex_back(end, cast_value(v, op->bits, false),
					     op->conv == 'x' ? hex_lower :
							       hex_upper);
			memcpy(out, start, (size_t)(end - start));
			out += end - start;
			break;
		}
		default:
			out = render_int(op, v, out);
		}
	}
	return out;
}

/* ------------------------------------------------------------ compile */

static struct vt_format *format_new(size_t text_len, unsigned int max_ops)
{
	struct vt_format *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->text = calloc(1, text_len + 1 + VT_COPY_SLACK);
	f->ops = calloc(max_ops, sizeof(*f->ops));
	if (!f->text || !f->ops) {
		vt_format_free(f);
		return NULL;
	}
	return f;
}

void vt_format_free(struct vt_format *f)
{
	if (!f)
		return;
	free(f->text);
	free(f->ops);
	free(f);
}

size_t vt_format_max_len(const struct vt_format *f)
{
	return f->max_len + VT_COPY_SLACK;
}

/* Upper bound of one conversion's output. */
static size_t op_max_len(const struct fmt_op *op)
{
	size_t n;

	if (op->conv == 0)
		return 0;
	if (op->conv == 's')
		n = 4 * (size_t)op->field_size;	/* \xNN per byte */
	else if (op->conv == 'c')
		n = 4;
	else
		n = 2 + 1 + 22 + (op->prec > 0 ? (size_t)op->prec : 0);
	return n + (op->width > 0 ? (size_t)op->width : 0);
}

/* The next field an argument binds to, skipping vt_pad. */
static const struct vt_field *next_field(const struct vt_event_class *ec,
					 unsigned int *i)
{
	while (*i < ec->nfields) {
		const struct vt_field *fl = &ec->fields[(*i)++];

		if (fl->kind != VT_FIELD_PAD)
			return fl;
	}
	return NULL;
}

struct vt_format *vt_format_compile(const char *fmt,
				    const struct vt_event_class *ec,
				    char *err, size_t errlen)
{
	size_t len = strlen(fmt);
	struct vt_format *f = format_new(len, (unsigned int)len / 2 + 2);
	struct fmt_op *op;
	unsigned int field_index = 0, nconv = 0;
	size_t text_len = 0;
	const char *s = fmt, *spec = fmt;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	op = &f->ops[0];
	op->lit_off = 0;
	while (*s) {
		const struct vt_field *fl;
		unsigned int bits = 32;

		if (*s != '%') {
			f->text[text_len++] = *s++;
			op->lit_len++;
			continue;
		}
		spec = s++;
		if (*s == '%') {
			f->text[text_len++] = '%';
			op->lit_len++;
			s++;
			continue;
		}
		/* flags, width, precision, length, conversion */
		op->width = op->prec = -1;
		for (;; s++) {
			if (*s == '-')
				op->flags |= FLAG_MINUS;
			else if (*s == '+')
				op->flags |= FLAG_PLUS;
			else if (*s == ' ')
				op->flags |= FLAG_SPACE;
			else if (*s == '0')
				op->flags |= FLAG_ZERO;
			else if (*s == '#')
				op->flags |= FLAG_HASH;
			else
				break;
		}
		if (*s == '*')
			goto unsupported;
		if (*s >= '1' && *s <= '9') {
			op->width = 0;
			while (*s >= '0' && *s <= '9') {
				op->width = op->width * 10 + (*s++ - '0');
				if (op->width > MAX_WIDTH)
					goto too_wide;
			}
		}
		if (*s == '.') {
			s++;
			if (*s == '*')
				goto unsupported;
			op->prec = 0;
			while (*s >= '0' && *s <= '9') {
				op->prec = op->prec * 10 + (*s++ - '0');
				if (op->prec > MAX_WIDTH)
					goto too_wide;
			}
		}
		if (s[0] == 'h' && s[1] == 'h') {
			bits = 8;
			s += 2;
		} else if (s[0] == 'l' && s[1] == 'l') {
			bits = 64;
			s += 2;
		} else if (*s == 'h') {
			bits = 16;
			s++;
		} else if (*s == 'l' || *s == 'z' || *s == 'j' || *s == 't') {
			bits = 64;
			s++;
		}
		if (!*s || !strchr("diuxXocsp", *s))
			goto unsupported;
		op->conv = *s++;
		op->bits = (uint8_t)(op->conv == 'p' ? 64 : bits);
		op->simple = !op->flags && op->width < 0 && op->prec < 0 &&
			     op->conv != 'o' && op->conv != 'p';
		nconv++;
		fl = next_field(ec, &field_index);
		if (!fl) {
			snprintf(err, errlen, "conversion %u ('%.*s') has no "
				 "field: the event has fewer fields", nconv,
				 (int)(s - spec), spec);
			goto out_free;
		}
		if ((op->conv == 's') != (fl->kind == VT_FIELD_STRING)) {
			snprintf(err, errlen, "conversion %u ('%.*s') does not "
				 "fit field '%s' (%s)", nconv, (int)(s - spec),
				 spec, fl->name,
				 fl->kind == VT_FIELD_STRING ? "a string" :
							       "an integer");
			goto out_free;
		}
		op->field_off = fl->offset;
		op->field_size = fl->size;
		op->field_kind = (uint8_t)fl->kind;
		f->max_len += op->lit_len + op_max_len(op);
		op++;
		op->lit_off = (uint32_t)text_len;
	}
	f->max_len += op->lit_len;
	f->nops = (unsigned int)(op - f->ops) + (op->lit_len ? 1 : 0);
	f->text[text_len] = '\0';
	return f;

unsupported:
	snprintf(err, errlen, "unsupported conversion '%.*s'",
		 (int)(s - spec) + (*s ? 1 : 0), spec);
	goto out_free;
too_wide:
	snprintf(err, errlen, "width or precision above %d", MAX_WIDTH);
out_free:
	vt_format_free(f);
	return NULL;
}

struct vt_format *vt_format_compile_fields(const struct vt_event_class *ec)
{
	size_t text_len = 0, cap = 1;
	struct vt_format *f;
	struct fmt_op *op;

	for (unsigned int i = 0; i < ec->nfields; i++)
		cap += strlen(ec->fields[i].name) + 4;
	f = format_new(cap, ec->nfields + 1);
	if (!f)
		return NULL;
	op = f->ops;
	for (unsigned int i = 0; i < ec->nfields; i++) {
		const struct vt_field *fl = &ec->fields[i];
		size_t n = strlen(fl->name);

		if (fl->kind == VT_FIELD_PAD)
			continue;
		op->lit_off = (uint32_t)text_len;
		if (op != f->ops)
			f->text[text_len++] = ' ';
		memcpy(f->text + text_len, fl->name, n);
		text_len += n;
		f->text[text_len++] = '=';
		op->lit_len = (uint32_t)(text_len - op->lit_off);
		op->width = op->prec = -1;
		op->bits = 64;
		op->field_off = fl->offset;
		op->field_size = fl->size;
		op->field_kind = (uint8_t)fl->kind;
		switch (fl->kind) {
		case VT_FIELD_STRING:
			op->conv = 's';
			op->simple = true;
			break;
		case VT_FIELD_HEX:
			op->conv = 'x';
			op->flags = FLAG_HASH;
			break;
		case VT_FIELD_SIGNED:
			op->conv = 'd';
			op->simple = true;
			break;
		default:
			op->conv = 'u';
			op->simple = true;
		}
		f->max_len += op->lit_len + op_max_len(op);
		op++;
	}
	f->nops = (unsigned int)(op - f->ops);
	f->text[text_len] = '\0';
	return f;
}
