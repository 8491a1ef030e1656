// SPDX-License-Identifier: MIT
/*
 * `vtrace report --svg FILE`: one page of three charts drawn from a
 * report (report.h), plain SVG 1.1 written by hand:
 *
 *  1. "Event rate per vCPU over time": one line per stream (a colour per
 *     vCPU, legend on the right), time on x in the unit that suits the
 *     window, events/s on y; red marks under the axis where events were
 *     dropped or packets lost.
 *  2. "Hottest guest blocks": horizontal bars of the top blocks by
 *     executions (exec_tb) or, without it, by translations, labelled
 *     function+offset with --elf.
 *  3. "Translation time histogram": translations per log2 bucket of
 *     translate_block's host_ns.
 *
 * Axes get "nice" ticks (1, 2, 5 x 10^n) with SI-suffixed labels.  A
 * chart without its events says so in its frame instead of staying blank.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vtrace/report.h"

#define PAGE_W		1000
#define MARGIN_L	90
#define MARGIN_R	150	/* legend of chart 1 */
#define PLOT_W		(PAGE_W - MARGIN_L - MARGIN_R)

static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
	"#edc948", "#9c755f", "#ff9da7", "#bab0ac", "#e15759",
};
#define NCOLORS (sizeof(palette) / sizeof(palette[0]))
#define LOSS_COLOR "#d62728"

/* ------------------------------------------------------------ helpers */

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20)
				putc(*s, f);
		}
	}
}

/* A step of 1, 2 or 5 x 10^n giving about n ticks up to max. */
static double nice_step(double max, int n)
{
	double raw = max / n, mag, norm;

	if (raw <= 0)
		return 1;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	if (norm <= 1)
		return mag;
	if (norm <= 2)
		return 2 * mag;
	if (norm <= 5)
		return 5 * mag;
	return 10 * mag;
}

/* 1500 -> "1.5k", 2000000 -> "2M" */
static const char *si(double v, char *buf, size_t len)
{
	static const char suffix[] = " kMGTP";
	int k = 0;

	while (fabs(v) >= 1000 && k < 5) {
		v /= 1000;
		k++;
	}
	if (v == floor(v))
		snprintf(buf, len, "%.0f%c", v, suffix[k]);
	else
		snprintf(buf, len, "%.3g%c", v, suffix[k]);
	if (buf[strlen(buf) - 1] == ' ')
		buf[strlen(buf) - 1] = 0;
	return buf;
}

/* ns -> "512ns", "2us", "1.5ms" */
static const char *ns_label(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.3gns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3g\u00b5s", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3gms", ns / 1e6);
	else
		snprintf(buf, len, "%.3gs", ns / 1e9);
	return buf;
}

/* Cut a "function+0xoff" label to max characters in the function name,
 * keeping the offset: "insertion_sort.co...+0x16". */
static void shorten(char *label, size_t max)
{
	size_t len = strlen(label);
	char *plus = strrchr(label, '+');
	size_t tail = plus ? strlen(plus) : 0;

	if (len <= max || tail + 4 > max)
		return;
	memmove(label + max - tail - 3, "...", 3);
	memmove(label + max - tail, label + len - tail, tail + 1);
}

static void title(FILE *f, int y, const char *text, const char *sub)
{
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"title\">", MARGIN_L - 60,
		y);
	xml_text(f, text);
	fputs("</text>\n", f);
	if (sub) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"sub\">",
			MARGIN_L - 60, y + 18);
		xml_text(f, sub);
		fputs("</text>\n", f);
	}
}

static void empty_frame(FILE *f, int top, int h, const char *why)
{
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		   "class=\"frame\"/>\n", MARGIN_L, top, PLOT_W, h);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"empty\" "
		   "text-anchor=\"middle\">", MARGIN_L + PLOT_W / 2,
		top + h / 2);
	xml_text(f, why);
	fputs("</text>\n", f);
}

