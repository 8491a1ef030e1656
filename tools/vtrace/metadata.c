// SPDX-License-Identifier: MIT
/*
 * TSDL parser for the subset vtrace writes (docs/FORMAT.md).
 *
 * A hand-written tokenizer feeds a recursive-descent parser.  Every parse
 * error longjmps back to vt_metadata_parse() with "path:line: reason" in
 * the caller's buffer; everything allocated so far hangs off the
 * vt_metadata being built, so one vt_metadata_free() cleans up.
 *
 * The parser knows the grammar, not our event table: event layouts are
 * computed from the declared field types (natural alignment from `align`,
 * in bits), and the three fixed structures (packet header, packet context,
 * event header) are checked against ring/ring-abi.h so that the stream
 * reader can decode packets as plain C structs.
 */
#include "tools/vtrace/metadata.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum tok_kind {
	TOK_EOF,
	TOK_IDENT,	/* letters, digits, '_' and '.' (packet.header) */
	TOK_NUMBER,
	TOK_STRING,
	TOK_PUNCT,	/* { } ; = [ ] ( ) , and ":=" */
};

struct token {
	enum tok_kind kind;
	const char *start;
	size_t len;
	int line;
	int64_t number;		/* TOK_NUMBER */
	char *string;		/* TOK_STRING, decoded, owned by the parser */
};

/* An integer type as declared (typealias or inline). */
struct int_type {
	char *alias;		/* NULL for an inline type */
	unsigned int size;	/* bits */
	unsigned int align;	/* bits */
	bool is_signed;
	bool hex;
	bool utf8;
	bool has_map;
};

/* A struct member as declared, before layout. */
struct member {
	char *name;
	struct int_type type;
	uint32_t array_len;	/* 0: scalar */
	int line;
};

struct parser {
	const char *text, *end, *pos;
	int line;
	const char *path;
	char *err;
	size_t errlen;
	jmp_buf fail;

	struct token tok;	/* current token (lookahead) */
	char *pending_string;	/* decoded string of tok, freed on advance */
	char *held;		/* taken from tok while the next is lexed */

	struct int_type *aliases;
	unsigned int naliases;

	struct member *members;	/* the struct being parsed */
	unsigned int nmembers;

	struct vt_metadata *md;
	bool seen_trace, seen_stream, seen_clock;
};

static void __attribute__((noreturn, format(printf, 3, 4)))
fail_at(struct parser *p, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->path, line, msg);
	longjmp(p->fail, 1);
}

#define fail(p, ...) fail_at((p), (p)->tok.line, __VA_ARGS__)

static void *xcalloc(struct parser *p, size_t n, size_t size)
{
	void *ptr = calloc(n ? n : 1, size);

	if (!ptr)
		fail(p, "out of memory");
	return ptr;
}

static char *xstrndup(struct parser *p, const char *s, size_t len)
{
	char *copy = strndup(s, len);

	if (!copy)
		fail(p, "out of memory");
	return copy;
}

static void *xgrow(struct parser *p, void *array, unsigned int n, size_t size)
{
	/* capacity is the next power of two: grow when n is 0 or one */
	if (n && (n & (n - 1)))
		return array;
	array = realloc(array, (n ? 2 * n : 1) * size);
	if (!array)
		fail(p, "out of memory");
	return array;
}

/* ------------------------------------------------------------ tokenizer */

