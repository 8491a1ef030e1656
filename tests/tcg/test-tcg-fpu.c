/* SPDX-License-Identifier: MIT */
/*
 * F and D: NaN-boxing, the canonical NaN, the flag rules, fmin/fmax on
 * zeros and NaNs, fcvt saturation, RMM ties, fused multiply-add, reserved
 * rounding modes, and mstatus.FS (Off traps, writes make it Dirty, SD).
 * Operands go in through x registers and fmv, results come back the same
 * way: everything runs as guest code.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/tcg/rv-asm.h"
#include "tests/tcg/tcg-harness.h"

#define HANDLER (TH_RAM_BASE + 0x80000)
#define CODE (TH_RAM_BASE + 0x1000)
#define DATA (TH_RAM_BASE + 0x40000)
#define CSR_FFLAGS 0x001
#define CSR_FRM 0x002
#define FS_SHIFT 13
#define FS_MASK (3ull << FS_SHIFT)
#define STATUS_SD (1ull << 63)
#define FS_SD (FS_MASK | STATUS_SD)

enum { RNE, RTZ, RDN, RUP, RMM, DYN = 7 };
enum { NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16 };

#define CANON_D 0x7ff8000000000000ull
#define CANON_S 0xffffffff7fc00000ull
#define SNAN_D 0x7ff0000000000001ull
#define QNAN_D 0xfff8000000000123ull
#define NEG_ZERO (1ull << 63)

static uint64_t bits(double d)
{
	uint64_t b;

	memcpy(&b, &d, 8);
	return b;
}

/* A machine with mstatus.FS = fs and a trap handler that halts. */
static struct th *fp_machine(unsigned fs)
{
	struct th *t = th_new(1);

	th_org(t, HANDLER);
	th_emit(t, HALT());
	tcg_cpu_write_csr(t->cpu[0], CSR_MTVEC, HANDLER);
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, (uint64_t)fs << FS_SHIFT);
	th_org(t, CODE);
	return t;
}

static void run(struct th *t)
{
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
}

/* f1 = a, f2 = b (raw bits), then op, then x10 = f3 or the x result. */
static void binop(struct th *t, uint64_t a, uint64_t b, uint32_t op)
{
	tcg_cpu_set_reg(t->cpu[0], 11, a);
	tcg_cpu_set_reg(t->cpu[0], 12, b);
	th_emit(t, FMV_D_X(1, 11));
	th_emit(t, FMV_D_X(2, 12));
	th_emit(t, op);
	th_emit(t, FMV_X_D(10, 3));
	run(t);
}

static void test_fpu_misa_has_f_and_d(void **state)
{
	struct th *t = fp_machine(1);
	uint64_t misa = th_csr(t, 0, CSR_MISA);

	assert_true(misa & (1u << ('F' - 'A')));
	assert_true(misa & (1u << ('D' - 'A')));
	th_free(t);
}

static void test_fpu_improperly_boxed_single_is_canonical_nan(void **state)
{
	struct th *t = fp_machine(1);

	/* 1.0f without the upper ones: reads as the canonical NaN */
	tcg_cpu_set_reg(t->cpu[0], 11, 0x3f800000);
	th_emit(t, FMV_D_X(1, 11));
	th_emit(t, FADD_S(2, 1, 1, RNE));
	th_emit(t, FMV_X_D(10, 2));
	th_emit(t, FSGNJ_S(3, 1, 1));
	th_emit(t, FMV_X_D(12, 3));
	th_emit(t, FMV_X_W(13, 1));	/* raw low bits, sign-extended */
	th_emit(t, FMV_W_X(4, 11));	/* boxed */
	th_emit(t, FMV_X_D(14, 4));
	run(t);
	assert_int_equal(th_reg(t, 0, 10), CANON_S);
	assert_int_equal(th_reg(t, 0, 12), CANON_S);
	assert_int_equal(th_reg(t, 0, 13), 0x3f800000);
	assert_int_equal(th_reg(t, 0, 14), 0xffffffff3f800000ull);
	assert_int_equal(th_csr(t, 0, CSR_FFLAGS), 0);
	th_free(t);
}