/* y axis with grid lines: value 0..max mapped to top+h..top */
static double y_axis(FILE *f, int top, int h, double max, const char *label)
{
	double step = nice_step(max > 0 ? max : 1, 5), v;
	char buf[32];

	max = ceil((max > 0 ? max : 1) / step) * step;
	for (v = 0; v <= max * 1.0000001; v += step) {
		double y = top + h - v / max * h;

		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			   "class=\"grid\"/>\n", MARGIN_L, y, MARGIN_L + PLOT_W,
			y);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" "
			   "text-anchor=\"end\">%s</text>\n", MARGIN_L - 6,
			y + 4, si(v, buf, sizeof(buf)));
	}
	fprintf(f, "<text transform=\"translate(%d,%d) rotate(-90)\" "
		   "class=\"axis\" text-anchor=\"middle\">", MARGIN_L - 58,
		top + h / 2);
	xml_text(f, label);
	fputs("</text>\n", f);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		   "class=\"axisline\"/>\n", MARGIN_L, top, MARGIN_L, top + h);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		   "class=\"axisline\"/>\n", MARGIN_L, top + h,
		MARGIN_L + PLOT_W, top + h);
	return max;
}

/* ------------------------------------------------------------ charts */

static int chart_rates(const struct vt_report *r, FILE *f, int top)
{
	const int h = 240;
	double bin_ns = (double)vt_metadata_ticks_to_ns(r->md, r->bin_ticks);
	double span_ns = bin_ns * VT_REPORT_BINS, max = 0, ymax, unit,
	       step, t0 = vt_report_seconds(r, r->begin) * 1e9;
	const char *uname;
	unsigned int color = 0, nlegend = 0;
	char buf[64], label[32];
	bool any_loss = false;

	title(f, top, "Event rate per vCPU over time",
	      "events per second in each of the " "120" " time bins");
	top += 34;
	for (unsigned int i = 0; i < r->nstreams; i++)
		for (int b = 0; b < VT_REPORT_BINS; b++)
			if (r->streams[i].bins[b] > max)
				max = (double)r->streams[i].bins[b];
	if (!r->events) {
		empty_frame(f, top, h, "no events in this trace");
		return top + h + 60;
	}
	ymax = y_axis(f, top, h, max * 1e9 / bin_ns, "events/s");

	/* x axis: time from the trace start, in s, ms, us or ns */
	if (span_ns + t0 >= 1e9) {
		unit = 1e9;
		uname = "s";
	} else if (span_ns + t0 >= 1e6) {
		unit = 1e6;
		uname = "ms";
	} else if (span_ns + t0 >= 1e3) {
		unit = 1e3;
		uname = "\u00b5s";
	} else {
		unit = 1;
		uname = "ns";
	}
	step = nice_step(span_ns / unit, 8);
	for (double v = ceil(t0 / unit / step) * step;
	     v <= (t0 + span_ns) / unit * 1.0000001; v += step) {
		double x = MARGIN_L + (v * unit - t0) / span_ns * PLOT_W;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			   "class=\"axisline\"/>\n", x, top + h, x, top + h + 5);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" "
			   "text-anchor=\"middle\">%g</text>\n", x, top + h + 18,
			fabs(v) < step / 1e6 ? 0 : v);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis\" "
		   "text-anchor=\"middle\">time from the trace start (%s)"
		   "</text>\n", MARGIN_L + PLOT_W / 2, top + h + 38, uname);

	for (unsigned int i = 0; i < r->nstreams; i++) {
		const struct vt_report_stream *s = &r->streams[i];
		const char *c;

		if (!s->seen)
			continue;
		c = palette[color++ % NCOLORS];
		fprintf(f, "<polyline class=\"rate\" stroke=\"%s\" points=\"",
			c);
		for (int b = 0; b < VT_REPORT_BINS; b++) {
			double x = MARGIN_L + (b + 0.5) * PLOT_W /
						      VT_REPORT_BINS;
			double y = top + h - (double)s->bins[b] * 1e9 /
						     bin_ns / ymax * h;

			fprintf(f, "%s%.1f,%.1f", b ? " " : "", x, y);
		}
		fputs("\"/>\n", f);
		for (int b = 0; b < VT_REPORT_BINS; b++) {
			double x = MARGIN_L + (b + 0.5) * PLOT_W /
						      VT_REPORT_BINS;

			if (!s->drop_bins[b])
				continue;
			any_loss = true;
			fprintf(f, "<path d=\"M%.1f,%d l-5,9 h10 z\" fill=\"%s\">"
				   "<title>%s: %" PRIu64 " lost</title></path>\n",
				x, top + h - 9, LOSS_COLOR,
				vt_report_stream_label(s, label, sizeof(label)),
				s->drop_bins[b]);
		}
		/* legend */
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" "
			   "fill=\"%s\"/>\n", MARGIN_L + PLOT_W + 16,
			top + 8 + 20 * nlegend, c);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>"
			   "\n", MARGIN_L + PLOT_W + 36, top + 14 + 20 * nlegend,
			vt_report_stream_label(s, label, sizeof(label)));
		nlegend++;
	}
	if (any_loss || r->dropped || r->lost) {
		fprintf(f, "<path d=\"M%d,%d l-5,9 h10 z\" fill=\"%s\"/>\n",
			MARGIN_L + PLOT_W + 23, top + 4 + 20 * nlegend,
			LOSS_COLOR);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"legend\">loss"
			   "</text>\n", MARGIN_L + PLOT_W + 36,
			top + 14 + 20 * nlegend);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"legend small\">"
			   "%s events dropped</text>\n",
			MARGIN_L + PLOT_W + 16, top + 34 + 20 * nlegend,
			si((double)r->dropped, buf, sizeof(buf)));
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"legend small\">"
			   "%s packets lost</text>\n",
			MARGIN_L + PLOT_W + 16, top + 48 + 20 * nlegend,
			si((double)r->lost, buf, sizeof(buf)));
	}
	return top + h + 70;
}

