// SPDX-License-Identifier: MIT
/*
 * Unit tests of the vtrace tool's metadata parser and format renderer.
 * Format rendering is checked against glibc's snprintf for every
 * conversion, length modifier and a spread of flags, widths and values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/vtrace/format.h"
#include "tools/vtrace/metadata.h"

/* ------------------------------------------------------------ metadata */

#define HEADER \
	"/* CTF 1.8 */\n" \
	"typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n" \
	"typealias integer { size = 16; align = 16; signed = false; } := uint16_t;\n" \
	"typealias integer { size = 32; align = 32; signed = false; } := uint32_t;\n" \
	"typealias integer { size = 64; align = 64; signed = false; } := uint64_t;\n" \
	"typealias integer { size = 32; align = 32; signed = true; } := int32_t;\n" \
	"typealias integer { size = 64; align = 64; signed = false; base = hex; } := x64_t;\n" \
	"trace { major = 1; minor = 8; uuid = \"6c2f5a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f\"; byte_order = le;\n" \
	"\tpacket.header := struct { uint32_t magic; uint8_t uuid[16]; uint32_t stream_id; }; };\n" \
	"env { hostname = \"h\"; vpid = 1234; tracer_minor = -1;\n" \
	"\tvtrace_fmt_0 = \"thread=%u seq=%lu\"; vtrace_fmt_7 = \"q=\\\"%s\\\"\\t\\x41\"; };\n" \
	"clock { name = \"monotonic\"; uuid = \"6c2f5a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f\";\n" \
	"\tfreq = 2000000000; precision = 1; offset_s = 1764150000; offset = 123456; absolute = FALSE; };\n" \
	"typealias integer { size = 64; align = 64; signed = false; map = clock.monotonic.value; } := clk64_t;\n" \
	"stream { id = 0;\n" \
	"\tpacket.context := struct { clk64_t timestamp_begin; clk64_t timestamp_end;\n" \
	"\t\tuint32_t content_size; uint32_t packet_size; uint32_t packet_seq_num;\n" \
	"\t\tuint32_t cpu_id; uint64_t events_discarded; };\n" \
	"\tevent.header := struct { uint32_t id; clk64_t timestamp; }; };\n"

#define EVENT0 \
	"event {\n" \
	"\tname = \"stress_event\";\n" \
	"\tid = 0;\n" \
	"\tstream_id = 0;\n" \
	"\tfields := struct {\n" \
	"\t\tuint32_t thread;\n" \
	"\t\tuint64_t seq;\n" \
	"\t\tinteger { size = 8; align = 8; signed = false; encoding = UTF8; } vt_pad[32];\n" \
	"\t};\n" \
	"};\n"

#define UTF8 "integer { size = 8; align = 8; signed = false; encoding = UTF8; }"

#define EVENT7 \
	"event { name = \"load_file\"; id = 7; stream_id = 0; /* 3 slots */\n" \
	"\tfields := struct { uint8_t kind; " UTF8 " name[40];\n" \
	"\t\tx64_t addr; int32_t delta; " UTF8 " path[104]; " UTF8 " vt_pad[12]; }; };\n"

static struct vt_metadata *parse(const char *text, char *err, size_t len)
{
	return vt_metadata_parse(text, strlen(text), "t/metadata", err, len);
}

