/* SPDX-License-Identifier: MIT */
/*
 * Instruction semantics, run through the whole translator: each case
 * assembles a few instructions at a fresh address, runs them on one vCPU
 * and checks registers, memory or the trap CSRs.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/tcg/rv-asm.h"
#include "tests/tcg/tcg-harness.h"

#define TRAP_HANDLER (TH_RAM_BASE + 0x80000)
#define DATA (TH_RAM_BASE + 0xc0000)

static struct th *T;
static uint64_t next_code = TH_RAM_BASE;

static int setup(void **state)
{
	T = th_new(1);
	th_org(T, TRAP_HANDLER);
	th_emit(T, HALT());
	return 0;
}

static int teardown(void **state)
{
	th_free(T);
	return 0;
}

/* Run n instructions then HALT; a -> x11, b -> x12; returns x10. */
static uint64_t run_seq(const uint32_t *insns, unsigned n, uint64_t a,
			uint64_t b)
{
	uint64_t start = next_code;

	th_org(T, start);
	for (unsigned i = 0; i < n; i++)
		th_emit(T, insns[i]);
	th_emit(T, HALT());
	next_code = (T->at + 63) & ~63ull;
	tcg_cpu_set_priv(T->cpu[0], TCG_PRIV_M);
	tcg_cpu_write_csr(T->cpu[0], CSR_MTVEC, TRAP_HANDLER);
	tcg_cpu_write_csr(T->cpu[0], CSR_MCAUSE, 0xdead);
	tcg_cpu_set_reg(T->cpu[0], 10, 0x5a5a5a5a);
	tcg_cpu_set_reg(T->cpu[0], 11, a);
	tcg_cpu_set_reg(T->cpu[0], 12, b);
	assert_int_equal(th_run_at(T, 0, start), 0);
	return th_reg(T, 0, 10);
}

static uint64_t rr(uint32_t insn, uint64_t a, uint64_t b)
{
	return run_seq(&insn, 1, a, b);
}

#define R(OPC, a, b) rr(OPC(10, 11, 12), (uint64_t)(a), (uint64_t)(b))
#define I(OPC, a, imm) rr(OPC(10, 11, imm), (uint64_t)(a), 0)
#define S64(v) ((uint64_t)(int64_t)(v))
#define SX32(v) ((uint64_t)(int64_t)(int32_t)(uint32_t)(v))

static void test_insn_div_by_zero(void **state)
{
	assert_int_equal(R(DIV, 42, 0), ~0ull);
	assert_int_equal(R(DIVU, 42, 0), ~0ull);
	assert_int_equal(R(REM, -42, 0), S64(-42));
	assert_int_equal(R(REMU, 42, 0), 42);
	assert_int_equal(R(DIVW, 42, 0x100000000ull), ~0ull); /* low 32 = 0 */
	assert_int_equal(R(DIVUW, 42, 0), ~0ull);
	assert_int_equal(R(REMW, 0x1234567880000000ull, 0), SX32(0x80000000));
	assert_int_equal(R(REMUW, 0xffffffff7fffffffull, 0), 0x7fffffffull);
}

static void test_insn_div_overflow(void **state)
{
	assert_int_equal(R(DIV, INT64_MIN, -1), (uint64_t)INT64_MIN);
	assert_int_equal(R(REM, INT64_MIN, -1), 0);
	assert_int_equal(R(DIVW, 0x80000000ull, 0xffffffffull), SX32(0x80000000));
	assert_int_equal(R(REMW, 0x80000000ull, -1), 0);
	assert_int_equal(R(DIV, -7, 2), S64(-3));
	assert_int_equal(R(REM, -7, 2), S64(-1));
	assert_int_equal(R(DIVU, -1, 2), ~0ull >> 1);
	assert_int_equal(R(DIVW, -7, 2), S64(-3));
	assert_int_equal(R(DIVUW, 0xfffffffeull, 2), 0x7fffffffull);
	assert_int_equal(R(REMUW, 0xffffffffull, 0x10), 0xf);
}

