// SPDX-License-Identifier: MIT
/*
 * The text and JSON forms of a report (report.h).  Both print the same
 * content in the same order; counts are exact integers (the tests compare
 * them), times in the text carry a unit, in JSON they are ns or seconds
 * as the key says.
 *
 * Text layout: a header (window, totals, losses), then sections that
 * each start with a title line and say in one line when their events are
 * not in the trace:
 *
 *	Streams            per vCPU/sys ring: events, rate, drops, lost packets
 *	Events             count of each event per stream
 *	TCG                translations, blocks, executions
 *	Hottest blocks by executions / by translations
 *	Blocks translated more than once (and why)
 *	Translation time   total, share of run time, log2 histogram
 *	Invalidations      per page; tb_flush per reason
 *	Block sizes        log2 histogram of guest instructions
 *	Syscalls, Exceptions, Interrupts, MMIO
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vtrace/report.h"
#include "tools/vtrace/syscalls.h"

/* ------------------------------------------------------------ shared */

static uint64_t to_ns(const struct vt_report *r, uint64_t ticks)
{
	return vt_metadata_ticks_to_ns(r->md, ticks);
}

/* Run time of a stream: first to last event. */
static uint64_t span_ns(const struct vt_report *r,
			const struct vt_report_stream *s)
{
	if (s->events < 2)
		return 0;
	return to_ns(r, s->last) - to_ns(r, s->first);
}

static double rate(const struct vt_report *r,
		   const struct vt_report_stream *s)
{
	uint64_t ns = span_ns(r, s);

	return ns ? (double)s->events * 1e9 / (double)ns : 0;
}

/* Sum of the vCPU streams' run times. */
static uint64_t vcpu_run_ns(const struct vt_report *r)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < r->nstreams; i++)
		if (r->streams[i].seen &&
		    !vt_cpu_is_sys(r->streams[i].cpu_id))
			sum += span_ns(r, &r->streams[i]);
	return sum;
}

static const char *human_ns(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", ns / 1e9);
	return buf;
}

/* Bucket k of a log2 histogram holds [lo, hi]. */
static void bucket_range(unsigned int k, uint64_t *lo, uint64_t *hi)
{
	*lo = k ? 1ull << (k - 1) : 0;
	*hi = k ? (k == 64 ? UINT64_MAX : (1ull << k) - 1) : 0;
}

static void hist_bounds(const uint64_t *h, unsigned int *first,
			unsigned int *last)
{
	*first = VT_REPORT_HIST;
	*last = 0;
	for (unsigned int k = 0; k < VT_REPORT_HIST; k++) {
		if (!h[k])
			continue;
		if (*first == VT_REPORT_HIST)
			*first = k;
		*last = k;
	}
}

static const char *pc_text(const struct vt_report *r, uint64_t pc, char *buf,
			   size_t len)
{
	return vt_elf_describe(r->opt.elf, pc, buf, len);
}

static int by_count(const void *a, const void *b)
{
	const struct vt_keycount *x = *(void *const *)a;
	const struct vt_keycount *y = *(void *const *)b;

	if (x->count + x->count2 != y->count + y->count2)
		return x->count + x->count2 < y->count + y->count2 ? 1 : -1;
	return x->h.key < y->h.key ? -1 : x->h.key > y->h.key;
}

static int page_by_count(const void *a, const void *b)
{
	const struct vt_page *x = *(void *const *)a, *y = *(void *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->h.key < y->h.key ? -1 : x->h.key > y->h.key;
}

/* Retranslated blocks: most retranslations first. */
static int by_retrans(const void *a, const void *b)
{
	const struct vt_block *x = *(void *const *)a, *y = *(void *const *)b;

	if (x->translations != y->translations)
		return x->translations < y->translations ? 1 : -1;
	return x->h.key < y->h.key ? -1 : x->h.key > y->h.key;
}

static uint64_t retranslated_blocks(const struct vt_report *r)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i <= r->blocks.mask; i++) {
		const struct vt_block *b =
			(const void *)(r->blocks.slots +
				       i * r->blocks.entry_size);

		if (b->h.used && b->translations > 1)
			n++;
	}
	return n;
}