static int chart_hot(const struct vt_report *r, FILE *f, int top)
{
	bool by_execs = r->execs > 0;
	unsigned int nbars = r->opt.top < 15 ? r->opt.top : 15;
	const int bar_h = 20, label_w = 230;
	int h, x0 = MARGIN_L - 60 + label_w, w = PAGE_W - 40 - x0 - 70;
	size_t n, shown = 0;
	void **v;
	char buf[160];
	double max, step;

	snprintf(buf, sizeof(buf), by_execs ?
		 "exec_tb events per block, top %u of %" PRIu64 " blocks" :
		 "translate_block events per block, top %u of %" PRIu64
		 " blocks (exec_tb was off)", nbars, r->blocks.count);
	title(f, top, by_execs ? "Hottest guest blocks by executions" :
				 "Hottest guest blocks by translations", buf);
	top += 34;
	if (!r->translations && !r->execs) {
		empty_frame(f, top, 80, "no translate_block events");
		return top + 80 + 50;
	}
	v = vt_table_sorted(&r->blocks, by_execs ? vt_block_by_execs :
						   vt_block_by_translations,
			    &n);
	if (!v)
		return top;
	max = (double)(by_execs ? ((struct vt_block *)v[0])->execs :
				  ((struct vt_block *)v[0])->translations);
	step = nice_step(max, 5);
	max = ceil(max / step) * step;
	for (size_t i = 0; i < n && shown < nbars; i++) {
		const struct vt_block *b = v[i];
		uint64_t val = by_execs ? b->execs : b->translations;
		int y = top + (int)shown * (bar_h + 6);

		if (!val)
			break;
		vt_elf_describe(r->opt.elf, b->h.key, buf, sizeof(buf));
		shorten(buf, 30);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"label\" "
			   "text-anchor=\"end\">", x0 - 8, y + 15);
		xml_text(f, buf);
		fputs("</text>\n", f);
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" "
			   "height=\"%d\" fill=\"%s\"><title>0x%" PRIx64
			   ": %" PRIu64 "</title></rect>\n", x0, y,
			(double)val / max * w, bar_h, palette[0], b->h.key,
			val);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"value\">%" PRIu64
			   "</text>\n", x0 + (double)val / max * w + 5, y + 15,
			val);
		shown++;
	}
	free(v);
	h = (int)shown * (bar_h + 6);
	for (double t = 0; t <= max * 1.0000001; t += step) {
		double x = x0 + t / max * w;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			   "class=\"grid\"/>\n", x, top - 4, x, top + h);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" "
			   "text-anchor=\"middle\">%s</text>\n", x,
			top + h + 16, si(t, buf, sizeof(buf)));
	}
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		   "class=\"axisline\"/>\n", x0, top - 4, x0, top + h);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis\" "
		   "text-anchor=\"middle\">%s</text>\n", x0 + w / 2,
		top + h + 36, by_execs ? "executions" : "translations");
	return top + h + 70;
}

