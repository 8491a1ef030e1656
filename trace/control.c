/* SPDX-License-Identifier: MIT */
/*
 * Dynamic state of trace events.
 *
 * Three levels of state, read by the generated trace_NAME() calls:
 *   trace_events_enabled_count  enabled (event, vCPU) pairs + enabled
 *                               non-vCPU events; 0 = nothing is traced
 *   *ev->dstate                 per event: vCPUs that have it on (vcpu
 *                               events) or 0/1 (other events)
 *   tv->mask                    per vCPU: one bit per vcpu event
 * All writes happen here under control_lock, with atomic stores so the
 * lock-free readers on vCPU threads see whole values.  Enabling a vcpu event
 * "globally" means on every registered vCPU and on vCPUs registered later.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace/control.h"

uint32_t trace_events_enabled_count;

static pthread_mutex_t control_lock = PTHREAD_MUTEX_INITIALIZER;
static struct trace_vcpu *vcpus[CONFIG_MAX_VCPUS];
static unsigned nvcpus;
/* vcpu events enabled for vCPUs that register later */
static uint64_t default_vcpu_mask;

static bool is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

struct trace_event *trace_event_find(const char *name)
{
	for (unsigned i = 0; i < trace_event_count; i++)
		if (strcmp(trace_events[i].name, name) == 0)
			return &trace_events[i];
	return NULL;
}

unsigned trace_event_foreach(const char *glob,
			     void (*fn)(struct trace_event *, void *), void *opaque)
{
	unsigned n = 0;

	for (unsigned i = 0; i < trace_event_count; i++) {
		if (fnmatch(glob, trace_events[i].name, 0) == 0) {
			fn(&trace_events[i], opaque);
			n++;
		}
	}
	return n;
}

static void count_add(int delta)
{
	uint32_t c = trace_events_enabled_count + (uint32_t)delta;

	__atomic_store_n(&trace_events_enabled_count, c, __ATOMIC_RELAXED);
}

static void dstate_add(struct trace_event *ev, int delta)
{
	uint16_t d = (uint16_t)(*ev->dstate + delta);

	__atomic_store_n(ev->dstate, d, __ATOMIC_RELAXED);
	count_add(delta);
}

/* Set one vcpu event's bit on one vCPU; the caller holds control_lock. */
static void vcpu_set_bit(struct trace_vcpu *tv, struct trace_event *ev, bool on)
{
	uint64_t bit = 1ull << ev->vcpu_id;
	uint64_t mask = tv->mask;

	if (!!(mask & bit) == on)
		return;
	mask = on ? mask | bit : mask & ~bit;
	__atomic_store_n(&tv->mask, mask, __ATOMIC_RELAXED);
	dstate_add(ev, on ? 1 : -1);
	if (ev->is_tcg && tv->kick)
		tv->kick(tv->kick_opaque);
}

static void event_set_locked(struct trace_event *ev, bool on, int vcpu)
{
	if (!ev->sstate)
		return;
	if (!trace_event_is_vcpu(ev)) {
		if (!!*ev->dstate != on)
			dstate_add(ev, on ? 1 : -1);
		return;
	}
	if (vcpu >= 0) {
		vcpu_set_bit(vcpus[vcpu], ev, on);
		return;
	}
	if (on)
		default_vcpu_mask |= 1ull << ev->vcpu_id;
	else
		default_vcpu_mask &= ~(1ull << ev->vcpu_id);
	for (unsigned i = 0; i < nvcpus; i++)
		if (vcpus[i])
			vcpu_set_bit(vcpus[i], ev, on);
}

