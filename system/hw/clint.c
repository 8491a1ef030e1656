/* SPDX-License-Identifier: MIT */
/*
 * The CLINT: msip at +4h, mtimecmp at 0x4000+8h, mtime at 0xbff8, 32- or
 * 64-bit accesses (others fault, as on QEMU).
 *
 * mtime is CLOCK_MONOTONIC since creation in 100 ns ticks (10 MHz), plus
 * what the guest wrote to it.  MTIP is a level computed from mtime >=
 * mtimecmp[h]: set when a hart's mtimecmp is written in the past or when
 * the timer thread, sleeping until the earliest future mtimecmp, wakes up;
 * cleared when mtimecmp is written in the future.  The vCPU sees it at its
 * next block boundary.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "system/hw/hw.h"
#include "tcg/cpu.h"

struct clint {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* wakes the timer thread */
	pthread_t thread;
	bool stop;
	struct tcg_cpu *const *cpus;
	unsigned ncpus;
	uint64_t start_ns;
	int64_t mtime_offset;	/* ticks added to the host clock */
	uint64_t *mtimecmp;
};

static uint64_t host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t clint_mtime(struct clint *c)
{
	return (host_ns() - c->start_ns) / 100 + (uint64_t)c->mtime_offset;
}

struct clint *clint_create(struct tcg_cpu *const *cpus, unsigned ncpus)
{
	struct clint *c = calloc(1, sizeof(*c));
	pthread_condattr_t ca;

	if (!c)
		return NULL;
	c->mtimecmp = malloc(ncpus * sizeof(*c->mtimecmp));
	if (!c->mtimecmp) {
		free(c);
		return NULL;
	}
	for (unsigned h = 0; h < ncpus; h++)
		c->mtimecmp[h] = UINT64_MAX;
	c->cpus = cpus;
	c->ncpus = ncpus;
	c->start_ns = host_ns();
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	return c;
}

static void update_locked(struct clint *c)
{
	uint64_t now = clint_mtime(c);

	for (unsigned h = 0; h < c->ncpus; h++)
		tcg_cpu_set_irq(c->cpus[h], TCG_MIP_MTIP,
				now >= c->mtimecmp[h]);
	pthread_cond_signal(&c->cond);
}

static void *clint_thread(void *arg)
{
	struct clint *c = arg;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		uint64_t now = clint_mtime(c), next = UINT64_MAX;

		for (unsigned h = 0; h < c->ncpus; h++) {
			if (now >= c->mtimecmp[h])
				tcg_cpu_set_irq(c->cpus[h], TCG_MIP_MTIP, true);
			else if (c->mtimecmp[h] < next)
				next = c->mtimecmp[h];
		}
		if (next == UINT64_MAX) {
			pthread_cond_wait(&c->cond, &c->lock);
		} else {
			uint64_t ns = c->start_ns +
				      (next - (uint64_t)c->mtime_offset) * 100;
			struct timespec ts = { (time_t)(ns / 1000000000ull),
					       (long)(ns % 1000000000ull) };

			pthread_cond_timedwait(&c->cond, &c->lock, &ts);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int clint_start(struct clint *c)
{
	return pthread_create(&c->thread, NULL, clint_thread, c) ? -1 : 0;
}

void clint_stop(struct clint *c)
{
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
}

static void set_half(uint64_t *reg, uint64_t off, unsigned size, uint64_t v)
{
	if (size == 8)
		*reg = v;
	else if (off & 4)
		*reg = (*reg & 0xffffffffull) | (v << 32);
	else
		*reg = (*reg & ~0xffffffffull) | (v & 0xffffffffull);
}

static int access(struct clint *c, uint64_t off, unsigned size, uint64_t *val,
		  bool write)
{
	if (size != 4 && size != 8)
		return -1;
	if (off < 0x4000) { /* msip */
		unsigned h = (unsigned)(off / 4);

		if (size != 4 || (off & 3) || h >= c->ncpus)
			return write ? 0 : (*val = 0, 0);
		if (write)
			tcg_cpu_set_irq(c->cpus[h], TCG_MIP_MSIP, *val & 1);
		else
			*val = (tcg_cpu_get_mip(c->cpus[h]) & TCG_MIP_MSIP) ? 1
									    : 0;
		return 0;
	}
	pthread_mutex_lock(&c->lock);
	if (off >= 0x4000 && off < 0x4000 + 8ull * c->ncpus) {
		unsigned h = (unsigned)((off - 0x4000) / 8);

		if (write) {
			set_half(&c->mtimecmp[h], off, size, *val);
			update_locked(c);
		} else {
			*val = size == 8 ? c->mtimecmp[h]
					 : c->mtimecmp[h] >> (off & 4 ? 32 : 0);
		}
	} else if (off == 0xbff8 || off == 0xbffc) {
		uint64_t now = clint_mtime(c);

		if (write) {
			uint64_t t = now;

			set_half(&t, off, size, *val);
			c->mtime_offset += (int64_t)(t - now);
			update_locked(c);
		} else {
			*val = size == 8 ? now : now >> (off & 4 ? 32 : 0);
		}
	} else if (!write) {
		*val = 0;
	}
	pthread_mutex_unlock(&c->lock);
	if (!write && size == 4)
		*val &= 0xffffffffull;
	return 0;
}

int clint_read(struct clint *c, uint64_t off, unsigned size, uint64_t *val)
{
	return access(c, off, size, val, false);
}

int clint_write(struct clint *c, uint64_t off, unsigned size, uint64_t val)
{
	return access(c, off, size, &val, true);
}
