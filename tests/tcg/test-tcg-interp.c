/* SPDX-License-Identifier: MIT */
/*
 * The interpreter backend's own tricks, checked through the whole
 * translator: operand forwarding (an op reading the previous op's result
 * from a host register) and its edge cases: x0 and scratch destinations,
 * slow-path loads, stores and branches that forward, the first op of a
 * block, memory hooks between the producer and the consumer.  Random
 * dependent chains are compared with a reference model written here.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/tcg/rv-asm.h"
#include "tests/tcg/tcg-harness.h"

#define CODE (TH_RAM_BASE + 0x1000)
#define TRAP_HANDLER (TH_RAM_BASE + 0x80000)
#define DATA (TH_RAM_BASE + 0xc0000)
#define MMIO_SCRATCH 0x1000ull

static void start(struct th *t, uint64_t at)
{
	th_org(t, TRAP_HANDLER);
	th_emit(t, HALT());
	tcg_cpu_write_csr(t->cpu[0], CSR_MTVEC, TRAP_HANDLER);
	th_org(t, at);
}

/* ---------------------------------------------------------------- model */

enum { K_RR, K_RI, K_LD, K_SD };

struct ref_op {
	const char *name;
	unsigned kind;
	uint32_t (*enc)(unsigned rd, unsigned rs1, unsigned rs2, int32_t imm);
	uint64_t (*eval)(uint64_t a, uint64_t b);
};

#define SX32(v) ((uint64_t)(int64_t)(int32_t)(uint32_t)(v))

#define RR_OP(NAME, expr)                                                      \
	static uint32_t enc_##NAME(unsigned rd, unsigned a, unsigned b,        \
				   int32_t i)                                  \
	{                                                                      \
		(void)i;                                                       \
		return NAME(rd, a, b);                                         \
	}                                                                      \
	static uint64_t ev_##NAME(uint64_t a, uint64_t b) { return (expr); }
#define RI_OP(NAME, expr)                                                      \
	static uint32_t enc_##NAME(unsigned rd, unsigned a, unsigned b,        \
				   int32_t i)                                  \
	{                                                                      \
		(void)b;                                                       \
		return NAME(rd, a, i);                                         \
	}                                                                      \
	static uint64_t ev_##NAME(uint64_t a, uint64_t b) { return (expr); }

RR_OP(ADD, a + b)
RR_OP(SUB, a - b)
RR_OP(SLL, a << (b & 63))
RR_OP(SLT, (int64_t)a < (int64_t)b)
RR_OP(SLTU, a < b)
RR_OP(XOR, a ^ b)
RR_OP(SRL, a >> (b & 63))
RR_OP(SRA, (uint64_t)((int64_t)a >> (b & 63)))
RR_OP(OR, a | b)
RR_OP(AND, a & b)
RR_OP(ADDW, SX32(a + b))
RR_OP(SUBW, SX32(a - b))
RR_OP(MUL, a * b)
RR_OP(MULW, SX32((uint32_t)a * (uint32_t)b))
RR_OP(DIVU, b ? a / b : ~0ull)
RR_OP(REMU, b ? a % b : a)
/* b is the immediate, sign-extended */
RI_OP(ADDI, a + b)
RI_OP(XORI, a ^ b)
RI_OP(ORI, a | b)
RI_OP(ANDI, a & b)
RI_OP(SLTI, (int64_t)a < (int64_t)b)
RI_OP(SLTIU, a < b)
RI_OP(ADDIW, SX32(a + b))

static uint32_t enc_SLLI(unsigned rd, unsigned a, unsigned b, int32_t i)
{
	(void)b;
	return SLLI(rd, a, i & 63);
}
static uint64_t ev_SLLI(uint64_t a, uint64_t b) { return a << (b & 63); }
static uint32_t enc_SRAI(unsigned rd, unsigned a, unsigned b, int32_t i)
{
	(void)b;
	return SRAI(rd, a, i & 63);
}
static uint64_t ev_SRAI(uint64_t a, uint64_t b)
{
	return (uint64_t)((int64_t)a >> (b & 63));
}
static uint32_t enc_LD(unsigned rd, unsigned a, unsigned b, int32_t i)
{
	(void)b;
	return LD(rd, a, i);
}
static uint32_t enc_SD(unsigned rd, unsigned a, unsigned b, int32_t i)
{
	(void)rd;
	return SD(b, a, i);
}

