// SPDX-License-Identifier: MIT
/*
 * `vtrace export DIR`: the trace in other tools' formats.
 *
 * --perfetto FILE.json: Chrome trace-event JSON (Perfetto UI, chrome://
 * tracing), written while the trace streams by, in bounded memory:
 *
 *	M  process_name (the emulator, pid = the trace's vpid), thread_name
 *	   and thread_sort_index per stream (tid = cpu_id: vCPU n is tid n,
 *	   sys ring n is tid 65536 + n)
 *	X  translate_block as a complete slice that ends at the event's time
 *	   and lasts host_ns; its start is moved up to the end of the
 *	   thread's previous slice if they would overlap, so the slices of a
 *	   thread never overlap (Perfetto needs them nested)
 *	i  every other event, thread-scoped, its fields as args (integers
 *	   printed with %x in the event's format become "0x..." strings)
 *	i  events_discarded / packets_lost where the producer dropped events
 *	   or packets went missing, with the count, so loss is visible
 *	C  "event rate" (events/s per stream over the report's time bins)
 *	   and "dropped events" (cumulative, per stream)
 *
 * Times are microseconds from the trace start with three decimals
 * (exact ns, printed from integers).
 *
 * --folded FILE: folded stacks for flamegraph.pl / speedscope / inferno:
 * "function;0xPC count" per guest block (PC = the block's first
 * instruction), counted by exec_tb when the trace has it, else by
 * translate_block.  Without --elf, or for a pc outside every symbol, the
 * stack is the block alone ("0x80000000 57").
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vtrace/report.h"
#include "tools/vtrace/vtrace.h"

struct export_class {
	bool selected;
	bool is_translate;
	bool has_translate_fields;
	uint32_t pc_off, insns_off, ns_off, insns_size;
	bool *hex;			/* per field: print as "0x..." */
};

struct export_stream {
	bool named;
	uint32_t cpu_id;
	uint64_t slice_end_ns;		/* end of its last X slice */
	uint64_t window_events;
	uint64_t dropped;
};

struct export {
	const char *dir;
	struct vt_filter filter;
	struct vt_report_options o;
	const struct vt_elf *elf;

	const struct vt_metadata *md;
	struct export_class *classes;	/* by id */
	struct export_stream *streams;
	unsigned int nstreams;
	int64_t pid;
	uint64_t origin_ns, begin, end;
	uint64_t window_ticks;
	uint64_t window;		/* index of the open rate window */
	bool any_event;
	FILE *out;
	bool first;
};

void vt_export_usage(void *file)
{
	fprintf(file,
		"usage: vtrace export [OPTIONS] DIR\n"
		"Write the trace in DIR for other tools (at least one of):\n"
		"  --perfetto FILE   Chrome trace-event JSON for Perfetto UI: "
		"vCPUs as\n"
		"                    threads, translate_block as slices, other "
		"events as\n"
		"                    instants, drops as markers, rate counters\n"
		"  --folded FILE     folded stacks \"function;block count\" for "
		"flame graphs\n"
		"                    (exec_tb counts, else translate_block "
		"counts)\n"
		"FILE may be - for stdout.  Options:\n"
		"  --elf FILE        guest PCs as function+offset, from FILE's "
		"symbols\n"
		"  --kallsyms FILE   also from a Linux /proc/kallsyms saved in "
		"FILE\n"
		"  -e, --events GLOB only events matching GLOB (perfetto); "
		"-GLOB leaves\n"
		"                    them out (may repeat, or GLOB,GLOB,...)\n"
		"  -c, --vcpu N      only vCPU N (sysN for a sys ring)\n"
		"  --from T, --to T  only events in [T, T] from the trace "
		"start\n"
		"                    (seconds, or a number with ns, us, ms, "
		"s)\n"
		"  -h, --help        this text\n"
		"\n"
		"Exit status: 0 ok, 1 unreadable or damaged trace (details on "
		"stderr),\n"
		"2 bad usage.\n");
}

/* Which fields the format prints in hex: the n-th conversion goes with
 * the n-th non-filler field (format.h's binding rule). */
