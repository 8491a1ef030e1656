/* SPDX-License-Identifier: MIT */
/*
 * The block cache: direct chaining keeps loops out of the dispatcher, the
 * jump cache serves returns, stores to code invalidate blocks (same
 * block, across calls, and on another hart), a full code buffer flushes, and
 * the trace mask is part of the key with its hooks.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/tcg/rv-asm.h"
#include "tests/tcg/tcg-harness.h"

#define CODE (TH_RAM_BASE + 0x1000)
#define F (CODE + 0x100)
#define FAR (CODE + 0x1000)
#define DATA (TH_RAM_BASE + 0xc0000)

static uint64_t dispatches(struct th *t, unsigned i)
{
	struct tcg_cpu_stats st;

	tcg_cpu_get_stats(t->cpu[i], &st);
	return st.jc_hits + st.hash_lookups;
}

static void test_tb_chaining_keeps_loops_out_of_dispatcher(void **state)
{
	struct th *t = th_new(1);
	struct tcg_jit_stats js;

	th_org(t, CODE);
	th_emit(t, ADDI(10, 0, 0));
	th_emit(t, ADDI(11, 0, 1000));
	th_emit(t, ADDI(10, 10, 1));	/* L1: CODE + 8 */
	th_emit(t, JAL(0, 4));		/* -> L2 */
	th_emit(t, BNE(10, 11, -8));	/* L2: -> L1 */
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 1000);
	tcg_machine_jit_stats(t->m, &js);
	assert_true(js.translated <= 5);
	assert_true(js.chained >= 2);
	/* 2000 block transitions, a handful through the dispatcher */
	assert_true(dispatches(t, 0) < 10);
	th_free(t);
}

static void test_tb_jump_cache_serves_returns(void **state)
{
	struct th *t = th_new(1);

	th_org(t, F);
	th_emit(t, ADDI(10, 10, 1));
	th_emit(t, JALR(0, 1, 0));		/* ret */
	th_org(t, CODE);
	th_emit(t, ADDI(11, 0, 500));
	th_emit(t, JAL(1, (int)(F - (CODE + 4))));	/* L */
	th_emit(t, JAL(1, (int)(F - (CODE + 8))));
	th_emit(t, ADDI(11, 11, -1));
	th_emit(t, BNE(11, 0, -12));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 1000);
	/* 1000 returns to two different sites: resolved in the backend */
	assert_true(dispatches(t, 0) < 20);
	th_free(t);
}

static void test_tb_store_to_code_invalidates_across_calls(void **state)
{
	struct th *t = th_new(1);
	struct tcg_jit_stats js;

	/* F on another page: calls to it are not folded into the caller */

	th_org(t, FAR);
	th_emit(t, ADDI(10, 0, 1));
	th_emit(t, JALR(0, 1, 0));
	th_org(t, CODE);
	th_emit(t, JAL(1, (int)(FAR - CODE)));
	th_emit(t, ADD(12, 10, 0));
	th_emit(t, SW(13, 14, 0));
	th_emit(t, FENCE_I());
	th_emit(t, JAL(1, (int)(FAR - (CODE + 16))));
	th_emit(t, HALT());
	tcg_cpu_set_reg(t->cpu[0], 13, ADDI(10, 0, 2));
	tcg_cpu_set_reg(t->cpu[0], 14, FAR);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 12), 1);
	assert_int_equal(th_reg(t, 0, 10), 2);
	tcg_machine_jit_stats(t->m, &js);
	assert_true(js.invalidated >= 1);
	assert_true(js.retranslated >= 1);
	th_free(t);
}

static void test_tb_store_into_running_block_is_seen(void **state)
{
	struct th *t = th_new(1);

	th_org(t, CODE);
	th_emit(t, SW(13, 14, 8));	/* patches CODE + 8 */
	th_emit(t, ADDI(10, 0, 1));
	th_emit(t, ADDI(10, 0, 5));
	th_emit(t, HALT());
	/* translate it once first, so the block exists before the store */
	tcg_cpu_set_reg(t->cpu[0], 13, ADDI(10, 0, 5));
	tcg_cpu_set_reg(t->cpu[0], 14, CODE);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 5);
	tcg_cpu_set_reg(t->cpu[0], 13, ADDI(10, 10, 100));
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 101);
	th_free(t);
}

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