static void test_fpu_flw_boxes_fsw_stores_low_bits(void **state)
{
	struct th *t = fp_machine(1);

	th_set_ram64(t, DATA, 0x1122334455667788ull);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA);
	tcg_cpu_set_reg(t->cpu[0], 12, 0xaabbccdd01020304ull);
	th_emit(t, FLW(1, 11, 0));
	th_emit(t, FMV_X_D(10, 1));
	th_emit(t, FMV_D_X(2, 12));
	th_emit(t, FSW(2, 11, 8));
	th_emit(t, FSD(2, 11, 16));
	th_emit(t, FLD(3, 11, 16));
	th_emit(t, FMV_X_D(13, 3));
	run(t);
	assert_int_equal(th_reg(t, 0, 10), 0xffffffff55667788ull);
	assert_int_equal(th_ram64(t, DATA + 8) & 0xffffffff, 0x01020304);
	assert_int_equal(th_reg(t, 0, 13), 0xaabbccdd01020304ull);
	th_free(t);
}

static void test_fpu_nan_results_are_canonical(void **state)
{
	struct th *t = fp_machine(1);

	binop(t, QNAN_D, bits(1.0), FADD_D(3, 1, 2, RNE));
	assert_int_equal(th_reg(t, 0, 10), CANON_D);
	assert_int_equal(th_csr(t, 0, CSR_FFLAGS), 0);
	th_free(t);

	t = fp_machine(1);
	binop(t, bits(1.0), SNAN_D, FADD_D(3, 1, 2, RNE));
	assert_int_equal(th_reg(t, 0, 10), CANON_D);
	assert_int_equal(th_csr(t, 0, CSR_FFLAGS), NV);
	th_free(t);

	t = fp_machine(1);
	binop(t, bits(INFINITY), bits(-INFINITY), FADD_D(3, 1, 2, RNE));
	assert_int_equal(th_reg(t, 0, 10), CANON_D);
	assert_int_equal(th_csr(t, 0, CSR_FFLAGS), NV);
	th_free(t);
}

static void test_fpu_fmin_fmax_zeros_and_nans(void **state)
{
	static const struct {
		uint64_t a, b;
		bool max;
		uint64_t res;
		unsigned flags;
	} c[] = {
		{ NEG_ZERO, 0, false, NEG_ZERO, 0 },
		{ 0, NEG_ZERO, false, NEG_ZERO, 0 },
		{ NEG_ZERO, 0, true, 0, 0 },
		{ 0, NEG_ZERO, true, 0, 0 },
		{ QNAN_D, 0x3ff0000000000000ull, false, 0x3ff0000000000000ull, 0 },
		{ 0x3ff0000000000000ull, SNAN_D, true, 0x3ff0000000000000ull, NV },
		{ QNAN_D, SNAN_D, false, CANON_D, NV },
		{ QNAN_D, QNAN_D, true, CANON_D, 0 },
	};

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct th *t = fp_machine(1);

		binop(t, c[i].a, c[i].b,
		      c[i].max ? FMAX_D(3, 1, 2) : FMIN_D(3, 1, 2));
		assert_int_equal(th_reg(t, 0, 10), c[i].res);
		assert_int_equal(th_csr(t, 0, CSR_FFLAGS), c[i].flags);
		th_free(t);
	}
}

static void test_fpu_compare_quiet_and_signalling(void **state)
{
	struct th *t = fp_machine(1);

	tcg_cpu_set_reg(t->cpu[0], 11, QNAN_D);
	th_emit(t, FMV_D_X(1, 11));
	th_emit(t, FEQ_D(10, 1, 1));
	th_emit(t, CSRR(12, CSR_FFLAGS));
	th_emit(t, FLT_D(13, 1, 1));
	run(t);
	assert_int_equal(th_reg(t, 0, 10), 0);
	assert_int_equal(th_reg(t, 0, 12), 0);	/* feq: quiet NaN is quiet */
	assert_int_equal(th_reg(t, 0, 13), 0);
	assert_int_equal(th_csr(t, 0, CSR_FFLAGS), NV);	/* flt signals */
	th_free(t);
}