static const char *tok_text(const struct token *t, char *buf, size_t len)
{
	if (t->kind == TOK_EOF)
		return "end of file";
	snprintf(buf, len, "'%.*s'", (int)(t->len > 40 ? 40 : t->len),
		 t->start);
	return buf;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode a string literal starting after the opening quote. */
static void lex_string(struct parser *p, struct token *t)
{
	const char *s = p->pos;
	size_t cap = 16, n = 0;
	char *out = malloc(cap);

	if (!out)
		fail(p, "out of memory");
	p->pending_string = out;
	for (;;) {
		int c;

		if (s >= p->end || *s == '\n')
			fail_at(p, t->line, "unterminated string");
		c = (unsigned char)*s++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (s >= p->end)
				fail_at(p, t->line, "unterminated string");
			c = (unsigned char)*s++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'v': c = '\v'; break;
			case '\\': case '"': case '\'': case '?': break;
			case 'x': {
				int v = 0, digits = 0;

				while (s < p->end && hexval(*s) >= 0 &&
				       digits < 2) {
					v = v * 16 + hexval(*s++);
					digits++;
				}
				if (!digits)
					fail_at(p, t->line,
						"bad \\x escape in string");
				c = v;
				break;
			}
			default:
				if (c >= '0' && c <= '7') {
					int v = c - '0', digits = 1;

					while (s < p->end && *s >= '0' &&
					       *s <= '7' && digits < 3) {
						v = v * 8 + (*s++ - '0');
						digits++;
					}
					c = v & 0xff;
					break;
				}
				fail_at(p, t->line, "unknown escape '\\%c'",
					c);
			}
		}
		if (n + 2 > cap) {
			char *bigger = realloc(out, cap *= 2);

			if (!bigger)
				fail(p, "out of memory");
			out = p->pending_string = bigger;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	t->string = out;
	t->len = (size_t)(s - t->start);
	p->pos = s;
}

static void next(struct parser *p)
{
	struct token *t = &p->tok;
	const char *s;

	free(p->pending_string);
	p->pending_string = NULL;
	memset(t, 0, sizeof(*t));
again:
	s = p->pos;
	while (s < p->end && isspace((unsigned char)*s)) {
		if (*s == '\n')
			p->line++;
		s++;
	}
	if (s + 1 < p->end && s[0] == '/' && s[1] == '*') {
		int start_line = p->line;

		s += 2;
		while (s + 1 < p->end && !(s[0] == '*' && s[1] == '/')) {
			if (*s == '\n')
				p->line++;
			s++;
		}
		if (s + 1 >= p->end) {
			p->tok.line = start_line;
			fail(p, "unterminated comment");
		}
		p->pos = s + 2;
		goto again;
	}
	if (s + 1 < p->end && s[0] == '/' && s[1] == '/') {
		while (s < p->end && *s != '\n')
			s++;
		p->pos = s;
		goto again;
	}
	t->start = s;
	t->line = p->line;
	if (s >= p->end) {
		t->kind = TOK_EOF;
		p->pos = s;
		return;
	}
	if (isalpha((unsigned char)*s) || *s == '_') {
		while (s < p->end &&
		       (isalnum((unsigned char)*s) || *s == '_' || *s == '.'))
			s++;
		t->kind = TOK_IDENT;
	} else if (isdigit((unsigned char)*s) ||
		   (*s == '-' && s + 1 < p->end &&
		    isdigit((unsigned char)s[1]))) {
		/* strtoll needs a NUL: the text is only bounded by p->end. */
		char digits[72], *endp;
		size_t n = 0;
		bool neg = *s == '-';

		while (s + n < p->end && n < sizeof(digits) - 1 &&
		       (isalnum((unsigned char)s[n]) || s[n] == '-'))
			n++;
		memcpy(digits, s, n);
		digits[n] = '\0';
		errno = 0;
		if (neg) {
			long long v = strtoll(digits, &endp, 0);

			t->number = v;
		} else {
			unsigned long long v = strtoull(digits, &endp, 0);

			if (v > INT64_MAX)
				errno = ERANGE;
			t->number = (int64_t)v;
		}
		if (errno || n == sizeof(digits) - 1) {
			p->tok.line = p->line;
			fail(p, "number out of range");
		}
		s += endp - digits;
		while (s < p->end && (*s == 'u' || *s == 'U' || *s == 'l' ||
				      *s == 'L'))
			s++;
		if (s < p->end && (isalnum((unsigned char)*s) || *s == '_'))
			fail(p, "malformed number '%.*s'",
			     (int)(s - t->start + 1), t->start);
		t->kind = TOK_NUMBER;
	} else if (*s == '"') {
		t->kind = TOK_STRING;
		p->pos = s + 1;
		lex_string(p, t);
		return;
	} else if (s + 1 < p->end && s[0] == ':' && s[1] == '=') {
		s += 2;
		t->kind = TOK_PUNCT;
	} else if (strchr("{};=[](),", *s)) {
		s++;
		t->kind = TOK_PUNCT;
	} else {
		fail(p, "unexpected character '%c'", *s);
	}
	t->len = (size_t)(s - t->start);
	p->pos = s;
}

static bool is(const struct parser *p, const char *what)
{
	size_t n = strlen(what);

	return (p->tok.kind == TOK_IDENT || p->tok.kind == TOK_PUNCT) &&
	       p->tok.len == n && !memcmp(p->tok.start, what, n);
}

static void expect(struct parser *p, const char *what)
{
	char buf[64];

	if (!is(p, what))
		fail(p, "expected '%s', got %s", what,
		     tok_text(&p->tok, buf, sizeof(buf)));
	next(p);
}

static char *take_ident(struct parser *p, const char *what)
{
	char buf[64];
	char *s;

	if (p->tok.kind != TOK_IDENT)
		fail(p, "expected %s, got %s", what,
		     tok_text(&p->tok, buf, sizeof(buf)));
	s = p->held = xstrndup(p, p->tok.start, p->tok.len);
	next(p);
	p->held = NULL;
	return s;
}

static int64_t take_number(struct parser *p, const char *key)
{
	char buf[64];
	int64_t v;

	if (p->tok.kind != TOK_NUMBER)
		fail(p, "%s: expected a number, got %s", key,
		     tok_text(&p->tok, buf, sizeof(buf)));
	v = p->tok.number;
	next(p);
	return v;
}

static char *take_string(struct parser *p, const char *key)
{
	char buf[64];
	char *s;

	if (p->tok.kind != TOK_STRING)
		fail(p, "%s: expected a string, got %s", key,
		     tok_text(&p->tok, buf, sizeof(buf)));
	s = p->held = p->pending_string;
	p->pending_string = NULL;
	next(p);
	p->held = NULL;
	return s;
}

/* true/false/TRUE/FALSE/1/0 */
static bool take_bool(struct parser *p, const char *key)
{
	bool v;

	if (p->tok.kind == TOK_NUMBER && (p->tok.number == 0 ||
					  p->tok.number == 1)) {
		v = p->tok.number;
	} else if (is(p, "true") || is(p, "TRUE")) {
		v = true;
	} else if (is(p, "false") || is(p, "FALSE")) {
		v = false;
	} else {
		fail(p, "%s: expected true or false", key);
	}
	next(p);
	return v;
}

/* Copy the current identifier into buf as a key (for messages). */
static void take_key(struct parser *p, char *buf, size_t len)
{
	char tbuf[64];

	if (p->tok.kind != TOK_IDENT)
		fail(p, "expected a name, got %s",
		     tok_text(&p->tok, tbuf, sizeof(tbuf)));
	snprintf(buf, len, "%.*s", (int)p->tok.len, p->tok.start);
	next(p);
}

/* ------------------------------------------------------------ types */

/* `integer { size = N; align = N; signed = B; base = X; encoding = E;
 *  map = clock.NAME.value; byte_order = le; }` after the keyword. */
static void parse_integer_body(struct parser *p, struct int_type *it)
{
	int line = p->tok.line;
	bool has_size = false;

	memset(it, 0, sizeof(*it));
	expect(p, "{");
	while (!is(p, "}")) {
		char key[64];

		take_key(p, key, sizeof(key));
		expect(p, "=");
		if (!strcmp(key, "size")) {
			int64_t v = take_number(p, key);

			if (v != 8 && v != 16 && v != 32 && v != 64)
				fail(p, "integer size %" PRId64
				     " not supported (8, 16, 32 or 64)", v);
			it->size = (unsigned int)v;
			has_size = true;
		} else if (!strcmp(key, "align")) {
			int64_t v = take_number(p, key);

			if (v != 8 && v != 16 && v != 32 && v != 64)
				fail(p, "integer align %" PRId64
				     " not supported (bits: 8, 16, 32 or 64)",
				     v);
			it->align = (unsigned int)v;
		} else if (!strcmp(key, "signed")) {
			it->is_signed = take_bool(p, key);
		} else if (!strcmp(key, "base")) {
			if (is(p, "hex") || is(p, "x") || is(p, "X") ||
			    is(p, "hexadecimal") ||
			    (p->tok.kind == TOK_NUMBER && p->tok.number == 16))
				it->hex = true;
			else if (!(is(p, "dec") || is(p, "d") || is(p, "i") ||
				   is(p, "u") || is(p, "decimal") ||
				   (p->tok.kind == TOK_NUMBER &&
				    p->tok.number == 10)))
				fail(p, "integer base not supported");
			next(p);
		} else if (!strcmp(key, "encoding")) {
			if (is(p, "UTF8") || is(p, "ASCII"))
				it->utf8 = true;
			else if (!is(p, "none"))
				fail(p, "encoding not supported");
			next(p);
		} else if (!strcmp(key, "map")) {
			char *m = take_ident(p, "clock.NAME.value");
			bool ok = !strncmp(m, "clock.", 6) &&
				  strlen(m) > 12 &&
				  !strcmp(m + strlen(m) - 6, ".value");

			free(m);
			if (!ok)
				fail(p, "map must be clock.NAME.value");
			it->has_map = true;
		} else if (!strcmp(key, "byte_order")) {
			if (!(is(p, "le") || is(p, "native")))
				fail(p, "only little-endian integers are "
				     "supported");
			next(p);
		} else {
			fail(p, "unknown integer attribute '%s'", key);
		}
		expect(p, ";");
	}
	next(p);
	if (!has_size)
		fail_at(p, line, "integer without size");
	if (!it->align)
		it->align = it->size;	/* byte-multiple sizes: natural */
	if (it->align > it->size)
		fail_at(p, line, "integer align larger than its size");
}

static const struct int_type *find_alias(const struct parser *p,
					 const char *start, size_t len)
{
	for (unsigned int i = 0; i < p->naliases; i++)
		if (strlen(p->aliases[i].alias) == len &&
		    !memcmp(p->aliases[i].alias, start, len))
			return &p->aliases[i];
	return NULL;
}

/* A type specifier: `integer {...}` or an alias name. */
static void parse_type(struct parser *p, struct int_type *it)
{
	char buf[64];
	const struct int_type *alias;

	if (is(p, "integer")) {
		next(p);
		parse_integer_body(p, it);
		return;
	}
	if (is(p, "struct") || is(p, "variant") || is(p, "enum") ||
	    is(p, "floating_point") || is(p, "string") ||
	    is(p, "sequence"))
		fail(p, "'%.*s' types are not supported", (int)p->tok.len,
		     p->tok.start);
	if (p->tok.kind != TOK_IDENT)
		fail(p, "expected a type, got %s",
		     tok_text(&p->tok, buf, sizeof(buf)));
	alias = find_alias(p, p->tok.start, p->tok.len);
	if (!alias)
		fail(p, "unknown type '%.*s'", (int)p->tok.len, p->tok.start);
	*it = *alias;
	it->alias = NULL;
	next(p);
}

static void parse_typealias(struct parser *p)
{
	struct int_type it;
	char buf[64];

	next(p);	/* typealias */
	if (!is(p, "integer"))
		fail(p, "typealias: only integer types are supported");
	next(p);
	parse_integer_body(p, &it);
	expect(p, ":=");
	if (p->tok.kind != TOK_IDENT)
		fail(p, "typealias: expected a name, got %s",
		     tok_text(&p->tok, buf, sizeof(buf)));
	if (find_alias(p, p->tok.start, p->tok.len))
		fail(p, "typealias '%.*s' declared twice", (int)p->tok.len,
		     p->tok.start);
	p->aliases = xgrow(p, p->aliases, p->naliases, sizeof(*p->aliases));
	it.alias = xstrndup(p, p->tok.start, p->tok.len);
	p->aliases[p->naliases++] = it;
	next(p);
	expect(p, ";");
}

static void free_members(struct member *m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(m[i].name);
	free(m);
}

/*
 * `struct { TYPE NAME; TYPE NAME[N]; ... }` after `:=`.  The members land
 * in p->members (freed by clear_members(), or by vt_metadata_parse() when
 * a parse error longjmps out).
 */
static void clear_members(struct parser *p)
{
	free_members(p->members, p->nmembers);
	p->members = NULL;
	p->nmembers = 0;
}

static void parse_struct(struct parser *p)
{
	struct member **out = &p->members;
	unsigned int *nout = &p->nmembers;

	clear_members(p);
	expect(p, "struct");
	expect(p, "{");
	while (!is(p, "}")) {
		struct member m = { .line = p->tok.line };

		parse_type(p, &m.type);
		m.name = take_ident(p, "a field name");
		*out = realloc(*out, (*nout + 1) * sizeof(**out));
		if (!*out) {
			free(m.name);
			fail(p, "out of memory");
		}
		(*out)[(*nout)++] = m;
		if (is(p, "[")) {
			int64_t n;

			next(p);
			n = take_number(p, "array length");
			if (n <= 0 || n > 63 * 64)
				fail(p, "array length %" PRId64
				     " out of range", n);
			expect(p, "]");
			(*out)[*nout - 1].array_len = (uint32_t)n;
			if (m.type.size != 8)
				fail_at(p, m.line, "field '%s': only byte "
					"arrays are supported", m.name);
		}
		expect(p, ";");
	}
	next(p);
	if (is(p, "align"))
		fail(p, "align() on a struct is not supported");
}

struct fixed_member {
	const char *name;
	unsigned int size;	/* bits */
	uint32_t array_len;
};

/* Check that a fixed struct (packet header, context, event header) is the
 * layout of ring/ring-abi.h. */
static void check_fixed(struct parser *p, int line, const char *what,
			const struct member *m, unsigned int n,
			const struct fixed_member *want, unsigned int nwant)
{
	for (unsigned int i = 0; i < nwant; i++) {
		if (i >= n)
			fail_at(p, line, "%s: missing field '%s'", what,
				want[i].name);
		if (strcmp(m[i].name, want[i].name) ||
		    m[i].type.size != want[i].size ||
		    m[i].array_len != want[i].array_len ||
		    m[i].type.align > want[i].size)
			fail_at(p, m[i].line, "%s: field %u is '%s', want %s "
				"(%u-bit%s) as in ring/ring-abi.h", what, i,
				m[i].name, want[i].name, want[i].size,
				want[i].array_len ? " array" : "");
	}
	if (n > nwant)
		fail_at(p, m[nwant].line, "%s: unexpected field '%s'", what,
			m[nwant].name);
}

/* Parse `:= struct {...}` for a fixed structure and check it. */
static void parse_fixed(struct parser *p, const char *what,
			const struct fixed_member *want, unsigned int nwant)
{
	int line = p->tok.line;

	expect(p, ":=");
	parse_struct(p);
	check_fixed(p, line, what, p->members, p->nmembers, want, nwant);
	clear_members(p);
}

static const struct fixed_member packet_header[] = {
	{ "magic", 32, 0 }, { "uuid", 8, 16 }, { "stream_id", 32, 0 },
};

static const struct fixed_member packet_context[] = {
	{ "timestamp_begin", 64, 0 }, { "timestamp_end", 64, 0 },
	{ "content_size", 32, 0 },    { "packet_size", 32, 0 },
	{ "packet_seq_num", 32, 0 },  { "cpu_id", 32, 0 },
	{ "events_discarded", 64, 0 },
};

static const struct fixed_member event_header[] = {
	{ "id", 32, 0 }, { "timestamp", 64, 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ blocks */

static void parse_uuid(struct parser *p, const char *s, uint8_t out[16])
{
	unsigned int n = 0;

	for (const char *c = s; *c; c++) {
		int hi, lo;

		if (*c == '-' && (c - s == 8 || c - s == 13 || c - s == 18 ||
				  c - s == 23))
			continue;
		hi = hexval(c[0]);
		lo = c[1] ? hexval(c[1]) : -1;
		if (hi < 0 || lo < 0 || n >= 16)
			fail(p, "malformed uuid \"%s\"", s);
		out[n++] = (uint8_t)(hi << 4 | lo);
		c++;
	}
	if (n != 16 || strlen(s) != 36)
		fail(p, "malformed uuid \"%s\"", s);
}

static void parse_trace(struct parser *p)
{
	int line = p->tok.line;
	int64_t major = -1, minor = -1;
	bool has_header = false, has_bo = false;

	if (p->seen_trace)
		fail(p, "second trace block");
	p->seen_trace = true;
	next(p);
	expect(p, "{");
	while (!is(p, "}")) {
		char key[64];
		int key_line = p->tok.line;

		take_key(p, key, sizeof(key));
		if (!strcmp(key, "packet.header")) {
			parse_fixed(p, "packet.header", packet_header,
				    N(packet_header));
			has_header = true;
			expect(p, ";");
			continue;
		}
		expect(p, "=");
		if (!strcmp(key, "major")) {
			major = take_number(p, key);
		} else if (!strcmp(key, "minor")) {
			minor = take_number(p, key);
		} else if (!strcmp(key, "uuid")) {
			char *s = take_string(p, key);

			p->held = s;	/* freed if parse_uuid() fails */
			p->tok.line = key_line;
			parse_uuid(p, s, p->md->uuid);
			p->held = NULL;
			free(s);
			p->md->has_uuid = true;
		} else if (!strcmp(key, "byte_order")) {
			if (!is(p, "le"))
				fail(p, "byte_order: only le is supported");
			next(p);
			has_bo = true;
		} else {
			fail_at(p, key_line, "trace: unknown attribute '%s'",
				key);
		}
		expect(p, ";");
	}
	next(p);
	expect(p, ";");
	if (major != 1 || minor != 8)
		fail_at(p, line, "trace: CTF %" PRId64 ".%" PRId64
			", want 1.8", major, minor);
	if (!has_bo)
		fail_at(p, line, "trace: no byte_order");
	if (!has_header)
		fail_at(p, line, "trace: no packet.header");
}

static void parse_env(struct parser *p)
{
	struct vt_metadata *md = p->md;

	next(p);
	expect(p, "{");
	while (!is(p, "}")) {
		struct vt_env_entry *e;
		char key[128];

		take_key(p, key, sizeof(key));
		expect(p, "=");
		for (unsigned int i = 0; i < md->nenv; i++)
			if (!strcmp(md->env[i].key, key))
				fail(p, "env: '%s' set twice", key);
		md->env = xgrow(p, md->env, md->nenv, sizeof(*md->env));
		e = &md->env[md->nenv];
		memset(e, 0, sizeof(*e));
		e->key = xstrndup(p, key, strlen(key));
		md->nenv++;
		if (p->tok.kind == TOK_STRING) {
			e->is_string = true;
			e->string = take_string(p, key);
		} else {
			e->integer = take_number(p, key);
		}
		expect(p, ";");
	}
	next(p);
	expect(p, ";");
}

static void parse_clock(struct parser *p)
{
	struct vt_metadata *md = p->md;

	if (p->seen_clock)
		fail(p, "only one clock is supported");
	p->seen_clock = true;
	next(p);
	expect(p, "{");
	while (!is(p, "}")) {
		char key[64];
		int key_line = p->tok.line;

		take_key(p, key, sizeof(key));
		expect(p, "=");
		if (!strcmp(key, "name")) {
			if (md->clock_name)
				fail_at(p, key_line, "clock: name twice");
			md->clock_name = p->tok.kind == TOK_STRING ?
						 take_string(p, key) :
						 take_ident(p, "a clock name");
		} else if (!strcmp(key, "uuid") ||
			   !strcmp(key, "description")) {
			free(take_string(p, key));
		} else if (!strcmp(key, "freq")) {
			int64_t v = take_number(p, key);

			if (v <= 0)
				fail_at(p, key_line, "clock freq must be > 0");
			md->clock_freq = (uint64_t)v;
		} else if (!strcmp(key, "precision")) {
			take_number(p, key);
		} else if (!strcmp(key, "offset_s")) {
			md->clock_offset_s = take_number(p, key);
			if (md->clock_offset_s > INT64_MAX / 1000000000 ||
			    md->clock_offset_s < INT64_MIN / 1000000000)
				fail_at(p, key_line, "clock offset_s out of "
					"range");
		} else if (!strcmp(key, "offset")) {
			md->clock_offset = take_number(p, key);
		} else if (!strcmp(key, "absolute")) {
			take_bool(p, key);
		} else {
			fail_at(p, key_line, "clock: unknown attribute '%s'",
				key);
		}
		expect(p, ";");
	}
	next(p);
	expect(p, ";");
}

static void parse_stream(struct parser *p)
{
	int line = p->tok.line;
	bool has_context = false, has_header = false;

	if (p->seen_stream)
		fail(p, "only one stream class is supported");
	p->seen_stream = true;
	next(p);
	expect(p, "{");
	while (!is(p, "}")) {
		char key[64];
		int key_line = p->tok.line;

		take_key(p, key, sizeof(key));
		if (!strcmp(key, "packet.context")) {
			parse_fixed(p, key, packet_context,
				    N(packet_context));
			has_context = true;
		} else if (!strcmp(key, "event.header")) {
			parse_fixed(p, key, event_header, N(event_header));
			has_header = true;
		} else if (!strcmp(key, "id")) {
			expect(p, "=");
			if (take_number(p, key) != 0)
				fail_at(p, key_line, "stream id must be 0");
		} else {
			fail_at(p, key_line, "stream: unknown attribute '%s'",
				key);
		}
		expect(p, ";");
	}
	next(p);
	expect(p, ";");
	if (!has_context)
		fail_at(p, line, "stream: no packet.context");
	if (!has_header)
		fail_at(p, line, "stream: no event.header");
}

/* Lay out the fields of an event (natural alignment, payload at record
 * byte 16) and check that it fills whole slots. */
static void layout_event(struct parser *p, int line,
			 struct vt_event_class *ec, struct member *m,
			 unsigned int n)
{
	uint32_t off = 0;

	ec->fields = xcalloc(p, n, sizeof(*ec->fields));
	for (unsigned int i = 0; i < n; i++) {
		struct vt_field *f = &ec->fields[i];
		uint32_t align = m[i].type.align / 8;

		f->name = m[i].name;
		m[i].name = NULL;
		ec->nfields++;
		off = (off + align - 1) & ~(align - 1);
		f->offset = off;
		if (m[i].array_len) {
			if (!m[i].type.utf8)
				fail_at(p, m[i].line, "field '%s': byte arrays "
					"must have encoding = UTF8", f->name);
			f->kind = strcmp(f->name, "vt_pad") ? VT_FIELD_STRING :
							       VT_FIELD_PAD;
			f->size = m[i].array_len;
		} else {
			if (m[i].type.utf8)
				fail_at(p, m[i].line, "field '%s': a UTF8 "
					"integer must be an array", f->name);
			f->size = m[i].type.size / 8;
			f->kind = m[i].type.hex ? VT_FIELD_HEX :
				  m[i].type.is_signed ? VT_FIELD_SIGNED :
							VT_FIELD_UNSIGNED;
		}
		off += f->size;
	}
	ec->payload_size = off;
	ec->nslots = (16 + off + 63) / 64;
	if (ec->nslots < 1)
		ec->nslots = 1;
	if (ec->nslots > 63)
		fail_at(p, line, "event '%s': payload of %u bytes does not fit "
			"a packet", ec->name, off);
	if (16 + off != ec->nslots * 64)
		fail_at(p, line, "event '%s': payload of %u bytes does not "
			"fill its %u slot(s) (want %u bytes: a vt_pad filler "
			"is missing)", ec->name, off, ec->nslots,
			ec->nslots * 64 - 16);
}

static void parse_event(struct parser *p)
{
	struct vt_metadata *md = p->md;
	struct vt_event_class *ec;
	int line = p->tok.line;
	bool has_id = false, has_fields = false;

	next(p);
	md->events = xgrow(p, md->events, md->nevents, sizeof(*md->events));
	ec = &md->events[md->nevents++];
	memset(ec, 0, sizeof(*ec));
	clear_members(p);
	expect(p, "{");
	while (!is(p, "}")) {
		char key[64];
		int key_line = p->tok.line;

		take_key(p, key, sizeof(key));
		if (!strcmp(key, "fields")) {
			if (has_fields)
				fail_at(p, key_line, "event: fields twice");
			expect(p, ":=");
			parse_struct(p);
			has_fields = true;
			expect(p, ";");
			continue;
		}
		expect(p, "=");
		if (!strcmp(key, "name")) {
			if (ec->name)
				fail_at(p, key_line, "event: name twice");
			ec->name = p->tok.kind == TOK_STRING ?
					   take_string(p, key) :
					   take_ident(p, "an event name");
		} else if (!strcmp(key, "id")) {
			int64_t id = take_number(p, key);

			if (id < 0 || id >= VT_METADATA_MAX_ID)
				fail_at(p, key_line, "event id %" PRId64
					" out of range", id);
			ec->id = (uint32_t)id;
			has_id = true;
		} else if (!strcmp(key, "stream_id")) {
			if (take_number(p, key) != 0)
				fail_at(p, key_line, "event: stream_id must "
					"be 0");
		} else if (!strcmp(key, "loglevel")) {
			take_number(p, key);
		} else {
			fail_at(p, key_line, "event: unknown attribute '%s'",
				key);
		}
		expect(p, ";");
	}
	next(p);
	expect(p, ";");
	if (!ec->name)
		fail_at(p, line, "event without a name");
	if (!has_id)
		fail_at(p, line, "event '%s' without an id", ec->name);
	if (!has_fields)
		fail_at(p, line, "event '%s' without fields", ec->name);
	for (unsigned int i = 0; i + 1 < md->nevents; i++)
		if (md->events[i].id == ec->id)
			fail_at(p, line, "event id %u used by '%s' and '%s'",
				ec->id, md->events[i].name, ec->name);
	layout_event(p, line, ec, p->members, p->nmembers);
	clear_members(p);
}

static void parse_top(struct parser *p)
{
	char buf[64];

	next(p);
	while (p->tok.kind != TOK_EOF) {
		if (is(p, "typealias"))
			parse_typealias(p);
		else if (is(p, "trace"))
			parse_trace(p);
		else if (is(p, "env"))
			parse_env(p);
		else if (is(p, "clock"))
			parse_clock(p);
		else if (is(p, "stream"))
			parse_stream(p);
		else if (is(p, "event"))
			parse_event(p);
		else
			fail(p, "unexpected %s at top level",
			     tok_text(&p->tok, buf, sizeof(buf)));
	}
	if (!p->seen_trace)
		fail(p, "no trace block");
	if (!p->seen_stream)
		fail(p, "no stream block");
}

/* Index events by id and attach their format strings from env. */
static void finish(struct parser *p)
{
	struct vt_metadata *md = p->md;
	uint32_t nids = 0;

	for (unsigned int i = 0; i < md->nevents; i++)
		if (md->events[i].id + 1 > nids)
			nids = md->events[i].id + 1;
	md->nids = nids;
	md->by_id = xcalloc(p, nids, sizeof(*md->by_id));
	for (unsigned int i = 0; i < md->nevents; i++) {
		struct vt_event_class *ec = &md->events[i];
		char key[40];
		const char *fmt;

		md->by_id[ec->id] = ec;
		snprintf(key, sizeof(key), "vtrace_fmt_%u", ec->id);
		fmt = vt_metadata_env_string(md, key);
		if (fmt)
			ec->format = xstrndup(p, fmt, strlen(fmt));
	}
}

struct vt_metadata *vt_metadata_parse(const char *text, size_t len,
				      const char *path, char *err,
				      size_t errlen)
{
	struct parser p = {
		.text = text, .pos = text, .end = text + len, .line = 1,
		.path = path, .err = err, .errlen = errlen,
	};
	struct vt_metadata *md;

	md = calloc(1, sizeof(*md));
	if (!md || !(md->path = strdup(path))) {
		free(md);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	md->clock_freq = 1000000000u;
	p.md = md;
	if (setjmp(p.fail)) {
		vt_metadata_free(p.md);
		p.md = NULL;
		goto out;
	}
	if (len < 8 || memcmp(text, "/* CTF 1", 8)) {
		if (len >= 4 && !memcmp(text, "\x75\xd1\x1d\x57", 4))
			fail_at(&p, 1, "packetized metadata is not supported");
		fail_at(&p, 1, "not CTF metadata text (no \"/* CTF 1.8 */\")");
	}
	if (memchr(text, '\0', len))
		fail_at(&p, 1, "NUL byte in metadata text");
	parse_top(&p);
	finish(&p);
out:
	free(p.pending_string);
	free(p.held);
	free_members(p.members, p.nmembers);
	for (unsigned int i = 0; i < p.naliases; i++)
		free(p.aliases[i].alias);
	free(p.aliases);
	return p.md;
}

struct vt_metadata *vt_metadata_parse_file(const char *path, char *err,
					   size_t errlen)
{
	struct vt_metadata *md = NULL;
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path,
			 S_ISREG(st.st_mode) ? strerror(errno) :
					       "not a regular file");
		goto out_close;
	}
	if (st.st_size > (64 << 20)) {
		snprintf(err, errlen, "%s: metadata larger than 64 MiB", path);
		goto out_close;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s", path,
				 n ? strerror(errno) : "file shrank");
			goto out_free;
		}
		got += (size_t)n;
	}
	text[got] = '\0';
	md = vt_metadata_parse(text, got, path, err, errlen);
out_free:
	free(text);
out_close:
	close(fd);
	return md;
}