static void hex_fields(const struct vt_event_class *ec, bool *hex)
{
	const char *p = ec->format;
	unsigned int field = 0;

	while (field < ec->nfields && ec->fields[field].kind == VT_FIELD_PAD)
		field++;
	for (; p && *p && field < ec->nfields; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		while (*p && strchr("-+ #0123456789.hlqjzt", *p))
			p++;
		if (!*p)
			break;
		hex[field] = *p == 'x' || *p == 'X' || *p == 'p';
		field++;
		while (field < ec->nfields &&
		       ec->fields[field].kind == VT_FIELD_PAD)
			field++;
	}
	for (unsigned int i = 0; i < ec->nfields; i++)
		if (ec->fields[i].kind == VT_FIELD_HEX)
			hex[i] = true;
}

static const struct vt_field *field(const struct vt_event_class *ec,
				    const char *name)
{
	for (unsigned int i = 0; i < ec->nfields; i++)
		if (!strcmp(ec->fields[i].name, name) &&
		    ec->fields[i].kind != VT_FIELD_STRING &&
		    ec->fields[i].kind != VT_FIELD_PAD)
			return &ec->fields[i];
	return NULL;
}

static uint64_t load(const uint8_t *p, uint32_t off, uint32_t size)
{
	uint64_t v = 0;

	memcpy(&v, p + off, size > 8 ? 8 : size);	/* little-endian */
	return v;
}

static int64_t load_signed(const uint8_t *p, const struct vt_field *f)
{
	uint64_t v = load(p, f->offset, f->size);
	unsigned int bits = 8 * f->size;

	if (bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ull << bits;
	return (int64_t)v;
}

/* ------------------------------------------------------------ perfetto */

/* microseconds from the origin, 3 decimals, exact */
static void put_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned int)(ns % 1000));
}

static uint64_t rel_ns(const struct export *x, uint64_t ticks)
{
	uint64_t ns = vt_metadata_ticks_to_ns(x->md, ticks);

	return ns > x->origin_ns ? ns - x->origin_ns : 0;
}

static void stream_label(uint32_t cpu_id, char *buf, size_t len, bool human)
{
	if (vt_cpu_is_sys(cpu_id))
		snprintf(buf, len, human ? "sys %u" : "sys%u",
			 cpu_id - RING_CPU_ID_SYS);
	else
		snprintf(buf, len, human ? "vCPU %u" : "vcpu%u", cpu_id);
}

static void begin_event(struct export *x)
{
	fputs(x->first ? "\n" : ",\n", x->out);
	x->first = false;
}

static void name_stream(struct export *x, struct export_stream *s,
			uint32_t cpu_id)
{
	char label[32];

	s->named = true;
	s->cpu_id = cpu_id;
	stream_label(cpu_id, label, sizeof(label), true);
	begin_event(x);
	fprintf(x->out, "{\"ph\":\"M\",\"name\":\"thread_name\",\"ts\":0,"
			"\"pid\":%" PRId64 ",\"tid\":%u,\"args\":{\"name\":"
			"\"%s\"}}", x->pid, cpu_id, label);
	begin_event(x);
	fprintf(x->out, "{\"ph\":\"M\",\"name\":\"thread_sort_index\","
			"\"ts\":0,\"pid\":%" PRId64 ",\"tid\":%u,\"args\":"
			"{\"sort_index\":%u}}", x->pid, cpu_id, cpu_id);
}

