// SPDX-License-Identifier: MIT
/*
 * `vtrace dump DIR`: every event of a trace as one simpletrace-style line,
 * all streams merged by time:
 *
 *	name delta_us pid=N vcpu=N <the event's format, rendered>
 *	dropped N events vcpu=N
 *	lost N packets vcpu=N
 *
 * delta_us is the time since the previous event line (0.000 first),
 * microseconds with three decimals, from times converted to ns the way
 * babeltrace2 converts them (so both tools show the same deltas); loss
 * lines carry no time and do not move the reference.  --raw-time prints
 * ns since the Unix epoch instead.  Streams of sys rings print sys=N for
 * vcpu=N.
 *
 * Everything that varies per event is formatted by hand into a 1 MiB
 * buffer written with fwrite: per event class the "name " prefix and the
 * compiled format are prepared once, per stream the " pid=N vcpu=N "
 * text is cached while its cpu_id stays the same.
 *
 * guest_syscall and guest_syscall_ret lines end in " name=NAME", the Linux
 * syscall that their num field holds (riscv64's generic numbers), when
 * the number has one.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vtrace/ctf-reader.h"
#include "tools/vtrace/format.h"
#include "tools/vtrace/syscalls.h"
#include "tools/vtrace/vtrace.h"

#define OUT_BUF_SIZE	(1u << 20)

struct dump_class {
	bool selected;
	char *prefix;		/* "name " */
	size_t prefix_len;
	struct vt_format *fmt;
	size_t max_line;
	uint64_t count;
	bool syscall;		/* a guest_syscall* event: name its num */
	uint32_t num_offset;	/* of its 8-byte num field */
};

struct dump_stream {
	uint32_t cpu_id;
	bool valid;
	char text[48 + VT_COPY_SLACK];	/* " pid=N vcpu=N " */
	size_t len;
};

struct dump {
	const char *dir;
	struct vt_filter filter;
	bool has_vcpu;
	uint32_t vcpu;		/* cpu_id to keep */
	bool raw_time;
	bool count_only;

	const struct vt_metadata *md;
	struct dump_class *classes;	/* by event id */
	struct dump_stream *streams;
	char pid[32];

	char *buf;
	size_t used, cap;
	bool write_error;
	bool have_prev;
	uint64_t prev_ns;	/* time of the previous event line */
	uint64_t dropped, lost;
};

void vt_dump_usage(void *file)
{
	fprintf(file,
		"usage: vtrace dump [OPTIONS] DIR\n"
		"Print the events of the trace in DIR, all streams merged by "
		"time:\n"
		"  name delta_us pid=N vcpu=N args...\n"
		"\n"
		"  -e, --events GLOB  only events matching GLOB; -GLOB leaves "
		"them out\n"
		"                     (may repeat, or GLOB,GLOB,...)\n"
		"  -c, --vcpu N       only vCPU N (sysN for a sys ring)\n"
		"  -r, --raw-time     time in ns since the Unix epoch instead "
		"of the delta\n"
		"  -n, --count        print per-event counts only\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 ok, 1 unreadable or damaged trace (details on "
		"stderr),\n"
		"2 bad usage.\n");
}

/* ------------------------------------------------------------ output */

static void flush_out(struct dump *d)
{
	if (d->used && !d->write_error &&
	    fwrite(d->buf, 1, d->used, stdout) != d->used)
		d->write_error = true;
	d->used = 0;
}

static inline char *reserve(struct dump *d, size_t n)
{
	if (__builtin_expect(d->used + n > d->cap, 0))
		flush_out(d);
	return d->buf + d->used;
}

/* Write "vcpu=N" or "sys=N". */
static char *put_cpu(char *p, uint32_t cpu_id)
{
	if (vt_cpu_is_sys(cpu_id)) {
		memcpy(p, "sys=", 4);
		return vt_format_u64(p + 4, cpu_id - RING_CPU_ID_SYS);
	}
	memcpy(p, "vcpu=", 5);
	return vt_format_u64(p + 5, cpu_id);
}

