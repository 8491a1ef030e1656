// SPDX-License-Identifier: MIT
/*
 * `vtrace report DIR`: where translation and execution time go, on which
 * vCPU, and what was lost; text, --json or --svg.
 *
 * One pass over the merged stream of items (ctf-reader.h) fills struct
 * vt_report (report.h).  Per event the work is a class lookup, a few
 * counter increments and, for the TCG events, one hash-table probe keyed
 * by guest pc, so the pass runs at the reader's pace and the memory is
 * bounded by distinct blocks, pages, syscalls and causes, never by the
 * number of events.
 *
 * Event-rate bins: the window (the trace's span from its packet headers,
 * cut by --from/--to) is split into VT_REPORT_BINS equal bins before the
 * pass; each stream caches the bounds of its current bin, so a bin index
 * is only computed when an event leaves the bin of the one before.
 *
 * Retranslations are attributed in merged time order, across vCPUs (the
 * block cache is shared): a translate_block of a pc translated before is
 * charged to the invalidation of that pc seen since (its reason), else to
 * a tb_flush seen since, else to "other-vcpu" when another vCPU made the
 * previous translation (two vCPUs racing to translate it, or a per-vCPU
 * block-cache key such as the trace mask), else to "unknown" (a mask
 * change on the same vCPU, or the explanation was lost).  With --vcpu,
 * invalidations and flushes of the other vCPUs still feed that state but
 * are not counted.
 */
#include "tools/vtrace/report.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vtrace/vtrace.h"

const char *const vt_retrans_names[VT_RETRANS_NREASONS] = {
	[VT_RETRANS_STORE] = "store",
	[VT_RETRANS_FENCE_I] = "fence.i",
	[VT_RETRANS_INVALIDATE] = "invalidate",
	[VT_RETRANS_FLUSH] = "flush",
	[VT_RETRANS_OTHER_VCPU] = "other-vcpu",
	[VT_RETRANS_UNKNOWN] = "unknown",
};

/* ------------------------------------------------------------ table */

#define HASH_MUL	0x9E3779B97F4A7C15ull

static int table_init(struct vt_table *tab, size_t entry_size)
{
	tab->entry_size = entry_size;
	tab->mask = 255;
	tab->shift = 64 - 8;
	tab->count = 0;
	tab->slots = calloc(tab->mask + 1, entry_size);
	return tab->slots ? 0 : -ENOMEM;
}

static void table_free(struct vt_table *tab)
{
	free(tab->slots);
	tab->slots = NULL;
}

/* Fibonacci hashing: the top bits of key * 2^64/phi.  Guest pcs differ in
 * their low bits and share the rest; the multiply carries every bit of
 * the key into the top ones. */
static inline uint64_t table_index(const struct vt_table *tab, uint64_t key)
{
	return (key * HASH_MUL) >> tab->shift;
}

static inline struct vt_table_head *table_slot(const struct vt_table *tab,
					       uint64_t i)
{
	return (struct vt_table_head *)(tab->slots + i * tab->entry_size);
}

static int table_grow(struct vt_table *tab)
{
	struct vt_table bigger = { .entry_size = tab->entry_size,
				   .mask = 2 * tab->mask + 1,
				   .shift = tab->shift - 1,
				   .count = tab->count };

	bigger.slots = calloc(bigger.mask + 1, bigger.entry_size);
	if (!bigger.slots)
		return -ENOMEM;
	for (uint64_t i = 0; i <= tab->mask; i++) {
		struct vt_table_head *h = table_slot(tab, i);
		uint64_t j;

		if (!h->used)
			continue;
		j = table_index(&bigger, h->key);
		while (table_slot(&bigger, j)->used)
			j = (j + 1) & bigger.mask;
		memcpy(table_slot(&bigger, j), h, tab->entry_size);
	}
	free(tab->slots);
	*tab = bigger;
	return 0;
}

/* The entry of key, inserted zeroed if new; NULL when out of memory.  The
 * pointer is valid until the next insertion. */