static void test_metadata_parses_generator_output(void **state)
{
	static const uint8_t uuid[16] = { 0x6c, 0x2f, 0x5a, 0x4e, 0x1d, 0x2b,
					  0x4c, 0x3a, 0x9e, 0x8f, 0x0a, 0x1b,
					  0x2c, 0x3d, 0x4e, 0x5f };
	char err[256] = "";
	struct vt_metadata *md = parse(HEADER EVENT0, err, sizeof(err));
	const struct vt_event_class *ec;
	int64_t v;

	(void)state;
	assert_non_null(md);
	assert_true(md->has_uuid);
	assert_memory_equal(md->uuid, uuid, 16);
	assert_int_equal(md->clock_freq, 2000000000);
	assert_int_equal(md->clock_offset_s, 1764150000);
	assert_int_equal(md->clock_offset, 123456);
	assert_string_equal(md->clock_name, "monotonic");
	assert_true(vt_metadata_env_int(md, "vpid", &v));
	assert_int_equal(v, 1234);
	assert_true(vt_metadata_env_int(md, "tracer_minor", &v));
	assert_int_equal(v, -1);
	assert_string_equal(vt_metadata_env_string(md, "hostname"), "h");
	assert_null(vt_metadata_env_string(md, "vpid"));
	assert_null(vt_metadata_env_string(md, "nope"));

	ec = vt_metadata_event(md, 0);
	assert_non_null(ec);
	assert_null(vt_metadata_event(md, 1));
	assert_string_equal(ec->name, "stress_event");
	assert_string_equal(ec->format, "thread=%u seq=%lu");
	assert_int_equal(ec->nfields, 3);
	assert_int_equal(ec->fields[0].offset, 0);
	assert_int_equal(ec->fields[0].size, 4);
	assert_int_equal(ec->fields[0].kind, VT_FIELD_UNSIGNED);
	assert_int_equal(ec->fields[1].offset, 8);	/* natural alignment */
	assert_int_equal(ec->fields[2].kind, VT_FIELD_PAD);
	assert_int_equal(ec->payload_size, 48);
	assert_int_equal(ec->nslots, 1);
	vt_metadata_free(md);
}

static void test_metadata_lays_out_multi_slot_events(void **state)
{
	char err[256] = "";
	struct vt_metadata *md = parse(HEADER EVENT0 EVENT7, err, sizeof(err));
	const struct vt_event_class *ec;

	(void)state;
	if (!md)
		fail_msg("%s", err);
	ec = vt_metadata_event(md, 7);
	assert_non_null(ec);
	assert_int_equal(md->nids, 8);
	assert_int_equal(ec->nslots, 3);
	assert_int_equal(ec->payload_size, 176);
	assert_int_equal(ec->fields[0].offset, 0);	/* kind */
	assert_int_equal(ec->fields[1].offset, 1);	/* name[40] */
	assert_int_equal(ec->fields[1].kind, VT_FIELD_STRING);
	assert_int_equal(ec->fields[2].offset, 48);	/* addr, aligned */
	assert_int_equal(ec->fields[2].kind, VT_FIELD_HEX);
	assert_int_equal(ec->fields[3].offset, 56);	/* delta */
	assert_int_equal(ec->fields[3].kind, VT_FIELD_SIGNED);
	assert_int_equal(ec->fields[4].offset, 60);	/* path[104] */
	/* env escapes: \" \t \x41 */
	assert_string_equal(ec->format, "q=\"%s\"\tA");
	vt_metadata_free(md);
}

static void test_metadata_ignores_comments(void **state)
{
	char err[256] = "";
	struct vt_metadata *md = parse(
		HEADER "// line comment\n/* block\n comment */ event /* x */ "
		"{ name = \"a\"; id = 3; fields := struct { uint64_t x; "
		"uint64_t y; " UTF8 " vt_pad[32]; }; };\n",
		err, sizeof(err));

	(void)state;
	assert_non_null(md);
	assert_non_null(vt_metadata_event(md, 3));
	assert_null(vt_metadata_event(md, 3)->format);
	vt_metadata_free(md);
}

struct bad_case {
	const char *text;
	const char *want;	/* expected "t/metadata:LINE: ..." prefix */
};