/* us.mmm from nanoseconds */
static char *put_us(char *p, uint64_t ns)
{
	unsigned int frac = (unsigned int)(ns % 1000);

	p = vt_format_u64(p, ns / 1000);
	p[0] = '.';
	p[1] = (char)('0' + frac / 100);
	p[2] = (char)('0' + frac / 10 % 10);
	p[3] = (char)('0' + frac % 10);
	return p + 4;
}

static void print_loss(struct dump *d, const struct vt_item *it)
{
	char *p = reserve(d, 96), *start = p;

	if (it->kind == VT_ITEM_DISCARDED) {
		memcpy(p, "dropped ", 8);
		p = vt_format_u64(p + 8, it->count);
		memcpy(p, " events ", 8);
		p += 8;
	} else {
		memcpy(p, "lost ", 5);
		p = vt_format_u64(p + 5, it->count);
		memcpy(p, " packets ", 9);
		p += 9;
	}
	p = put_cpu(p, it->cpu_id);
	*p++ = '\n';
	d->used += (size_t)(p - start);
}

/* " name=NAME" for the syscall number of a guest_syscall* payload. */
static char *put_syscall_name(char *p, const struct dump_class *dc,
			      const uint8_t *payload)
{
	const char *name;
	uint64_t num;

	memcpy(&num, payload + dc->num_offset, sizeof(num));
	name = vt_syscall_name(num);
	if (name)
		p += sprintf(p, " name=%s", name);
	return p;
}

/* guest_syscall and guest_syscall_ret with their 64-bit num field. */
static void find_syscall_num(struct dump_class *dc,
			     const struct vt_event_class *ec)
{
	if (strcmp(ec->name, "guest_syscall") &&
	    strcmp(ec->name, "guest_syscall_ret"))
		return;
	for (unsigned int i = 0; i < ec->nfields; i++) {
		const struct vt_field *f = &ec->fields[i];

		if (!strcmp(f->name, "num") && f->size == 8 &&
		    f->kind != VT_FIELD_STRING && f->kind != VT_FIELD_PAD) {
			dc->syscall = true;
			dc->num_offset = f->offset;
		}
	}
}

static void print_event(struct dump *d, const struct vt_item *it,
			const struct dump_class *dc)
{
	struct dump_stream *ds = &d->streams[it->stream->index];
	char *p = reserve(d, dc->max_line), *start = p;

	if (__builtin_expect(!ds->valid || ds->cpu_id != it->cpu_id, 0)) {
		char *q = ds->text;

		q = stpcpy(q, d->pid);
		q = put_cpu(q, it->cpu_id);
		*q++ = ' ';
		ds->len = (size_t)(q - ds->text);
		ds->cpu_id = it->cpu_id;
		ds->valid = true;
	}
	p = vt_copy_padded(p, dc->prefix, dc->prefix_len);
	if (d->raw_time) {
		p = vt_format_i64(p, vt_metadata_ns_from_origin(d->md,
								it->timestamp));
	} else {
		/* a difference of converted times, as babeltrace2 shows it */
		uint64_t ns = vt_metadata_ticks_to_ns(d->md, it->timestamp);

		if (!d->have_prev) {
			memcpy(p, "0.000", 5);
			p += 5;
		} else if (ns >= d->prev_ns) {
			p = put_us(p, ns - d->prev_ns);
		} else {
			*p++ = '-';
			p = put_us(p, d->prev_ns - ns);
		}
		d->have_prev = true;
		d->prev_ns = ns;
	}
	p = vt_copy_padded(p, ds->text, ds->len);
	p = vt_format_render(dc->fmt, it->payload, p);
	if (dc->syscall)
		p = put_syscall_name(p, dc, it->payload);
	*p++ = '\n';
	d->used += (size_t)(p - start);
}