static inline void *table_get(struct vt_table *tab, uint64_t key)
{
	uint64_t i = table_index(tab, key);
	struct vt_table_head *h;

	for (;;) {
		h = table_slot(tab, i);
		if (!h->used)
			break;
		if (h->key == key)
			return h;
		i = (i + 1) & tab->mask;
	}
	if (__builtin_expect(2 * (tab->count + 1) > tab->mask + 1, 0)) {
		if (table_grow(tab))
			return NULL;
		return table_get(tab, key);
	}
	memset(h, 0, tab->entry_size);
	h->used = 1;
	h->key = key;
	tab->count++;
	return h;
}

void **vt_table_sorted(const struct vt_table *tab,
		       int (*cmp)(const void *, const void *), size_t *n)
{
	void **v;
	size_t k = 0;

	*n = 0;
	if (!tab->count || !tab->slots)
		return NULL;
	v = malloc(tab->count * sizeof(*v));
	if (!v)
		return NULL;
	for (uint64_t i = 0; i <= tab->mask; i++)
		if (table_slot(tab, i)->used)
			v[k++] = table_slot(tab, i);
	qsort(v, k, sizeof(*v), cmp);
	*n = k;
	return v;
}

#define CMP_DESC(x, y) do { if ((x) != (y)) return (x) < (y) ? 1 : -1; } while (0)

int vt_block_by_execs(const void *a, const void *b)
{
	const struct vt_block *x = *(void *const *)a, *y = *(void *const *)b;

	CMP_DESC(x->execs, y->execs);
	CMP_DESC(x->translations, y->translations);
	return x->h.key < y->h.key ? -1 : x->h.key > y->h.key;
}

int vt_block_by_translations(const void *a, const void *b)
{
	const struct vt_block *x = *(void *const *)a, *y = *(void *const *)b;

	CMP_DESC(x->translations, y->translations);
	CMP_DESC(x->translate_ns, y->translate_ns);
	return x->h.key < y->h.key ? -1 : x->h.key > y->h.key;
}

int vt_keycount_by_key(const void *a, const void *b)
{
	const struct vt_keycount *x = *(void *const *)a;
	const struct vt_keycount *y = *(void *const *)b;

	return x->h.key < y->h.key ? -1 : x->h.key > y->h.key;
}

/* ------------------------------------------------------------ roles */

enum role {
	ROLE_NONE,
	ROLE_TRANSLATE,		/* pc, insns, host_ns (optional) */
	ROLE_EXEC,		/* pc */
	ROLE_INVALIDATE,	/* pc, page, reason */
	ROLE_FLUSH,		/* blocks, reason */
	ROLE_SYSCALL,		/* num */
	ROLE_SYSCALL_RET,	/* num, ret */
	ROLE_EXCEPTION,		/* cause */
	ROLE_INTERRUPT,		/* cause */
	ROLE_MMIO_READ,		/* addr */
	ROLE_MMIO_WRITE,	/* addr */
};

struct field_ref {
	uint32_t offset, size;
};

struct class_info {
	enum role role;
	unsigned int index;		/* in md->events */
	struct field_ref f[3];
};

struct roles {
	struct class_info *by_id;	/* [md->nids] */
};

static const struct {
	const char *event;
	enum role role;
	/* "" for none; "$name" a string; "?name" an integer that may be
	 * missing (read as 0: QEMU's plugin cannot time a translation) */
	const char *fields[3];
} role_table[] = {
	{ "translate_block", ROLE_TRANSLATE, { "pc", "insns", "?host_ns" } },
	{ "exec_tb", ROLE_EXEC, { "pc", "", "" } },
	{ "tb_invalidate", ROLE_INVALIDATE, { "pc", "page", "$reason" } },
	{ "tb_flush", ROLE_FLUSH, { "blocks", "$reason", "" } },
	{ "guest_syscall", ROLE_SYSCALL, { "num", "", "" } },
	{ "guest_syscall_ret", ROLE_SYSCALL_RET, { "num", "ret", "" } },
	{ "cpu_exception", ROLE_EXCEPTION, { "cause", "", "" } },
	{ "cpu_interrupt", ROLE_INTERRUPT, { "cause", "", "" } },
	{ "mmio_read", ROLE_MMIO_READ, { "addr", "", "" } },
	{ "mmio_write", ROLE_MMIO_WRITE, { "addr", "", "" } },
};