/* Distinct blocks per log2(insns) bucket, and how many were translated. */
static uint64_t block_size_hist(const struct vt_report *r, uint64_t *h)
{
	uint64_t n = 0;

	memset(h, 0, VT_REPORT_HIST * sizeof(*h));
	for (uint64_t i = 0; i <= r->blocks.mask; i++) {
		const struct vt_block *b =
			(const void *)(r->blocks.slots +
				       i * r->blocks.entry_size);

		if (!b->h.used || !b->translations)
			continue;
		h[b->insns ? 64 - __builtin_clzll(b->insns) : 0]++;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ text */

static void bar(FILE *f, uint64_t v, uint64_t max, int width)
{
	int n = max ? (int)((double)v * width / (double)max + 0.5) : 0;

	if (v && !n)
		n = 1;
	for (int i = 0; i < n; i++)
		putc('#', f);
}

static void text_streams(const struct vt_report *r, FILE *f)
{
	char label[32], a[32], ev[32];
	uint64_t run = 0;

	fprintf(f, "\nStreams (rate = events / time from first to last "
		   "event)\n");
	fprintf(f, "  %-8s %12s %14s %13s %13s %10s %9s %11s\n", "stream",
		"events", "events/s", "first (s)", "last (s)", "dropped",
		"lost pkts", "translate%");
	for (unsigned int i = 0; i < r->nstreams; i++) {
		const struct vt_report_stream *s = &r->streams[i];
		uint64_t sp = span_ns(r, s);

		if (!s->seen)
			continue;
		run += sp;
		if (s->translations && sp)
			snprintf(a, sizeof(a), "%.2f%%",
				 100.0 * (double)s->translate_ns / (double)sp);
		else
			snprintf(a, sizeof(a), "-");
		if (sp)
			snprintf(ev, sizeof(ev), "%.0f", rate(r, s));
		else
			snprintf(ev, sizeof(ev), "-");
		fprintf(f, "  %-8s %12" PRIu64 " %14s %13.9f %13.9f %10" PRIu64
			   " %9" PRIu64 " %11s\n",
			vt_report_stream_label(s, label, sizeof(label)),
			s->events, ev,
			s->events ? vt_report_seconds(r, s->first) : 0.0,
			s->events ? vt_report_seconds(r, s->last) : 0.0,
			s->dropped, s->lost, a);
	}
	fprintf(f, "  %-8s %12" PRIu64 " %14s %13s %13s %10" PRIu64
		   " %9" PRIu64 "\n", "total", r->events, "", " ", " ",
		r->dropped, r->lost);
}

static void text_events(const struct vt_report *r, FILE *f)
{
	const struct vt_metadata *md = r->md;
	char label[32];
	int w = 5;

	fprintf(f, "\nEvents per stream\n");
	for (unsigned int c = 0; c < md->nevents; c++)
		if (r->class_total[c] && (int)strlen(md->events[c].name) > w)
			w = (int)strlen(md->events[c].name);
	fprintf(f, "  %-*s %12s", w, "event", "total");
	for (unsigned int i = 0; i < r->nstreams; i++)
		if (r->streams[i].seen)
			fprintf(f, " %10s",
				vt_report_stream_label(&r->streams[i], label,
						       sizeof(label)));
	putc('\n', f);
	for (unsigned int c = 0; c < md->nevents; c++) {
		if (!r->class_total[c])
			continue;
		fprintf(f, "  %-*s %12" PRIu64, w, md->events[c].name,
			r->class_total[c]);
		for (unsigned int i = 0; i < r->nstreams; i++)
			if (r->streams[i].seen)
				fprintf(f, " %10" PRIu64,
					r->streams[i].class_count[c]);
		putc('\n', f);
	}
	if (!r->events)
		fprintf(f, "  (no events)\n");
}

static void text_hot(const struct vt_report *r, FILE *f, bool by_execs)
{
	int (*cmp)(const void *, const void *) =
		by_execs ? vt_block_by_execs : vt_block_by_translations;
	size_t n, shown = 0;
	void **v = vt_table_sorted(&r->blocks, cmp, &n);
	uint64_t total = by_execs ? r->execs : r->translations;
	char pc[32], fn[160];

	fprintf(f, "\nHottest blocks by %s (top %u)\n",
		by_execs ? "executions" : "translations", r->opt.top);
	fprintf(f, "  %4s %-18s %-32s %12s %7s %12s %6s\n", "rank", "pc",
		"function", by_execs ? "execs" : "translations", "share",
		by_execs ? "translations" : "translate ns", "insns");
	for (size_t i = 0; i < n && shown < r->opt.top; i++) {
		const struct vt_block *b = v[i];
		uint64_t key = by_execs ? b->execs : b->translations;

		if (!key)
			break;
		shown++;
		snprintf(pc, sizeof(pc), "0x%" PRIx64, b->h.key);
		fprintf(f, "  %4zu %-18s %-32s %12" PRIu64 " %6.2f%% %12" PRIu64
			   " %6u\n", shown, pc,
			r->opt.elf ? pc_text(r, b->h.key, fn, sizeof(fn)) : "-",
			key, 100.0 * (double)key / (double)total,
			by_execs ? b->translations : b->translate_ns,
			b->insns);
	}
	free(v);
}

static void text_retrans(const struct vt_report *r, FILE *f)
{
	size_t n, shown = 0;
	void **v;
	char pc[32], fn[160];

	fprintf(f, "\nBlocks translated more than once: %" PRIu64 " blocks, %"
		   PRIu64 " retranslations\n", retranslated_blocks(r),
		r->retranslations);
	if (!r->retranslations)
		return;
	fprintf(f, "  why:");
	for (int k = 0; k < VT_RETRANS_NREASONS; k++)
		fprintf(f, " %s %" PRIu64, vt_retrans_names[k], r->retrans[k]);
	fprintf(f, "\n  (store, fence.i, invalidate: a tb_invalidate of the "
		   "block; flush: a tb_flush;\n   other-vcpu: neither, the "
		   "last translation was on another vCPU;\n   unknown: none "
		   "of these seen since its last translation%s)\n",
		r->dropped || r->lost ? "; events were lost, which may "
					"explain some" : "");
	fprintf(f, "  %-18s %-32s %12s", "pc", "function", "translations");
	for (int k = 0; k < VT_RETRANS_NREASONS; k++)
		fprintf(f, " %10s", vt_retrans_names[k]);
	putc('\n', f);
	v = vt_table_sorted(&r->blocks, by_retrans, &n);
	for (size_t i = 0; i < n && shown < r->opt.top; i++) {
		const struct vt_block *b = v[i];

		if (b->translations < 2)
			break;
		shown++;
		snprintf(pc, sizeof(pc), "0x%" PRIx64, b->h.key);
		fprintf(f, "  %-18s %-32s %12" PRIu64, pc,
			r->opt.elf ? pc_text(r, b->h.key, fn, sizeof(fn)) : "-",
			b->translations);
		for (int k = 0; k < VT_RETRANS_NREASONS; k++)
			fprintf(f, " %10u", b->retrans[k]);
		putc('\n', f);
	}
	free(v);
}

static void text_hist(FILE *f, const uint64_t *h, const char *unit,
		      uint64_t total, const uint64_t *h2, const char *h2name)
{
	unsigned int first, last;
	uint64_t max = 0, lo, hi;
	char range[48];

	hist_bounds(h, &first, &last);
	if (first == VT_REPORT_HIST)
		return;
	for (unsigned int k = first; k <= last; k++)
		if (h[k] > max)
			max = h[k];
	for (unsigned int k = first; k <= last; k++) {
		bucket_range(k, &lo, &hi);
		if (lo == hi)
			snprintf(range, sizeof(range), "%" PRIu64 " %s", lo,
				 unit);
		else
			snprintf(range, sizeof(range), "%" PRIu64 "-%" PRIu64
				 " %s", lo, hi, unit);
		fprintf(f, "  %-26s %12" PRIu64 " %6.2f%%", range, h[k],
			100.0 * (double)h[k] / (double)total);
		if (h2)
			fprintf(f, " %12" PRIu64, h2[k]);
		fputs("  ", f);
		bar(f, h[k], max, 40);
		putc('\n', f);
	}
	(void)h2name;
}

static void text_tcg(const struct vt_report *r, FILE *f)
{
	char a[32], b[32], label[32];
	uint64_t run = vcpu_run_ns(r), hist[VT_REPORT_HIST], nblocks;
	size_t n;
	void **v;

	fprintf(f, "\nTCG\n");
	if (!r->translations && !r->execs) {
		fprintf(f, "  no translate_block events%s\n",
			r->has_exec ? " and no exec_tb events" : "");
		if (!r->invalidations && !r->flushes)
			return;
	} else {
		char on[256] = "";
		size_t used = 0;
		bool partial = false;

		/* exec_tb can be on for some vCPUs only: say which */
		for (unsigned int i = 0; i < r->nstreams; i++) {
			const struct vt_report_stream *s = &r->streams[i];

			if (!s->seen || vt_cpu_is_sys(s->cpu_id))
				continue;
			if (!s->execs) {
				partial = true;
				continue;
			}
			if (used < sizeof(on) - 40)
				used += (size_t)snprintf(on + used,
						sizeof(on) - used, "%s%s",
						used ? ", " : "",
						vt_report_stream_label(s, label,
							sizeof(label)));
		}
		fprintf(f, "  %" PRIu64 " translations of %" PRIu64
			   " blocks, %" PRIu64 " executions%s%s%s\n",
			r->translations, block_size_hist(r, hist), r->execs,
			!r->execs ? " (exec_tb was off)" :
			partial ? " (exec_tb on " : "",
			r->execs && partial ? on : "",
			r->execs && partial ? " only)" : "");
		if (r->execs)
			text_hot(r, f, true);
		else
			fprintf(f, "\nHottest blocks by executions\n  no "
				   "exec_tb events (enable exec_tb to see "
				   "them)\n");
		if (r->translations)
			text_hot(r, f, false);
	}
	if (r->translations) {
		text_retrans(r, f);
		fprintf(f, "\nTranslation time (translate_block host_ns)\n");
		fprintf(f, "  total %" PRIu64 " ns (%s), %.2f%% of run time (%s"
			   " over the vCPUs)\n", r->translate_ns,
			human_ns((double)r->translate_ns, a, sizeof(a)),
			run ? 100.0 * (double)r->translate_ns / (double)run : 0,
			human_ns((double)run, b, sizeof(b)));
		fprintf(f, "  mean %.0f ns, max %" PRIu64 " ns per block\n",
			(double)r->translate_ns / (double)r->translations,
			r->translate_max_ns);
		for (unsigned int i = 0; i < r->nstreams; i++) {
			const struct vt_report_stream *s = &r->streams[i];
			uint64_t sp = span_ns(r, s);

			if (!s->translations)
				continue;
			fprintf(f, "  %-8s %" PRIu64 " ns in %" PRIu64
				   " translations, %.2f%% of its run time\n",
				vt_report_stream_label(s, label, sizeof(label)),
				s->translate_ns, s->translations,
				sp ? 100.0 * (double)s->translate_ns /
					     (double)sp : 0);
		}
		fprintf(f, "  %-26s %12s %7s\n", "host_ns", "translations",
			"share");
		text_hist(f, r->translate_hist, "ns", r->translations, NULL,
			  NULL);
	}

	fprintf(f, "\nInvalidations per page: %" PRIu64 " invalidations "
		   "(store %" PRIu64 ", fence.i %" PRIu64 ") of %" PRIu64
		   " pages\n", r->invalidations, r->inv_store, r->inv_fence_i,
		r->pages.count);
	if (!r->has_invalidate)
		fprintf(f, "  no tb_invalidate events in this trace\n");
	v = vt_table_sorted(&r->pages, page_by_count, &n);
	if (n)
		fprintf(f, "  %-18s %12s %10s %10s\n", "page", "invalidations",
			"store", "fence.i");
	for (size_t i = 0; i < n && i < r->opt.top; i++) {
		const struct vt_page *p = v[i];

		snprintf(a, sizeof(a), "0x%" PRIx64, p->h.key);
		fprintf(f, "  %-18s %12" PRIu64 " %10" PRIu64 " %10" PRIu64
			   "\n", a, p->count, p->store, p->fence_i);
	}
	free(v);
	fprintf(f, "  tb_flush: %" PRIu64 " flushes, %" PRIu64
		   " blocks thrown away", r->flushes, r->flushed_blocks);
	for (unsigned int i = 0; i < r->nflush_reasons; i++)
		fprintf(f, "%s %s %" PRIu64, i ? "," : ";",
			r->flush_reasons[i].text, r->flush_reasons[i].count);
	putc('\n', f);

	if (r->translations) {
		nblocks = block_size_hist(r, hist);
		fprintf(f, "\nBlock sizes (guest instructions)\n");
		fprintf(f, "  %-26s %12s %7s %12s\n", "insns", "translations",
			"share", "blocks");
		text_hist(f, r->size_hist, "insns", r->translations, hist,
			  "blocks");
		(void)nblocks;
	}
}

static void text_keycounts(const struct vt_report *r, FILE *f)
{
	const char *name;
	char a[32];
	size_t n;
	void **v;

	fprintf(f, "\nSyscalls: %" PRIu64 " calls\n", r->syscall_count);
	if (!r->has_syscall) {
		fprintf(f, "  no guest_syscall events in this trace\n");
	} else if (r->syscalls.count) {
		v = vt_table_sorted(&r->syscalls, by_count, &n);
		fprintf(f, "  %8s %-20s %12s %12s %10s %14s\n", "num",
			"name", "calls", "returns", "errors", "mean latency");
		for (size_t i = 0; i < n; i++) {
			const struct vt_keycount *k = v[i];

			if (k->latency_n)
				human_ns((double)vt_metadata_ticks_to_ns(
						 r->md, k->latency_ticks) /
						 (double)k->latency_n,
					 a, sizeof(a));
			else
				snprintf(a, sizeof(a), "-");
			name = vt_syscall_name(k->h.key);
			fprintf(f, "  %8" PRIu64 " %-20s %12" PRIu64 " %12"
				   PRIu64 " %10" PRIu64 " %14s\n", k->h.key,
				name ? name : "-", k->count, k->count2,
				k->errors, a);
		}
		free(v);
	}

	for (int pass = 0; pass < 2; pass++) {
		const struct vt_table *tab = pass ? &r->interrupts :
						    &r->exceptions;

		fprintf(f, "\n%s: %" PRIu64 "\n",
			pass ? "Interrupts" : "Exceptions",
			pass ? r->interrupt_count : r->exception_count);
		if (!(pass ? r->has_interrupt : r->has_exception)) {
			fprintf(f, "  no %s events in this trace\n",
				pass ? "cpu_interrupt" : "cpu_exception");
			continue;
		}
		v = vt_table_sorted(tab, by_count, &n);
		if (n)
			fprintf(f, "  %8s %-32s %12s\n", "cause", "name",
				"count");
		for (size_t i = 0; i < n; i++) {
			const struct vt_keycount *k = v[i];

			fprintf(f, "  %8" PRIu64 " %-32s %12" PRIu64 "\n",
				k->h.key,
				pass ? vt_riscv_interrupt_name(k->h.key) :
				       vt_riscv_exception_name(k->h.key),
				k->count);
		}
		free(v);
	}

	fprintf(f, "\nMMIO: %" PRIu64 " reads, %" PRIu64 " writes\n",
		r->mmio_reads, r->mmio_writes);
	if (!r->has_mmio) {
		fprintf(f, "  no mmio_read/mmio_write events in this trace\n");
		return;
	}
	v = vt_table_sorted(&r->mmio, by_count, &n);
	if (n)
		fprintf(f, "  %-18s %12s %12s\n", "addr", "reads", "writes");
	for (size_t i = 0; i < n && i < r->opt.top; i++) {
		const struct vt_keycount *k = v[i];

		snprintf(a, sizeof(a), "0x%" PRIx64, k->h.key);
		fprintf(f, "  %-18s %12" PRIu64 " %12" PRIu64 "\n", a,
			k->count, k->count2);
	}
	free(v);
}

int vt_report_print_text(const struct vt_report *r, FILE *f)
{
	char a[32], label[32];
	unsigned int nvcpu = 0, nsys = 0;

	for (unsigned int i = 0; i < r->nstreams; i++) {
		if (!r->streams[i].seen)
			continue;
		if (vt_cpu_is_sys(r->streams[i].cpu_id))
			nsys++;
		else
			nvcpu++;
	}
	fprintf(f, "vtrace report: %s\n", r->dir);
	fprintf(f, "  window %.9f s .. %.9f s (%s) from the trace start",
		vt_report_seconds(r, r->begin), vt_report_seconds(r, r->end),
		human_ns((double)(to_ns(r, r->end) - to_ns(r, r->begin)), a,
			 sizeof(a)));
	if (r->opt.has_vcpu) {
		struct vt_report_stream tmp = { .seen = true,
						.cpu_id = r->opt.vcpu };

		fprintf(f, ", %s only",
			vt_report_stream_label(&tmp, label, sizeof(label)));
	}
	fprintf(f, "\n  %" PRIu64 " events on %u vCPU%s and %u sys ring%s\n",
		r->events, nvcpu, nvcpu == 1 ? "" : "s", nsys,
		nsys == 1 ? "" : "s");
	if (r->dropped || r->lost || r->errors)
		fprintf(f, "  lost: %" PRIu64 " events dropped, %" PRIu64
			   " packets lost, %" PRIu64 " damaged spots\n",
			r->dropped, r->lost, r->errors);
	else
		fprintf(f, "  lost: nothing\n");
	text_streams(r, f);
	text_events(r, f);
	text_tcg(r, f);
	text_keycounts(r, f);
	fflush(f);
	return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------ JSON */

static void json_pc(FILE *f, const struct vt_report *r, const char *key,
		    uint64_t pc)
{
	char fn[160];
	uint64_t off;

	fprintf(f, "\"%s\": %" PRIu64 ", \"%s_hex\": \"0x%" PRIx64 "\"", key,
		pc, key, pc);
	if (r->opt.elf && vt_elf_lookup(r->opt.elf, pc, &off)) {
		fputs(", \"function\": ", f);
		vt_json_string(f, vt_elf_lookup(r->opt.elf, pc, &off));
		fprintf(f, ", \"offset\": %" PRIu64 ", \"symbol\": ", off);
		vt_json_string(f, pc_text(r, pc, fn, sizeof(fn)));
	}
}

static void json_hist(FILE *f, const uint64_t *h, const char *name,
		      const uint64_t *h2, const char *name2)
{
	unsigned int first, last;
	uint64_t lo, hi;
	bool comma = false;

	hist_bounds(h, &first, &last);
	fputc('[', f);
	for (unsigned int k = first; k <= last && k < VT_REPORT_HIST; k++) {
		bucket_range(k, &lo, &hi);
		fprintf(f, "%s\n      {\"lo\": %" PRIu64 ", \"hi\": %" PRIu64
			   ", \"%s\": %" PRIu64, comma ? "," : "", lo, hi,
			name, h[k]);
		if (h2)
			fprintf(f, ", \"%s\": %" PRIu64, name2, h2[k]);
		fputc('}', f);
		comma = true;
	}
	fputc(']', f);
}

static void json_blocks(FILE *f, const struct vt_report *r,
			int (*cmp)(const void *, const void *), bool retrans)
{
	size_t n, shown = 0;
	void **v = vt_table_sorted(&r->blocks, cmp, &n);

	fputc('[', f);
	for (size_t i = 0; i < n && shown < r->opt.top; i++) {
		const struct vt_block *b = v[i];

		if (retrans ? b->translations < 2 :
			      !(cmp == vt_block_by_execs ? b->execs :
							    b->translations))
			break;
		fprintf(f, "%s\n      {", shown ? "," : "");
		json_pc(f, r, "pc", b->h.key);
		fprintf(f, ", \"execs\": %" PRIu64 ", \"translations\": %"
			   PRIu64 ", \"translate_ns\": %" PRIu64
			   ", \"insns\": %u, \"invalidations\": %" PRIu64,
			b->execs, b->translations, b->translate_ns, b->insns,
			b->invalidations);
		if (retrans) {
			fputs(", \"why\": {", f);
			for (int k = 0; k < VT_RETRANS_NREASONS; k++)
				fprintf(f, "%s\"%s\": %u", k ? ", " : "",
					vt_retrans_names[k], b->retrans[k]);
			fputc('}', f);
		}
		fputc('}', f);
		shown++;
	}
	free(v);
	fputc(']', f);
}

static void json_keycounts(FILE *f, const struct vt_table *tab, int kind)
{
	size_t n;
	void **v = vt_table_sorted(tab, by_count, &n);

	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		const struct vt_keycount *k = v[i];

		fprintf(f, "%s\n    {", i ? "," : "");
		switch (kind) {
		case 0:
			fprintf(f, "\"num\": %" PRIu64 ", ", k->h.key);
			if (vt_syscall_name(k->h.key))
				fprintf(f, "\"name\": \"%s\", ",
					vt_syscall_name(k->h.key));
			fprintf(f, "\"calls\": %" PRIu64
				   ", \"returns\": %" PRIu64 ", \"errors\": %"
				   PRIu64 ", \"latency_ticks\": %" PRIu64
				   ", \"latency_count\": %" PRIu64,
				k->count, k->count2, k->errors,
				k->latency_ticks, k->latency_n);
			break;
		case 1:
		case 2:
			fprintf(f, "\"cause\": %" PRIu64 ", \"name\": \"%s\", "
				   "\"count\": %" PRIu64, k->h.key,
				kind == 1 ? vt_riscv_exception_name(k->h.key) :
					    vt_riscv_interrupt_name(k->h.key),
				k->count);
			break;
		default:
			fprintf(f, "\"addr\": %" PRIu64 ", \"addr_hex\": \"0x%"
				   PRIx64 "\", \"reads\": %" PRIu64
				   ", \"writes\": %" PRIu64, k->h.key,
				k->h.key, k->count, k->count2);
		}
		fputc('}', f);
	}
	free(v);
	fputc(']', f);
}

int vt_report_print_json(const struct vt_report *r, FILE *f)
{
	const struct vt_metadata *md = r->md;
	uint64_t run = vcpu_run_ns(r), hist[VT_REPORT_HIST];
	char label[32];
	bool comma = false;
	size_t n;
	void **v;

	fputs("{\n  \"format\": \"vtrace-report\",\n  \"version\": 1,\n"
	      "  \"trace\": ", f);
	vt_json_string(f, r->dir);
	fprintf(f, ",\n  \"clock_freq\": %" PRIu64 ",\n  \"window\": "
		   "{\"begin_s\": %.9f, \"end_s\": %.9f, \"bin_s\": %.9f, "
		   "\"bins\": %d",
		md->clock_freq, vt_report_seconds(r, r->begin),
		vt_report_seconds(r, r->end),
		(double)to_ns(r, r->bin_ticks) / 1e9, VT_REPORT_BINS);
	if (r->opt.has_vcpu) {
		struct vt_report_stream tmp = { .seen = true,
						.cpu_id = r->opt.vcpu };

		fputs(", \"only\": ", f);
		vt_json_string(f, vt_report_stream_label(&tmp, label,
							 sizeof(label)));
	}
	fprintf(f, "},\n  \"events\": %" PRIu64 ",\n  \"dropped\": %" PRIu64
		   ",\n  \"lost_packets\": %" PRIu64 ",\n  \"problems\": %"
		   PRIu64 ",\n", r->events, r->dropped, r->lost, r->errors);

	fputs("  \"streams\": [", f);
	for (unsigned int i = 0; i < r->nstreams; i++) {
		const struct vt_report_stream *s = &r->streams[i];

		if (!s->seen)
			continue;
		fprintf(f, "%s\n    {\"name\": ", comma ? "," : "");
		vt_json_string(f, vt_report_stream_label(s, label,
							 sizeof(label)));
		fputs(", \"file\": ", f);
		vt_json_string(f, s->stream->name);
		fprintf(f, ", \"cpu_id\": %u, \"sys\": %s, \"events\": %" PRIu64
			   ", \"events_per_s\": %.3f, \"first_s\": %.9f, "
			   "\"last_s\": %.9f, \"run_ns\": %" PRIu64
			   ", \"dropped\": %" PRIu64 ", \"lost_packets\": %"
			   PRIu64 ", \"translations\": %" PRIu64
			   ", \"translate_ns\": %" PRIu64 ", \"execs\": %"
			   PRIu64 ",\n     \"counts\": {",
			s->cpu_id, vt_cpu_is_sys(s->cpu_id) ? "true" : "false",
			s->events, rate(r, s),
			s->events ? vt_report_seconds(r, s->first) : 0.0,
			s->events ? vt_report_seconds(r, s->last) : 0.0,
			span_ns(r, s), s->dropped, s->lost, s->translations,
			s->translate_ns, s->execs);
		for (unsigned int c = 0, k = 0; c < md->nevents; c++) {
			if (!s->class_count[c])
				continue;
			fprintf(f, "%s", k++ ? ", " : "");
			vt_json_string(f, md->events[c].name);
			fprintf(f, ": %" PRIu64, s->class_count[c]);
		}
		fputs("},\n     \"rate_bins\": [", f);
		for (int b = 0; b < VT_REPORT_BINS; b++)
			fprintf(f, "%s%" PRIu64, b ? "," : "", s->bins[b]);
		fputs("]}", f);
		comma = true;
	}
	fputs("],\n  \"event_counts\": {", f);
	for (unsigned int c = 0, k = 0; c < md->nevents; c++) {
		if (!r->class_total[c])
			continue;
		fprintf(f, "%s", k++ ? ", " : "");
		vt_json_string(f, md->events[c].name);
		fprintf(f, ": %" PRIu64, r->class_total[c]);
	}

	fprintf(f, "},\n  \"tcg\": {\n    \"has_translate_block\": %s, "
		   "\"has_exec_tb\": %s,\n    \"translations\": %" PRIu64
		   ", \"blocks\": %" PRIu64 ", \"execs\": %" PRIu64
		   ",\n    \"translate_ns\": %" PRIu64
		   ", \"translate_max_ns\": %" PRIu64 ", \"run_ns\": %" PRIu64
		   ", \"translate_share\": %.6f,\n",
		r->has_translate ? "true" : "false",
		r->has_exec ? "true" : "false", r->translations,
		block_size_hist(r, hist), r->execs, r->translate_ns,
		r->translate_max_ns, run,
		run ? (double)r->translate_ns / (double)run : 0.0);
	fputs("    \"hot_by_execs\": ", f);
	json_blocks(f, r, vt_block_by_execs, false);
	fputs(",\n    \"hot_by_translations\": ", f);
	json_blocks(f, r, vt_block_by_translations, false);
	fprintf(f, ",\n    \"retranslated\": {\"blocks\": %" PRIu64
		   ", \"retranslations\": %" PRIu64 ", \"why\": {",
		retranslated_blocks(r), r->retranslations);
	for (int k = 0; k < VT_RETRANS_NREASONS; k++)
		fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "",
			vt_retrans_names[k], r->retrans[k]);
	fputs("},\n      \"top\": ", f);
	json_blocks(f, r, by_retrans, true);
	fputs("},\n    \"translate_hist_ns\": ", f);
	json_hist(f, r->translate_hist, "translations", NULL, NULL);
	fputs(",\n    \"block_sizes\": ", f);
	json_hist(f, r->size_hist, "translations", hist, "blocks");
	fprintf(f, ",\n    \"invalidations\": {\"total\": %" PRIu64
		   ", \"store\": %" PRIu64 ", \"fence.i\": %" PRIu64
		   ", \"pages\": [", r->invalidations, r->inv_store,
		r->inv_fence_i);
	v = vt_table_sorted(&r->pages, page_by_count, &n);
	for (size_t i = 0; i < n; i++) {
		const struct vt_page *p = v[i];

		fprintf(f, "%s\n      {\"page\": %" PRIu64 ", \"page_hex\": "
			   "\"0x%" PRIx64 "\", \"count\": %" PRIu64
			   ", \"store\": %" PRIu64 ", \"fence.i\": %" PRIu64 "}",
			i ? "," : "", p->h.key, p->h.key, p->count, p->store,
			p->fence_i);
	}
	free(v);
	fprintf(f, "]},\n    \"flushes\": {\"count\": %" PRIu64
		   ", \"blocks\": %" PRIu64 ", \"reasons\": {", r->flushes,
		r->flushed_blocks);
	for (unsigned int i = 0; i < r->nflush_reasons; i++) {
		fprintf(f, "%s", i ? ", " : "");
		vt_json_string(f, r->flush_reasons[i].text);
		fprintf(f, ": %" PRIu64, r->flush_reasons[i].count);
	}
	fputs("}}\n  },\n  \"syscalls\": ", f);
	json_keycounts(f, &r->syscalls, 0);
	fputs(",\n  \"exceptions\": ", f);
	json_keycounts(f, &r->exceptions, 1);
	fputs(",\n  \"interrupts\": ", f);
	json_keycounts(f, &r->interrupts, 2);
	fputs(",\n  \"mmio\": ", f);
	json_keycounts(f, &r->mmio, 3);
	fputs("\n}\n", f);
	fflush(f);
	return ferror(f) ? -1 : 0;
}
