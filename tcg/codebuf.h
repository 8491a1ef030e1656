/* SPDX-License-Identifier: MIT */
/*
 * Private to tcg/: the code buffer that holds every translated block.
 *
 * One memfd mapped twice: a read-write view where blocks are built and
 * patched, and a read-execute view where the host runs them, so no page
 * is ever writable and executable at once (W^X).  The same byte is at
 * rw + i and rx + i.  Space comes from a bump allocator; when it runs out
 * the caller flushes the whole cache (tb.c) and resets it.
 */
#ifndef VTRACE_TCG_CODEBUF_H
#define VTRACE_TCG_CODEBUF_H

#include <stddef.h>
#include <stdint.h>

struct tcg_codebuf {
	uint8_t *rw;		/* where blocks are written */
	uint8_t *rx;		/* where they run */
	size_t size, used;
};

/* Map a buffer of size bytes (a multiple of the page size): 0 or -errno. */
int tcg_codebuf_init(struct tcg_codebuf *cb, size_t size);
void tcg_codebuf_destroy(struct tcg_codebuf *cb);
/* need bytes (a multiple of 16), 16-aligned, in the rw view; NULL if full. */
void *tcg_codebuf_alloc(struct tcg_codebuf *cb, size_t need);
/* Forget every allocation (no block may run or be reached any more). */
void tcg_codebuf_reset(struct tcg_codebuf *cb);

/* The executable address of a byte of the rw view, and back. */
static inline void *tcg_codebuf_rx(const struct tcg_codebuf *cb, void *rw)
{
	return cb->rx + ((uint8_t *)rw - cb->rw);
}

static inline void *tcg_codebuf_rw(const struct tcg_codebuf *cb, void *rx)
{
	return cb->rw + ((uint8_t *)rx - cb->rx);
}

#endif