static bool find_field(const struct vt_event_class *ec, const char *name,
		       struct field_ref *ref)
{
	bool want_string = name[0] == '$';

	if (want_string)
		name++;
	for (unsigned int i = 0; i < ec->nfields; i++) {
		const struct vt_field *f = &ec->fields[i];

		if (strcmp(f->name, name))
			continue;
		if (want_string ? f->kind != VT_FIELD_STRING :
				  (f->kind != VT_FIELD_UNSIGNED &&
				   f->kind != VT_FIELD_SIGNED &&
				   f->kind != VT_FIELD_HEX))
			return false;
		ref->offset = f->offset;
		ref->size = f->size;
		return true;
	}
	return false;
}

static void assign_role(struct vt_report *r, const struct vt_event_class *ec,
			struct class_info *ci)
{
	for (size_t i = 0; i < sizeof(role_table) / sizeof(role_table[0]);
	     i++) {
		if (strcmp(ec->name, role_table[i].event))
			continue;
		for (int k = 0; k < 3; k++) {
			const char *fname = role_table[i].fields[k];

			if (*fname == '?') {
				if (!find_field(ec, fname + 1, &ci->f[k]))
					ci->f[k].size = 0;
				continue;
			}
			if (*fname && !find_field(ec, fname, &ci->f[k])) {
				fprintf(stderr, "vtrace report: event '%s' "
					"has no integer field '%s' as in "
					"trace-events; only counted\n",
					ec->name, fname + (*fname == '$'));
				return;
			}
		}
		ci->role = role_table[i].role;
		switch (ci->role) {
		case ROLE_TRANSLATE: r->has_translate = true; break;
		case ROLE_EXEC: r->has_exec = true; break;
		case ROLE_INVALIDATE: r->has_invalidate = true; break;
		case ROLE_FLUSH: r->has_flush = true; break;
		case ROLE_SYSCALL:
		case ROLE_SYSCALL_RET: r->has_syscall = true; break;
		case ROLE_EXCEPTION: r->has_exception = true; break;
		case ROLE_INTERRUPT: r->has_interrupt = true; break;
		case ROLE_MMIO_READ:
		case ROLE_MMIO_WRITE: r->has_mmio = true; break;
		case ROLE_NONE: break;
		}
		return;
	}
}

static inline uint64_t load(const uint8_t *payload, struct field_ref f)
{
	switch (f.size) {
	case 0:
		return 0;
	case 1:
		return payload[f.offset];
	case 2: {
		uint16_t v;

		memcpy(&v, payload + f.offset, 2);
		return v;
	}
	case 4: {
		uint32_t v;

		memcpy(&v, payload + f.offset, 4);
		return v;
	}
	default: {
		uint64_t v;

		memcpy(&v, payload + f.offset, 8);
		return v;
	}
	}
}

static inline unsigned int log2_bucket(uint64_t v)
{
	return v ? 64 - (unsigned int)__builtin_clzll(v) : 0;
}

/* ------------------------------------------------------------ setup */

static uint64_t ns_to_ticks(const struct vt_metadata *md, uint64_t ns)
{
	if (md->clock_freq == 1000000000u)
		return ns;
	return (uint64_t)((unsigned __int128)ns * md->clock_freq /
			  1000000000u);
}