int trace_event_set(const char *glob, bool on, int vcpu)
{
	int n = 0;

	pthread_mutex_lock(&control_lock);
	if (vcpu >= 0 && ((unsigned)vcpu >= nvcpus || !vcpus[vcpu])) {
		n = -EINVAL;
		goto out;
	}
	if (!is_pattern(glob)) {
		struct trace_event *ev = trace_event_find(glob);

		if (!ev)
			n = -ENOENT;
		else if (!ev->sstate)
			n = -EPERM;
		else if (vcpu >= 0 && !trace_event_is_vcpu(ev))
			n = -EINVAL;
		else {
			event_set_locked(ev, on, vcpu);
			n = 1;
		}
		goto out;
	}
	for (unsigned i = 0; i < trace_event_count; i++) {
		struct trace_event *ev = &trace_events[i];

		if (fnmatch(glob, ev->name, 0) != 0 || !ev->sstate)
			continue;
		if (vcpu >= 0 && !trace_event_is_vcpu(ev))
			continue;
		event_set_locked(ev, on, vcpu);
		n++;
	}
out:
	pthread_mutex_unlock(&control_lock);
	return n;
}

bool trace_event_get(const struct trace_event *ev, int vcpu)
{
	if (!ev->sstate)
		return false;
	if (vcpu < 0 || !trace_event_is_vcpu(ev))
		return __atomic_load_n(ev->dstate, __ATOMIC_RELAXED) != 0;
	if ((unsigned)vcpu >= nvcpus || !vcpus[vcpu])
		return false;
	return (__atomic_load_n(&vcpus[vcpu]->mask, __ATOMIC_RELAXED) >>
		ev->vcpu_id) & 1;
}

void trace_vcpu_register(struct trace_vcpu *tv, unsigned index)
{
	pthread_mutex_lock(&control_lock);
	tv->index = index;
	tv->mask = 0;
	if (!tv->ring)
		tv->ring = &ring_null_writer;
	if (index < CONFIG_MAX_VCPUS) {
		vcpus[index] = tv;
		if (index >= nvcpus)
			nvcpus = index + 1;
		for (unsigned i = 0; i < trace_event_count; i++) {
			struct trace_event *ev = &trace_events[i];

			if (trace_event_is_vcpu(ev) &&
			    (default_vcpu_mask >> ev->vcpu_id) & 1)
				vcpu_set_bit(tv, ev, true);
		}
	}
	pthread_mutex_unlock(&control_lock);
}

unsigned trace_vcpu_count(void)
{
	return nvcpus;
}

struct trace_vcpu *trace_vcpu_get(unsigned index)
{
	return index < nvcpus ? vcpus[index] : NULL;
}

int trace_events_parse_line(char *line, const char **glob, bool *on)
{
	char *s = line, *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (*s == '\0' || *s == '#')
		return 0;
	*on = true;
	if (*s == '-') {
		*on = false;
		s++;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			return 0;
	}
	*glob = s;
	return 1;
}

int trace_events_file_apply(const char *path, FILE *err)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned lineno = 0;
	int problems = 0;
	struct stat st;

	if (!f)
		return -errno;
	/* A device such as /dev/zero would never end: files only. */
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return -EINVAL;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *glob;
		bool on;
		int r;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(err, "%s:%u: line too long\n", path, lineno);
			problems++;
			for (int c; (c = fgetc(f)) != EOF && c != '\n';)
				;
			continue;
		}
		if (!trace_events_parse_line(line, &glob, &on))
			continue;
		r = trace_event_set(glob, on, TRACE_ALL_VCPUS);
		if (r == -ENOENT) {
			fprintf(err, "%s:%u: trace event '%s' does not exist\n",
				path, lineno, glob);
			problems++;
		} else if (r == -EPERM) {
			fprintf(err, "%s:%u: trace event '%s' is not traceable (compiled out)\n",
				path, lineno, glob);
			problems++;
		} else if (r == 0) {
			fprintf(err, "%s:%u: pattern '%s' matches no event\n",
				path, lineno, glob);
			problems++;
		}
	}
	fclose(f);
	return problems;
}

void trace_control_reset(void)
{
	pthread_mutex_lock(&control_lock);
	default_vcpu_mask = 0;
	for (unsigned i = 0; i < trace_event_count; i++)
		event_set_locked(&trace_events[i], false, TRACE_ALL_VCPUS);
	pthread_mutex_unlock(&control_lock);
}