static void test_tb_invalidation_seen_by_other_hart(void **state)
{
	struct th *t = th_new(2);
	struct runner r = { t, 1, -1 };
	pthread_t thr;

	th_org(t, F);
	th_emit(t, ADDI(10, 0, 1));
	th_emit(t, JALR(0, 1, 0));
	th_org(t, CODE);		/* hart 1: call F until it returns 2 */
	th_emit(t, JAL(1, (int)(F - CODE)));
	th_emit(t, ADDI(12, 0, 1));
	th_emit(t, BEQ(10, 12, -8));
	th_emit(t, HALT());
	th_org(t, CODE + 0x200);	/* hart 0: patch F */
	th_emit(t, SW(13, 14, 0));
	th_emit(t, FENCE_I());
	th_emit(t, HALT());
	tcg_cpu_set_pc(t->cpu[1], CODE);
	pthread_create(&thr, NULL, run_thread, &r);
	usleep(20 * 1000);
	tcg_cpu_set_reg(t->cpu[0], 13, ADDI(10, 0, 2));
	tcg_cpu_set_reg(t->cpu[0], 14, F);
	assert_int_equal(th_run_at(t, 0, CODE + 0x200), 0);
	pthread_join(thr, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(th_reg(t, 1, 10), 2);
	th_free(t);
}

static void test_tb_full_arena_flushes(void **state)
{
	struct th *t = th_new_cfg(1, 8192);
	struct tcg_jit_stats js;

	th_org(t, CODE);
	th_emit(t, ADDI(10, 0, 0));
	for (int i = 0; i < 200; i++) {
		th_emit(t, ADDI(10, 10, 1));
		th_emit(t, BEQ(0, 0, 4));	/* always ends a block */
	}
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 200);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 200);
	tcg_machine_jit_stats(t->m, &js);
	assert_true(js.flushes >= 1);
	assert_true(js.code_bytes <= 8192);
	th_free(t);
}

static unsigned n_translated, n_mem, n_mask_changed;

static void hook_translated(void *o, struct tcg_cpu *c, uint64_t pc,
			    unsigned ninsns, uint64_t ns)
{
	n_translated++;
}

static void hook_mask(void *o, struct tcg_cpu *c, uint64_t old, uint64_t new)
{
	n_mask_changed++;
}

static void hook_mem(void *o, struct tcg_cpu *c, uint64_t vaddr, unsigned info)
{
	n_mem++;
}

static uint32_t hook_flags(void *o, uint64_t mask)
{
	return ((mask & 1) ? TCG_TF_MEM_HOOK : 0) |
	       ((mask & 2) ? TCG_TF_EXEC_HOOK : 0);
}

static unsigned n_exec, n_exc, n_inval, n_flush;
static uint64_t sys_args[7], sys_ret_num, sys_ret_val, exc_cause;

static void hook_exec(void *o, struct tcg_cpu *c, uint64_t pc)
{
	n_exec++;
}

static void hook_exc(void *o, struct tcg_cpu *c, uint64_t cause, uint64_t epc,
		     uint64_t tval)
{
	n_exc++;
	exc_cause = cause;
}

static void hook_sys(void *o, struct tcg_cpu *c, const uint64_t *args)
{
	memcpy(sys_args, args, sizeof(sys_args));
}

static void hook_sys_ret(void *o, struct tcg_cpu *c, uint64_t num, uint64_t ret)
{
	sys_ret_num = num;
	sys_ret_val = ret;
}

static void hook_inval(void *o, struct tcg_cpu *c, uint64_t pc, uint64_t page,
		       const char *reason)
{
	n_inval++;
}

static void hook_flush(void *o, struct tcg_cpu *c, unsigned blocks,
		       const char *reason)
{
	n_flush++;
}

static const struct tcg_hooks hooks = {
	.translated = hook_translated,
	.mask_changed = hook_mask,
	.mem = hook_mem,
	.tb_flags = hook_flags,
	.exec_tb = hook_exec,
	.exception = hook_exc,
	.syscall = hook_sys,
	.syscall_ret = hook_sys_ret,
	.tb_invalidate = hook_inval,
	.tb_flush = hook_flush,
};

