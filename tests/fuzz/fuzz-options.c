// SPDX-License-Identifier: MIT
/*
 * Fuzz the -trace option parser (trace/options.c trace_cmdline_parse)
 * against the event table of tests/trace/trace-events.
 *
 * Input: the option argument (up to the first NUL).  events=FILE may name
 * only the two files of the private directory we run in (ev-good,
 * ev-bad): an argument with '/' or ".." after events= is skipped, so the
 * fuzzer cannot make us read /dev/zero or the rest of the machine.
 *
 * Invariants: the result is 0 or -1; outdir and consumer stay
 * NUL-terminated within their arrays; a backend path is either NULL or
 * points at its array.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "trace/control.h"
#include "trace/options.h"

const char fuzz_name[] = "options";

static FILE *devnull;
static char dir[64];

static void cleanup(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/ev-good", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/ev-bad", dir);
	unlink(p);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *f;

	devnull = fopen("/dev/null", "w");
	snprintf(dir, sizeof(dir), "/tmp/vtrace-fuzz-options.XXXXXX");
	FUZZ_ASSERT(devnull && mkdtemp(dir) && chdir(dir) == 0);
	f = fopen("ev-good", "w");
	FUZZ_ASSERT(f);
	fputs("# comment\nplain_*\n-plain_b\nvcpu_a\n", f);
	fclose(f);
	f = fopen("ev-bad", "w");
	FUZZ_ASSERT(f);
	fputs("nosuch\noff_a\n[\n-\n", f);
	fclose(f);
	atexit(cleanup);
	return 0;
}

static bool confined(const char *arg)
{
	const char *p = arg;

	while ((p = strstr(p, "events="))) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (memchr(p, '/', n) || memmem(p, n, "..", 2))
			return false;
		p += 7;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_cmdline *tc = calloc(1, sizeof(*tc));
	char *arg = strndup((const char *)data, size);
	int r;

	if (!devnull)
		LLVMFuzzerInitialize(NULL, NULL);
	FUZZ_ASSERT(tc && arg);
	if (confined(arg)) {
		r = trace_cmdline_parse(tc, arg, devnull);
		FUZZ_ASSERT(r == 0 || r == -1);
		FUZZ_ASSERT(memchr(tc->outdir, 0, sizeof(tc->outdir)));
		FUZZ_ASSERT(memchr(tc->consumer, 0, sizeof(tc->consumer)));
		FUZZ_ASSERT(!tc->backend.outdir || tc->backend.outdir == tc->outdir);
		FUZZ_ASSERT(!tc->backend.consumer_socket ||
			    tc->backend.consumer_socket == tc->consumer);
		FUZZ_ASSERT(tc->backend.policy == RING_POLICY_DISCARD ||
			    tc->backend.policy == RING_POLICY_BLOCK);
	}
	trace_control_reset();
	free(arg);
	free(tc);
	return 0;
}
