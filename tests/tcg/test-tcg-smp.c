/* SPDX-License-Identifier: MIT */
/*
 * Four vCPUs on four host threads hammer shared counters with amoadd.w,
 * an lr.w/sc.w retry loop, amoadd.d and an amoswap spinlock around a plain
 * load/add/store.  Every count must be exact.  They also share call and
 * return code, whose blocks (and the returns' inline caches) they fill
 * concurrently, and rewrite code that they all run.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/tcg/rv-asm.h"
#include "tests/tcg/tcg-harness.h"

#define CODE (TH_RAM_BASE + 0x1000)
#define C_AMO (TH_RAM_BASE + 0xc0000)
#define C_LRSC (TH_RAM_BASE + 0xc0040)
#define C_AMOD (TH_RAM_BASE + 0xc0080)
#define LOCK (TH_RAM_BASE + 0xc00c0)
#define C_PLAIN (TH_RAM_BASE + 0xc0100)
#define NHARTS 4
#define ITERS 100000

struct runner {
	struct th *t;
	unsigned i;
	int rc;
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;

	r->rc = th_run(r->t, r->i);
	return NULL;
}

static void test_smp_amo_lrsc_counters_are_exact(void **state)
{
	struct th *t = th_new(NHARTS);
	struct runner r[NHARTS];
	pthread_t thr[NHARTS];

	th_org(t, CODE);
	th_emit(t, AMOADD_W(0, 11, 14));	/* L: +0 */
	th_emit(t, LR_W(15, 12));		/* R: +4 */
	th_emit(t, ADDI(15, 15, 1));
	th_emit(t, SC_W(16, 12, 15));
	th_emit(t, BNE(16, 0, -12));		/* -> R */
	th_emit(t, AMOADD_D(0, 20, 14));	/* +20 */
	th_emit(t, AMOSWAP_W(17, 18, 14));	/* S: +24 lock */
	th_emit(t, BNE(17, 0, -4));		/* -> S */
	th_emit(t, LD(19, 21, 0));
	th_emit(t, ADDI(19, 19, 1));
	th_emit(t, SD(19, 21, 0));
	th_emit(t, AMOSWAP_W(0, 18, 0));	/* unlock */
	th_emit(t, ADDI(13, 13, -1));		/* +48 */
	th_emit(t, BNE(13, 0, -52));		/* -> L */
	th_emit(t, HALT());
	for (unsigned i = 0; i < NHARTS; i++) {
		struct tcg_cpu *c = t->cpu[i];

		tcg_cpu_set_pc(c, CODE);
		tcg_cpu_set_reg(c, 11, C_AMO);
		tcg_cpu_set_reg(c, 12, C_LRSC);
		tcg_cpu_set_reg(c, 13, ITERS);
		tcg_cpu_set_reg(c, 14, 1);
		tcg_cpu_set_reg(c, 18, LOCK);
		tcg_cpu_set_reg(c, 20, C_AMOD);
		tcg_cpu_set_reg(c, 21, C_PLAIN);
		r[i] = (struct runner){ t, i, -1 };
		pthread_create(&thr[i], NULL, run_thread, &r[i]);
	}
	for (unsigned i = 0; i < NHARTS; i++) {
		pthread_join(thr[i], NULL);
		assert_int_equal(r[i].rc, 0);
	}
	assert_int_equal(th_ram64(t, C_AMO) & 0xffffffff, NHARTS * ITERS);
	assert_int_equal(th_ram64(t, C_LRSC) & 0xffffffff, NHARTS * ITERS);
	assert_int_equal(th_ram64(t, C_AMOD), NHARTS * ITERS);
	assert_int_equal(th_ram64(t, C_PLAIN), NHARTS * ITERS);
	th_free(t);
}


#define F (CODE + 0x1000)

/* Each hart calls f from three sites, f returns through one jalr: the
 * shared blocks' return caches are filled by whichever hart gets there
 * first, and every hart's sum must still be exact. */
static void test_smp_calls_and_returns_share_blocks(void **state)
{
	struct th *t = th_new(NHARTS);
	struct runner r[NHARTS];
	pthread_t thr[NHARTS];

	th_org(t, F);
	th_emit(t, ADD(10, 10, 11));		/* f: a0 += a1 */
	th_emit(t, JALR(0, 1, 0));
	th_org(t, CODE);
	th_emit(t, ADDI(11, 0, 1));		/* L: +0 */
	th_emit(t, JAL(1, (int)(F - t->at)));
	th_emit(t, ADDI(11, 0, 10));
	th_emit(t, JAL(1, (int)(F - t->at)));
	th_emit(t, ADDI(11, 0, 100));
	th_emit(t, JAL(1, (int)(F - t->at)));
	th_emit(t, ADDI(13, 13, -1));
	th_emit(t, BNE(13, 0, -28));		/* -> L */
	th_emit(t, HALT());
	for (unsigned i = 0; i < NHARTS; i++) {
		tcg_cpu_set_pc(t->cpu[i], CODE);
		tcg_cpu_set_reg(t->cpu[i], 13, ITERS);
		r[i] = (struct runner){ t, i, -1 };
		pthread_create(&thr[i], NULL, run_thread, &r[i]);
	}
	for (unsigned i = 0; i < NHARTS; i++) {
		pthread_join(thr[i], NULL);
		assert_int_equal(r[i].rc, 0);
		assert_int_equal(th_reg(t, i, 10), 111ull * ITERS);
	}
	th_free(t);
}

#define STOP_FLAG (TH_RAM_BASE + 0xc0200)
#define MASK_FLIPS 200000