/* ------------------------------------------------------------ setup */

static int prepare(struct dump *d, struct vt_trace *t)
{
	const struct vt_metadata *md = vt_trace_metadata(t);
	size_t max_line = 0;
	int64_t pid;

	d->md = md;
	if (vt_metadata_env_int(md, "vpid", &pid))
		snprintf(d->pid, sizeof(d->pid), " pid=%" PRId64 " ", pid);
	else
		snprintf(d->pid, sizeof(d->pid), " pid=? ");
	d->classes = calloc(md->nids ? md->nids : 1, sizeof(*d->classes));
	d->streams = calloc(vt_trace_nstreams(t) + 1, sizeof(*d->streams));
	if (!d->classes || !d->streams)
		return -ENOMEM;
	for (unsigned int i = 0; i < md->nevents; i++) {
		const struct vt_event_class *ec = &md->events[i];
		struct dump_class *dc = &d->classes[ec->id];
		char err[160];

		dc->selected = vt_filter_match(&d->filter, ec->name);
		if (!dc->selected || d->count_only)
			continue;
		dc->prefix_len = strlen(ec->name) + 1;
		dc->prefix = calloc(1, dc->prefix_len + 1 + VT_COPY_SLACK);
		if (!dc->prefix)
			return -ENOMEM;
		sprintf(dc->prefix, "%s ", ec->name);
		if (ec->format) {
			dc->fmt = vt_format_compile(ec->format, ec, err,
						    sizeof(err));
			if (!dc->fmt)
				fprintf(stderr, "vtrace: %s: event '%s': "
					"format \"%s\": %s; printing its "
					"fields instead\n", md->path,
					ec->name, ec->format, err);
		}
		if (!dc->fmt)
			dc->fmt = vt_format_compile_fields(ec);
		if (!dc->fmt)
			return -ENOMEM;
		find_syscall_num(dc, ec);
		/* prefix + delta + " pid=N vcpu=N " + args + name + '\n' */
		dc->max_line = dc->prefix_len + 32 + sizeof(d->pid) + 48 +
			       vt_format_max_len(dc->fmt) + 32 + 1 +
			       VT_COPY_SLACK;
		if (dc->max_line > max_line)
			max_line = dc->max_line;
	}
	d->cap = OUT_BUF_SIZE;
	if (2 * max_line > d->cap)
		d->cap = 2 * max_line;
	d->buf = malloc(d->cap);
	return d->buf ? 0 : -ENOMEM;
}

static void release(struct dump *d)
{
	if (d->classes && d->md) {
		for (uint32_t i = 0; i < d->md->nids; i++) {
			free(d->classes[i].prefix);
			vt_format_free(d->classes[i].fmt);
		}
	}
	free(d->classes);
	free(d->streams);
	free(d->buf);
	vt_filter_free(&d->filter);
}

static void print_counts(struct dump *d)
{
	const struct vt_metadata *md = d->md;
	struct {
		const char *name;
		uint64_t count;
	} *rows = calloc(md->nevents + 1, sizeof(*rows));
	unsigned int n = 0;
	int width = 5;

	if (!rows) {
		d->write_error = true;
		return;
	}
	for (unsigned int i = 0; i < md->nevents; i++) {
		const struct vt_event_class *ec = &md->events[i];
		const struct dump_class *dc = &d->classes[ec->id];

		if (!dc->count)
			continue;
		rows[n].name = ec->name;
		rows[n].count = dc->count;
		if ((int)strlen(ec->name) > width)
			width = (int)strlen(ec->name);
		n++;
	}
	if ((d->dropped || d->lost) && width < 16)
		width = 16;	/* "(dropped events)" */
	/* by count, then name: insertion sort, n is the number of classes */
	for (unsigned int i = 1; i < n; i++) {
		typeof(rows[0]) r = rows[i];
		unsigned int j = i;

		while (j > 0 && (rows[j - 1].count < r.count ||
				 (rows[j - 1].count == r.count &&
				  strcmp(rows[j - 1].name, r.name) > 0))) {
			rows[j] = rows[j - 1];
			j--;
		}
		rows[j] = r;
	}
	for (unsigned int i = 0; i < n; i++)
		printf("%-*s %" PRIu64 "\n", width, rows[i].name,
		       rows[i].count);
	if (d->dropped)
		printf("%-*s %" PRIu64 "\n", width, "(dropped events)",
		       d->dropped);
	if (d->lost)
		printf("%-*s %" PRIu64 "\n", width, "(lost packets)", d->lost);
	free(rows);
}

