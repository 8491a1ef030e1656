/* SPDX-License-Identifier: MIT */
/* The tcg test machine; see tcg-harness.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/tcg/tcg-harness.h"

static int th_read(void *opaque, struct tcg_cpu *cpu, uint64_t addr,
		   unsigned size, uint64_t *val)
{
	struct th *t = opaque;

	if (addr >= 0x1000 && addr < 0x2000) {
		__atomic_fetch_add(&t->mmio_reads, 1, __ATOMIC_RELAXED);
		*val = addr & 0xff;
		return 0;
	}
	return -1;
}

static int th_write(void *opaque, struct tcg_cpu *cpu, uint64_t addr,
		    unsigned size, uint64_t val)
{
	struct th *t = opaque;

	if (addr == 0) {
		tcg_cpu_stop(cpu);
		return 0;
	}
	if (addr >= 0x1000 && addr < 0x2000) {
		__atomic_fetch_add(&t->mmio_writes, 1, __ATOMIC_RELAXED);
		t->last_write = val;
		return 0;
	}
	return -1;
}

static uint64_t th_time(void *opaque)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec) / 100;
}

static const struct tcg_mmio_ops th_mmio = {
	.read = th_read,
	.write = th_write,
	.read_time = th_time,
};

struct th *th_new_full(unsigned ncpus, size_t code_buffer,
		       const struct tcg_hooks *hooks)
{
	struct th *t = calloc(1, sizeof(*t));
	struct tcg_machine_config cfg = { 0 };

	t->ram = aligned_alloc(4096, TH_RAM_SIZE);
	memset(t->ram, 0, TH_RAM_SIZE);
	cfg.ram = t->ram;
	cfg.ram_base = TH_RAM_BASE;
	cfg.ram_size = TH_RAM_SIZE;
	cfg.mmio = &th_mmio;
	cfg.opaque = t;
	cfg.code_buffer_size = code_buffer;
	/* tests/tcg/native.sh runs the tests again on the native backend */
	cfg.backend = getenv("TCG_BACKEND");
	cfg.hooks = hooks;
	t->m = tcg_machine_create(&cfg);
	for (unsigned i = 0; i < ncpus; i++)
		t->cpu[i] = tcg_cpu_create(t->m, i);
	t->ncpus = ncpus;
	t->at = TH_RAM_BASE;
	return t;
}

struct th *th_new_cfg(unsigned ncpus, size_t code_buffer)
{
	return th_new_full(ncpus, code_buffer, NULL);
}

struct th *th_new(unsigned ncpus)
{
	return th_new_cfg(ncpus, 0);
}

void th_free(struct th *t)
{
	tcg_machine_destroy(t->m);
	free(t->ram);
	free(t);
}

uint64_t th_emit(struct th *t, uint32_t insn)
{
	uint64_t at = t->at;

	memcpy(t->ram + (at - TH_RAM_BASE), &insn, 4);
	t->at += 4;
	return at;
}

uint64_t th_emit16(struct th *t, uint16_t insn)
{
	uint64_t at = t->at;

	memcpy(t->ram + (at - TH_RAM_BASE), &insn, 2);
	t->at += 2;
	return at;
}

void th_org(struct th *t, uint64_t addr)
{
	t->at = addr;
}

struct watchdog {
	struct tcg_cpu *cpu;
	int done;
	int fired;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void *watchdog_thread(void *arg)
{
	struct watchdog *w = arg;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&w->lock);
	while (!w->done)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &ts))
			break;
	if (!w->done) {
		w->fired = 1;
		tcg_cpu_stop(w->cpu);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int th_run(struct th *t, unsigned i)
{
	struct watchdog w = { .cpu = t->cpu[i] };
	pthread_t wt;

	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	pthread_create(&wt, NULL, watchdog_thread, &w);
	tcg_cpu_clear_stop(t->cpu[i]);
	tcg_cpu_exec(t->cpu[i]);
	pthread_mutex_lock(&w.lock);
	w.done = 1;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(wt, NULL);
	return w.fired ? -1 : 0;
}

int th_run_at(struct th *t, unsigned i, uint64_t pc)
{
	tcg_cpu_set_pc(t->cpu[i], pc);
	return th_run(t, i);
}

uint64_t th_reg(struct th *t, unsigned i, unsigned reg)
{
	return tcg_cpu_get_reg(t->cpu[i], reg);
}

uint64_t th_csr(struct th *t, unsigned i, unsigned csr)
{
	uint64_t v = 0xdeadbeef;

	tcg_cpu_read_csr(t->cpu[i], csr, &v);
	return v;
}

uint64_t th_ram64(struct th *t, uint64_t addr)
{
	uint64_t v;

	memcpy(&v, t->ram + (addr - TH_RAM_BASE), 8);
	return v;
}

void th_set_ram64(struct th *t, uint64_t addr, uint64_t v)
{
	memcpy(t->ram + (addr - TH_RAM_BASE), &v, 8);
}
