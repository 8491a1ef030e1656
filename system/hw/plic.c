/* SPDX-License-Identifier: MIT */
/*
 * The PLIC, as QEMU 7.2's sifive_plic on the virt board: sources 1 to 96
 * (source 0 means "none"), 7 priority levels, two contexts per hart
 * (2h: M mode, 2h+1: S mode), 32-bit accesses only.
 *
 *	0x000000 + 4s       priority of source s (WARL: written value mod 8)
 *	0x001000 + 4w       pending bits, read only
 *	0x002000 + 0x80c    enable bits of context c (sources 0-95)
 *	0x200000 + 0x1000c  threshold (+0) and claim/complete (+4) of c
 *
 * A device raising its line makes the source pending (each time it does,
 * even while the source is claimed, as on QEMU); lowering the line does
 * not clear it: only a claim does, as with a PLIC gateway.  A claimed
 * source is not offered again until completed.  A context's line (MEIP or SEIP of its hart) is high while some source is
 * pending, enabled there, not claimed and above the threshold; claim
 * returns the highest such source (lowest number on a tie) and clears its
 * pending bit.  Nonsense (other sizes, holes, a complete of a source not
 * claimed) is ignored or reads 0, as on QEMU; only a size other than 4 is
 * an access fault.
 */
#include <pthread.h>
#include <stdlib.h>

#include "system/hw/hw.h"
#include "tcg/cpu.h"

#define PLIC_WORDS ((PLIC_NUM_SOURCES + 31) / 32)
/* QEMU 7.2 keeps enable bits for sources 0 to 95 only. */
#define PLIC_ENABLE_WORDS 3
#define PLIC_PENDING_BASE 0x1000
#define PLIC_ENABLE_BASE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT_BASE 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000

struct plic {
	pthread_mutex_t lock;
	unsigned ncontexts;
	struct tcg_cpu *const *cpus;
	uint32_t priority[PLIC_NUM_SOURCES];
	uint32_t pending[PLIC_WORDS];
	uint32_t claimed[PLIC_WORDS];
	uint32_t *enable;	/* [ncontexts][PLIC_WORDS] */
	uint32_t *threshold;	/* [ncontexts] */
};

struct plic *plic_create(struct tcg_cpu *const *cpus, unsigned ncpus)
{
	struct plic *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->ncontexts = 2 * ncpus;
	p->cpus = cpus;
	p->enable = calloc(p->ncontexts * PLIC_WORDS, sizeof(uint32_t));
	p->threshold = calloc(p->ncontexts, sizeof(uint32_t));
	if (!p->enable || !p->threshold) {
		free(p->enable);
		free(p->threshold);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

static void set_bit(uint32_t *words, unsigned n, bool v)
{
	if (v)
		words[n / 32] |= 1u << (n % 32);
	else
		words[n / 32] &= ~(1u << (n % 32));
}

/* The source context c would claim now, or 0. */
static unsigned best_locked(struct plic *p, unsigned c)
{
	unsigned best = 0;
	uint32_t prio = p->threshold[c];

	for (unsigned w = 0; w < PLIC_WORDS; w++) {
		uint32_t m = p->pending[w] & ~p->claimed[w] &
			     p->enable[c * PLIC_WORDS + w];

		while (m) {
			unsigned s = w * 32 + (unsigned)__builtin_ctz(m);

			m &= m - 1;
			if (s < PLIC_NUM_SOURCES && p->priority[s] > prio) {
				best = s;
				prio = p->priority[s];
			}
		}
	}
	return best;
}

static void update_locked(struct plic *p)
{
	for (unsigned c = 0; c < p->ncontexts; c++)
		tcg_cpu_set_irq(p->cpus[c / 2],
				c & 1 ? TCG_MIP_SEIP : TCG_MIP_MEIP,
				best_locked(p, c) != 0);
}

void plic_set_irq(struct plic *p, unsigned source, bool level)
{
	if (source == 0 || source >= PLIC_NUM_SOURCES || !level)
		return;
	pthread_mutex_lock(&p->lock);
	set_bit(p->pending, source, true);
	update_locked(p);
	pthread_mutex_unlock(&p->lock);
}

int plic_read(struct plic *p, uint64_t off, unsigned size, uint64_t *val)
{
	uint32_t v = 0;

	if (size != 4)
		return -1;
	pthread_mutex_lock(&p->lock);
	if (off < 4 * PLIC_NUM_SOURCES) {
		v = p->priority[off / 4];
	} else if (off - PLIC_PENDING_BASE < 4 * PLIC_WORDS) {
		v = p->pending[(off - PLIC_PENDING_BASE) / 4];
	} else if (off - PLIC_ENABLE_BASE <
		   (uint64_t)p->ncontexts * PLIC_ENABLE_STRIDE) {
		unsigned c = (unsigned)((off - PLIC_ENABLE_BASE) /
					PLIC_ENABLE_STRIDE);
		unsigned w = (off % PLIC_ENABLE_STRIDE) / 4;

		if (w < PLIC_ENABLE_WORDS)
			v = p->enable[c * PLIC_WORDS + w];
	} else if (off - PLIC_CONTEXT_BASE <
		   (uint64_t)p->ncontexts * PLIC_CONTEXT_STRIDE) {
		unsigned c = (unsigned)((off - PLIC_CONTEXT_BASE) /
					PLIC_CONTEXT_STRIDE);

		if (off % PLIC_CONTEXT_STRIDE == 0) {
			v = p->threshold[c];
		} else if (off % PLIC_CONTEXT_STRIDE == 4) {
			v = best_locked(p, c);
			if (v) {
				set_bit(p->pending, v, false);
				set_bit(p->claimed, v, true);
			}
			update_locked(p);
		}
	}
	pthread_mutex_unlock(&p->lock);
	*val = v;
	return 0;
}

int plic_write(struct plic *p, uint64_t off, unsigned size, uint64_t val)
{
	uint32_t v = (uint32_t)val;

	if (size != 4)
		return -1;
	pthread_mutex_lock(&p->lock);
	if (off < 4 * PLIC_NUM_SOURCES) {
		p->priority[off / 4] = v % (PLIC_NUM_PRIORITIES + 1);
		update_locked(p);
	} else if (off - PLIC_ENABLE_BASE <
		   (uint64_t)p->ncontexts * PLIC_ENABLE_STRIDE) {
		unsigned c = (unsigned)((off - PLIC_ENABLE_BASE) /
					PLIC_ENABLE_STRIDE);
		unsigned w = (off % PLIC_ENABLE_STRIDE) / 4;

		if (w < PLIC_ENABLE_WORDS) {
			p->enable[c * PLIC_WORDS + w] = v;
			update_locked(p);
		}
	} else if (off - PLIC_CONTEXT_BASE <
		   (uint64_t)p->ncontexts * PLIC_CONTEXT_STRIDE) {
		unsigned c = (unsigned)((off - PLIC_CONTEXT_BASE) /
					PLIC_CONTEXT_STRIDE);

		if (off % PLIC_CONTEXT_STRIDE == 0) {
			p->threshold[c] = v % (PLIC_NUM_PRIORITIES + 1);
			update_locked(p);
		} else if (off % PLIC_CONTEXT_STRIDE == 4 &&
			   v < PLIC_NUM_SOURCES) {
			set_bit(p->claimed, v, false);
			update_locked(p);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}
