/* SPDX-License-Identifier: MIT */
/*
 * The aggregates behind `vtrace report` (text, --json, --svg) and
 * `vtrace export --folded`: one streaming pass over a trace fills a
 * struct vt_report; the printers only read it.
 *
 *	struct vt_report_options o = { .top = 20 };
 *	struct vt_report *r = vt_report_new(t, &o);	// t from vt_trace_open
 *	vt_report_collect(r, t);			// reads the whole trace
 *	vt_report_print_text(r, stdout);
 *	vt_report_free(r);
 *
 * Memory is bounded by what is distinct, not by the number of events:
 * per stream a fixed set of counters and time bins, per event class one
 * counter per stream, and hash tables keyed by guest pc (blocks), page,
 * syscall number, exception cause and MMIO address.
 *
 * The TCG view is built on the emulator's event names and field names
 * (trace-events): translate_block(pc, insns, host_ns), exec_tb(pc),
 * tb_invalidate(pc, page, reason), tb_flush(blocks, reason),
 * guest_syscall(num, ...), guest_syscall_ret(num, ret),
 * cpu_exception(cause, epc, tval), cpu_interrupt(cause, epc),
 * mmio_read/mmio_write(addr, size, value).  An event whose fields do not
 * have those names and integer types is only counted.
 */
#ifndef VTRACE_REPORT_H
#define VTRACE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/vtrace/ctf-reader.h"
#include "tools/vtrace/elf.h"

#define VT_REPORT_BINS		120	/* event-rate bins over the window */
#define VT_REPORT_HIST		65	/* log2 buckets of a u64 */

/* Why a block was translated again (retranslations). */
enum vt_retrans_reason {
	VT_RETRANS_STORE,	/* tb_invalidate reason "store" */
	VT_RETRANS_FENCE_I,	/* tb_invalidate reason "fence.i" */
	VT_RETRANS_INVALIDATE,	/* tb_invalidate, another reason */
	VT_RETRANS_FLUSH,	/* a tb_flush since its last translation */
	VT_RETRANS_OTHER_VCPU,	/* neither, last translated by another vCPU:
				 * a race, or a per-vCPU cache key (mask) */
	VT_RETRANS_UNKNOWN,	/* neither, same vCPU (mask change, loss) */
	VT_RETRANS_NREASONS,
};
extern const char *const vt_retrans_names[VT_RETRANS_NREASONS];

struct vt_report_options {
	bool has_vcpu;
	uint32_t vcpu;		/* cpu_id to keep */
	bool has_from, has_to;
	uint64_t from_ns, to_ns;	/* from the trace start */
	unsigned int top;	/* rows of the "top" tables */
	const struct vt_elf *elf;	/* or NULL */
};

/* A u64-keyed open-addressing table; entries start with this head. */
struct vt_table_head {
	uint64_t key;
	uint64_t used;
};

struct vt_table {
	uint8_t *slots;
	size_t entry_size;
	uint64_t mask;		/* capacity - 1 */
	unsigned int shift;	/* 64 - log2(capacity) */
	uint64_t count;
};

struct vt_block {
	struct vt_table_head h;		/* key: guest pc */
	uint64_t execs;
	uint64_t translations;
	uint64_t translate_ns;
	uint64_t invalidations;
	uint32_t insns;			/* of its last translation */
	uint32_t epoch;			/* flush epoch at its last translation */
	uint32_t cpu;			/* cpu_id of its last translation */
	uint32_t retrans[VT_RETRANS_NREASONS];
	uint8_t pending;		/* 1 + reason of an invalidation seen */
};

struct vt_page {
	struct vt_table_head h;		/* key: page */
	uint64_t count;
	uint64_t store, fence_i;
};

struct vt_keycount {			/* syscalls, causes, MMIO */
	struct vt_table_head h;
	uint64_t count;
	uint64_t count2;		/* syscalls: returns; MMIO: writes */
	uint64_t errors;		/* syscalls: returns in [-4095, -1] */
	uint64_t latency_ticks;		/* syscalls: entry to return */
	uint64_t latency_n;
};

struct vt_report_stream {
	const struct vt_stream *stream;
	uint32_t cpu_id;
	bool seen;			/* any item in the window */
	uint64_t events, dropped, lost;
	uint64_t first, last;		/* ticks of its first and last event */
	uint64_t *class_count;		/* by class index (md->events order) */
	uint64_t bins[VT_REPORT_BINS];
	uint64_t drop_bins[VT_REPORT_BINS];	/* events dropped + packets lost */
	uint64_t translations, translate_ns, execs;
	/* hot-path caches */
	unsigned int bin;
	uint64_t bin_lo, bin_hi;
	bool sc_pending;
	uint64_t sc_num, sc_ts;
};

struct vt_flush_reason {
	char text[24];
	uint64_t count;
};

struct vt_report {
	const char *dir;
	const struct vt_metadata *md;
	struct vt_report_options opt;

	/* the window, in ticks: trace start .. end, cut by --from/--to */
	uint64_t trace_begin, trace_end;
	uint64_t begin, end;
	uint64_t bin_ticks;

	struct vt_report_stream *streams;
	unsigned int nstreams;
	uint64_t events, dropped, lost, errors;
	uint64_t *class_total;		/* by class index */

	/* which TCG events the metadata declares (usable fields) */
	bool has_translate, has_exec, has_invalidate, has_flush;
	bool has_syscall, has_exception, has_interrupt, has_mmio;

	/* TCG */
	struct vt_table blocks, pages;
	uint64_t translations, translate_ns, translate_max_ns;
	uint64_t translate_hist[VT_REPORT_HIST];	/* log2(host_ns) */
	uint64_t size_hist[VT_REPORT_HIST];		/* log2(insns) */
	uint64_t execs;
	uint64_t invalidations, inv_store, inv_fence_i;
	uint64_t retranslations, retrans[VT_RETRANS_NREASONS];
	uint64_t flushes, flushed_blocks;
	uint32_t epoch;
	struct vt_flush_reason flush_reasons[8];
	unsigned int nflush_reasons;

	struct vt_table syscalls, exceptions, interrupts, mmio;
	uint64_t syscall_count, exception_count, interrupt_count;
	uint64_t mmio_reads, mmio_writes;

	void *priv;			/* event roles (report.c) */
};

struct vt_report *vt_report_new(struct vt_trace *t,
				const struct vt_report_options *opt);
/* Read the trace to its end.  0, or -ENOMEM. */
int vt_report_collect(struct vt_report *r, struct vt_trace *t);
void vt_report_free(struct vt_report *r);

/* Entries of a table sorted by cmp (malloc'd, *n set); NULL if empty or
 * out of memory. */
void **vt_table_sorted(const struct vt_table *tab,
		       int (*cmp)(const void *, const void *), size_t *n);
/* Orders for vt_table_sorted: most first, ties by key. */
int vt_block_by_execs(const void *a, const void *b);
int vt_block_by_translations(const void *a, const void *b);
int vt_keycount_by_key(const void *a, const void *b);

/* Helpers shared by the printers. */
double vt_report_seconds(const struct vt_report *r, uint64_t ticks);
const char *vt_report_stream_label(const struct vt_report_stream *s,
				   char *buf, size_t len);
const char *vt_riscv_exception_name(uint64_t cause);
const char *vt_riscv_interrupt_name(uint64_t cause);
void vt_json_string(FILE *f, const char *s);

int vt_report_print_text(const struct vt_report *r, FILE *f);
int vt_report_print_json(const struct vt_report *r, FILE *f);
int vt_report_print_svg(const struct vt_report *r, FILE *f);

#endif /* VTRACE_REPORT_H */
