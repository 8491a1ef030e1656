/* SPDX-License-Identifier: MIT */
/*
 * Sdtrig (tcg/trigger.c): what tdata1 keeps, and execute, load and store
 * triggers firing as QEMU 7.2's do, in translated blocks that ran before
 * the trigger was armed, in the loads and stores' fast paths (Bare and
 * Sv39), by privilege.  tests/diff/gen-trig.py compares with QEMU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/tcg/rv-asm.h"
#include "tests/tcg/tcg-harness.h"

#define CSR_TSELECT 0x7a0
#define CSR_TDATA1 0x7a1
#define CSR_TDATA2 0x7a2
#define CSR_TINFO 0x7a4
#define M_HANDLER (TH_RAM_BASE + 0x80000)
#define CODE (TH_RAM_BASE + 0x1000)
#define DATA (TH_RAM_BASE + 0x40000)
#define ROOT (TH_RAM_BASE + 0x50000)
#define TYPE2 (2ull << 60)
#define TYPE6 (6ull << 60)
#define T_LOAD 1u
#define T_STORE 2u
#define T_EXEC 4u
#define T_U 8u
#define T_S 0x10u
#define T_M 0x40u

static struct th *new_machine(void)
{
	struct th *t = th_new(1);

	th_org(t, M_HANDLER);
	th_emit(t, HALT());
	tcg_cpu_write_csr(t->cpu[0], CSR_MTVEC, M_HANDLER);
	tcg_cpu_write_csr(t->cpu[0], 0x3b0, ~0ull);
	tcg_cpu_write_csr(t->cpu[0], 0x3a0, 0x1f);
	th_org(t, CODE);
	return t;
}

static void arm(struct th *t, unsigned sel, uint64_t tdata1, uint64_t addr)
{
	tcg_cpu_write_csr(t->cpu[0], CSR_TSELECT, sel);
	tcg_cpu_write_csr(t->cpu[0], CSR_TDATA2, addr);
	tcg_cpu_write_csr(t->cpu[0], CSR_TDATA1, tdata1);
}

static void assert_breakpoint_at(struct th *t, uint64_t pc)
{
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 3);
	assert_int_equal(th_csr(t, 0, CSR_MEPC), pc);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), 0); /* QEMU 7.2 */
}

static uint64_t tdata1_after(struct th *t, uint64_t v)
{
	tcg_cpu_write_csr(t->cpu[0], CSR_TDATA1, v);
	return th_csr(t, 0, CSR_TDATA1);
}

static void test_trigger_csrs_keep_what_qemu_keeps(void **state)
{
	struct th *t = new_machine();

	assert_int_equal(th_csr(t, 0, CSR_TINFO), 0x44);
	assert_int_equal(th_csr(t, 0, CSR_TDATA1), TYPE2);
	/* other types are ignored */
	assert_int_equal(tdata1_after(t, ~0ull), TYPE2);
	assert_int_equal(tdata1_after(t, 3ull << 60 | 0x5f), TYPE2);
	/* type 2: mode and kind bits, sizes 0-3 and 5; nothing else */
	assert_int_equal(tdata1_after(t, TYPE2 | 0x0fffffffffffffffull),
			 TYPE2 | 0x5f);
	assert_int_equal(tdata1_after(t, TYPE2 | 1ull << 21 | 1ull << 16 | 7),
			 TYPE2 | 1ull << 21 | 1ull << 16 | 7);
	assert_int_equal(tdata1_after(t, TYPE2 | 1ull << 22 | 0x40),
			 TYPE2 | 0x40);
	/* type 6: VU/VS too, a 4-bit size */
	assert_int_equal(tdata1_after(t, TYPE6 | 0x7f), TYPE6 | 0x5f);
	assert_int_equal(tdata1_after(t, TYPE6 | 3ull << 23 | 5ull << 16 | 1),
			 TYPE6 | 3ull << 23 | 5ull << 16 | 1);
	assert_int_equal(tdata1_after(t, TYPE6 | 13ull << 16 | 1), TYPE6 | 1);
	/* tselect: 0 and 1 exist, other writes are ignored */
	tcg_cpu_write_csr(t->cpu[0], CSR_TSELECT, 1);
	tcg_cpu_write_csr(t->cpu[0], CSR_TSELECT, 2);
	assert_int_equal(th_csr(t, 0, CSR_TSELECT), 1);
	assert_int_equal(th_csr(t, 0, CSR_TDATA1), TYPE2);
	th_free(t);
}

/*
 * A block translated and run with no trigger, then an execute trigger on
 * its third instruction: the block traps before it, and only with the
 * mode bit of the running privilege.
 */