struct vt_report *vt_report_new(struct vt_trace *t,
				const struct vt_report_options *opt)
{
	const struct vt_metadata *md = vt_trace_metadata(t);
	struct vt_report *r = calloc(1, sizeof(*r));
	struct roles *roles;

	if (!r)
		return NULL;
	r->md = md;
	r->opt = *opt;
	if (!r->opt.top)
		r->opt.top = 10;
	r->nstreams = vt_trace_nstreams(t);
	r->streams = calloc(r->nstreams + 1, sizeof(*r->streams));
	r->class_total = calloc(md->nevents + 1, sizeof(uint64_t));
	roles = calloc(1, sizeof(*roles));
	r->priv = roles;
	if (!r->streams || !r->class_total || !roles)
		goto out_free;
	roles->by_id = calloc(md->nids + 1, sizeof(*roles->by_id));
	if (!roles->by_id)
		goto out_free;
	for (unsigned int i = 0; i < md->nevents; i++) {
		const struct vt_event_class *ec = &md->events[i];

		roles->by_id[ec->id].index = i;
		assign_role(r, ec, &roles->by_id[ec->id]);
	}
	for (unsigned int i = 0; i < r->nstreams; i++) {
		struct vt_report_stream *s = &r->streams[i];

		s->stream = vt_trace_stream(t, i);
		s->class_count = calloc(md->nevents + 1, sizeof(uint64_t));
		if (!s->class_count)
			goto out_free;
	}
	if (table_init(&r->blocks, sizeof(struct vt_block)) ||
	    table_init(&r->pages, sizeof(struct vt_page)) ||
	    table_init(&r->syscalls, sizeof(struct vt_keycount)) ||
	    table_init(&r->exceptions, sizeof(struct vt_keycount)) ||
	    table_init(&r->interrupts, sizeof(struct vt_keycount)) ||
	    table_init(&r->mmio, sizeof(struct vt_keycount)))
		goto out_free;

	/* the window */
	if (vt_trace_time_range(t, &r->trace_begin, &r->trace_end))
		r->trace_begin = r->trace_end = 0;
	r->begin = r->trace_begin;
	r->end = r->trace_end;
	if (r->opt.has_from)
		r->begin = r->trace_begin + ns_to_ticks(md, r->opt.from_ns);
	if (r->opt.has_to) {
		uint64_t to = r->trace_begin + ns_to_ticks(md, r->opt.to_ns);

		if (to < r->end || r->end == r->trace_begin)
			r->end = to;
	}
	if (r->end < r->begin)
		r->end = r->begin;
	r->bin_ticks = (r->end - r->begin) / VT_REPORT_BINS + 1;
	return r;

out_free:
	vt_report_free(r);
	return NULL;
}

void vt_report_free(struct vt_report *r)
{
	struct roles *roles;

	if (!r)
		return;
	roles = r->priv;
	if (roles)
		free(roles->by_id);
	free(roles);
	for (unsigned int i = 0; r->streams && i < r->nstreams; i++)
		free(r->streams[i].class_count);
	free(r->streams);
	free(r->class_total);
	table_free(&r->blocks);
	table_free(&r->pages);
	table_free(&r->syscalls);
	table_free(&r->exceptions);
	table_free(&r->interrupts);
	table_free(&r->mmio);
	free(r);
}

/* ------------------------------------------------------------ the pass */

static enum vt_retrans_reason invalidate_reason(const uint8_t *payload,
						struct field_ref f)
{
	const char *s = (const char *)payload + f.offset;

	if (!strncmp(s, "store", f.size) && (f.size <= 5 || !s[5]))
		return VT_RETRANS_STORE;
	if (!strncmp(s, "fence.i", f.size) && (f.size <= 7 || !s[7]))
		return VT_RETRANS_FENCE_I;
	return VT_RETRANS_INVALIDATE;
}

static void flush_reason(struct vt_report *r, const uint8_t *payload,
			 struct field_ref f)
{
	char text[sizeof(r->flush_reasons[0].text)];
	size_t n = strnlen((const char *)payload + f.offset, f.size);
	unsigned int i;

	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	memcpy(text, payload + f.offset, n);
	text[n] = 0;
	for (i = 0; i < r->nflush_reasons; i++)
		if (!strcmp(r->flush_reasons[i].text, text))
			break;
	if (i == r->nflush_reasons) {
		if (i == sizeof(r->flush_reasons) / sizeof(r->flush_reasons[0]))
			i--;	/* the last row collects the rest */
		else
			r->nflush_reasons++;
		if (!r->flush_reasons[i].count)
			strcpy(r->flush_reasons[i].text, text);
		else if (strcmp(r->flush_reasons[i].text, text))
			strcpy(r->flush_reasons[i].text, "(other)");
	}
	r->flush_reasons[i].count++;
}

/* Invalidation and flush state, also fed by filtered-out vCPUs. */
static int track_only(struct vt_report *r, const struct class_info *ci,
		      const uint8_t *payload)
{
	struct vt_block *b;

	if (ci->role == ROLE_INVALIDATE) {
		b = table_get(&r->blocks, load(payload, ci->f[0]));
		if (!b)
			return -ENOMEM;
		b->pending = 1 + invalidate_reason(payload, ci->f[2]);
	} else if (ci->role == ROLE_FLUSH) {
		r->epoch++;
	}
	return 0;
}

