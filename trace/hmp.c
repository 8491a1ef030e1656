/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "trace/backend.h"
#include "trace/control.h"
#include "trace/hmp.h"

/* "vcpu N" at argv[i]: returns N, or -1 after an error line. */
static int parse_vcpu(int argc, char **argv, int i, FILE *out)
{
	char *end;
	long n;

	if (i + 1 >= argc || strcmp(argv[i], "vcpu") != 0) {
		fprintf(out, "error: expected 'vcpu N', got '%s'\n", argv[i]);
		return -1;
	}
	n = strtol(argv[i + 1], &end, 10);
	if (*argv[i + 1] == '\0' || *end || n < 0) {
		fprintf(out, "error: argument vcpu must be a non-negative number, got '%s'\n",
			argv[i + 1]);
		return -1;
	}
	if (n >= (long)trace_vcpu_count() || !trace_vcpu_get((unsigned)n)) {
		fprintf(out, "error: invalid vCPU index %ld (this machine has %u)\n", n,
			trace_vcpu_count());
		return -1;
	}
	return (int)n;
}

int trace_hmp_info_events(int argc, char **argv, FILE *out)
{
	const char *glob = "*";
	int vcpu = -1, i = 0;

	if (argc > 0 && strcmp(argv[0], "vcpu") != 0)
		glob = argv[i++];
	if (i < argc) {
		vcpu = parse_vcpu(argc, argv, i, out);
		if (vcpu < 0)
			return -1;
		i += 2;
	}
	if (i < argc) {
		fprintf(out, "error: unexpected argument '%s'\n", argv[i]);
		return -1;
	}
	for (unsigned e = 0; e < trace_event_count; e++) {
		struct trace_event *ev = &trace_events[e];

		if (fnmatch(glob, ev->name, 0) != 0)
			continue;
		if (vcpu >= 0) {
			if (trace_event_is_vcpu(ev))
				fprintf(out, "%s : state %d\n", ev->name,
					trace_event_get(ev, vcpu));
			continue;
		}
		fprintf(out, "%s : state %d", ev->name, trace_event_get(ev, -1));
		if (!ev->sstate)
			fputs(" (compiled out)", out);
		else if (trace_event_is_vcpu(ev) && trace_event_get(ev, -1)) {
			fputs(" vcpus", out);
			for (unsigned v = 0; v < trace_vcpu_count(); v++)
				if (trace_event_get(ev, (int)v))
					fprintf(out, " %u", v);
		}
		fputc('\n', out);
	}
	return 0;
}

int trace_hmp_trace_event(int argc, char **argv, FILE *out)
{
	int vcpu = TRACE_ALL_VCPUS, r;
	bool on;

	if (argc != 2 && argc != 4) {
		fprintf(out, "error: usage: trace-event NAME|GLOB on|off [vcpu N]\n");
		return -1;
	}
	if (strcmp(argv[1], "on") == 0)
		on = true;
	else if (strcmp(argv[1], "off") == 0)
		on = false;
	else {
		fprintf(out, "error: expected on or off, got '%s'\n", argv[1]);
		return -1;
	}
	if (argc == 4) {
		vcpu = parse_vcpu(argc, argv, 2, out);
		if (vcpu < 0)
			return -1;
	}
	r = trace_event_set(argv[0], on, vcpu);
	switch (r) {
	case -ENOENT:
		fprintf(out, "error: unknown event \"%s\"\n", argv[0]);
		return -1;
	case -EPERM:
		fprintf(out, "error: event \"%s\" is disabled (compiled out)\n", argv[0]);
		return -1;
	case -EINVAL:
		fprintf(out, "error: event \"%s\" is not vCPU-specific\n", argv[0]);
		return -1;
	case 0:
		fprintf(out, "no event matches \"%s\"\n", argv[0]);
		return 0;
	default:
		return 0;
	}
}

int trace_hmp_trace_file(int argc, char **argv, FILE *out)
{
	int err;

	if (argc == 0) {
		trace_backend_status(out);
		return 0;
	}
	if (strcmp(argv[0], "set") == 0) {
		if (argc != 2) {
			fprintf(out, "error: usage: trace-file set DIR\n");
			return -1;
		}
		err = trace_backend_set_dir(argv[1]);
		if (err) {
			fprintf(out, "error: trace-file set %s: %s\n", argv[1], strerror(-err));
			return -1;
		}
		return 0;
	}
	if (argc != 1) {
		fprintf(out, "error: unexpected argument \"%s\"\n", argv[1]);
		return -1;
	}
	if (strcmp(argv[0], "on") == 0) {
		err = trace_backend_on();
		if (err) {
			fprintf(out, "error: trace-file on: %s\n", strerror(-err));
			return -1;
		}
		return 0;
	}
	if (strcmp(argv[0], "off") == 0) {
		trace_backend_off();
		return 0;
	}
	if (strcmp(argv[0], "flush") == 0) {
		err = trace_backend_flush();
		if (err) {
			fprintf(out, "error: trace-file flush: %s\n",
				err == -ENOTCONN ? "tracing is off" : strerror(-err));
			return -1;
		}
		return 0;
	}
	fprintf(out, "error: unexpected argument \"%s\" (on, off, flush, set DIR)\n",
		argv[0]);
	return -1;
}