static void test_insn_mul_high(void **state)
{
	assert_int_equal(R(MUL, 3, -5), S64(-15));
	assert_int_equal(R(MULH, -1, -1), 0);
	assert_int_equal(R(MULH, INT64_MIN, 2), S64(-1));
	assert_int_equal(R(MULHU, -1, -1), ~0ull - 1);
	assert_int_equal(R(MULHSU, -1, -1), ~0ull);
	assert_int_equal(R(MULHSU, 2, -1), 1);
	assert_int_equal(R(MULW, 0x10000, 0x10000), 0);
	assert_int_equal(R(MULW, 0x7fffffff, 2), S64(-2));
}

static void test_insn_shift_amounts(void **state)
{
	assert_int_equal(R(SLL, 1, 64 + 3), 8);	/* only 6 bits count */
	assert_int_equal(R(SRL, 0x80, 0xffffffffffffffc7ull), 1);
	assert_int_equal(R(SRA, INT64_MIN, 63), ~0ull);
	assert_int_equal(R(SLLW, 1, 33), 2);	/* only 5 bits count */
	assert_int_equal(R(SLLW, 1, 31), SX32(0x80000000));
	assert_int_equal(R(SRLW, 0xffffffff80000000ull, 31), 1);
	assert_int_equal(R(SRLW, 0x80000000ull, 0), SX32(0x80000000));
	assert_int_equal(R(SRAW, 0x80000000ull, 4), SX32(0xf8000000));
	assert_int_equal(I(SLLI, 1, 63), 1ull << 63);
	assert_int_equal(I(SRLI, ~0ull, 63), 1);
	assert_int_equal(I(SRAI, INT64_MIN, 62), S64(-2));
	assert_int_equal(I(SLLIW, 3, 31), SX32(0x80000000));
	assert_int_equal(I(SRLIW, 0xf0000000ull, 28), 0xf);
	assert_int_equal(I(SRAIW, 0xf0000000ull, 28), S64(-1));
}

static void test_insn_w_ops_sign_extend(void **state)
{
	assert_int_equal(R(ADDW, 0x7fffffff, 1), SX32(0x80000000));
	assert_int_equal(R(SUBW, 0, 1), S64(-1));
	assert_int_equal(R(ADDW, 0xffffffff00000001ull, 0), 1);
	assert_int_equal(I(ADDIW, 0x7fffffff, 1), SX32(0x80000000));
	assert_int_equal(I(ADDIW, 0x123456789ull, 0), SX32(0x23456789));
	assert_int_equal(I(SLTI, -1, 0), 1);
	assert_int_equal(I(SLTIU, 0, -1), 1);	/* imm sign-extends, compares unsigned */
	assert_int_equal(R(SLT, -1, 0), 1);
	assert_int_equal(R(SLTU, -1, 0), 0);
	assert_int_equal(I(XORI, 0, -1), ~0ull);
	assert_int_equal(I(ANDI, ~0ull, -16), ~0ull << 4);
}

static void test_insn_lui_auipc_jal_link(void **state)
{
	uint32_t p[] = { LUI(10, 0x80000) };
	uint32_t q[] = { AUIPC(10, 1) };
	uint32_t j[] = { JAL(11, 8), ADDI(10, 0, 1), ADD(10, 11, 0) };
	uint32_t jr[] = { AUIPC(11, 0), JALR(11, 11, 12), ADDI(10, 0, 1),
			  ADD(10, 11, 0) };
	uint64_t start;

	assert_int_equal(run_seq(p, 1, 0, 0), SX32(0x80000000));
	start = next_code;
	assert_int_equal(run_seq(q, 1, 0, 0), start + 4096);
	start = next_code;
	assert_int_equal(run_seq(j, 3, 0, 0), start + 4);
	/* jalr with rd == rs1: the target uses the old value */
	start = next_code;
	assert_int_equal(run_seq(jr, 4, 0, 0), start + 8);
}