/* ------------------------------------------------------------ main */

static int parse_cpu(const char *arg, uint32_t *cpu_id)
{
	unsigned long v;
	char *end;
	bool sys = !strncmp(arg, "sys", 3);

	if (sys)
		arg += 3;
	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v >= RING_CPU_ID_SYS)
		return -EINVAL;
	*cpu_id = (uint32_t)v + (sys ? RING_CPU_ID_SYS : 0);
	return 0;
}

int vt_cmd_dump(int argc, char **argv)
{
	static const struct option options[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "vcpu", required_argument, NULL, 'c' },
		{ "raw-time", no_argument, NULL, 'r' },
		{ "count", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump d = { 0 };
	const struct vt_item *it;
	struct vt_trace *t;
	int opt, ret = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "e:c:rnh", options, NULL)) !=
	       -1) {
		switch (opt) {
		case 'e':
			if (vt_filter_add(&d.filter, optarg)) {
				fprintf(stderr, "vtrace: out of memory\n");
				release(&d);
				return 1;
			}
			break;
		case 'c':
			if (parse_cpu(optarg, &d.vcpu)) {
				fprintf(stderr, "vtrace dump: --vcpu %s: want "
					"a vCPU number or sysN\n", optarg);
				release(&d);
				return 2;
			}
			d.has_vcpu = true;
			break;
		case 'r':
			d.raw_time = true;
			break;
		case 'n':
			d.count_only = true;
			break;
		case 'h':
			vt_dump_usage(stdout);
			release(&d);
			return 0;
		default:
			vt_dump_usage(stderr);
			release(&d);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vtrace dump: %s\n", optind < argc ?
			"one trace directory, please" : "no trace directory");
		vt_dump_usage(stderr);
		release(&d);
		return 2;
	}
	d.dir = argv[optind];

	t = vt_trace_open(d.dir, NULL);
	if (!t) {
		release(&d);
		return 1;
	}
	if (prepare(&d, t)) {
		fprintf(stderr, "vtrace: out of memory\n");
		ret = 1;
		goto out_close;
	}
	while ((it = vt_trace_next_ref(t))) {
		if (d.has_vcpu && it->cpu_id != d.vcpu)
			continue;
		if (__builtin_expect(it->kind == VT_ITEM_EVENT, 1)) {
			struct dump_class *dc = &d.classes[it->event->id];

			if (!dc->selected)
				continue;
			if (d.count_only)
				dc->count++;
			else
				print_event(&d, it, dc);
			continue;
		}
		if (it->kind == VT_ITEM_DISCARDED)
			d.dropped += it->count;
		else
			d.lost += it->count;
		if (!d.count_only)
			print_loss(&d, it);
	}
	flush_out(&d);
	if (d.count_only)
		print_counts(&d);
	if (fflush(stdout) || ferror(stdout))
		d.write_error = true;
	if (d.write_error) {
		fprintf(stderr, "vtrace: writing the output: %s\n",
			strerror(errno ? errno : EIO));
		ret = 1;
	}
	if (vt_trace_problems(t, d.dir))
		ret = 1;
out_close:
	release(&d);
	vt_trace_close(t);
	return ret;
}
