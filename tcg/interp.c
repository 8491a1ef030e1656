/* SPDX-License-Identifier: MIT */
/*
 * The first backend: a threaded interpreter over pre-decoded ops.
 *
 * compile() turns each IR op into a 24-byte interp_op whose first word is
 * the address of its handler label, so dispatch is one indirect jump
 * (computed goto) with register numbers and immediates already decoded.
 *
 * Block boundaries, where the exit_request check lives:
 *  - ENTER, used by chained jumps, jump-cache hits and the dispatcher,
 *    tests cpu->exit_request and counts the block's instructions (the
 *    IR's TB_ENTRY op, done inline at each entry site), then jumps to the
 *    block's first real op.  Nothing else checks.
 *  - invalidate() rewrites the handler of that first real op to
 *    L_INVALID, which leaves to the dispatcher before any of the block
 *    runs; stale chains and jump-cache entries that still point at the
 *    block notice on their next entry.
 *
 * Loads and stores take the fast path when the address is inside RAM (one
 * subtract and compare) and, for stores, the page is not marked
 * store_slow (it or the next page holds translated code).  Everything else
 * goes through tcg_helper_load/store.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tcg/tcg-internal.h"

struct interp_op {
	const void *h;
	uint8_t rd, rs1, rs2, len;
	int32_t pc_off;
	int64_t imm;
};
_Static_assert(sizeof(struct interp_op) == 24, "interp_op is 24 bytes");

#define L_INVALID_IDX TCG_IR_NB_OPS

/* compile() puts the ops right after the tb: no load on block entry. */
static inline const struct interp_op *tb_ops(const struct tcg_tb *tb)
{
	return (const struct interp_op *)(tb + 1);
}
static const void *const *interp_labels;

static void interp_run(struct tcg_cpu *cpu, struct tcg_tb *tb)
{
	static const void *const labels[TCG_IR_NB_OPS + 1] = {
#define LBL(name) [TCG_IR_##name] = &&L_##name,
		TCG_IR_OPS(LBL)
#undef LBL
		[L_INVALID_IDX] = &&L_INVALID,
	};
	uint64_t *x;
	uint8_t *ram, *slow;
	uint64_t rbase, rsize;
	const struct interp_op *op;
	struct tcg_tb *next;
	int r;

	if (!cpu) {
		interp_labels = labels;
		return;
	}
	x = cpu->x;
	ram = cpu->ram;
	slow = cpu->store_slow;
	rbase = cpu->ram_base;
	rsize = cpu->ram_size;
#define NEXT                                                                   \
	do {                                                                   \
		op++;                                                          \
		goto *op->h;                                                   \
	} while (0)
/*
 * Enter a block: the block-boundary check and instruction count inlined at
 * each entry site (so each site's indirect jump predicts on its own), then
 * straight to the block's first real op; ops[0] is the IR's TB_ENTRY.
 */
#define ENTER(t)                                                               \
	do {                                                                   \
		tb = (t);                                                      \
		/* Pairs with the release store in tcg_kick(). */              \
		if (unlikely(__atomic_load_n(&cpu->exit_request,               \
					     __ATOMIC_ACQUIRE))) {             \
			cpu->pc = tb->pc;                                      \
			goto out_nochain;                                      \
		}                                                              \
		cpu->instret += tb->ninsns;                                    \
		op = tb_ops(tb) + 1;                                           \
		/* May be rewritten by interp_invalidate(): atomic load. */    \
		goto *__atomic_load_n(&op->h, __ATOMIC_RELAXED);               \
	} while (0)
#define SYNC_PC() (cpu->pc = tb->pc + (uint64_t)(int64_t)op->pc_off)
#define RR(name, expr)                                                         \
	L_##name : {                                                           \
		uint64_t a = x[op->rs1], b = x[op->rs2];                       \
		(void)b;                                                       \
		x[op->rd] = (expr);                                            \
		NEXT;                                                          \
	}
#define RI(name, expr)                                                         \
	L_##name : {                                                           \
		uint64_t a = x[op->rs1];                                       \
		int64_t i = op->imm;                                           \
		(void)i;                                                       \
		x[op->rd] = (expr);                                            \
		NEXT;                                                          \
	}
