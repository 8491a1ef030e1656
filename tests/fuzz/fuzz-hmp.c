// SPDX-License-Identifier: MIT
/*
 * Fuzz the monitor's trace commands (trace/hmp.c) as the monitor calls
 * them: each input line is split on blanks into argv, and the first word
 * picks the command (info trace-events, trace-event, trace-file; any other
 * word: the low bits of its first byte pick one, so the fuzzer reaches all
 * three without learning the names).  Event table: tests/trace/trace-events,
 * two vCPUs registered.
 *
 * The backend is configured to attach to a socket that does not exist and
 * to spawn a consumer binary that does not exist, and is reset after every
 * command, so `trace-file on` fails fast and nothing is started or written.
 *
 * Invariants: every command returns 0 or -1, and on -1 its reply starts
 * with "error: ".
 */
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "trace/backend.h"
#include "trace/control.h"
#include "trace/hmp.h"

const char fuzz_name[] = "hmp";

#define MAX_WORDS 16

static struct trace_vcpu vcpus[2];
static bool ready;

static const struct trace_backend_opts nowhere = {
	.consumer_socket = "/nonexistent/vtrace-fuzz.sock",
	.consumer_bin = "/nonexistent/vtrace-consumer",
	.outdir = "/nonexistent/trace",
	.procname = "fuzz-hmp",
	.nvcpus = 2,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	for (unsigned i = 0; i < 2; i++)
		trace_vcpu_register(&vcpus[i], i);
	trace_backend_configure(&nowhere);
	ready = true;
	return 0;
}

static void run_line(char *line)
{
	char *argv[MAX_WORDS + 1], *save = NULL, *w, *reply = NULL;
	size_t reply_len = 0;
	int argc = 0, r, cmd;
	FILE *out;

	for (w = strtok_r(line, " \t\r", &save); w && argc < MAX_WORDS;
	     w = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = w;
	if (argc == 0)
		return;
	out = open_memstream(&reply, &reply_len);
	FUZZ_ASSERT(out);
	if (strcmp(argv[0], "info") == 0 && argc > 1 &&
	    strcmp(argv[1], "trace-events") == 0)
		cmd = 0, argc -= 2, memmove(argv, argv + 2, argc * sizeof(*argv));
	else if (strcmp(argv[0], "trace-event") == 0)
		cmd = 1, argc -= 1, memmove(argv, argv + 1, argc * sizeof(*argv));
	else if (strcmp(argv[0], "trace-file") == 0)
		cmd = 2, argc -= 1, memmove(argv, argv + 1, argc * sizeof(*argv));
	else
		cmd = (unsigned char)argv[0][0] % 3;
	argv[argc] = NULL;
	switch (cmd) {
	case 0:
		r = trace_hmp_info_events(argc, argv, out);
		break;
	case 1:
		r = trace_hmp_trace_event(argc, argv, out);
		break;
	default:
		r = trace_hmp_trace_file(argc, argv, out);
		break;
	}
	fclose(out);
	FUZZ_ASSERT(r == 0 || r == -1);
	if (r == -1)
		FUZZ_ASSERT(reply && strncmp(reply, "error: ", 7) == 0);
	free(reply);
	trace_backend_off();
	trace_backend_configure(&nowhere);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = strndup((const char *)data, size), *line, *save = NULL;

	if (!ready)
		LLVMFuzzerInitialize(NULL, NULL);
	FUZZ_ASSERT(copy);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		run_line(line);
	free(copy);
	trace_control_reset();
	return 0;
}