static int chart_hist(const struct vt_report *r, FILE *f, int top)
{
	const int h = 200;
	unsigned int first = VT_REPORT_HIST, last = 0, nb;
	double max = 0, ymax, bw;
	char buf[32], sub[128];

	snprintf(sub, sizeof(sub), "translations per host_ns bucket; total %s",
		 ns_label((double)r->translate_ns, buf, sizeof(buf)));
	title(f, top, "Translation time histogram",
	      r->translations ? sub : NULL);
	top += 34;
	for (unsigned int k = 0; k < VT_REPORT_HIST; k++) {
		if (!r->translate_hist[k])
			continue;
		if (first == VT_REPORT_HIST)
			first = k;
		last = k;
		if ((double)r->translate_hist[k] > max)
			max = (double)r->translate_hist[k];
	}
	if (!r->translations) {
		empty_frame(f, top, 80, "no translate_block events");
		return top + 80 + 50;
	}
	ymax = y_axis(f, top, h, max, "translations");
	nb = last - first + 1;
	bw = (double)PLOT_W / nb;
	for (unsigned int k = first; k <= last; k++) {
		double x = MARGIN_L + (k - first) * bw;
		double bh = (double)r->translate_hist[k] / ymax * h;
		uint64_t lo = k ? 1ull << (k - 1) : 0;

		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			   "height=\"%.1f\" fill=\"%s\"><title>%" PRIu64
			   " translations</title></rect>\n", x + bw * 0.1,
			top + h - bh, bw * 0.8, bh, palette[1],
			r->translate_hist[k]);
		if (r->translate_hist[k])
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"value\" "
				   "text-anchor=\"middle\">%" PRIu64 "</text>\n",
				x + bw / 2, top + h - bh - 4,
				r->translate_hist[k]);
		/* label the lower bound; skip some when crowded */
		if (nb <= 16 || (k - first) % ((nb + 15) / 16) == 0)
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" "
				   "text-anchor=\"middle\">%s</text>\n",
				x + bw / 2, top + h + 16,
				ns_label((double)lo, buf, sizeof(buf)));
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis\" "
		   "text-anchor=\"middle\">host time per translation, log2 "
		   "buckets (lower bound)</text>\n", MARGIN_L + PLOT_W / 2,
		top + h + 36);
	return top + h + 60;
}

int vt_report_print_svg(const struct vt_report *r, FILE *out)
{
	char head[256], sub[256], a[32], *body = NULL;
	size_t body_len = 0;
	FILE *f;
	int y;

	/* the page height is known at the end: draw into memory first */
	f = open_memstream(&body, &body_len);
	if (!f)
		return -1;
	fputs("<style>\n"
	      " .title { font-size: 18px; font-weight: bold; fill: #222; }\n"
	      " .head { font-size: 22px; font-weight: bold; fill: #111; }\n"
	      " .sub { font-size: 12px; fill: #666; }\n"
	      " .tick { font-size: 11px; fill: #444; }\n"
	      " .axis { font-size: 12px; fill: #333; }\n"
	      " .label { font-size: 12px; fill: #222; font-family: "
	      "'DejaVu Sans Mono', monospace; }\n"
	      " .value { font-size: 11px; fill: #333; }\n"
	      " .legend { font-size: 12px; fill: #222; }\n"
	      " .small { font-size: 10px; fill: #666; }\n"
	      " .empty { font-size: 14px; fill: #888; font-style: italic; }\n"
	      " .grid { stroke: #e4e4e4; stroke-width: 1; }\n"
	      " .axisline { stroke: #555; stroke-width: 1; }\n"
	      " .frame { fill: #fafafa; stroke: #ccc; }\n"
	      " .rate { fill: none; stroke-width: 1.8; "
	      "stroke-linejoin: round; }\n"
	      "</style>\n", f);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	snprintf(head, sizeof(head), "vtrace report: %s", r->dir);
	fprintf(f, "<text x=\"30\" y=\"34\" class=\"head\">");
	xml_text(f, head);
	fputs("</text>\n", f);
	snprintf(sub, sizeof(sub), "%" PRIu64 " events over %s; %" PRIu64
		 " translations, %" PRIu64 " executions; lost: %" PRIu64
		 " events dropped, %" PRIu64 " packets",
		 r->events,
		 ns_label((double)(vt_metadata_ticks_to_ns(r->md, r->end) -
				   vt_metadata_ticks_to_ns(r->md, r->begin)),
			  a, sizeof(a)),
		 r->translations, r->execs, r->dropped, r->lost);
	fprintf(f, "<text x=\"30\" y=\"56\" class=\"sub\">");
	xml_text(f, sub);
	fputs("</text>\n", f);

	y = chart_rates(r, f, 96);
	y = chart_hot(r, f, y);
	y = chart_hist(r, f, y);
	if (fclose(f)) {
		free(body);
		return -1;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		     "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\""
		     "DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
		PAGE_W, y, PAGE_W, y);
	fwrite(body, 1, body_len, out);
	fputs("</svg>\n", out);
	free(body);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