#define SW32(v) ((uint64_t)(int64_t)(int32_t)(v))
#define LOAD(name, type, size, sign)                                           \
	L_##name : {                                                           \
		uint64_t a = x[op->rs1] + (uint64_t)op->imm, off = a - rbase;  \
		if (likely(off <= rsize - size)) {                             \
			type v;                                                \
			memcpy(&v, ram + off, size);                           \
			x[op->rd] = (uint64_t)(int64_t)v;                      \
			NEXT;                                                  \
		}                                                              \
		SYNC_PC();                                                     \
		if (tcg_helper_load(cpu, a, size, sign, &x[op->rd]))           \
			goto out_nochain;                                      \
		NEXT;                                                          \
	}
#define STORE(name, type, size)                                                \
	L_##name : {                                                           \
		uint64_t a = x[op->rs1] + (uint64_t)op->imm, off = a - rbase;  \
		if (likely(off <= rsize - size && !slow[off >> TCG_PAGE_BITS])) { \
			type v = (type)x[op->rs2];                             \
			memcpy(ram + off, &v, size);                           \
			NEXT;                                                  \
		}                                                              \
		SYNC_PC();                                                     \
		r = tcg_helper_store(cpu, a, size, x[op->rs2]);                \
		if (r == TCG_H_EXIT)                                           \
			goto out_nochain;                                      \
		if (r == TCG_H_NEXT)                                           \
			goto out_next;                                         \
		NEXT;                                                          \
	}
#define BRANCH(name, cond)                                                     \
	L_##name : {                                                           \
		uint64_t a = x[op->rs1], b = x[op->rs2];                       \
		if (cond)                                                      \
			goto slot0;                                            \
		goto slot1;                                                    \
	}

	ENTER(tb);

L_NOP:
	NEXT;
L_TB_ENTRY: /* done by ENTER */
	NEXT;
L_INVALID:
	cpu->pc = tb->pc;
	goto out_nochain;
L_LI:
	x[op->rd] = (uint64_t)op->imm;
	NEXT;

	RR(ADD, a + b)
	RR(SUB, a - b)
	RR(SLL, a << (b & 63))
	RR(SLT, (int64_t)a < (int64_t)b)
	RR(SLTU, a < b)
	RR(XOR, a ^ b)
	RR(SRL, a >> (b & 63))
	RR(SRA, (uint64_t)((int64_t)a >> (b & 63)))
	RR(OR, a | b)
	RR(AND, a & b)
	RR(ADDW, SW32(a + b))
	RR(SUBW, SW32(a - b))
	RR(SLLW, SW32((uint32_t)a << (b & 31)))
	RR(SRLW, SW32((uint32_t)a >> (b & 31)))
	RR(SRAW, SW32((int32_t)a >> (b & 31)))
	RR(MUL, a * b)
	RR(MULH, (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64))
	RR(MULHSU,
	   (uint64_t)(((__int128)(int64_t)a * (__int128)(uint64_t)b) >> 64))
	RR(MULHU, (uint64_t)(((unsigned __int128)a * b) >> 64))
	RR(DIV, b == 0 ? ~0ull
	   : ((int64_t)a == INT64_MIN && (int64_t)b == -1)
		   ? a
		   : (uint64_t)((int64_t)a / (int64_t)b))
	RR(DIVU, b == 0 ? ~0ull : a / b)
	RR(REM, b == 0 ? a
	   : ((int64_t)a == INT64_MIN && (int64_t)b == -1)
		   ? 0
		   : (uint64_t)((int64_t)a % (int64_t)b))
	RR(REMU, b == 0 ? a : a % b)
	RR(MULW, SW32((uint32_t)a * (uint32_t)b))
	RR(DIVW, (uint32_t)b == 0 ? ~0ull
	   : ((int32_t)a == INT32_MIN && (int32_t)b == -1)
		   ? SW32(a)
		   : SW32((int32_t)a / (int32_t)b))
	RR(DIVUW, (uint32_t)b == 0 ? ~0ull : SW32((uint32_t)a / (uint32_t)b))
	RR(REMW, (uint32_t)b == 0 ? SW32(a)
	   : ((int32_t)a == INT32_MIN && (int32_t)b == -1)
		   ? 0
		   : SW32((int32_t)a % (int32_t)b))
	RR(REMUW, (uint32_t)b == 0 ? SW32(a) : SW32((uint32_t)a % (uint32_t)b))

	RI(ADDI, a + (uint64_t)i)
	RI(SLTI, (int64_t)a < i)
	RI(SLTIU, a < (uint64_t)i)
	RI(XORI, a ^ (uint64_t)i)
	RI(ORI, a | (uint64_t)i)
	RI(ANDI, a & (uint64_t)i)
	RI(SLLI, a << (i & 63))
	RI(SRLI, a >> (i & 63))
	RI(SRAI, (uint64_t)((int64_t)a >> (i & 63)))
	RI(ADDIW, SW32(a + (uint64_t)i))
	RI(SLLIW, SW32((uint32_t)a << (i & 31)))
	RI(SRLIW, SW32((uint32_t)a >> (i & 31)))
	RI(SRAIW, SW32((int32_t)a >> (i & 31)))

	LOAD(LB, int8_t, 1, true)
	LOAD(LH, int16_t, 2, true)
	LOAD(LW, int32_t, 4, true)
	LOAD(LD, int64_t, 8, true)
	LOAD(LBU, uint8_t, 1, false)
	LOAD(LHU, uint16_t, 2, false)
	LOAD(LWU, uint32_t, 4, false)
	STORE(SB, uint8_t, 1)
	STORE(SH, uint16_t, 2)
	STORE(SW, uint32_t, 4)
	STORE(SD, uint64_t, 8)

	BRANCH(BEQ, a == b)
	BRANCH(BNE, a != b)
	BRANCH(BLT, (int64_t)a < (int64_t)b)
	BRANCH(BGE, (int64_t)a >= (int64_t)b)
	BRANCH(BLTU, a < b)
	BRANCH(BGEU, a >= b)

