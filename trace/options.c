/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/control.h"
#include "trace/options.h"

static int apply_enable(const char *glob, FILE *err)
{
	int r = trace_event_set(glob, true, TRACE_ALL_VCPUS);

	switch (r) {
	case 0:
		fprintf(err, "warning: -trace enable=%s: matches no trace event\n", glob);
		return 0;
	case -ENOENT:
		fprintf(err, "warning: -trace enable=%s: trace event '%s' does not exist\n",
			glob, glob);
		return 0;
	case -EPERM:
		fprintf(err, "warning: -trace enable=%s: trace event '%s' is not traceable "
			"(compiled out)\n", glob, glob);
		return 0;
	default:
		return r < 0 ? -1 : 0;
	}
}

static int apply(struct trace_cmdline *tc, const char *key, const char *value,
		 FILE *err)
{
	if (strcmp(key, "enable") == 0) {
		if (strcmp(value, "help") == 0) {
			tc->help = true;
			return 0;
		}
		if (!*value) {
			fprintf(err, "error: -trace enable=: empty pattern\n");
			return -1;
		}
		tc->requested = true;
		return apply_enable(value, err);
	}
	if (strcmp(key, "events") == 0) {
		int r = trace_events_file_apply(value, err);

		if (r < 0) {
			fprintf(err, "error: -trace events=%s: cannot read: %s\n", value,
				r == -EINVAL ? "not a regular file" : strerror(-r));
			return -1;
		}
		tc->requested = true;
		return 0;
	}
	if (strcmp(key, "file") == 0) {
		if (!*value) {
			fprintf(err, "error: -trace file=: empty directory name\n");
			return -1;
		}
		if (strlen(value) >= sizeof(tc->outdir)) {
			fprintf(err, "error: -trace file=%s: name too long\n", value);
			return -1;
		}
		strcpy(tc->outdir, value);
		tc->backend.outdir = tc->outdir;
		tc->requested = true;
		return 0;
	}
	if (strcmp(key, "consumer") == 0) {
		if (!*value) {
			fprintf(err, "error: -trace consumer=: empty socket path\n");
			return -1;
		}
		if (strlen(value) >= sizeof(tc->consumer)) {
			fprintf(err, "error: -trace consumer=%s: path too long for a "
				"Unix socket\n", value);
			return -1;
		}
		strcpy(tc->consumer, value);
		tc->backend.consumer_socket = tc->consumer;
		tc->requested = true;
		return 0;
	}
	if (strcmp(key, "policy") == 0) {
		if (strcmp(value, "discard") == 0)
			tc->backend.policy = RING_POLICY_DISCARD;
		else if (strcmp(value, "block") == 0)
			tc->backend.policy = RING_POLICY_BLOCK;
		else {
			fprintf(err, "error: -trace policy=%s: expected discard or block\n",
				value);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "block-timeout") == 0) {
		char *end;
		unsigned long ms = strtoul(value, &end, 10);

		if (!*value || *end || ms == 0 || ms > 3600000) {
			fprintf(err, "error: -trace block-timeout=%s: expected "
				"milliseconds, 1 to 3600000\n", value);
			return -1;
		}
		tc->backend.block_timeout_ms = (unsigned)ms;
		return 0;
	}
	if (strcmp(key, "ring") == 0) {
		char *end;
		unsigned long kb = strtoul(value, &end, 10);

		/* The consumer rounds it up to a power of two of packets. */
		if (!*value || *end || kb == 0 || kb > 4u << 20) {
			fprintf(err, "error: -trace ring=%s: expected KiB per ring, "
				"1 to %u\n", value, 4u << 20);
			return -1;
		}
		tc->backend.ring_kb = (unsigned)kb;
		return 0;
	}
	fprintf(err, "error: -trace %s=%s: unknown key '%s' (enable, events, file, "
		"consumer, policy, ring, block-timeout)\n", key, value, key);
	return -1;
}

int trace_cmdline_parse(struct trace_cmdline *tc, const char *arg, FILE *err)
{
	char *copy = strdup(arg), *item, *save = NULL;
	bool first = true;
	int ret = 0;

	if (!copy)
		return -1;
	if (!*copy) {
		fprintf(err, "error: -trace: empty argument\n");
		free(copy);
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item && ret == 0;
	     item = strtok_r(NULL, ",", &save), first = false) {
		char *eq = strchr(item, '=');

		if (!eq) {
			if (!first) {
				fprintf(err, "error: -trace %s: expected key=value\n", item);
				ret = -1;
				break;
			}
			ret = apply(tc, "enable", item, err);	/* implied name */
			continue;
		}
		*eq = '\0';
		ret = apply(tc, item, eq + 1, err);
	}
	free(copy);
	return ret;
}

void trace_cmdline_list(FILE *out)
{
	for (unsigned i = 0; i < trace_event_count; i++)
		fprintf(out, "%s\n", trace_events[i].name);
}