static void put_args(struct export *x, const struct vt_event_class *ec,
		     const struct export_class *xc, const uint8_t *p)
{
	bool comma = false;

	fputs(",\"args\":{", x->out);
	for (unsigned int i = 0; i < ec->nfields; i++) {
		const struct vt_field *f = &ec->fields[i];
		char text[8 * 64 + 1];
		size_t n;

		if (f->kind == VT_FIELD_PAD)
			continue;
		fprintf(x->out, "%s\"%s\":", comma ? "," : "", f->name);
		comma = true;
		switch (f->kind) {
		case VT_FIELD_STRING:
			n = strnlen((const char *)p + f->offset, f->size);
			if (n >= sizeof(text))
				n = sizeof(text) - 1;
			memcpy(text, p + f->offset, n);
			text[n] = 0;
			vt_json_string(x->out, text);
			break;
		case VT_FIELD_SIGNED:
			if (xc->hex[i])
				fprintf(x->out, "\"0x%" PRIx64 "\"",
					load(p, f->offset, f->size));
			else
				fprintf(x->out, "%" PRId64, load_signed(p, f));
			break;
		default:
			if (xc->hex[i])
				fprintf(x->out, "\"0x%" PRIx64 "\"",
					load(p, f->offset, f->size));
			else
				fprintf(x->out, "%" PRIu64,
					load(p, f->offset, f->size));
		}
	}
	if (x->elf && (xc->is_translate || !strcmp(ec->name, "exec_tb"))) {
		const struct vt_field *pc = field(ec, "pc");
		char fn[160];

		if (pc) {
			fputs(",\"function\":", x->out);
			vt_json_string(x->out,
				       vt_elf_describe(x->elf,
						       load(p, pc->offset,
							    pc->size),
						       fn, sizeof(fn)));
		}
	}
	fputc('}', x->out);
}

/* Close rate windows up to (not including) window w. */
static void close_windows(struct export *x, uint64_t w)
{
	char label[32];
	double secs = (double)vt_metadata_ticks_to_ns(x->md, x->window_ticks) /
		      1e9;

	for (; x->window < w; x->window++) {
		bool comma = false;

		begin_event(x);
		fprintf(x->out, "{\"ph\":\"C\",\"name\":\"event rate\","
				"\"ts\":");
		put_us(x->out, rel_ns(x, x->begin +
					     x->window * x->window_ticks));
		fprintf(x->out, ",\"pid\":%" PRId64 ",\"tid\":0,\"args\":{",
			x->pid);
		for (unsigned int i = 0; i < x->nstreams; i++) {
			struct export_stream *s = &x->streams[i];

			if (!s->named)
				continue;
			stream_label(s->cpu_id, label, sizeof(label), false);
			fprintf(x->out, "%s\"%s\":%.0f", comma ? "," : "",
				label,
				secs > 0 ? (double)s->window_events / secs : 0);
			comma = true;
			s->window_events = 0;
		}
		fputs("}}", x->out);
	}
}

static void put_loss(struct export *x, struct export_stream *s,
		     const struct vt_item *it)
{
	char label[32];
	bool comma = false;
	uint64_t ns = rel_ns(x, it->timestamp);

	begin_event(x);
	fprintf(x->out, "{\"ph\":\"i\",\"name\":\"%s\",\"cat\":\"loss\","
			"\"s\":\"t\",\"ts\":",
		it->kind == VT_ITEM_DISCARDED ? "events_discarded" :
						"packets_lost");
	put_us(x->out, ns);
	fprintf(x->out, ",\"pid\":%" PRId64 ",\"tid\":%u,\"args\":{"
			"\"count\":%" PRIu64 "}}", x->pid, it->cpu_id,
		it->count);
	if (it->kind != VT_ITEM_DISCARDED)
		return;
	s->dropped += it->count;
	begin_event(x);
	fputs("{\"ph\":\"C\",\"name\":\"dropped events\",\"ts\":", x->out);
	put_us(x->out, ns);
	fprintf(x->out, ",\"pid\":%" PRId64 ",\"tid\":0,\"args\":{", x->pid);
	for (unsigned int i = 0; i < x->nstreams; i++) {
		if (!x->streams[i].named)
			continue;
		stream_label(x->streams[i].cpu_id, label, sizeof(label), false);
		fprintf(x->out, "%s\"%s\":%" PRIu64, comma ? "," : "", label,
			x->streams[i].dropped);
		comma = true;
	}
	fputs("}}", x->out);
}