static void test_trigger_exec_in_translated_block(void **state)
{
	struct th *t = new_machine();
	uint64_t third;

	th_emit(t, ADDI(10, 10, 1));
	th_emit(t, ADDI(10, 10, 1));
	third = th_emit(t, ADDI(10, 10, 1));
	th_emit(t, ADDI(10, 10, 1));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 4);

	/* S and U only: M runs through */
	arm(t, 1, TYPE2 | T_S | T_U | T_EXEC, third);
	tcg_cpu_set_reg(t->cpu[0], 10, 0);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 4);

	arm(t, 1, TYPE6 | T_M | T_EXEC, third);
	tcg_cpu_set_reg(t->cpu[0], 10, 0);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_breakpoint_at(t, third);
	assert_int_equal(th_reg(t, 0, 10), 2);

	/* disarmed: the whole block again */
	arm(t, 1, TYPE2, 0);
	tcg_cpu_set_reg(t->cpu[0], 10, 0);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 4);
	th_free(t);
}

/* S code entered with mret; the trigger on its first instruction fires
 * before it runs (the lookup checks before the fetch). */
static void test_trigger_exec_from_s(void **state)
{
	struct th *t = new_machine();
	uint64_t target;

	th_emit(t, MRET());
	target = th_emit(t, ADDI(10, 10, 1));
	th_emit(t, HALT());
	tcg_cpu_write_csr(t->cpu[0], CSR_MEPC, target);
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, 1ull << 11);
	arm(t, 0, TYPE2 | T_S | T_EXEC, target);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_breakpoint_at(t, target);
	assert_int_equal((th_csr(t, 0, CSR_MSTATUS) >> 11) & 3, 1);
	assert_int_equal(th_reg(t, 0, 10), 0);
	th_free(t);
}

/*
 * Loads and stores in a block that already ran on the fast path: a load
 * trigger watches [tdata2, tdata2 + 8) (size 0), fires on an overlapping
 * load only, and a store trigger stops the store before memory changes.
 */
static void test_trigger_load_store_watch(void **state)
{
	struct th *t = new_machine();
	uint64_t ld_far, ld_near, sd;

	tcg_cpu_set_reg(t->cpu[0], 11, DATA);
	tcg_cpu_set_reg(t->cpu[0], 12, 0x1234);
	ld_far = th_emit(t, LD(10, 11, 0));
	ld_near = th_emit(t, LB(13, 11, 15));
	sd = th_emit(t, SD(12, 11, 8));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_ram64(t, DATA + 8), 0x1234);
	th_set_ram64(t, DATA + 8, 0);
	assert_int_not_equal(th_csr(t, 0, CSR_MEPC), ld_far);

	arm(t, 0, TYPE2 | T_M | T_LOAD, DATA + 8);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_breakpoint_at(t, ld_near);

	arm(t, 0, TYPE2 | T_M | T_STORE | 1ull << 16, DATA + 15);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_breakpoint_at(t, sd);
	assert_int_equal(th_ram64(t, DATA + 8), 0);

	/* size 1 on a byte the store does not write: it goes through */
	arm(t, 0, TYPE2 | T_M | T_STORE | 1ull << 16, DATA + 16);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_ram64(t, DATA + 8), 0x1234);
	th_free(t);
}

/* M with MPRV under Sv39 (the TLB fast path): the trigger still fires,
 * and checks M's mode bit, not MPP's. */
static void test_trigger_load_under_sv39_mprv(void **state)
{
	struct th *t = new_machine();
	uint64_t ld;

	/* identity gigapage over RAM, R W X A D */
	th_set_ram64(t, ROOT + ((TH_RAM_BASE >> 30) & 511) * 8,
		     (TH_RAM_BASE >> 12) << 10 | 0xcf);
	tcg_cpu_write_csr(t->cpu[0], 0x180, 8ull << 60 | ROOT >> 12);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA);
	tcg_cpu_set_reg(t->cpu[0], 12, (1ull << 17) | (1ull << 11));
	th_emit(t, CSRRS(0, CSR_MSTATUS, 12));
	ld = th_emit(t, LD(10, 11, 0));
	th_emit(t, CSRRC(0, CSR_MSTATUS, 12));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);

	arm(t, 0, TYPE2 | T_S | T_LOAD, DATA);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_not_equal(th_csr(t, 0, CSR_MCAUSE), 3);

	tcg_cpu_write_csr(t->cpu[0], CSR_MCAUSE, 0);
	arm(t, 0, TYPE2 | T_M | T_LOAD, DATA);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_breakpoint_at(t, ld);
	th_free(t);
}

/* AMOs are a read and a write: a load-only trigger stops them too. */
static void test_trigger_amo_is_read_and_write(void **state)
{
	struct th *t = new_machine();
	uint64_t amo;

	tcg_cpu_set_reg(t->cpu[0], 11, DATA);
	tcg_cpu_set_reg(t->cpu[0], 12, 5);
	amo = th_emit(t, AMOADD_D(10, 11, 12));
	th_emit(t, HALT());
	arm(t, 0, TYPE2 | T_M | T_LOAD, DATA + 4);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_breakpoint_at(t, amo);
	assert_int_equal(th_ram64(t, DATA), 0);
	th_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trigger_csrs_keep_what_qemu_keeps),
		cmocka_unit_test(test_trigger_exec_in_translated_block),
		cmocka_unit_test(test_trigger_exec_from_s),
		cmocka_unit_test(test_trigger_load_store_watch),
		cmocka_unit_test(test_trigger_load_under_sv39_mprv),
		cmocka_unit_test(test_trigger_amo_is_read_and_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