#define E(NAME, kind) { #NAME, kind, enc_##NAME, ev_##NAME }
static const struct ref_op ref_ops[] = {
	E(ADD, K_RR), E(SUB, K_RR), E(SLL, K_RR), E(SLT, K_RR),
	E(SLTU, K_RR), E(XOR, K_RR), E(SRL, K_RR), E(SRA, K_RR),
	E(OR, K_RR), E(AND, K_RR), E(ADDW, K_RR), E(SUBW, K_RR),
	E(MUL, K_RR), E(MULW, K_RR), E(DIVU, K_RR), E(REMU, K_RR),
	E(ADDI, K_RI), E(XORI, K_RI), E(ORI, K_RI), E(ANDI, K_RI),
	E(SLTI, K_RI), E(SLTIU, K_RI), E(ADDIW, K_RI), E(SLLI, K_RI),
	E(SRAI, K_RI),
	{ "LD", K_LD, enc_LD, NULL }, { "SD", K_SD, enc_SD, NULL },
};
#undef E

/* Registers the chains use: few, so most ops depend on the one before. */
static const unsigned regs[] = { 0, 5, 6, 7, 10 };
#define BASE 28 /* x28 = DATA, never written */

static unsigned pick(unsigned n)
{
	return (unsigned)random() % n;
}

static void test_interp_dependent_chains_match_reference(void **state)
{
	for (unsigned seed = 1; seed <= 200; seed++) {
		struct th *t = th_new(1);
		uint64_t x[32] = { 0 }, mem[8];
		unsigned n = 4 + seed % 40;

		srandom(seed);
		start(t, CODE);
		for (unsigned r = 1; r < sizeof(regs) / sizeof(regs[0]); r++) {
			x[regs[r]] = (uint64_t)random() << (random() % 40) ^
				     (uint64_t)random();
			tcg_cpu_set_reg(t->cpu[0], regs[r], x[regs[r]]);
		}
		for (unsigned i = 0; i < 8; i++) {
			mem[i] = (uint64_t)random() * 0x9e3779b97f4a7c15ull;
			th_set_ram64(t, DATA + 8 * i, mem[i]);
		}
		x[BASE] = DATA;
		tcg_cpu_set_reg(t->cpu[0], BASE, DATA);
		for (unsigned i = 0; i < n; i++) {
			const struct ref_op *o =
				&ref_ops[pick(sizeof(ref_ops) / sizeof(ref_ops[0]))];
			unsigned rd = regs[pick(5)], a = regs[pick(5)],
				 b = regs[pick(5)];
			int32_t imm = (int32_t)pick(4096) - 2048;
			uint64_t v = 0;

			switch (o->kind) {
			case K_RR:
				v = o->eval(x[a], x[b]);
				break;
			case K_RI:
				v = o->eval(x[a], (uint64_t)(int64_t)imm);
				break;
			case K_LD:
				a = BASE;
				imm = 8 * (int32_t)pick(8);
				v = mem[imm / 8];
				break;
			case K_SD:
				a = BASE;
				imm = 8 * (int32_t)pick(8);
				mem[imm / 8] = x[b];
				break;
			}
			th_emit(t, o->enc(rd, a, b, imm));
			if (o->kind != K_SD && rd)
				x[rd] = v;
		}
		th_emit(t, HALT());
		assert_int_equal(th_run_at(t, 0, CODE), 0);
		for (unsigned r = 0; r < sizeof(regs) / sizeof(regs[0]); r++)
			if (th_reg(t, 0, regs[r]) != x[regs[r]])
				fail_msg("seed %u: x%u = %#llx, expected %#llx",
					 seed, regs[r],
					 (unsigned long long)th_reg(t, 0, regs[r]),
					 (unsigned long long)x[regs[r]]);
		for (unsigned i = 0; i < 8; i++)
			assert_int_equal(th_ram64(t, DATA + 8 * i), mem[i]);
		th_free(t);
	}
}

/* ---------------------------------------------------------------- edges */