L_GOTO_TB:
	if (op->imm)
		goto slot1;
slot0:
	/* Chained successor: pairs with the release in tcg_tb_chain(). */
	next = __atomic_load_n(&tb->jmp[0], __ATOMIC_ACQUIRE);
	if (next)
		ENTER(next);
	cpu->pc = tb->exit_pc[0];
	cpu->last_tb = tb;
	cpu->last_slot = 0;
	return;
slot1:
	next = __atomic_load_n(&tb->jmp[1], __ATOMIC_ACQUIRE);
	if (next)
		ENTER(next);
	cpu->pc = tb->exit_pc[1];
	cpu->last_tb = tb;
	cpu->last_slot = 1;
	return;

L_JALR: {
	uint64_t t = (x[op->rs1] + (uint64_t)op->imm) & ~1ull;

	x[op->rd] = tb->pc + (uint64_t)(int64_t)op->pc_off + op->len;
	/* Jump cache: own thread's array, entries checked against the key. */
	next = cpu->jc[tcg_jc_hash(t)];
	if (next && next->pc == t && next->priv == cpu->priv &&
	    next->trace_mask == cpu->key_mask)
		ENTER(next);
	cpu->pc = t;
	goto out_nochain;
}
L_EXIT:
	goto out_nochain;

#define ATOMIC(name, call)                                                     \
	L_##name : SYNC_PC();                                                  \
	r = call;                                                              \
	if (r == TCG_H_EXIT)                                                   \
		goto out_nochain;                                              \
	if (r == TCG_H_NEXT)                                                   \
		goto out_next;                                                 \
	NEXT;
	ATOMIC(LR_W, tcg_helper_lr(cpu, op->rd, x[op->rs1], 4))
	ATOMIC(LR_D, tcg_helper_lr(cpu, op->rd, x[op->rs1], 8))
	ATOMIC(SC_W, tcg_helper_sc(cpu, op->rd, x[op->rs1], 4, x[op->rs2]))
	ATOMIC(SC_D, tcg_helper_sc(cpu, op->rd, x[op->rs1], 8, x[op->rs2]))
	ATOMIC(AMO_W, tcg_helper_amo(cpu, op->rd, x[op->rs1], 4,
				     (unsigned)op->imm, x[op->rs2]))
	ATOMIC(AMO_D, tcg_helper_amo(cpu, op->rd, x[op->rs1], 8,
				     (unsigned)op->imm, x[op->rs2]))