static int tcg_event(struct vt_report *r, struct vt_report_stream *s,
		     const struct class_info *ci, const struct vt_item *it)
{
	const uint8_t *p = it->payload;
	struct vt_keycount *k;
	struct vt_block *b;
	struct vt_page *pg;
	uint64_t v, ns;

	switch (ci->role) {
	case ROLE_EXEC:
		b = table_get(&r->blocks, load(p, ci->f[0]));
		if (!b)
			return -ENOMEM;
		b->execs++;
		r->execs++;
		s->execs++;
		return 0;
	case ROLE_TRANSLATE:
		b = table_get(&r->blocks, load(p, ci->f[0]));
		if (!b)
			return -ENOMEM;
		ns = load(p, ci->f[2]);
		if (b->translations) {
			enum vt_retrans_reason why;

			if (b->pending)
				why = b->pending - 1;
			else if (b->epoch != r->epoch)
				why = VT_RETRANS_FLUSH;
			else if (b->cpu != it->cpu_id)
				why = VT_RETRANS_OTHER_VCPU;
			else
				why = VT_RETRANS_UNKNOWN;
			b->retrans[why]++;
			r->retrans[why]++;
			r->retranslations++;
		}
		b->translations++;
		b->translate_ns += ns;
		b->insns = (uint32_t)load(p, ci->f[1]);
		b->epoch = r->epoch;
		b->cpu = it->cpu_id;
		b->pending = 0;
		r->translations++;
		r->translate_ns += ns;
		if (ns > r->translate_max_ns)
			r->translate_max_ns = ns;
		r->translate_hist[log2_bucket(ns)]++;
		r->size_hist[log2_bucket(b->insns)]++;
		s->translations++;
		s->translate_ns += ns;
		return 0;
	case ROLE_INVALIDATE: {
		enum vt_retrans_reason why = invalidate_reason(p, ci->f[2]);

		b = table_get(&r->blocks, load(p, ci->f[0]));
		if (!b)
			return -ENOMEM;
		b->invalidations++;
		b->pending = 1 + why;
		pg = table_get(&r->pages, load(p, ci->f[1]));
		if (!pg)
			return -ENOMEM;
		pg->count++;
		r->invalidations++;
		if (why == VT_RETRANS_STORE) {
			pg->store++;
			r->inv_store++;
		} else if (why == VT_RETRANS_FENCE_I) {
			pg->fence_i++;
			r->inv_fence_i++;
		}
		return 0;
	}
	case ROLE_FLUSH:
		r->epoch++;
		r->flushes++;
		r->flushed_blocks += load(p, ci->f[0]);
		flush_reason(r, p, ci->f[1]);
		return 0;
	case ROLE_SYSCALL:
		v = load(p, ci->f[0]);
		k = table_get(&r->syscalls, v);
		if (!k)
			return -ENOMEM;
		k->count++;
		r->syscall_count++;
		s->sc_pending = true;
		s->sc_num = v;
		s->sc_ts = it->timestamp;
		return 0;
	case ROLE_SYSCALL_RET: {
		int64_t ret = (int64_t)load(p, ci->f[1]);

		v = load(p, ci->f[0]);
		k = table_get(&r->syscalls, v);
		if (!k)
			return -ENOMEM;
		k->count2++;
		if (ret < 0 && ret >= -4095)
			k->errors++;
		if (s->sc_pending && s->sc_num == v &&
		    it->timestamp >= s->sc_ts) {
			k->latency_ticks += it->timestamp - s->sc_ts;
			k->latency_n++;
		}
		s->sc_pending = false;
		return 0;
	}
	case ROLE_EXCEPTION:
	case ROLE_INTERRUPT:
		k = table_get(ci->role == ROLE_EXCEPTION ? &r->exceptions :
							   &r->interrupts,
			      load(p, ci->f[0]));
		if (!k)
			return -ENOMEM;
		k->count++;
		if (ci->role == ROLE_EXCEPTION)
			r->exception_count++;
		else
			r->interrupt_count++;
		return 0;
	case ROLE_MMIO_READ:
	case ROLE_MMIO_WRITE:
		k = table_get(&r->mmio, load(p, ci->f[0]));
		if (!k)
			return -ENOMEM;
		if (ci->role == ROLE_MMIO_READ) {
			k->count++;
			r->mmio_reads++;
		} else {
			k->count2++;
			r->mmio_writes++;
		}
		return 0;
	case ROLE_NONE:
		break;
	}
	return 0;
}