static void put_event(struct export *x, struct export_stream *s,
		      const struct vt_item *it)
{
	const struct vt_event_class *ec = it->event;
	const struct export_class *xc = &x->classes[ec->id];
	uint64_t ns = rel_ns(x, it->timestamp);

	begin_event(x);
	if (xc->is_translate) {
		uint64_t host_ns = load(it->payload, xc->ns_off, 8);
		uint64_t start = ns > host_ns ? ns - host_ns : 0;

		if (start < s->slice_end_ns)
			start = s->slice_end_ns;
		if (start > ns)
			start = ns;
		s->slice_end_ns = ns;
		fprintf(x->out, "{\"ph\":\"X\",\"name\":\"%s\",\"cat\":\"tcg\","
				"\"ts\":", ec->name);
		put_us(x->out, start);
		fputs(",\"dur\":", x->out);
		put_us(x->out, ns - start);
	} else {
		fprintf(x->out, "{\"ph\":\"i\",\"name\":\"%s\",\"cat\":\"%s\","
				"\"s\":\"t\",\"ts\":", ec->name,
			vt_cpu_is_sys(it->cpu_id) ? "sys" : "vcpu");
		put_us(x->out, ns);
	}
	fprintf(x->out, ",\"pid\":%" PRId64 ",\"tid\":%u", x->pid, it->cpu_id);
	put_args(x, ec, xc, it->payload);
	fputc('}', x->out);
}

static int prepare(struct export *x, struct vt_trace *t)
{
	const struct vt_metadata *md = vt_trace_metadata(t);

	x->md = md;
	if (!vt_metadata_env_int(md, "vpid", &x->pid))
		x->pid = 1;
	x->nstreams = vt_trace_nstreams(t);
	x->streams = calloc(x->nstreams + 1, sizeof(*x->streams));
	x->classes = calloc(md->nids + 1, sizeof(*x->classes));
	if (!x->streams || !x->classes)
		return -ENOMEM;
	for (unsigned int i = 0; i < md->nevents; i++) {
		const struct vt_event_class *ec = &md->events[i];
		struct export_class *xc = &x->classes[ec->id];
		const struct vt_field *pc, *insns, *ns;

		xc->selected = vt_filter_match(&x->filter, ec->name);
		xc->hex = calloc(ec->nfields + 1, sizeof(bool));
		if (!xc->hex)
			return -ENOMEM;
		hex_fields(ec, xc->hex);
		pc = field(ec, "pc");
		insns = field(ec, "insns");
		ns = field(ec, "host_ns");
		if (!strcmp(ec->name, "translate_block") && pc && insns && ns &&
		    ns->size == 8) {
			xc->is_translate = true;
			xc->ns_off = ns->offset;
		}
	}
	return 0;
}

static void release(struct export *x)
{
	if (x->classes && x->md)
		for (uint32_t i = 0; i < x->md->nids; i++)
			free(x->classes[i].hex);
	free(x->classes);
	free(x->streams);
	x->classes = NULL;
	x->streams = NULL;
}

static uint64_t ns_to_ticks(const struct vt_metadata *md, uint64_t ns)
{
	if (md->clock_freq == 1000000000u)
		return ns;
	return (uint64_t)((unsigned __int128)ns * md->clock_freq /
			  1000000000u);
}