static void test_metadata_rejects_with_file_and_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "hello", "t/metadata:1: not CTF metadata text" },
		{ HEADER "event { name = \"a\"; id = 1; fields := struct { "
			 "float_t x; }; };\n",
		  "t/metadata:20: unknown type 'float_t'" },
		{ HEADER "event { name = \"a\"; id = 1;\n fields := struct { "
			 "uint64_t x; }; };\n",
		  "t/metadata:20: event 'a': payload of 8 bytes does not fill "
		  "its 1 slot(s)" },
		{ HEADER EVENT0 "event { name = \"b\"; id = 0; fields := struct "
				"{ uint64_t a; uint64_t b; uint64_t c; uint64_t "
				"d; uint64_t e; uint64_t f; }; };\n",
		  "t/metadata:30: event id 0 used by 'stress_event' and 'b'" },
		{ HEADER "bogus { };\n", "t/metadata:20: unexpected 'bogus' at "
					 "top level" },
		{ HEADER "env { a = \"unterminated; };\n",
		  "t/metadata:20: unterminated string" },
		{ HEADER "/* never closed\n", "t/metadata:20: unterminated "
					       "comment" },
		{ "/* CTF 1.8 */\ntrace { major = 1; minor = 8; byte_order = be; "
		  "};\n", "t/metadata:2: byte_order: only le is supported" },
		{ "/* CTF 1.8 */\ntypealias integer { size = 12; } := u12;\n",
		  "t/metadata:2: integer size 12 not supported" },
		{ HEADER "event { name = \"a\"; id = 1; fields := struct { "
			 "struct { uint8_t x; } s; }; };\n",
		  "t/metadata:20: 'struct' types are not supported" },
		{ HEADER "event { name = \"a\"; id = 1; fields := struct { "
			 "uint32_t x[12]; }; };\n",
		  "t/metadata:20: field 'x': only byte arrays are supported" },
		{ HEADER "event { name = \"a\"; id = 1; sid = 2; };\n",
		  "t/metadata:20: event: unknown attribute 'sid'" },
		{ HEADER "event { id = 1; fields := struct { uint64_t a; }; "
			 "};\n", "t/metadata:20: event without a name" },
		{ HEADER "clock { freq = 0; };\n",
		  "t/metadata:20: only one clock is supported" },
		/* packet context not as in ring/ring-abi.h */
		{ "/* CTF 1.8 */\n"
		  "typealias integer { size = 32; align = 32; signed = false; } "
		  ":= uint32_t;\n"
		  "stream { id = 0;\n"
		  "\tpacket.context := struct {\n"
		  "\t\tuint32_t timestamp_begin; }; };\n",
		  "t/metadata:5: packet.context: field 0 is 'timestamp_begin', "
		  "want timestamp_begin (64-bit)" },
		{ "/* CTF 1.8 */\nenv { a = 1; a = 2; };\n",
		  "t/metadata:2: env: 'a' set twice" },
		{ "/* CTF 1.8 */\nenv { a = 1; };\n",
		  "t/metadata:3: no trace block" },
		{ HEADER "event { name = \"a\"; id = 99999999; };\n",
		  "t/metadata:20: event id 99999999 out of range" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "";
		struct vt_metadata *md = parse(cases[i].text, err, sizeof(err));

		if (md || strncmp(err, cases[i].want, strlen(cases[i].want)))
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i,
				 md ? "(parsed)" : err, cases[i].want);
	}
}

static void test_metadata_converts_ticks_like_babeltrace2(void **state)
{
	/* The clock of a real vtrace-stress trace (TSC-calibrated). */
	struct vt_metadata md = { .clock_freq = 2599996645,
				  .clock_offset_s = 1795691744,
				  .clock_offset = 651299289 };

	(void)state;
	/* `babeltrace2 --clock-cycles` / `--clock-seconds` of one event */
	assert_int_equal(vt_metadata_ns_from_origin(&md, 2130066691428),
			 1795692563507976986);
	assert_int_equal(vt_metadata_ns_from_origin(&md, 2130066691886),
			 1795692563507977162);
	md.clock_freq = 1000000000;
	assert_int_equal(vt_metadata_ticks_to_ns(&md, 123456789), 123456789);
	md.clock_freq = 2000000000;
	assert_int_equal(vt_metadata_ticks_to_ns(&md, 3), 1);
	md.clock_freq = 32768;
	assert_int_equal(vt_metadata_ticks_to_ns(&md, 32768 * 5 + 1),
			 5000000000ull + 30517);
	md.clock_freq = 1;
	assert_int_equal(vt_metadata_ticks_to_ns(&md, UINT64_MAX), UINT64_MAX);
	md.clock_offset_s = -1;
	md.clock_offset = -1;
	assert_int_equal(vt_metadata_ns_from_origin(&md, 3), 1000000000);
}

/* ------------------------------------------------------------ format */

/* One-field event class of the given kind and size, value at offset 0. */
struct one_field {
	struct vt_field field;
	struct vt_event_class ec;
	uint8_t payload[128];
	char out[8192];
};

static void one_field_init(struct one_field *o, enum vt_field_kind kind,
			   uint32_t size)
{
	memset(o, 0, sizeof(*o));
	o->field.name = "v";
	o->field.kind = kind;
	o->field.size = size;
	o->ec.name = "e";
	o->ec.fields = &o->field;
	o->ec.nfields = 1;
	o->ec.payload_size = 48;
	o->ec.nslots = 1;
}