/* A write to x0 is not emitted: the op after it forwards from the one
 * before, and a load to x0 (scratch) is never forwarded as x0. */
static void test_interp_forwarding_around_x0(void **state)
{
	struct th *t = th_new(1);

	start(t, CODE);
	th_set_ram64(t, DATA, 0x1234);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA);
	th_emit(t, ADDI(5, 0, 7));
	th_emit(t, ADD(0, 5, 5));	/* not emitted */
	th_emit(t, ADD(10, 5, 0));	/* 7 + x0 */
	th_emit(t, LD(0, 11, 0));	/* to scratch */
	th_emit(t, ADD(12, 0, 0));	/* x0 + x0, not the loaded value */
	th_emit(t, ADD(13, 10, 0));
	th_emit(t, ADDI(0, 13, 5));	/* not emitted */
	th_emit(t, ADD(14, 13, 13));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 7);
	assert_int_equal(th_reg(t, 0, 12), 0);
	assert_int_equal(th_reg(t, 0, 13), 7);
	assert_int_equal(th_reg(t, 0, 14), 14);
	assert_int_equal(th_reg(t, 0, 0), 0);
	th_free(t);
}

/* A load that takes the slow path (MMIO) still forwards what it read. */
static void test_interp_forwarding_after_slow_load(void **state)
{
	struct th *t = th_new(1);

	start(t, CODE);
	tcg_cpu_set_reg(t->cpu[0], 11, MMIO_SCRATCH + 0x42);
	th_emit(t, LBU(5, 11, 0));	/* reads back 0x42 */
	th_emit(t, ADDI(10, 5, 1));
	th_emit(t, LBU(6, 11, 1));	/* 0x43 */
	th_emit(t, ADD(12, 6, 6));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 0x43);
	assert_int_equal(th_reg(t, 0, 12), 0x86);
	th_free(t);
}

/* Loads and stores whose address and/or value is the previous result. */
static void test_interp_forwarding_into_memory_ops(void **state)
{
	struct th *t = th_new(1);

	start(t, CODE);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA);
	th_set_ram64(t, DATA + 64, DATA + 128);
	th_set_ram64(t, DATA + 128, 0x5555);
	th_emit(t, ADDI(5, 11, 8));
	th_emit(t, SD(5, 5, 0));	/* address and value forwarded */
	th_emit(t, ADDI(6, 0, 99));
	th_emit(t, SD(6, 11, 16));	/* value forwarded */
	th_emit(t, ADDI(7, 11, 24));
	th_emit(t, SD(11, 7, 0));	/* address forwarded */
	th_emit(t, ADDI(8, 11, 64));
	th_emit(t, LD(9, 8, 0));	/* address forwarded: pointer chase */
	th_emit(t, LD(10, 9, 0));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_ram64(t, DATA + 8), DATA + 8);
	assert_int_equal(th_ram64(t, DATA + 16), 99);
	assert_int_equal(th_ram64(t, DATA + 24), DATA);
	assert_int_equal(th_reg(t, 0, 10), 0x5555);
	th_free(t);
}

/* A branch on the op before it ends the block; the next block's first op
 * reads the previous block's last result from x[], not from a stale acc. */
static void test_interp_forwarding_branch_at_block_end(void **state)
{
	struct th *t = th_new(1);

	start(t, CODE);
	th_emit(t, ADDI(5, 0, 100));
	th_emit(t, ADDI(6, 0, 0));
	th_emit(t, ADDI(6, 6, 3));	/* L: CODE + 8 */
	th_emit(t, ADDI(5, 5, -1));
	th_emit(t, BNE(5, 0, -8));	/* forwards x5 */
	th_emit(t, ADD(10, 6, 0));	/* first op of its block */
	th_emit(t, SLTU(12, 0, 10));
	th_emit(t, BEQ(12, 12, 8));	/* both operands forwarded: taken */
	th_emit(t, ADDI(10, 0, -1));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 300);
	assert_int_equal(th_reg(t, 0, 12), 1);
	th_free(t);
}

/* jalr with rd = x0 (ret, jr) takes a handler without the link write;
 * jalr with a link register other than ra still links. */