static void test_tb_trace_mask_is_part_of_the_key(void **state)
{
	struct th *t = th_new_full(1, 0, &hooks);
	unsigned before;

	th_org(t, CODE);
	th_emit(t, LD(10, 11, 0));
	th_emit(t, SD(10, 11, 8));
	th_emit(t, HALT());
	tcg_cpu_set_reg(t->cpu[0], 11, DATA);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(n_translated, 1);
	assert_int_equal(n_mem, 0);

	tcg_cpu_set_trace_mask(t->cpu[0], 1);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(n_mask_changed, 1);
	assert_int_equal(n_translated, 2);	/* new key, new block */
	assert_int_equal(n_mem, 3);		/* ld, sd and HALT's store */

	before = n_translated;
	tcg_cpu_set_trace_mask(t->cpu[0], 0);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(n_translated, before);	/* the mask-0 block is reused */
	assert_int_equal(n_mem, 3);
	assert_int_equal(tcg_cpu_trace_mask(t->cpu[0]), 0);
	th_free(t);
}

/* The hooks the tracing layer needs fire where they should. */
static void test_tb_hooks_report_events(void **state)
{
	struct th *t = th_new_full(1, 0, &hooks);
	struct tcg_cpu *c = t->cpu[0];
	const uint64_t handler = CODE + 0x2000, user = CODE + 0x3000;

	th_org(t, handler);			/* M: skip the ecall, a0 = 99 */
	th_emit(t, CSRR(5, 0x341));
	th_emit(t, ADDI(5, 5, 4));
	th_emit(t, CSRW(0x341, 5));
	th_emit(t, ADDI(10, 0, 99));
	th_emit(t, MRET());
	th_org(t, user);			/* U: syscall 64(7), then stop */
	th_emit(t, ADDI(17, 0, 64));
	th_emit(t, ADDI(10, 0, 7));
	th_emit(t, ECALL());
	th_emit(t, SW(0, 6, 0));		/* store into our own code */
	th_emit(t, HALT());
	th_org(t, CODE);
	th_emit(t, MRET());
	tcg_cpu_write_csr(c, 0x3b0, ~0ull);	/* PMP: allow all */
	tcg_cpu_write_csr(c, 0x3a0, 0x1f);
	tcg_cpu_write_csr(c, CSR_MTVEC, handler);
	tcg_cpu_write_csr(c, CSR_MEPC, user);	/* MPP = U */
	tcg_cpu_set_reg(c, 6, user + 0x100);
	tcg_cpu_set_trace_mask(c, 2);
	n_exec = n_exc = n_inval = n_flush = 0;
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(sys_args[0], 64);
	assert_int_equal(sys_args[1], 7);
	assert_int_equal(sys_ret_num, 64);
	assert_int_equal(sys_ret_val, 99);
	assert_int_equal(n_exc, 1);
	assert_int_equal(exc_cause, 8);
	assert_true(n_exec >= 4);	/* CODE, user, handler, after ecall */
	assert_true(n_inval >= 1);
	tcg_machine_flush(t->m);
	assert_int_equal(n_flush, 1);
	th_free(t);
}

/* A direct call to the same page is translated into the caller's block. */
static void test_tb_direct_jump_in_page_is_followed(void **state)
{
	struct th *t = th_new(1);
	struct tcg_jit_stats js;

	th_org(t, F);
	th_emit(t, ADDI(10, 10, 5));
	th_emit(t, JALR(0, 1, 0));
	th_org(t, CODE);
	th_emit(t, JAL(1, (int)(F - CODE)));	/* call F */
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 5);
	assert_int_equal(th_reg(t, 0, 1), CODE + 4);
	tcg_machine_jit_stats(t->m, &js);
	/* [jal; addi; ret] then [HALT; the zeros after it (illegal)] */
	assert_int_equal(js.translated, 2);
	assert_int_equal(js.guest_insns, 5);
	th_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tb_chaining_keeps_loops_out_of_dispatcher),
		cmocka_unit_test(test_tb_jump_cache_serves_returns),
		cmocka_unit_test(test_tb_store_to_code_invalidates_across_calls),
		cmocka_unit_test(test_tb_store_into_running_block_is_seen),
		cmocka_unit_test(test_tb_invalidation_seen_by_other_hart),
		cmocka_unit_test(test_tb_full_arena_flushes),
		cmocka_unit_test(test_tb_trace_mask_is_part_of_the_key),
		cmocka_unit_test(test_tb_direct_jump_in_page_is_followed),
		cmocka_unit_test(test_tb_hooks_report_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