/* The monitor thread flips a vCPU's trace mask while the vCPU runs blocks
 * (control does this with two back-to-back kicks for `trace-event * on`):
 * whatever the interleaving, the last mask handed over is the one the vCPU
 * ends up with, once it crosses a block boundary. */
static void test_smp_trace_mask_last_change_wins(void **state)
{
	struct th *t = th_new(NHARTS);
	struct runner r[NHARTS];
	pthread_t thr[NHARTS];

	th_org(t, CODE);
	th_emit(t, LD(10, 11, 0));		/* L: +0 */
	th_emit(t, BEQ(10, 0, -4));		/* -> L, a block per pass */
	th_emit(t, HALT());
	for (unsigned i = 0; i < NHARTS; i++) {
		tcg_cpu_set_pc(t->cpu[i], CODE);
		tcg_cpu_set_reg(t->cpu[i], 11, STOP_FLAG);
		r[i] = (struct runner){ t, i, -1 };
		pthread_create(&thr[i], NULL, run_thread, &r[i]);
	}
	for (uint64_t k = 1; k <= MASK_FLIPS; k++)
		for (unsigned i = 0; i < NHARTS; i++)
			tcg_cpu_set_trace_mask(t->cpu[i], (k << 4) | i);
	th_set_ram64(t, STOP_FLAG, 1);
	for (unsigned i = 0; i < NHARTS; i++) {
		pthread_join(thr[i], NULL);
		assert_int_equal(r[i].rc, 0);
		/* one more block boundary applies whatever is pending */
		assert_int_equal(th_run_at(t, i, CODE), 0);
		assert_int_equal(tcg_cpu_trace_mask(t->cpu[i]),
				 ((uint64_t)MASK_FLIPS << 4) | i);
	}
	th_free(t);
}

#define SMC_F (CODE + 0x2000)
#define SMC_ITERS 20000
#define SMC_DONE (TH_RAM_BASE + 0xc0300)

/*
 * Code rewritten continually on several harts while every block runs
 * chained: each hart rewrites `addi a0, x0, K` at the start of its own
 * function (all four on one page, so each store invalidates every hart's
 * blocks there), calls it and checks a0 == K; this thread meanwhile flips
 * every vCPU's trace mask (a new block-cache key each time) and the code
 * buffer is small enough to fill.  A stale block returns an old K.
 */
static void test_smp_code_rewritten_on_all_harts(void **state)
{
	struct th *t = th_new_cfg(NHARTS, 64 << 10);
	struct runner r[NHARTS];
	pthread_t thr[NHARTS];
	struct tcg_jit_stats js;
	uint64_t k = 0;

	for (unsigned i = 0; i < NHARTS; i++) {
		th_org(t, SMC_F + 0x100 * i);
		th_emit(t, ADDI(10, 0, 0));
		th_emit(t, JALR(0, 1, 0));
	}
	th_org(t, CODE);
	th_emit(t, ANDI(6, 8, 0x7ff));		/* L: K */
	th_emit(t, SLLI(5, 6, 20));
	th_emit(t, ORI(5, 5, 0x513));		/* addi a0, x0, K */
	th_emit(t, SW(5, 11, 0));
	th_emit(t, FENCE_I());
	th_emit(t, JALR(1, 11, 0));
	th_emit(t, BNE(10, 6, 20));		/* -> FAIL */
	th_emit(t, ADDI(8, 8, -1));
	th_emit(t, BNE(8, 0, -32));		/* -> L */
	th_emit(t, AMOADD_W(0, 12, 13));	/* END */
	th_emit(t, HALT());
	th_emit(t, ADDI(9, 0, 1));		/* FAIL */
	th_emit(t, JAL(0, -12));		/* -> END */
	for (unsigned i = 0; i < NHARTS; i++) {
		tcg_cpu_set_pc(t->cpu[i], CODE);
		tcg_cpu_set_reg(t->cpu[i], 8, SMC_ITERS);
		tcg_cpu_set_reg(t->cpu[i], 11, SMC_F + 0x100 * i);
		tcg_cpu_set_reg(t->cpu[i], 12, SMC_DONE);
		tcg_cpu_set_reg(t->cpu[i], 13, 1);
		r[i] = (struct runner){ t, i, -1 };
		pthread_create(&thr[i], NULL, run_thread, &r[i]);
	}
	/* Flip masks until every hart is past its loop (END counts). */
	while (__atomic_load_n((uint32_t *)(t->ram + (SMC_DONE - TH_RAM_BASE)),
			       __ATOMIC_RELAXED) < NHARTS) {
		k++;
		for (unsigned i = 0; i < NHARTS; i++)
			tcg_cpu_set_trace_mask(t->cpu[i], (k & 3) << 8);
		usleep(100);
	}
	for (unsigned i = 0; i < NHARTS; i++) {
		pthread_join(thr[i], NULL);
		assert_int_equal(r[i].rc, 0);
		assert_int_equal(th_reg(t, i, 9), 0);	/* no stale code ran */
		assert_int_equal(th_reg(t, i, 8), 0);	/* every pass done */
	}
	tcg_machine_jit_stats(t->m, &js);
	assert_true(js.invalidated >= NHARTS * SMC_ITERS);
	assert_true(js.flushes > 0);
	th_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smp_trace_mask_last_change_wins),
		cmocka_unit_test(test_smp_amo_lrsc_counters_are_exact),
		cmocka_unit_test(test_smp_calls_and_returns_share_blocks),
		cmocka_unit_test(test_smp_code_rewritten_on_all_harts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