static void test_interp_jalr_with_and_without_link(void **state)
{
	struct th *t = th_new(1);
	const uint64_t f = CODE + 0x100;

	start(t, f);
	th_emit(t, ADDI(10, 10, 1));
	th_emit(t, JALR(0, 5, 0));		/* jr t0 */
	th_org(t, CODE);
	th_emit(t, AUIPC(6, 0));
	th_emit(t, JALR(5, 6, 0x100));		/* CODE + 4: jalr t0, 0x100(t1) */
	th_emit(t, JALR(5, 6, 0x100));		/* CODE + 8 */
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 2);
	assert_int_equal(th_reg(t, 0, 5), CODE + 12);
	assert_int_equal(th_reg(t, 0, 0), 0);
	th_free(t);
}

static unsigned n_mem;

static void hook_mem(void *opaque, struct tcg_cpu *cpu, uint64_t addr,
		     unsigned info)
{
	n_mem++;
}

static uint32_t hook_tb_flags(void *opaque, uint64_t mask)
{
	return mask ? TCG_TF_MEM_HOOK | TCG_TF_EXEC_HOOK : 0;
}

static const struct tcg_hooks hooks = {
	.mem = hook_mem,
	.tb_flags = hook_tb_flags,
};

/* With memory hooks a helper call sits between producer and consumer. */
static void test_interp_forwarding_with_memory_hooks(void **state)
{
	struct th *t = th_new_full(1, 0, &hooks);

	start(t, CODE);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA);
	th_emit(t, ADDI(5, 0, 41));
	th_emit(t, SD(5, 11, 0));
	th_emit(t, LD(6, 11, 0));
	th_emit(t, ADDI(10, 6, 1));
	th_emit(t, HALT());
	tcg_cpu_set_trace_mask(t->cpu[0], 1);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 42);
	assert_int_equal(n_mem, 3);	/* sd, ld, HALT's store */
	th_free(t);
}


/* ---------------------------------------------------------------- fusion */

static bool branch_ref(unsigned kind, uint64_t a, uint64_t b)
{
	switch (kind) {
	case 0: return a == b;
	case 1: return a != b;
	case 2: return (int64_t)a < (int64_t)b;
	case 3: return (int64_t)a >= (int64_t)b;
	case 4: return a < b;
	default: return a >= b;
	}
}

static uint32_t branch_insn(unsigned kind, unsigned a, unsigned b, int off)
{
	static const unsigned f3[] = { 0, 1, 4, 5, 6, 7 };

	return rv_b(off, b, a, f3[kind]);
}

/*
 * li+branch (the li's register on either side), addi+branch (reading x[]
 * or the previous result), every condition, taken and not: x10 = 1 if
 * taken.  The fused op is always the block's last.
 */
static void test_interp_fused_branches_every_condition(void **state)
{
	static const int64_t vals[] = { 0, 1, -1, 2, -2048, 2047, INT64_MIN };
	struct th *t = th_new(1);
	uint64_t at = CODE;

	for (unsigned kind = 0; kind < 6; kind++) {
		for (unsigned form = 0; form < 4; form++) {
			for (unsigned i = 0; i < 7; i++) {
				for (unsigned k = 0; k < 7; k++) {
					uint64_t v = (uint64_t)vals[i];
					int32_t imm = (int32_t)(vals[k] & 0xfff);
					/* the 12-bit immediate, sign-extended */
					uint64_t immv = (uint64_t)(int64_t)(
						(int32_t)((uint32_t)imm << 20) >> 20);
					bool want;

					th_org(t, at);
					tcg_cpu_set_reg(t->cpu[0], 11, v);
					tcg_cpu_set_reg(t->cpu[0], 10, 0);
					switch (form) {
					case 0: /* li t0, imm; bxx t0, a1 */
						th_emit(t, ADDI(5, 0, imm));
						th_emit(t, branch_insn(kind, 5, 11, 8));
						want = branch_ref(kind, immv, v);
						break;
					case 1: /* li t0, imm; bxx a1, t0 */
						th_emit(t, ADDI(5, 0, imm));
						th_emit(t, branch_insn(kind, 11, 5, 8));
						want = branch_ref(kind, v, immv);
						break;
					case 2: /* addi a2, a1, imm; bxx a2, a1 */
						th_emit(t, ADDI(12, 11, imm));
						th_emit(t, branch_insn(kind, 12, 11, 8));
						want = branch_ref(kind, v + immv, v);
						break;
					default: /* forwarded: xor a2 first */
						th_emit(t, XOR(12, 11, 0));
						th_emit(t, ADDI(12, 12, imm));
						th_emit(t, branch_insn(kind, 12, 0, 8));
						want = branch_ref(kind, v + immv, 0);
						break;
					}
					th_emit(t, HALT());
					th_emit(t, ADDI(10, 0, 1));
					th_emit(t, HALT());
					assert_int_equal(th_run_at(t, 0, at), 0);
					if (th_reg(t, 0, 10) != want)
						fail_msg("kind %u form %u v %lld imm %d: "
							 "taken %llu", kind, form,
							 (long long)v, imm,
							 (unsigned long long)th_reg(t, 0, 10));
					if (form < 2)
						assert_int_equal(th_reg(t, 0, 5), immv);
					else
						assert_int_equal(th_reg(t, 0, 12), v + immv);
					at = (t->at + 63) & ~63ull;
				}
			}
		}
	}
	th_free(t);
}