static inline void count_bin(const struct vt_report *r,
			     struct vt_report_stream *s, uint64_t ts)
{
	uint64_t b;

	if (__builtin_expect(ts >= s->bin_lo && ts < s->bin_hi, 1)) {
		s->bins[s->bin]++;
		return;
	}
	b = ts > r->begin ? (ts - r->begin) / r->bin_ticks : 0;
	if (b >= VT_REPORT_BINS)
		b = VT_REPORT_BINS - 1;
	s->bin = (unsigned int)b;
	s->bin_lo = r->begin + b * r->bin_ticks;
	s->bin_hi = s->bin_lo + r->bin_ticks;
	if (ts < s->bin_lo || ts >= s->bin_hi)	/* clamped: no cache */
		s->bin_lo = s->bin_hi = 0;
	s->bins[s->bin]++;
}

int vt_report_collect(struct vt_report *r, struct vt_trace *t)
{
	const struct class_info *by_id = ((struct roles *)r->priv)->by_id;
	bool windowed = r->opt.has_from || r->opt.has_to;
	const struct vt_item *it;
	int ret = 0;

	while ((it = vt_trace_next_ref(t))) {
		struct vt_report_stream *s = &r->streams[it->stream->index];
		const struct class_info *ci;

		if (__builtin_expect(windowed, 0) &&
		    (it->timestamp < r->begin || it->timestamp > r->end))
			continue;
		if (__builtin_expect(r->opt.has_vcpu, 0) &&
		    it->cpu_id != r->opt.vcpu) {
			if (it->kind == VT_ITEM_EVENT &&
			    by_id[it->event->id].role != ROLE_NONE &&
			    track_only(r, &by_id[it->event->id], it->payload))
				return -ENOMEM;
			continue;
		}
		if (__builtin_expect(!s->seen, 0)) {
			s->seen = true;
			s->cpu_id = it->cpu_id;
			s->first = it->timestamp;
		}
		if (__builtin_expect(it->kind != VT_ITEM_EVENT, 0)) {
			uint64_t b = it->timestamp > r->begin ?
					     (it->timestamp - r->begin) /
						     r->bin_ticks : 0;

			s->drop_bins[b < VT_REPORT_BINS ? b :
							  VT_REPORT_BINS - 1] +=
				it->count;
			if (it->kind == VT_ITEM_DISCARDED) {
				s->dropped += it->count;
				r->dropped += it->count;
			} else {
				s->lost += it->count;
				r->lost += it->count;
			}
			continue;
		}
		ci = &by_id[it->event->id];
		if (!s->events)
			s->first = it->timestamp;
		s->last = it->timestamp;
		s->events++;
		s->class_count[ci->index]++;
		count_bin(r, s, it->timestamp);
		if (ci->role != ROLE_NONE) {
			ret = tcg_event(r, s, ci, it);
			if (ret)
				return ret;
		}
	}
	for (unsigned int i = 0; i < r->nstreams; i++) {
		r->events += r->streams[i].events;
		for (unsigned int c = 0; c < r->md->nevents; c++)
			r->class_total[c] += r->streams[i].class_count[c];
	}
	r->errors = vt_trace_errors(t);
	return ret;
}

/* ------------------------------------------------------------ helpers */

double vt_report_seconds(const struct vt_report *r, uint64_t ticks)
{
	uint64_t a = vt_metadata_ticks_to_ns(r->md, ticks);
	uint64_t b = vt_metadata_ticks_to_ns(r->md, r->trace_begin);

	return a >= b ? (double)(a - b) / 1e9 : -(double)(b - a) / 1e9;
}

