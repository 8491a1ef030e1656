/* SPDX-License-Identifier: MIT */
/*
 * The CTF 1.8 metadata of a trace: the fixed part (types, packet header
 * and context, event header, clock) around what tracetool generated for the
 * events (trace_ctf_env, trace_ctf_events).  The layout it declares is
 * ring/ring-abi.h's; docs/FORMAT.md describes both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "trace/control.h"
#include "trace/ctf-metadata.h"

static void uuid_text(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

char *trace_ctf_metadata(const uint8_t uuid[16], const struct trace_clock_info *clk,
			 const char *procname)
{
	char *text = NULL, host[64] = "localhost", id[37];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	gethostname(host, sizeof(host) - 1);
	uuid_text(uuid, id);
	fprintf(f,
		"/* CTF 1.8 */\n\n"
		"typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
		"typealias integer { size = 16; align = 16; signed = false; } := uint16_t;\n"
		"typealias integer { size = 32; align = 32; signed = false; } := uint32_t;\n"
		"typealias integer { size = 64; align = 64; signed = false; } := uint64_t;\n"
		"typealias integer { size = 8; align = 8; signed = true; } := int8_t;\n"
		"typealias integer { size = 16; align = 16; signed = true; } := int16_t;\n"
		"typealias integer { size = 32; align = 32; signed = true; } := int32_t;\n"
		"typealias integer { size = 64; align = 64; signed = true; } := int64_t;\n"
		"typealias integer { size = 64; align = 64; signed = false; base = hex; } := x64_t;\n\n"
		"trace {\n\tmajor = 1;\n\tminor = 8;\n\tuuid = \"%s\";\n\tbyte_order = le;\n"
		"\tpacket.header := struct {\n\t\tuint32_t magic;\n\t\tuint8_t uuid[16];\n"
		"\t\tuint32_t stream_id;\n\t};\n};\n\n",
		id);
	fprintf(f,
		"env {\n\thostname = \"%s\";\n\tdomain = \"vtrace\";\n"
		"\ttracer_name = \"vtrace\";\n\ttracer_major = 0;\n\ttracer_minor = 1;\n"
		"\tprocname = \"%s\";\n\tvpid = %d;\n%s};\n\n",
		host, procname, (int)getpid(), trace_ctf_env);
	fprintf(f,
		"clock {\n\tname = \"monotonic\";\n\tuuid = \"%s\";\n"
		"\tdescription = \"%s\";\n\tfreq = %llu;\n\tprecision = 1;\n"
		"\toffset_s = %lld;\n\toffset = %lld;\n\tabsolute = FALSE;\n};\n\n"
		"typealias integer {\n\tsize = 64; align = 64; signed = false;\n"
		"\tmap = clock.monotonic.value;\n} := clk64_t;\n\n",
		id, clk->description, (unsigned long long)clk->freq,
		(long long)clk->offset_s, (long long)clk->offset);
	fprintf(f,
		"stream {\n\tid = 0;\n\tpacket.context := struct {\n"
		"\t\tclk64_t timestamp_begin;\n\t\tclk64_t timestamp_end;\n"
		"\t\tuint32_t content_size;\n\t\tuint32_t packet_size;\n"
		"\t\tuint32_t packet_seq_num;\n\t\tuint32_t cpu_id;\n"
		"\t\tuint64_t events_discarded;\n\t};\n"
		"\tevent.header := struct {\n\t\tuint32_t id;\n\t\tclk64_t timestamp;\n\t};\n"
		"};\n\n%s",
		trace_ctf_events);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