/* Not fused: the branch reads the result twice, or the li writes x0. */
static void test_interp_unfusable_pairs_still_work(void **state)
{
	struct th *t = th_new(1);

	start(t, CODE);
	th_emit(t, ADDI(5, 0, 3));
	th_emit(t, BEQ(5, 5, 8));	/* both operands: taken */
	th_emit(t, HALT());
	th_emit(t, ADDI(0, 0, 5));	/* nop (li x0) */
	th_emit(t, BNE(0, 0, 8));	/* not taken */
	th_emit(t, ADDI(10, 0, 9));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 9);
	th_free(t);
}

/* A one-block loop whose only real op is the fused pair, invalidated by
 * a store from another block while it runs between visits. */
static void test_interp_fused_first_op_invalidated(void **state)
{
	struct th *t = th_new(1);

	start(t, CODE);
	tcg_cpu_set_reg(t->cpu[0], 13, ADDI(5, 5, -2));
	tcg_cpu_set_reg(t->cpu[0], 14, CODE + 0x40);
	th_emit(t, ADDI(5, 0, 10));
	th_emit(t, ADDI(12, 0, 2));
	th_emit(t, JAL(0, 0x38));		/* CODE + 8 -> CODE + 0x40 */
	th_org(t, CODE + 0x40);
	th_emit(t, ADDI(5, 5, -1));		/* L: fused with the bne */
	th_emit(t, BNE(5, 0, -4));
	th_emit(t, ADDI(12, 12, -1));
	th_emit(t, BEQ(12, 0, 20));		/* second time: done */
	th_emit(t, SW(13, 14, 0));		/* L: addi x5, x5, -2 */
	th_emit(t, ADDI(5, 0, 10));
	th_emit(t, JAL(0, -20));		/* -> L */
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	/* 10 -> 0 by 1, then 10 -> 0 by 2 */
	assert_int_equal(th_reg(t, 0, 5), 0);
	assert_int_equal(th_reg(t, 0, 12), 0);
	th_free(t);
}

/* ---------------------------------------------------------------- jalr */

/* A return whose inline cache holds a block that a store invalidated
 * must run the new code. */
static void test_interp_jalr_cache_hit_on_invalidated_block(void **state)
{
	struct th *t = th_new(1);
	const uint64_t far = CODE + 0x1000;

	start(t, far);
	th_emit(t, JALR(0, 1, 0));		/* f: ret */
	th_org(t, CODE);
	tcg_cpu_set_reg(t->cpu[0], 13, ADDI(10, 10, 100));
	tcg_cpu_set_reg(t->cpu[0], 14, CODE + 8);
	th_emit(t, ADDI(11, 0, 3));		/* CODE */
	th_emit(t, JAL(1, (int)(far - (CODE + 4))));	/* L: call f */
	th_emit(t, ADDI(10, 10, 1));		/* CODE + 8: R, patched */
	th_emit(t, ADDI(11, 11, -1));
	th_emit(t, BNE(11, 0, -12));		/* -> L */
	th_emit(t, BNE(12, 0, 20));		/* CODE + 20: -> done */
	th_emit(t, SW(13, 14, 0));		/* patch R */
	th_emit(t, ADDI(11, 0, 3));
	th_emit(t, ADDI(12, 0, 1));
	th_emit(t, JAL(0, -32));		/* -> L */
	th_emit(t, HALT());			/* CODE + 40: done */
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 303);
	th_free(t);
}