const char *vt_report_stream_label(const struct vt_report_stream *s,
				   char *buf, size_t len)
{
	if (!s->seen)
		snprintf(buf, len, "%s", s->stream->name);
	else if (vt_cpu_is_sys(s->cpu_id))
		snprintf(buf, len, "sys%u", s->cpu_id - RING_CPU_ID_SYS);
	else
		snprintf(buf, len, "vcpu%u", s->cpu_id);
	return buf;
}

const char *vt_riscv_exception_name(uint64_t cause)
{
	static const char *const names[] = {
		"instruction address misaligned", "instruction access fault",
		"illegal instruction", "breakpoint", "load address misaligned",
		"load access fault", "store/AMO address misaligned",
		"store/AMO access fault", "ecall from U-mode",
		"ecall from S-mode", NULL, "ecall from M-mode",
		"instruction page fault", "load page fault", NULL,
		"store/AMO page fault",
	};

	return cause < sizeof(names) / sizeof(names[0]) && names[cause] ?
		       names[cause] : "?";
}

const char *vt_riscv_interrupt_name(uint64_t cause)
{
	static const char *const names[] = {
		NULL, "supervisor software", NULL, "machine software",
		NULL, "supervisor timer", NULL, "machine timer",
		NULL, "supervisor external", NULL, "machine external",
	};

	return cause < sizeof(names) / sizeof(names[0]) && names[cause] ?
		       names[cause] : "?";
}

void vt_json_string(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

/* ------------------------------------------------------------ command */

void vt_report_usage(void *file)
{
	fprintf(file,
		"usage: vtrace report [OPTIONS] DIR\n"
		"Summarize the trace in DIR: events and losses per vCPU, the "
		"TCG view\n"
		"(hot blocks, retranslations and why, translation time, "
		"invalidations,\n"
		"block sizes), syscalls, exceptions, interrupts and MMIO.\n"
		"\n"
		"  --elf FILE        guest PCs as function+offset, from FILE's "
		"symbols\n"
		"  --kallsyms FILE   also from a Linux /proc/kallsyms saved in "
		"FILE\n"
		"  -c, --vcpu N      only vCPU N (sysN for a sys ring)\n"
		"  --from T, --to T  only events in [T, T] from the trace "
		"start;\n"
		"                    T is seconds, or a number with ns, us, "
		"ms or s\n"
		"  -n, --top N       rows of the top tables (default 10)\n"
		"  --json            JSON on stdout instead of text\n"
		"  --svg FILE        also write an SVG page of charts to FILE\n"
		"  -h, --help        this text\n"
		"\n"
		"Exit status: 0 ok, 1 unreadable or damaged trace (details on "
		"stderr),\n"
		"2 bad usage.\n");
}

/* "1.5", "200ms", "3us", "10ns", "2s" -> ns */
int vt_parse_time(const char *arg, uint64_t *ns)
{
	char *end;
	double v, scale = 1e9;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || v < 0 || !isfinite(v))
		return -EINVAL;
	if (!strcmp(end, "ns"))
		scale = 1;
	else if (!strcmp(end, "us"))
		scale = 1e3;
	else if (!strcmp(end, "ms"))
		scale = 1e6;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v * scale >= 1.8e19)
		return -EINVAL;
	*ns = (uint64_t)llround(v * scale);
	return 0;
}

int vt_parse_cpu(const char *arg, uint32_t *cpu_id)
{
	unsigned long v;
	char *end;
	bool sys = !strncmp(arg, "sys", 3);

	if (sys)
		arg += 3;
	else if (!strncmp(arg, "vcpu", 4))
		arg += 4;
	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v >= RING_CPU_ID_SYS)
		return -EINVAL;
	*cpu_id = (uint32_t)v + (sys ? RING_CPU_ID_SYS : 0);
	return 0;
}

/* Problems found in the trace: one line, exit status 1.  A live trace's
 * packets not yet on disk are a note, not a problem. */
int vt_trace_problems(struct vt_trace *t, const char *dir)
{
	uint64_t n = vt_trace_errors(t), w = vt_trace_unwritten(t);

	if (w)
		fprintf(stderr, "vtrace: %s: still being written; %" PRIu64
			" packet%s not on disk yet skipped\n", dir, w,
			w == 1 ? "" : "s");
	if (!n)
		return 0;
	fprintf(stderr, "vtrace: %s: %" PRIu64 " problem%s found, see above\n",
		dir, n, n == 1 ? "" : "s");
	return 1;
}