void vt_metadata_free(struct vt_metadata *md)
{
	if (!md)
		return;
	for (unsigned int i = 0; i < md->nenv; i++) {
		free(md->env[i].key);
		free(md->env[i].string);
	}
	free(md->env);
	for (unsigned int i = 0; i < md->nevents; i++) {
		struct vt_event_class *ec = &md->events[i];

		for (unsigned int j = 0; j < ec->nfields; j++)
			free(ec->fields[j].name);
		free(ec->fields);
		free(ec->name);
		free(ec->format);
	}
	free(md->events);
	free(md->by_id);
	free(md->clock_name);
	free(md->path);
	free(md);
}

const char *vt_metadata_env_string(const struct vt_metadata *md,
				   const char *key)
{
	for (unsigned int i = 0; i < md->nenv; i++)
		if (!strcmp(md->env[i].key, key))
			return md->env[i].is_string ? md->env[i].string : NULL;
	return NULL;
}

bool vt_metadata_env_int(const struct vt_metadata *md, const char *key,
			 int64_t *value)
{
	for (unsigned int i = 0; i < md->nenv; i++)
		if (!strcmp(md->env[i].key, key)) {
			if (md->env[i].is_string)
				return false;
			*value = md->env[i].integer;
			return true;
		}
	return false;
}