static void test_insn_branches(void **state)
{
	/* x10 = 1 if taken (skips the addi 2), else 2 */
	uint32_t b[] = { 0, ADDI(10, 0, 2), JAL(0, 8), ADDI(10, 0, 1) };
	struct {
		uint32_t insn;
		int64_t a, c;
		int taken;
	} cases[] = {
		{ BEQ(11, 12, 12), 5, 5, 1 },	{ BEQ(11, 12, 12), 5, 6, 0 },
		{ BNE(11, 12, 12), 5, 6, 1 },	{ BLT(11, 12, 12), -1, 0, 1 },
		{ BLTU(11, 12, 12), -1, 0, 0 }, { BGE(11, 12, 12), 0, -1, 1 },
		{ BGEU(11, 12, 12), -1, 0, 1 }, { BGE(11, 12, 12), 3, 3, 1 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b[0] = cases[i].insn;
		assert_int_equal(run_seq(b, 4, (uint64_t)cases[i].a,
					 (uint64_t)cases[i].c),
				 cases[i].taken ? 1 : 2);
	}
}

static void test_insn_x0_discarded(void **state)
{
	uint32_t p[] = { ADDI(0, 0, 5), LD(0, 11, 0), ADD(10, 0, 0),
			 ADDI(10, 10, 7) };

	th_set_ram64(T, DATA, 0x1111);
	assert_int_equal(run_seq(p, 4, DATA, 0), 7);
}

static void test_insn_loads_stores_sign(void **state)
{
	uint32_t p[] = { SD(12, 11, 8), LB(10, 11, 8) };
	uint32_t q[] = { SD(12, 11, 8), LWU(10, 11, 8) };
	uint32_t r[] = { SD(12, 11, 8), LH(10, 11, 8) };
	uint32_t s[] = { SW(12, 11, -4), LW(10, 11, -4) };

	assert_int_equal(run_seq(p, 2, DATA, 0x80), S64(-128));
	assert_int_equal(run_seq(q, 2, DATA, 0xffffffffull), 0xffffffffull);
	assert_int_equal(run_seq(r, 2, DATA, 0x8001), S64((int16_t)0x8001));
	assert_int_equal(run_seq(s, 2, DATA + 16, 0x80000000ull),
			 SX32(0x80000000));
	assert_int_equal(th_ram64(T, DATA + 8), 0x8000000000008001ull);
}

/* QEMU 7.2 virt does misaligned plain loads and stores; so do we. */
static void test_insn_misaligned_plain_access_works(void **state)
{
	uint32_t p[] = { SD(12, 11, 1), LD(10, 11, 1) };
	uint32_t q[] = { LW(10, 11, 3) };

	assert_int_equal(run_seq(p, 2, DATA, 0x0123456789abcdefull),
			 0x0123456789abcdefull);
	assert_int_equal(th_csr(T, 0, CSR_MCAUSE), 0xdead);
	/* bytes 3..6 of 0x0123456789abcdef stored at DATA + 1 */
	assert_int_equal(run_seq(q, 1, DATA, 0), 0x456789abull);
	assert_int_equal(th_csr(T, 0, CSR_MCAUSE), 0xdead);
}

static void expect_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
	assert_int_equal(th_csr(T, 0, CSR_MCAUSE), cause);
	assert_int_equal(th_csr(T, 0, CSR_MEPC), epc);
	assert_int_equal(th_csr(T, 0, CSR_MTVAL), tval);
	assert_int_equal(tcg_cpu_get_pc(T->cpu[0]), TRAP_HANDLER + 4);
}

static void test_insn_faulting_accesses_trap(void **state)
{
	uint32_t ld[] = { ADDI(10, 0, 1), LW(10, 11, 4) };
	uint32_t st[] = { ADDI(10, 0, 1), SD(12, 11, 0) };
	uint64_t start;

	start = next_code;
	assert_int_equal(run_seq(ld, 2, 0x3000, 0), 1); /* rd unchanged */
	expect_trap(5, start + 4, 0x3004);
	start = next_code;
	run_seq(st, 2, TH_RAM_BASE + TH_RAM_SIZE - 4, 0); /* straddles end */
	expect_trap(7, start + 4, TH_RAM_BASE + TH_RAM_SIZE - 4);
}