static const char *render(struct one_field *o, const char *fmt)
{
	char err[128] = "";
	struct vt_format *f = vt_format_compile(fmt, &o->ec, err, sizeof(err));
	char *end;

	if (!f)
		fail_msg("compile \"%s\": %s", fmt, err);
	assert_true(vt_format_max_len(f) < sizeof(o->out));
	end = vt_format_render(f, o->payload, o->out);
	assert_true((size_t)(end - o->out) <= vt_format_max_len(f));
	*end = '\0';
	vt_format_free(f);
	return o->out;
}

/* What glibc prints for spec (flags, width, precision, length, conv) with
 * a 64-bit value passed as the type the length modifier names.  The format
 * is data here: glibc is the oracle for each spec. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void expect_printf(char *buf, size_t len, const char *spec,
			  uint64_t v)
{
	size_t n = strlen(spec);
	char conv = spec[n - 1];
	bool is_signed = conv == 'd' || conv == 'i';
	const char *l = spec + n - 1;

	while (l > spec && strchr("hlzjt", l[-1]))
		l--;
	if (conv == 'p') {
		snprintf(buf, len, spec, (void *)(uintptr_t)v);
	} else if (conv == 'c') {
		snprintf(buf, len, spec, (int)(unsigned char)v);
	} else if (l[0] == 'h' && l[1] == 'h') {
		if (is_signed)
			snprintf(buf, len, spec, (int)(signed char)v);
		else
			snprintf(buf, len, spec, (unsigned int)(unsigned char)v);
	} else if (l[0] == 'h') {
		if (is_signed)
			snprintf(buf, len, spec, (int)(short)v);
		else
			snprintf(buf, len, spec, (unsigned int)(unsigned short)v);
	} else if (l[0] == conv) {
		if (is_signed)
			snprintf(buf, len, spec, (int)v);
		else
			snprintf(buf, len, spec, (unsigned int)v);
	} else {
		if (is_signed)
			snprintf(buf, len, spec, (long long)v);
		else
			snprintf(buf, len, spec, (unsigned long long)v);
	}
}
#pragma GCC diagnostic pop

static void test_format_integers_match_snprintf(void **state)
{
	static const char *const flags[] = { "", "-", "+", " ", "0", "#",
					      "-+", "0+", "#0", "- " };
	static const char *const widths[] = { "", "1", "8", "25" };
	static const char *const precs[] = { "", ".0", ".3", ".12" };
	static const char *const lengths[] = { "hh", "h", "", "l", "ll",
					       "z", "j", "t" };
	static const char convs[] = "diuxXo";
	static const uint64_t values[] = {
		0, 1, 7, 42, 0x7f, 0x80, 0xff, 0x1ff, 0x7fff, 0x8000,
		0xffffffff, 0x80000000, 1234567890123ull, UINT64_MAX,
		(uint64_t)INT64_MIN, (uint64_t)-42,
	};
	struct one_field *o = malloc(sizeof(*o));
	unsigned int checked = 0;

	(void)state;
	assert_non_null(o);
	one_field_init(o, VT_FIELD_UNSIGNED, 8);
	for (size_t c = 0; c < sizeof(convs) - 1; c++)
	for (size_t l = 0; l < sizeof(lengths) / sizeof(*lengths); l++)
	for (size_t f = 0; f < sizeof(flags) / sizeof(*flags); f++)
	for (size_t w = 0; w < sizeof(widths) / sizeof(*widths); w++)
	for (size_t p = 0; p < sizeof(precs) / sizeof(*precs); p++)
	for (size_t v = 0; v < sizeof(values) / sizeof(*values); v++) {
		char spec[32], fmt[40], want[128];

		snprintf(spec, sizeof(spec), "%%%s%s%s%s%c", flags[f],
			 widths[w], precs[p], lengths[l], convs[c]);
		snprintf(fmt, sizeof(fmt), "<%s>", spec);
		memcpy(o->payload, &values[v], 8);
		want[0] = '<';
		expect_printf(want + 1, sizeof(want) - 2, spec, values[v]);
		strcat(want, ">");
		if (strcmp(render(o, fmt), want))
			fail_msg("%s of 0x%llx: got \"%s\", want \"%s\"", spec,
				 (unsigned long long)values[v], o->out, want);
		checked++;
	}
	assert_true(checked > 10000);
	free(o);
}

static void test_format_sign_extends_signed_fields(void **state)
{
	struct one_field o;
	int8_t v8 = -5;
	int32_t v32 = -70000;

	(void)state;
	one_field_init(&o, VT_FIELD_SIGNED, 1);
	memcpy(o.payload, &v8, 1);
	assert_string_equal(render(&o, "%d"), "-5");
	assert_string_equal(render(&o, "%ld"), "-5");
	assert_string_equal(render(&o, "%hhd"), "-5");
	assert_string_equal(render(&o, "%u"), "4294967291");
	assert_string_equal(render(&o, "%x"), "fffffffb");
	one_field_init(&o, VT_FIELD_SIGNED, 4);
	memcpy(o.payload, &v32, 4);
	assert_string_equal(render(&o, "%lld"), "-70000");
	assert_string_equal(render(&o, "%hd"), "-4464");
	assert_string_equal(render(&o, "%lx"), "fffffffffffeee90");
	one_field_init(&o, VT_FIELD_UNSIGNED, 2);
	o.payload[0] = 0xff;
	o.payload[1] = 0xff;
	assert_string_equal(render(&o, "%d"), "65535");
	assert_string_equal(render(&o, "%hd"), "-1");
	assert_string_equal(render(&o, "%lu"), "65535");
}

static void test_format_pointers_and_chars_match_snprintf(void **state)
{
	static const char *const specs[] = { "%p", "%20p", "%-20p", "%c",
					     "%3c", "%-3c" };
	static const uint64_t values[] = { 0x1234, 0xffffffff80001234ull,
					   'A', 'z' };
	struct one_field o;

	(void)state;
	one_field_init(&o, VT_FIELD_HEX, 8);
	for (size_t s = 0; s < sizeof(specs) / sizeof(*specs); s++)
		for (size_t v = 0; v < sizeof(values) / sizeof(*values); v++) {
			char want[64];

			memcpy(o.payload, &values[v], 8);
			expect_printf(want, sizeof(want), specs[s], values[v]);
			assert_string_equal(render(&o, specs[s]), want);
		}
	memset(o.payload, 0, 8);
	assert_string_equal(render(&o, "%p"), "(nil)");
	assert_string_equal(render(&o, "%8p|"), "   (nil)|");
	assert_string_equal(render(&o, "%-7p|"), "(nil)  |");
	o.payload[0] = '\n';
	assert_string_equal(render(&o, "[%c]"), "[\\n]");
	assert_string_equal(render(&o, "[%4c]"), "[  \\n]");
}

static void test_format_strings_stop_at_nul_or_array_end(void **state)
{
	struct one_field o;

	(void)state;
	one_field_init(&o, VT_FIELD_STRING, 8);
	memcpy(o.payload, "abc\0zzzz", 8);
	assert_string_equal(render(&o, "[%s]"), "[abc]");
	assert_string_equal(render(&o, "[%6s]"), "[   abc]");
	assert_string_equal(render(&o, "[%-6s]"), "[abc   ]");
	assert_string_equal(render(&o, "[%.2s]"), "[ab]");
	assert_string_equal(render(&o, "[%2s]"), "[abc]");
	assert_string_equal(render(&o, "[%6.1s]"), "[     a]");
	memcpy(o.payload, "ABCDEFGHIJ", 10);	/* no NUL in the 8 bytes */
	assert_string_equal(render(&o, "[%s]"), "[ABCDEFGH]");
	memcpy(o.payload, "a\tb\x01\x7f\0", 6);
	assert_string_equal(render(&o, "%s"), "a\\tb\\x01\\x7f");
	assert_string_equal(render(&o, "%14s|"), "  a\\tb\\x01\\x7f|");
}