static int export_perfetto(struct export *x, struct vt_trace *t, FILE *out)
{
	char procname[96];
	const char *pn;
	const struct vt_item *it;
	uint64_t tb, te;
	int ret;

	ret = prepare(x, t);
	if (ret)
		return ret;
	if (vt_trace_time_range(t, &tb, &te))
		tb = te = 0;
	x->origin_ns = vt_metadata_ticks_to_ns(x->md, tb);
	x->begin = tb;
	x->end = te;
	if (x->o.has_from)
		x->begin = tb + ns_to_ticks(x->md, x->o.from_ns);
	if (x->o.has_to && tb + ns_to_ticks(x->md, x->o.to_ns) < x->end)
		x->end = tb + ns_to_ticks(x->md, x->o.to_ns);
	if (x->end < x->begin)
		x->end = x->begin;
	x->window_ticks = (x->end - x->begin) / VT_REPORT_BINS + 1;
	x->out = out;
	x->first = true;

	pn = vt_metadata_env_string(x->md, "procname");
	snprintf(procname, sizeof(procname), "%s %" PRId64,
		 pn ? pn : "vtrace", x->pid);
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", out);
	begin_event(x);
	fprintf(out, "{\"ph\":\"M\",\"name\":\"process_name\",\"ts\":0,"
		     "\"pid\":%" PRId64 ",\"tid\":0,\"args\":{\"name\":",
		x->pid);
	vt_json_string(out, procname);
	fputs("}}", out);

	while ((it = vt_trace_next_ref(t))) {
		struct export_stream *s = &x->streams[it->stream->index];
		uint64_t w;

		if (it->timestamp < x->begin || it->timestamp > x->end)
			continue;
		if (x->o.has_vcpu && it->cpu_id != x->o.vcpu)
			continue;
		if (__builtin_expect(!s->named || s->cpu_id != it->cpu_id, 0))
			name_stream(x, s, it->cpu_id);
		w = (it->timestamp - x->begin) / x->window_ticks;
		if (w > x->window)
			close_windows(x, w);
		if (it->kind != VT_ITEM_EVENT) {
			put_loss(x, s, it);
			continue;
		}
		s->window_events++;
		x->any_event = true;
		if (x->classes[it->event->id].selected)
			put_event(x, s, it);
	}
	close_windows(x, x->window + 1);
	fputs("\n]}\n", out);
	return 0;
}

/* ------------------------------------------------------------ folded */

struct folded_row {
	const char *fn;
	char label[24];
	uint64_t count;
};

static int compare_rows(const void *a, const void *b)
{
	const struct folded_row *x = a, *y = b;
	int c = strcmp(x->fn ? x->fn : "", y->fn ? y->fn : "");

	return c ? c : strcmp(x->label, y->label);
}

static int export_folded(struct export *x, struct vt_trace *t, FILE *out)
{
	struct vt_report *r = vt_report_new(t, &x->o);
	struct folded_row *rows;
	bool by_execs;
	size_t n, k = 0;
	void **v;

	if (!r || vt_report_collect(r, t)) {
		vt_report_free(r);
		return -ENOMEM;
	}
	by_execs = r->execs > 0;
	v = vt_table_sorted(&r->blocks, vt_block_by_execs, &n);
	rows = calloc(n + 1, sizeof(*rows));
	if (!rows) {
		free(v);
		vt_report_free(r);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vt_block *b = v[i];
		uint64_t off, count = by_execs ? b->execs : b->translations;

		if (!count)
			continue;
		rows[k].fn = vt_elf_lookup(x->elf, b->h.key, &off);
		snprintf(rows[k].label, sizeof(rows[k].label), "0x%" PRIx64,
			 b->h.key);
		rows[k].count = count;
		k++;
	}
	qsort(rows, k, sizeof(*rows), compare_rows);
	for (size_t i = 0; i < k; i++) {
		if (rows[i].fn)
			fprintf(out, "%s;", rows[i].fn);
		fprintf(out, "%s %" PRIu64 "\n", rows[i].label, rows[i].count);
	}
	if (!k)
		fprintf(stderr, "vtrace export: %s: no translate_block or "
			"exec_tb events, the folded file is empty\n", x->dir);
	free(rows);
	free(v);
	vt_report_free(r);
	return 0;
}

/* ------------------------------------------------------------ command */

/* One output: open FILE (or stdout), run one pass, close.  1 on error,
 * -1 when the trace cannot be read at all (already reported). */