static void test_insn_misaligned_amo_traps(void **state)
{
	uint32_t a[] = { AMOADD_W(10, 11, 12) };
	uint32_t l[] = { LR_D(10, 11) };
	uint32_t s[] = { SC_W(10, 11, 12) };
	uint64_t start;

	start = next_code;
	run_seq(a, 1, DATA + 2, 1);
	expect_trap(6, start, DATA + 2);
	start = next_code;
	run_seq(l, 1, DATA + 4, 0);
	expect_trap(4, start, DATA + 4);
	start = next_code;
	run_seq(s, 1, DATA + 1, 0);
	expect_trap(6, start, DATA + 1);
	/* an AMO outside RAM is a load access fault (QEMU 7.2 tries a load
	 * there first) */
	start = next_code;
	run_seq(a, 1, 0x1000, 1);
	expect_trap(5, start, 0x1000);
}

static void test_insn_amo_semantics(void **state)
{
	uint32_t add[] = { AMOADD_W(10, 11, 12) };
	uint32_t max[] = { AMOMAX_W(10, 11, 12) };
	uint32_t minu[] = { AMOMINU_D(10, 11, 12) };
	uint32_t swap[] = { AMOSWAP_W(10, 11, 12) };
	uint32_t sc_alone[] = { SC_D(10, 11, 12) };
	uint32_t lrsc[] = { LR_D(13, 11), SC_D(10, 11, 12) };

	th_set_ram64(T, DATA, 0xffffffff);
	assert_int_equal(run_seq(add, 1, DATA, 1), S64(-1)); /* old, sext */
	assert_int_equal(th_ram64(T, DATA), 0);
	th_set_ram64(T, DATA, 5);
	assert_int_equal(run_seq(max, 1, DATA, -3), 5);
	assert_int_equal(th_ram64(T, DATA), 5);
	assert_int_equal(run_seq(max, 1, DATA, 9), 5);
	assert_int_equal(th_ram64(T, DATA), 9);
	th_set_ram64(T, DATA, 7);
	assert_int_equal(run_seq(minu, 1, DATA, -1), 7);
	assert_int_equal(th_ram64(T, DATA), 7);
	assert_int_equal(run_seq(swap, 1, DATA, 0x1234), 7);
	assert_int_equal(th_ram64(T, DATA), 0x1234);
	assert_int_equal(run_seq(sc_alone, 1, DATA, 99), 1);
	assert_int_equal(th_ram64(T, DATA), 0x1234);
	assert_int_equal(run_seq(lrsc, 2, DATA, 99), 0);
	assert_int_equal(th_ram64(T, DATA), 99);
	/* the reservation is used up by the first sc */
	assert_int_equal(run_seq(sc_alone, 1, DATA, 100), 1);
}

static void test_insn_fetch_fault_and_illegal(void **state)
{
	uint32_t jump[] = { JALR(0, 11, 0) };
	uint32_t ill[] = { ADDI(10, 0, 3), 0xffffffffu };
	uint64_t start;

	run_seq(jump, 1, 0x4000, 0);
	expect_trap(1, 0x4000, 0x4000);
	start = next_code;
	assert_int_equal(run_seq(ill, 2, 0, 0), 3);
	expect_trap(2, start + 4, 0xffffffff);
	start = next_code;
	th_org(T, start);
	th_emit16(T, 0x0000); /* the defined-illegal compressed insn */
	next_code += 64;
	tcg_cpu_write_csr(T->cpu[0], CSR_MTVEC, TRAP_HANDLER);
	assert_int_equal(th_run_at(T, 0, start), 0);
	expect_trap(2, start, 0);
}