static void test_format_literals_and_percent(void **state)
{
	struct one_field o;

	(void)state;
	one_field_init(&o, VT_FIELD_UNSIGNED, 4);
	o.payload[0] = 9;
	assert_string_equal(render(&o, "100%% of %u%%, \"done\""),
			    "100% of 9%, \"done\"");
	assert_string_equal(render(&o, "no conversions at all"),
			    "no conversions at all");
	assert_string_equal(render(&o, ""), "");
	/* a literal longer than the short-copy size */
	assert_string_equal(render(&o, "a long literal before the value of "
				       "forty characters %u and after"),
			    "a long literal before the value of forty "
			    "characters 9 and after");
}

static void test_format_binds_fields_in_order_skipping_pad(void **state)
{
	char err[256] = "", out[512];
	struct vt_metadata *md = parse(HEADER EVENT0 EVENT7, err, sizeof(err));
	const struct vt_event_class *ec;
	struct vt_format *f;
	uint8_t payload[176] = { 0 };
	uint64_t addr = 0xdead0000beefull;
	int32_t delta = -12;
	char *end;

	(void)state;
	assert_non_null(md);
	ec = vt_metadata_event(md, 7);
	payload[0] = 3;
	memcpy(payload + 1, "vmlinux", 8);
	memcpy(payload + 48, &addr, 8);
	memcpy(payload + 56, &delta, 4);
	memcpy(payload + 60, "/boot/vmlinux", 14);
	f = vt_format_compile("kind=%hhu name=%s addr=%#lx delta=%d path=%s",
			      ec, err, sizeof(err));
	assert_non_null(f);
	end = vt_format_render(f, payload, out);
	*end = '\0';
	assert_string_equal(out, "kind=3 name=vmlinux addr=0xdead0000beef "
				 "delta=-12 path=/boot/vmlinux");
	vt_format_free(f);

	f = vt_format_compile_fields(ec);
	assert_non_null(f);
	end = vt_format_render(f, payload, out);
	*end = '\0';
	assert_string_equal(out, "kind=3 name=vmlinux addr=0xdead0000beef "
				 "delta=-12 path=/boot/vmlinux");
	vt_format_free(f);
	vt_metadata_free(md);
}