static void test_fpu_fcvt_saturates_and_flags(void **state)
{
	static const struct {
		double v;
		unsigned kind, rm;	/* kind 0 w, 1 wu, 2 l */
		uint64_t res;
		unsigned flags;
	} c[] = {
		{ 1e10, 0, RTZ, 0x7fffffff, NV },
		{ -1e10, 0, RTZ, 0xffffffff80000000ull, NV },
		{ NAN, 0, RNE, 0x7fffffff, NV },
		{ NAN, 1, RNE, ~0ull, NV },
		{ -1.0, 1, RTZ, 0, NV },
		{ -0.5, 1, RTZ, 0, NX },
		{ 4294967295.0, 1, RNE, ~0ull, 0 },
		{ -INFINITY, 2, RNE, 1ull << 63, NV },
		{ INFINITY, 2, RNE, (1ull << 63) - 1, NV },
		{ 2.5, 0, RNE, 2, NX },
		{ 2.5, 0, RMM, 3, NX },
		{ -2.5, 0, RMM, (uint64_t)-3, NX },
		{ 2.5, 0, RDN, 2, NX },
		{ 2.5, 0, RUP, 3, NX },
	};

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct th *t = fp_machine(1);
		uint32_t op = c[i].kind == 0 ? FCVT_W_D(10, 1, c[i].rm)
			      : c[i].kind == 1 ? FCVT_WU_D(10, 1, c[i].rm)
					       : FCVT_L_D(10, 1, c[i].rm);

		tcg_cpu_set_reg(t->cpu[0], 11, bits(c[i].v));
		th_emit(t, FMV_D_X(1, 11));
		th_emit(t, op);
		run(t);
		assert_int_equal(th_reg(t, 0, 10), c[i].res);
		assert_int_equal(th_csr(t, 0, CSR_FFLAGS), c[i].flags);
		th_free(t);
	}
}

/* 2^53 + 1 is halfway between two doubles: RNE goes to even, RMM away;
 * frm supplies the mode for rm = dynamic. */
static void test_fpu_rmm_tie_goes_away_from_zero(void **state)
{
	for (unsigned frm = RNE; frm <= RMM; frm += RMM - RNE) {
		struct th *t = fp_machine(1);

		tcg_cpu_set_reg(t->cpu[0], 11, (1ull << 53) + 1);
		tcg_cpu_set_reg(t->cpu[0], 12, frm);
		th_emit(t, CSRW(CSR_FRM, 12));
		th_emit(t, FCVT_D_L(1, 11, DYN));
		th_emit(t, FMV_X_D(10, 1));
		run(t);
		assert_int_equal(th_reg(t, 0, 10),
				 frm == RMM ? 0x4340000000000001ull
					    : 0x4340000000000000ull);
		assert_int_equal(th_csr(t, 0, CSR_FFLAGS), NX);
		th_free(t);
	}
}

static void test_fpu_fma_rounds_once_and_inf_times_zero_is_invalid(void **state)
{
	struct th *t = fp_machine(1);
	double a = 1.0 + 0x1p-30, c = -(1.0 + 0x1p-29);

	/* a * a - (1 + 2^-29) = 2^-60 exactly; two roundings would give 0 */
	tcg_cpu_set_reg(t->cpu[0], 11, bits(a));
	tcg_cpu_set_reg(t->cpu[0], 12, bits(c));
	th_emit(t, FMV_D_X(1, 11));
	th_emit(t, FMV_D_X(2, 12));
	th_emit(t, FMADD_D(3, 1, 1, 2, RNE));
	th_emit(t, FMV_X_D(10, 3));
	run(t);
	assert_int_equal(th_reg(t, 0, 10), bits(0x1p-60));
	assert_int_equal(th_csr(t, 0, CSR_FFLAGS), 0);
	th_free(t);

	t = fp_machine(1);
	tcg_cpu_set_reg(t->cpu[0], 11, bits(INFINITY));
	tcg_cpu_set_reg(t->cpu[0], 12, QNAN_D);
	th_emit(t, FMV_D_X(1, 11));
	th_emit(t, FMV_D_X(2, 0));
	th_emit(t, FMV_D_X(4, 12));
	th_emit(t, FMADD_D(3, 1, 2, 4, RNE));
	th_emit(t, FMV_X_D(10, 3));
	run(t);
	assert_int_equal(th_reg(t, 0, 10), CANON_D);
	assert_int_equal(th_csr(t, 0, CSR_FFLAGS), NV);
	th_free(t);
}

static void test_fpu_reserved_rounding_modes_are_illegal(void **state)
{
	static const struct {
		unsigned rm, frm;
	} c[] = { { 5, 0 }, { 6, 0 }, { DYN, 5 }, { DYN, 6 }, { DYN, 7 } };

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct th *t = fp_machine(1);
		uint32_t op = FADD_D(3, 1, 2, c[i].rm);

		tcg_cpu_set_reg(t->cpu[0], 12, c[i].frm);
		th_emit(t, CSRW(CSR_FRM, 12));
		th_emit(t, op);
		run(t);
		assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 2);
		assert_int_equal(th_csr(t, 0, CSR_MTVAL), op);
		assert_int_equal(th_csr(t, 0, CSR_MEPC), CODE + 4);
		th_free(t);
	}
}