/* One ret going back to four call sites, more than its cache holds:
 * every return lands where it should. */
static void test_interp_jalr_cache_many_targets(void **state)
{
	struct th *t = th_new(1);
	const uint64_t far = CODE + 0x1000;

	start(t, far);
	th_emit(t, JALR(0, 1, 0));		/* f: ret */
	th_org(t, CODE);
	th_emit(t, ADDI(11, 0, 50));
	for (unsigned i = 0; i < 4; i++) {	/* L: CODE + 4 */
		th_emit(t, JAL(1, (int)(far - t->at)));
		th_emit(t, ADDI(10, 10, 1 << (3 * i)));
	}
	th_emit(t, ADDI(11, 11, -1));
	th_emit(t, BNE(11, 0, -36));		/* -> L */
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 50 * (1 + 8 + 64 + 512));
	th_free(t);
}


/* Epilogues `addi sp, sp, n; ret` are one handler: sp updated, the
 * return taken, with sp read from x[] or forwarded; an addi writing the
 * jump register jumps to the new value; a jalr with an offset is not
 * folded. */
static void test_interp_fused_epilogue_returns(void **state)
{
	struct th *t = th_new(1);
	const uint64_t f = CODE + 0x100, g = CODE + 0x200, h = CODE + 0x300;
	const uint64_t k = CODE + 0x400;

	start(t, f);
	th_emit(t, ADDI(10, 10, 1));		/* f: plain */
	th_emit(t, ADDI(2, 2, 16));
	th_emit(t, JALR(0, 1, 0));
	th_org(t, g);
	th_emit(t, ADD(2, 2, 0));		/* g: sp forwarded */
	th_emit(t, ADDI(2, 2, 16));
	th_emit(t, JALR(0, 1, 0));
	th_org(t, h);
	th_emit(t, ADDI(1, 1, 4));		/* h: returns past a skip */
	th_emit(t, JALR(0, 1, 0));
	th_org(t, k);
	th_emit(t, ADDI(2, 2, 16));		/* k: jalr with an offset */
	th_emit(t, JALR(0, 1, 4));
	th_org(t, CODE);
	th_emit(t, ADDI(11, 0, 3));
	th_emit(t, JAL(1, (int)(f - t->at)));	/* L */
	th_emit(t, JAL(1, (int)(g - t->at)));
	th_emit(t, JAL(1, (int)(h - t->at)));
	th_emit(t, ADDI(10, 10, 100));		/* skipped by h */
	th_emit(t, JAL(1, (int)(k - t->at)));
	th_emit(t, ADDI(10, 10, 100));		/* skipped by k */
	th_emit(t, ADDI(11, 11, -1));
	th_emit(t, BNE(11, 0, -28));		/* -> L */
	th_emit(t, HALT());
	tcg_cpu_set_reg(t->cpu[0], 2, 0x1000);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 3);
	assert_int_equal(th_reg(t, 0, 2), 0x1000 + 3 * 3 * 16);
	th_free(t);
}


/* lui/auipc + addi(w) on the same register become one constant; the op
 * after reads it forwarded, a branch after fuses with it; other pairs
 * are left alone. */