static void test_format_rejects_what_it_cannot_render(void **state)
{
	static const struct {
		const char *fmt, *want;
	} cases[] = {
		{ "%f", "unsupported conversion '%f'" },
		{ "%*d", "unsupported conversion '%*'" },
		{ "%n", "unsupported conversion '%n'" },
		{ "%Lf", "unsupported conversion '%L'" },
		{ "trailing %", "unsupported conversion '%'" },
		{ "%u %u", "conversion 2 ('%u') has no field" },
		{ "%s", "conversion 1 ('%s') does not fit field 'v' (an "
			"integer)" },
		{ "%5000d", "width or precision above 4096" },
	};
	struct one_field o;

	(void)state;
	one_field_init(&o, VT_FIELD_UNSIGNED, 4);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128] = "";
		struct vt_format *f = vt_format_compile(cases[i].fmt, &o.ec, err,
							sizeof(err));

		if (f || strncmp(err, cases[i].want, strlen(cases[i].want)))
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
				 cases[i].fmt, f ? "(compiled)" : err,
				 cases[i].want);
	}
	one_field_init(&o, VT_FIELD_STRING, 8);
	{
		char err[128] = "";

		assert_null(vt_format_compile("%d", &o.ec, err, sizeof(err)));
		assert_string_equal(err, "conversion 1 ('%d') does not fit "
					 "field 'v' (a string)");
	}
}

static void test_format_writes_integers(void **state)
{
	static const struct {
		uint64_t v;
		const char *want;
	} cases[] = {
		{ 0, "0" }, { 9, "9" }, { 10, "10" }, { 99, "99" },
		{ 100, "100" }, { 1000000, "1000000" },
		{ UINT64_MAX, "18446744073709551615" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		*vt_format_u64(buf, cases[i].v) = '\0';
		assert_string_equal(buf, cases[i].want);
	}
	*vt_format_i64(buf, INT64_MIN) = '\0';
	assert_string_equal(buf, "-9223372036854775808");
	*vt_format_i64(buf, -7) = '\0';
	assert_string_equal(buf, "-7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metadata_parses_generator_output),
		cmocka_unit_test(test_metadata_lays_out_multi_slot_events),
		cmocka_unit_test(test_metadata_ignores_comments),
		cmocka_unit_test(test_metadata_rejects_with_file_and_line),
		cmocka_unit_test(test_metadata_converts_ticks_like_babeltrace2),
		cmocka_unit_test(test_format_integers_match_snprintf),
		cmocka_unit_test(test_format_sign_extends_signed_fields),
		cmocka_unit_test(test_format_pointers_and_chars_match_snprintf),
		cmocka_unit_test(test_format_strings_stop_at_nul_or_array_end),
		cmocka_unit_test(test_format_literals_and_percent),
		cmocka_unit_test(test_format_binds_fields_in_order_skipping_pad),
		cmocka_unit_test(test_format_rejects_what_it_cannot_render),
		cmocka_unit_test(test_format_writes_integers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