L_CSR:
	SYNC_PC();
	if (tcg_helper_csr(cpu, op->rd, op->rs1, op->imm))
		goto out_nochain;
	NEXT;
L_ECALL:
	SYNC_PC();
	tcg_helper_system(cpu, TCG_IR_ECALL, (uint32_t)op->imm);
	goto out_nochain;
L_EBREAK:
	SYNC_PC();
	tcg_helper_system(cpu, TCG_IR_EBREAK, (uint32_t)op->imm);
	goto out_nochain;
L_MRET:
	SYNC_PC();
	tcg_helper_system(cpu, TCG_IR_MRET, (uint32_t)op->imm);
	goto out_nochain;
L_SRET:
	SYNC_PC();
	tcg_helper_system(cpu, TCG_IR_SRET, (uint32_t)op->imm);
	goto out_nochain;
L_ILLEGAL:
	SYNC_PC();
	tcg_helper_system(cpu, TCG_IR_ILLEGAL, (uint32_t)op->imm);
	goto out_nochain;
L_WFI:
	SYNC_PC();
	if (tcg_helper_system(cpu, TCG_IR_WFI, (uint32_t)op->imm))
		goto out_nochain;
	NEXT;
L_FENCE_I:
	SYNC_PC();
	tcg_helper_system(cpu, TCG_IR_FENCE_I, (uint32_t)op->imm);
	/* The jump cache is gone: do not chain, go through the dispatcher. */
	goto out_next;
L_SFENCE_VMA:
	SYNC_PC();
	if (tcg_helper_system(cpu, TCG_IR_SFENCE_VMA, (uint32_t)op->imm))
		goto out_nochain;
	NEXT;
L_FENCE:
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	NEXT;
L_FETCH_FAULT:
	SYNC_PC();
	tcg_raise(cpu, EXC_INSN_ACCESS, (uint64_t)op->imm);
	goto out_nochain;
L_TRACE_TB:
	tcg_helper_trace_tb(cpu, tb->pc);
	NEXT;
L_TRACE_MEM:
	SYNC_PC();
	tcg_helper_trace_mem(cpu, x[op->rs1] + (uint64_t)op->imm, op->rs2);
	NEXT;

out_next:
	cpu->pc = tb->pc + (uint64_t)(int64_t)op->pc_off + op->len;
out_nochain:
	cpu->last_tb = NULL;
}

static pthread_once_t interp_once = PTHREAD_ONCE_INIT;

static void interp_init(void)
{
	interp_run(NULL, NULL);
}

static size_t interp_code_size(const struct tcg_ir_block *ir)
{
	return ir->nops * sizeof(struct interp_op);
}

static void interp_compile(struct tcg_tb *tb, const struct tcg_ir_block *ir,
			   void *code)
{
	struct interp_op *out = code;

	pthread_once(&interp_once, interp_init);
	if (code != (void *)(tb + 1))
		abort(); /* tb.c allocates the code right after the tb */
	for (unsigned i = 0; i < ir->nops; i++) {
		const struct tcg_ir_op *in = &ir->ops[i];

		out[i].h = interp_labels[in->opc];
		out[i].rd = in->rd;
		out[i].rs1 = in->rs1;
		out[i].rs2 = in->rs2;
		out[i].len = in->len;
		out[i].pc_off = in->pc_off;
		out[i].imm = in->imm;
	}
	tb->code = code;
}

static void interp_invalidate(struct tcg_tb *tb)
{
	struct interp_op *op = (struct interp_op *)tb->code + 1;

	/* Pairs with the indirect jump through op->h on entry. */
	__atomic_store_n(&op->h, interp_labels[L_INVALID_IDX],
			 __ATOMIC_RELEASE);
}

const struct tcg_backend tcg_backend_interp = {
	.name = "interp",
	.code_size = interp_code_size,
	.compile = interp_compile,
	.exec = interp_run,
	.invalidate = interp_invalidate,
};