static int run_one(struct export *x, const char *path,
		   int (*fn)(struct export *, struct vt_trace *, FILE *))
{
	bool to_stdout = !strcmp(path, "-");
	struct vt_trace *t;
	FILE *f;
	int ret = 0;

	t = vt_trace_open(x->dir, NULL);
	if (!t)
		return -1;
	f = to_stdout ? stdout : fopen(path, "w");
	if (!f) {
		fprintf(stderr, "vtrace: %s: %s\n", path, strerror(errno));
		vt_trace_close(t);
		return 1;
	}
	if (fn(x, t, f)) {
		fprintf(stderr, "vtrace: out of memory\n");
		ret = 1;
	}
	if (fflush(f) || ferror(f) || (!to_stdout && fclose(f))) {
		fprintf(stderr, "vtrace: writing %s: %s\n", path,
			strerror(errno ? errno : EIO));
		ret = 1;
	}
	if (vt_trace_problems(t, x->dir))
		ret = 1;
	release(x);
	vt_trace_close(t);
	return ret;
}

int vt_cmd_export(int argc, char **argv)
{
	enum { OPT_ELF = 256, OPT_KALLSYMS, OPT_FROM, OPT_TO, OPT_PERFETTO,
	       OPT_FOLDED };
	static const struct option options[] = {
		{ "perfetto", required_argument, NULL, OPT_PERFETTO },
		{ "folded", required_argument, NULL, OPT_FOLDED },
		{ "elf", required_argument, NULL, OPT_ELF },
		{ "kallsyms", required_argument, NULL, OPT_KALLSYMS },
		{ "events", required_argument, NULL, 'e' },
		{ "vcpu", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *perfetto = NULL, *folded = NULL, *elf_path = NULL;
	const char *kallsyms_path = NULL;
	struct export x = { 0 };
	struct vt_elf *elf = NULL;
	int opt, ret = 2;
	char err[512];

	optind = 1;
	while ((opt = getopt_long(argc, argv, "e:c:h", options, NULL)) !=
	       -1) {
		switch (opt) {
		case OPT_PERFETTO:
			perfetto = optarg;
			break;
		case OPT_FOLDED:
			folded = optarg;
			break;
		case OPT_ELF:
			elf_path = optarg;
			break;
		case OPT_KALLSYMS:
			kallsyms_path = optarg;
			break;
		case 'e':
			if (vt_filter_add(&x.filter, optarg)) {
				fprintf(stderr, "vtrace: out of memory\n");
				ret = 1;
				goto out;
			}
			break;
		case 'c':
			if (vt_parse_cpu(optarg, &x.o.vcpu)) {
				fprintf(stderr, "vtrace export: --vcpu %s: want "
					"a vCPU number or sysN\n", optarg);
				goto out;
			}
			x.o.has_vcpu = true;
			break;
		case OPT_FROM:
		case OPT_TO:
			if (vt_parse_time(optarg, opt == OPT_FROM ?
							  &x.o.from_ns :
							  &x.o.to_ns)) {
				fprintf(stderr, "vtrace export: %s %s: want a "
					"time like 1.5, 200ms, 30us or 10ns\n",
					opt == OPT_FROM ? "--from" : "--to",
					optarg);
				goto out;
			}
			if (opt == OPT_FROM)
				x.o.has_from = true;
			else
				x.o.has_to = true;
			break;
		case 'h':
			vt_export_usage(stdout);
			ret = 0;
			goto out;
		default:
			vt_export_usage(stderr);
			goto out;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vtrace export: %s\n", optind < argc ?
			"one trace directory, please" : "no trace directory");
		vt_export_usage(stderr);
		goto out;
	}
	if (!perfetto && !folded) {
		fprintf(stderr, "vtrace export: say what to write: --perfetto "
			"FILE.json and/or --folded FILE\n");
		goto out;
	}
	x.dir = argv[optind];
	if (vt_elf_load(&elf, elf_path, kallsyms_path, err, sizeof(err))) {
		fprintf(stderr, "vtrace: %s\n", err);
		ret = 1;
		goto out;
	}
	x.elf = elf;
	x.o.elf = elf;
	ret = 0;
	if (perfetto)
		ret = run_one(&x, perfetto, export_perfetto);
	if (folded && ret != -1)
		ret |= run_one(&x, folded, export_folded);
	if (ret == -1)
		ret = 1;
out:
	vt_filter_free(&x.filter);
	vt_elf_close(elf);
	return ret;
}