int vt_cmd_report(int argc, char **argv)
{
	enum { OPT_ELF = 256, OPT_KALLSYMS, OPT_FROM, OPT_TO, OPT_JSON, OPT_SVG };
	static const struct option options[] = {
		{ "elf", required_argument, NULL, OPT_ELF },
		{ "kallsyms", required_argument, NULL, OPT_KALLSYMS },
		{ "vcpu", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "top", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vt_report_options o = { .top = 10 };
	const char *elf_path = NULL, *kallsyms_path = NULL;
	const char *svg_path = NULL, *dir;
	struct vt_elf *elf = NULL;
	struct vt_report *r = NULL;
	struct vt_trace *t;
	bool json = false;
	int opt, ret = 0;
	char err[512];

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:n:h", options, NULL)) !=
	       -1) {
		switch (opt) {
		case OPT_ELF:
			elf_path = optarg;
			break;
		case OPT_KALLSYMS:
			kallsyms_path = optarg;
			break;
		case 'c':
			if (vt_parse_cpu(optarg, &o.vcpu)) {
				fprintf(stderr, "vtrace report: --vcpu %s: want "
					"a vCPU number or sysN\n", optarg);
				return 2;
			}
			o.has_vcpu = true;
			break;
		case OPT_FROM:
		case OPT_TO:
			if (vt_parse_time(optarg, opt == OPT_FROM ? &o.from_ns :
								    &o.to_ns)) {
				fprintf(stderr, "vtrace report: %s %s: want a "
					"time like 1.5, 200ms, 30us or 10ns\n",
					opt == OPT_FROM ? "--from" : "--to",
					optarg);
				return 2;
			}
			if (opt == OPT_FROM)
				o.has_from = true;
			else
				o.has_to = true;
			break;
		case 'n': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > 100000) {
				fprintf(stderr, "vtrace report: --top %s: want "
					"a number from 1\n", optarg);
				return 2;
			}
			o.top = (unsigned int)v;
			break;
		}
		case OPT_JSON:
			json = true;
			break;
		case OPT_SVG:
			svg_path = optarg;
			break;
		case 'h':
			vt_report_usage(stdout);
			return 0;
		default:
			vt_report_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vtrace report: %s\n", optind < argc ?
			"one trace directory, please" : "no trace directory");
		vt_report_usage(stderr);
		return 2;
	}
	if (o.has_from && o.has_to && o.to_ns < o.from_ns) {
		fprintf(stderr, "vtrace report: --to is before --from\n");
		return 2;
	}
	dir = argv[optind];
	if (vt_elf_load(&elf, elf_path, kallsyms_path, err, sizeof(err))) {
		fprintf(stderr, "vtrace: %s\n", err);
		return 1;
	}
	o.elf = elf;
	t = vt_trace_open(dir, NULL);
	if (!t) {
		vt_elf_close(elf);
		return 1;
	}
	r = vt_report_new(t, &o);
	if (!r || vt_report_collect(r, t)) {
		fprintf(stderr, "vtrace: out of memory\n");
		ret = 1;
		goto out;
	}
	r->dir = dir;
	if (svg_path) {
		FILE *f = fopen(svg_path, "w");

		if (!f) {
			fprintf(stderr, "vtrace: %s: %s\n", svg_path,
				strerror(errno));
			ret = 1;
		} else {
			if (vt_report_print_svg(r, f) | fclose(f)) {
				fprintf(stderr, "vtrace: writing %s failed\n",
					svg_path);
				ret = 1;
			}
		}
	}
	if (json ? vt_report_print_json(r, stdout) :
		   vt_report_print_text(r, stdout)) {
		fprintf(stderr, "vtrace: writing the report: %s\n",
			strerror(errno ? errno : EIO));
		ret = 1;
	}
	if (vt_trace_problems(t, dir))
		ret = 1;
out:
	vt_report_free(r);
	vt_trace_close(t);
	vt_elf_close(elf);
	return ret;
}