static void test_fpu_fs_off_traps_instructions_and_csrs(void **state)
{
	const uint32_t ops[] = {
		FADD_D(3, 1, 2, RNE), FMV_X_D(10, 1), FLD(1, 0, 0),
		FSW(1, 0, 0), CSRR(10, CSR_FFLAGS), CSRW(CSR_FRM, 0),
		CSRR(10, 0x003),
	};

	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct th *t = fp_machine(0);

		th_emit(t, ops[i]);
		run(t);
		assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 2);
		assert_int_equal(th_csr(t, 0, CSR_MTVAL), ops[i]);
		assert_int_equal(th_csr(t, 0, CSR_MEPC), CODE);
		th_free(t);
	}
}

static void test_fpu_fs_dirty_and_sd(void **state)
{
	struct th *t = fp_machine(1);

	/* an sNaN in f1, then FS back to Initial */
	tcg_cpu_set_reg(t->cpu[0], 11, SNAN_D);
	tcg_cpu_set_reg(t->cpu[0], 15, FS_MASK);
	tcg_cpu_set_reg(t->cpu[0], 16, 1ull << FS_SHIFT);
	th_emit(t, FMV_D_X(1, 11));
	th_emit(t, CSRRC(0, CSR_MSTATUS, 15));
	th_emit(t, CSRRS(0, CSR_MSTATUS, 16));
	th_emit(t, FEQ_D(10, 1, 1));	/* only accrues NV: FS stays */
	th_emit(t, CSRR(12, CSR_MSTATUS));
	th_emit(t, FMV_D_X(2, 0));	/* an FP register write */
	th_emit(t, CSRR(13, CSR_MSTATUS));
	th_emit(t, CSRR(14, CSR_SSTATUS));
	run(t);
	assert_int_equal(th_csr(t, 0, CSR_FFLAGS), NV);
	assert_int_equal(th_reg(t, 0, 12) & FS_SD, 1ull << FS_SHIFT);
	assert_int_equal(th_reg(t, 0, 13) & FS_SD, FS_SD);
	assert_int_equal(th_reg(t, 0, 14) & FS_SD, FS_SD);
	th_free(t);

	/* Clean, then an fflags write: Dirty; writing FS back clears SD */
	t = fp_machine(2);
	th_emit(t, CSRW(CSR_FFLAGS, 0));
	th_emit(t, CSRR(12, CSR_MSTATUS));
	tcg_cpu_set_reg(t->cpu[0], 11, 2ull << FS_SHIFT);
	tcg_cpu_set_reg(t->cpu[0], 15, FS_MASK);
	th_emit(t, CSRRC(0, CSR_MSTATUS, 15));
	th_emit(t, CSRRS(0, CSR_MSTATUS, 11));
	th_emit(t, CSRR(13, CSR_MSTATUS));
	run(t);
	assert_int_equal(th_reg(t, 0, 12) & FS_SD, FS_SD);
	assert_int_equal(th_reg(t, 0, 13) & FS_SD, 2ull << FS_SHIFT);
	th_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fpu_misa_has_f_and_d),
		cmocka_unit_test(test_fpu_improperly_boxed_single_is_canonical_nan),
		cmocka_unit_test(test_fpu_flw_boxes_fsw_stores_low_bits),
		cmocka_unit_test(test_fpu_nan_results_are_canonical),
		cmocka_unit_test(test_fpu_fmin_fmax_zeros_and_nans),
		cmocka_unit_test(test_fpu_compare_quiet_and_signalling),
		cmocka_unit_test(test_fpu_fcvt_saturates_and_flags),
		cmocka_unit_test(test_fpu_rmm_tie_goes_away_from_zero),
		cmocka_unit_test(test_fpu_fma_rounds_once_and_inf_times_zero_is_invalid),
		cmocka_unit_test(test_fpu_reserved_rounding_modes_are_illegal),
		cmocka_unit_test(test_fpu_fs_off_traps_instructions_and_csrs),
		cmocka_unit_test(test_fpu_fs_dirty_and_sd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