static void test_insn_compressed_execute(void **state)
{
	uint64_t start = next_code;

	th_org(T, start);
	th_emit16(T, 0x4529);	/* c.li a0, 10 */
	th_emit16(T, 0x0515);	/* c.addi a0, 5 */
	th_emit16(T, 0x95aa);	/* c.add a1, a0 */
	th_emit16(T, 0x0586);	/* c.slli a1, 1 */
	th_emit16(T, 0x852e);	/* c.mv a0, a1 */
	th_emit(T, HALT());
	next_code = T->at + 64;
	tcg_cpu_set_reg(T->cpu[0], 11, 1);
	assert_int_equal(th_run_at(T, 0, start), 0);
	assert_int_equal(th_reg(T, 0, 10), (1 + 15) * 2);
}

static void test_insn_mmio_load_store(void **state)
{
	uint32_t p[] = { LBU(10, 11, 0x10), SW(12, 11, 0) };

	assert_int_equal(run_seq(p, 2, 0x1000, 77), 0x10);
	assert_int_equal(T->last_write, 77);
	assert_int_equal(th_csr(T, 0, CSR_MCAUSE), 0xdead);
}

struct stopper {
	struct tcg_cpu *cpu;
	int done; /* set by the test once th_run() returned */
};

/*
 * Ask the vCPU to stop every 20 ms until the run is over: th_run() clears
 * a stop request made before it started, so a single request could be
 * lost when this thread runs first.
 */
static void *stop_later(void *arg)
{
	struct stopper *s = arg;

	while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
		usleep(20 * 1000);
		tcg_cpu_stop(s->cpu);
	}
	return NULL;
}

/*
 * Random words as code, random trap vector, all of RAM writable by the
 * guest: whatever it does (wild jumps, stores over its own code, device
 * accesses, traps in a loop) must stay inside the guest.
 */
static void test_insn_random_code_never_crashes_host(void **state)
{
	for (unsigned seed = 1; seed <= 16; seed++) {
		struct th *t = th_new(1);
		struct tcg_cpu_stats st;
		struct stopper stop;
		pthread_t thr;
		int rc;

		srandom(seed);
		for (unsigned i = 0; i < TH_RAM_SIZE / 4; i++) {
			uint32_t w = (uint32_t)random() ^ ((uint32_t)random() << 16);

			memcpy(t->ram + 4 * i, &w, 4);
		}
		for (unsigned r = 1; r < 32; r++)
			tcg_cpu_set_reg(t->cpu[0], r,
					r & 1 ? TH_RAM_BASE + (uint64_t)random() %
								 TH_RAM_SIZE
					      : (uint64_t)random() << 8);
		tcg_cpu_write_csr(t->cpu[0], CSR_MTVEC,
				  TH_RAM_BASE + ((uint64_t)random() % TH_RAM_SIZE & ~3ull));
		stop.cpu = t->cpu[0];
		stop.done = 0;
		pthread_create(&thr, NULL, stop_later, &stop);
		rc = th_run_at(t, 0, TH_RAM_BASE);
		__atomic_store_n(&stop.done, 1, __ATOMIC_RELEASE);
		pthread_join(thr, NULL);
		assert_int_equal(rc, 0);
		tcg_cpu_get_stats(t->cpu[0], &st);
		assert_true(st.instret > 0);
		th_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insn_div_by_zero),
		cmocka_unit_test(test_insn_div_overflow),
		cmocka_unit_test(test_insn_mul_high),
		cmocka_unit_test(test_insn_shift_amounts),
		cmocka_unit_test(test_insn_w_ops_sign_extend),
		cmocka_unit_test(test_insn_lui_auipc_jal_link),
		cmocka_unit_test(test_insn_branches),
		cmocka_unit_test(test_insn_x0_discarded),
		cmocka_unit_test(test_insn_loads_stores_sign),
		cmocka_unit_test(test_insn_misaligned_plain_access_works),
		cmocka_unit_test(test_insn_faulting_accesses_trap),
		cmocka_unit_test(test_insn_misaligned_amo_traps),
		cmocka_unit_test(test_insn_amo_semantics),
		cmocka_unit_test(test_insn_fetch_fault_and_illegal),
		cmocka_unit_test(test_insn_compressed_execute),
		cmocka_unit_test(test_insn_mmio_load_store),
		cmocka_unit_test(test_insn_random_code_never_crashes_host),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