static void test_interp_constant_pairs_fold(void **state)
{
	struct th *t = th_new(1);

	start(t, CODE);
	th_emit(t, LUI(5, 0x12345));
	th_emit(t, ADDI(5, 5, 0x678));		/* x5 = 0x12345678 */
	th_emit(t, ADD(10, 5, 0));		/* forwarded */
	th_emit(t, LUI(6, 0x80000));
	th_emit(t, ADDIW(6, 6, -1));		/* x6 = 0x7fffffff */
	th_emit(t, LUI(7, 0x80000));
	th_emit(t, ADDI(7, 7, -1));		/* x7 = 0xffffffff7fffffff */
	th_emit(t, LUI(8, 1));
	th_emit(t, ADDI(9, 8, 1));		/* other rd: x8 kept */
	th_emit(t, AUIPC(11, 1));		/* CODE + 36 + 0x1000 */
	th_emit(t, ADDI(11, 11, -4));
	th_emit(t, LUI(12, 0x12345));
	th_emit(t, ADDI(12, 12, 0x678));
	th_emit(t, BEQ(12, 5, 8));		/* taken */
	th_emit(t, HALT());
	th_emit(t, ADDI(13, 0, 1));
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 5), 0x12345678);
	assert_int_equal(th_reg(t, 0, 10), 0x12345678);
	assert_int_equal(th_reg(t, 0, 6), 0x7fffffff);
	assert_int_equal(th_reg(t, 0, 7), 0xffffffff7fffffffull);
	assert_int_equal(th_reg(t, 0, 8), 0x1000);
	assert_int_equal(th_reg(t, 0, 9), 0x1001);
	assert_int_equal(th_reg(t, 0, 11), CODE + 36 + 0x1000 - 4);
	assert_int_equal(th_reg(t, 0, 12), 0x12345678);
	assert_int_equal(th_reg(t, 0, 13), 1);
	th_free(t);
}

static unsigned n_exec;

static void hook_exec(void *opaque, struct tcg_cpu *cpu, uint64_t pc)
{
	n_exec++;
}

static const struct tcg_hooks mask_hooks = {
	.mem = hook_mem,
	.exec_tb = hook_exec,
	.tb_flags = hook_tb_flags,
};

/* Calls and returns under one trace mask, then another: the returns'
 * caches never lead into a block of the other mask. */
static void test_interp_call_return_across_trace_mask_change(void **state)
{
	struct th *t = th_new_full(1, 0, &mask_hooks);
	const uint64_t far = CODE + 0x1000;

	start(t, far);
	th_emit(t, LD(5, 11, 0));		/* f */
	th_emit(t, ADD(10, 10, 5));
	th_emit(t, JALR(0, 1, 0));
	th_org(t, CODE);
	th_emit(t, ADDI(12, 0, 4));
	th_emit(t, JAL(1, (int)(far - (CODE + 4))));	/* L */
	th_emit(t, ADDI(12, 12, -1));
	th_emit(t, BNE(12, 0, -8));
	th_emit(t, HALT());
	th_set_ram64(t, DATA, 5);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA);
	n_mem = n_exec = 0;
	for (unsigned round = 0; round < 4; round++) {
		uint64_t mask = round & 1;
		unsigned mem0 = n_mem, exec0 = n_exec;

		tcg_cpu_set_trace_mask(t->cpu[0], mask);
		tcg_cpu_set_reg(t->cpu[0], 10, 0);
		assert_int_equal(th_run_at(t, 0, CODE), 0);
		assert_int_equal(th_reg(t, 0, 10), 20);
		if (mask) {
			assert_int_equal(n_mem - mem0, 4 + 1); /* 4 ld + HALT */
			/* entry, 4 x (f, return site) */
			assert_true(n_exec - exec0 >= 9);
		} else {
			assert_int_equal(n_mem, mem0);
			assert_int_equal(n_exec, exec0);
		}
	}
	th_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interp_dependent_chains_match_reference),
		cmocka_unit_test(test_interp_forwarding_around_x0),
		cmocka_unit_test(test_interp_forwarding_after_slow_load),
		cmocka_unit_test(test_interp_forwarding_into_memory_ops),
		cmocka_unit_test(test_interp_forwarding_branch_at_block_end),
		cmocka_unit_test(test_interp_forwarding_with_memory_hooks),
		cmocka_unit_test(test_interp_jalr_with_and_without_link),
		cmocka_unit_test(test_interp_fused_branches_every_condition),
		cmocka_unit_test(test_interp_unfusable_pairs_still_work),
		cmocka_unit_test(test_interp_fused_first_op_invalidated),
		cmocka_unit_test(test_interp_jalr_cache_hit_on_invalidated_block),
		cmocka_unit_test(test_interp_jalr_cache_many_targets),
		cmocka_unit_test(test_interp_fused_epilogue_returns),
		cmocka_unit_test(test_interp_constant_pairs_fold),
		cmocka_unit_test(test_interp_call_return_across_trace_mask_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
