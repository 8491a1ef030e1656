// SPDX-License-Identifier: MIT
/*
 * Fuzz the events-file parser of trace/control.c: trace_events_parse_line
 * on every line, and trace_events_file_apply on the whole input (through
 * a memfd, /proc/self/fd/N), against the event table of
 * tests/trace/trace-events with two vCPUs registered.
 *
 * Invariants: parse_line returns 0 or 1; on 1 the glob is a non-empty
 * suffix of the line with no leading or trailing blank; apply returns a
 * problem count no larger than the number of lines.
 */
#include <ctype.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "trace/control.h"

const char fuzz_name[] = "events";

static int memfd = -1;
static char path[64];
static FILE *devnull;
static struct trace_vcpu vcpus[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	memfd = memfd_create("fuzz-events", MFD_CLOEXEC);
	FUZZ_ASSERT(memfd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	devnull = fopen("/dev/null", "w");
	FUZZ_ASSERT(devnull);
	for (unsigned i = 0; i < 2; i++)
		trace_vcpu_register(&vcpus[i], i);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *line, *save = NULL;
	unsigned lines = 1;
	int r;

	if (memfd < 0)
		LLVMFuzzerInitialize(NULL, NULL);
	FUZZ_ASSERT(copy);
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *start = line, *end = line + strlen(line);
		const char *glob = NULL;
		bool on = false;

		r = trace_events_parse_line(line, &glob, &on);
		FUZZ_ASSERT(r == 0 || r == 1);
		if (r == 1) {
			size_t n = strlen(glob);

			FUZZ_ASSERT(glob >= start && glob + n <= end);
			FUZZ_ASSERT(n > 0 && !isspace((unsigned char)glob[0]) &&
				    !isspace((unsigned char)glob[n - 1]));
			trace_event_set(glob, on, TRACE_ALL_VCPUS);
		}
	}
	free(copy);
	trace_control_reset();

	FUZZ_ASSERT(ftruncate(memfd, 0) == 0);
	FUZZ_ASSERT(pwrite(memfd, data, size, 0) == (ssize_t)size);
	r = trace_events_file_apply(path, devnull);
	FUZZ_ASSERT(r >= 0 && (unsigned)r <= lines);
	trace_control_reset();
	return 0;
}
