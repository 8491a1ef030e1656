/* SPDX-License-Identifier: MIT */
/*
 * The first backend: a threaded interpreter over pre-decoded ops.
 *
 * compile() turns each IR op into a 24-byte interp_op whose first word is
 * the address of its handler label, so dispatch is one indirect jump
 * (computed goto) with register numbers and immediates already decoded.
 *
 * Block boundaries, where the exit_request check lives:
 *  - ENTER, used by chained jumps, jalr's inline-cache and jump-cache
 *    hits, and the dispatcher,
 *    tests cpu->exit_request and counts the block's instructions (the
 *    IR's TB_ENTRY op, done inline at each entry site), then jumps to the
 *    block's first real op.  Nothing else checks.
 *  - invalidate() rewrites the handler of that first real op to
 *    L_INVALID, which leaves to the dispatcher before any of the block
 *    runs; stale chains and jump-cache entries that still point at the
 *    block notice on their next entry (jalr inline caches also skip an
 *    invalid block and refill the slot).
 *
 * Operand forwarding: every op that writes a register (LI, ALU, loads)
 * also leaves the value in a host register, `acc`.  compile() gives an op
 * whose rs1 and/or rs2 is the previous op's rd a variant that reads acc
 * instead of x[], so a chain of dependent ops does not wait on a store
 * to x[] being forwarded to the next load from it.  x[] is still written
 * by every op: the forwarding is invisible to helpers, traps and the
 * other backends.  An op is only ever reached from the op before it in
 * its block (or from ENTER for the first real op, which never forwards),
 * so "previous op" is known at compile time.
 *
 * Superinstructions: compile() folds the block's terminator into the op
 * before it when that op cannot fault (addi/li + a branch on its result,
 * addi + jr), one dispatch less per block; see fuse_terminator().  It
 * also folds `lui/auipc r; addi(w) r, r, imm` into one constant.
 *
 * Loads and stores take the fast path when the address is inside RAM (one
 * subtract and compare) and, for stores, the page is not marked
 * store_slow (it or the next page holds translated code).  Blocks whose
 * loads and stores are paged (the key says so) get the _PG handlers
 * instead, which try the vCPU's TLB (tcg/mmu.h: a tag compare, then the
 * RAM offset is the address + addend; misaligned accesses miss).
 * Everything else goes through tcg_helper_load/store.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tcg/guest-ram.h"
#include "tcg/tcg-internal.h"

struct interp_op {
	const void *h;
	uint8_t rd, rs1, rs2, len;
	int32_t pc_off;
	int64_t imm;
};
_Static_assert(sizeof(struct interp_op) == 24, "interp_op is 24 bytes");

/* Backend-only handlers, after the IR's in the label table. */
#define L_INVALID_IDX TCG_IR_NB_OPS
#define L_JR_IDX (TCG_IR_NB_OPS + 1)
#define L_ADDI_JR_IDX (TCG_IR_NB_OPS + 2)	/* and + 3: rs1 forwarded */
#define L_NB_IDX (TCG_IR_NB_OPS + 4)

/* compile() puts the ops right after the tb: no load on block entry. */
static inline const struct interp_op *tb_ops(const struct tcg_tb *tb)
{
	return (const struct interp_op *)(tb + 1);
}

#define SW32(v) ((uint64_t)(int64_t)(int32_t)(v))

/* x[rd] = a op b, a = x[rs1], b = x[rs2] */
#define INTERP_RR_OPS(X)                                                       \
	X(ADD, a + b)                                                          \
	X(SUB, a - b)                                                          \
	X(SLL, a << (b & 63))                                                  \
	X(SLT, (int64_t)a < (int64_t)b)                                        \
	X(SLTU, a < b)                                                         \
	X(XOR, a ^ b)                                                          \
	X(SRL, a >> (b & 63))                                                  \
	X(SRA, (uint64_t)((int64_t)a >> (b & 63)))                             \
	X(OR, a | b)                                                           \
	X(AND, a & b)                                                          \
	X(ADDW, SW32(a + b))                                                   \
	X(SUBW, SW32(a - b))                                                   \
	X(SLLW, SW32((uint32_t)a << (b & 31)))                                 \
	X(SRLW, SW32((uint32_t)a >> (b & 31)))                                 \
	X(SRAW, SW32((int32_t)a >> (b & 31)))                                  \
	X(MUL, a * b)                                                          \
	X(MULH, (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64)) \
	X(MULHSU,                                                              \
	  (uint64_t)(((__int128)(int64_t)a * (__int128)(uint64_t)b) >> 64))    \
	X(MULHU, (uint64_t)(((unsigned __int128)a * b) >> 64))                 \
	X(DIV, b == 0 ? ~0ull                                                  \
	       : ((int64_t)a == INT64_MIN && (int64_t)b == -1)                 \
		       ? a                                                     \
		       : (uint64_t)((int64_t)a / (int64_t)b))                  \
	X(DIVU, b == 0 ? ~0ull : a / b)                                        \
	X(REM, b == 0 ? a                                                      \
	       : ((int64_t)a == INT64_MIN && (int64_t)b == -1)                 \
		       ? 0                                                     \
		       : (uint64_t)((int64_t)a % (int64_t)b))                  \
	X(REMU, b == 0 ? a : a % b)                                            \
	X(MULW, SW32((uint32_t)a * (uint32_t)b))                               \
	X(DIVW, (uint32_t)b == 0 ? ~0ull                                       \
		: ((int32_t)a == INT32_MIN && (int32_t)b == -1)                \
			? SW32(a)                                              \
			: SW32((int32_t)a / (int32_t)b))                       \
	X(DIVUW, (uint32_t)b == 0 ? ~0ull : SW32((uint32_t)a / (uint32_t)b))   \
	X(REMW, (uint32_t)b == 0 ? SW32(a)                                     \
		: ((int32_t)a == INT32_MIN && (int32_t)b == -1)                \
			? 0                                                    \
			: SW32((int32_t)a % (int32_t)b))                       \
	X(REMUW, (uint32_t)b == 0 ? SW32(a) : SW32((uint32_t)a % (uint32_t)b))

/* x[rd] = a op i, a = x[rs1], i = imm */
#define INTERP_RI_OPS(X)                                                       \
	X(ADDI, a + (uint64_t)i)                                               \
	X(SLTI, (int64_t)a < i)                                                \
	X(SLTIU, a < (uint64_t)i)                                              \
	X(XORI, a ^ (uint64_t)i)                                               \
	X(ORI, a | (uint64_t)i)                                                \
	X(ANDI, a & (uint64_t)i)                                               \
	X(SLLI, a << (i & 63))                                                 \
	X(SRLI, a >> (i & 63))                                                 \
	X(SRAI, (uint64_t)((int64_t)a >> (i & 63)))                            \
	X(ADDIW, SW32(a + (uint64_t)i))                                        \
	X(SLLIW, SW32((uint32_t)a << (i & 31)))                                \
	X(SRLIW, SW32((uint32_t)a >> (i & 31)))                                \
	X(SRAIW, SW32((int32_t)a >> (i & 31)))

#define INTERP_LOAD_OPS(X)                                                     \
	X(LB, int8_t, 1, true)                                                 \
	X(LH, int16_t, 2, true)                                                \
	X(LW, int32_t, 4, true)                                                \
	X(LD, int64_t, 8, true)                                                \
	X(LBU, uint8_t, 1, false)                                              \
	X(LHU, uint16_t, 2, false)                                             \
	X(LWU, uint32_t, 4, false)

#define INTERP_STORE_OPS(X)                                                    \
	X(SB, uint8_t, 1)                                                      \
	X(SH, uint16_t, 2)                                                     \
	X(SW, uint32_t, 4)                                                     \
	X(SD, uint64_t, 8)

#define INTERP_BRANCH_OPS(X)                                                   \
	X(BEQ, a == b)                                                         \
	X(BNE, a != b)                                                         \
	X(BLT, (int64_t)a < (int64_t)b)                                        \
	X(BGE, (int64_t)a >= (int64_t)b)                                       \
	X(BLTU, a < b)                                                         \
	X(BGEU, a >= b)

/* Which operands an op variant takes from acc. */
enum { FWD_RS1 = 1, FWD_RS2 = 2 };

/* Filled by interp_run(NULL, NULL): handler per opcode, and per forwarding
 * variant (index FWD_* - 1; NULL where the op has no such variant). */
static const void *const *interp_labels;
static const void *const (*interp_fwd_labels)[3];
/* Loads and stores of blocks whose data accesses are paged (tb->paged &
 * TCG_TB_DATA_PAGED), per forwarding variant 0..3 as above. */
static const void *const (*interp_pg_labels)[4];
/*
 * Fused pairs, a register-writing op and the branch ending the block that
 * tests its result (loop counters, `li t0, 2; blt a0, t0`), indexed by the
 * branch (opc - TCG_IR_BEQ):
 *  ADDI+Bxx  [0] addi from x[rs1], [1] from acc; the branch's first
 *            operand is the addi's rd, its second x[rs2]
 *  LI+Bxx    [0] the li's rd is the branch's first operand, [1] its
 *            second; the other operand is x[rs1]
 */
#define NB_BRANCHES (TCG_IR_BGEU - TCG_IR_BEQ + 1)
static const void *const (*interp_addi_br_labels)[2];
static const void *const (*interp_li_br_labels)[2];
/* Ops whose handlers leave the value written to x[rd] in acc. */
static const bool interp_sets_acc[TCG_IR_NB_OPS] = {
	[TCG_IR_LI] = true,
#define SETS_ACC(name, ...) [TCG_IR_##name] = true,
	INTERP_RR_OPS(SETS_ACC) INTERP_RI_OPS(SETS_ACC)
	INTERP_LOAD_OPS(SETS_ACC)
#undef SETS_ACC
};

/* In the op slot after a JALR: see JALR_BODY. */
struct interp_jalr_cache {
	struct tcg_tb *tb[2];	/* atomic */
	uint64_t unused;
};
_Static_assert(sizeof(struct interp_jalr_cache) == sizeof(struct interp_op),
	       "the jalr cache fills one op slot");

static void ic_fill(struct interp_jalr_cache *ic, struct tcg_tb *tb)
{
	for (unsigned i = 0; i < 2; i++) {
		struct tcg_tb *old = __atomic_load_n(&ic->tb[i], __ATOMIC_RELAXED);

		if (!old || __atomic_load_n(&old->invalid, __ATOMIC_RELAXED)) {
			/* Pairs with the acquire loads in JALR_BODY. */
			__atomic_store_n(&ic->tb[i], tb, __ATOMIC_RELEASE);
			return;
		}
	}
}

static void interp_run(struct tcg_cpu *cpu, struct tcg_tb *tb)
{
	static const void *const labels[L_NB_IDX] = {
#define LBL(name) [TCG_IR_##name] = &&L_##name,
		TCG_IR_OPS(LBL)
#undef LBL
		[L_INVALID_IDX] = &&L_INVALID,
		[L_JR_IDX] = &&L_JR,
		[L_ADDI_JR_IDX] = &&L_ADDI_JR,
		[L_ADDI_JR_IDX + 1] = &&L_ADDI_JR_1,
	};
	/* rs2 of I-type ops and loads is not an operand: its bit maps to the
	 * variant without it. */
	static const void *const fwd[TCG_IR_NB_OPS][3] = {
#define FWD2(name, ...)                                                        \
	[TCG_IR_##name] = { &&L_##name##_1, &&L_##name##_2, &&L_##name##_3 },
#define FWD1(name, ...)                                                        \
	[TCG_IR_##name] = { &&L_##name##_1, &&L_##name, &&L_##name##_1 },
		INTERP_RR_OPS(FWD2) INTERP_RI_OPS(FWD1) INTERP_LOAD_OPS(FWD1)
		INTERP_STORE_OPS(FWD2) INTERP_BRANCH_OPS(FWD2)
#undef FWD1
#undef FWD2
	};
#define PG2(name, ...)                                                         \
	[TCG_IR_##name] = { &&L_##name##_PG, &&L_##name##_PG_1,                \
			    &&L_##name##_PG_2, &&L_##name##_PG_3 },
#define PG1(name, ...)                                                         \
	[TCG_IR_##name] = { &&L_##name##_PG, &&L_##name##_PG_1,                \
			    &&L_##name##_PG, &&L_##name##_PG_1 },
	static const void *const pg[TCG_IR_NB_OPS][4] = {
		INTERP_LOAD_OPS(PG1) INTERP_STORE_OPS(PG2)
	};
#undef PG1
#undef PG2
#define FUSED2(name, ...) { &&L_ADDI_##name, &&L_ADDI_##name##_1 },
	static const void *const addi_br[NB_BRANCHES][2] = {
		INTERP_BRANCH_OPS(FUSED2)
	};
#undef FUSED2
#define FUSED2(name, ...) { &&L_LI_##name##_L, &&L_LI_##name##_R },
	static const void *const li_br[NB_BRANCHES][2] = {
		INTERP_BRANCH_OPS(FUSED2)
	};
#undef FUSED2
	uint64_t *x;
	uint8_t *ram, *slow;
	uint64_t rbase, rlim;
	const struct tcg_tlb_entry *tlb;
	const struct interp_op *op;
	struct tcg_tb *next;
	uint64_t acc = 0;
	int r;

	if (!cpu) {
		interp_labels = labels;
		interp_fwd_labels = fwd;
		interp_pg_labels = pg;
		interp_addi_br_labels = addi_br;
		interp_li_br_labels = li_br;
		return;
	}
	x = cpu->x;
	ram = cpu->ram;
	slow = cpu->store_slow;
	rbase = cpu->ram_base;
	/* Bare blocks check [rbase, rbase + rlim), paged ones (compiled
	 * with the _PG loads and stores) the TLB. */
	tlb = tcg_mmu_fast_path(cpu, &rlim);
#define TLB_PAGE_MASK (~(uint64_t)(TCG_PAGE_SIZE - 1))
#define TLB_ENTRY(a) (&tlb[((a) >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1)])
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
/* One handler per forwarding variant: _1 rs1 from acc, _2 rs2, _3 both. */
#define RR_V(name, v, A, B, expr)                                              \
	L_##name##v : {                                                        \
		uint64_t a = (A), b = (B);                                     \
		acc = (expr);                                                  \
		x[op->rd] = acc;                                               \
		NEXT;                                                          \
	}
#define RR(name, expr)                                                         \
	RR_V(name, , x[op->rs1], x[op->rs2], expr)                             \
	RR_V(name, _1, acc, x[op->rs2], expr)                                  \
	RR_V(name, _2, x[op->rs1], acc, expr)                                  \
	RR_V(name, _3, acc, acc, expr)
#define RI_V(name, v, A, expr)                                                 \
	L_##name##v : {                                                        \
		uint64_t a = (A);                                              \
		int64_t i = op->imm;                                           \
		(void)i;                                                       \
		acc = (expr);                                                  \
		x[op->rd] = acc;                                               \
		NEXT;                                                          \
	}
#define RI(name, expr)                                                         \
	RI_V(name, , x[op->rs1], expr)                                         \
	RI_V(name, _1, acc, expr)
/* The slow paths of the loads and stores below, paged or not: the helper
 * translates, does device accesses and raises the faults. */
#define LOAD_SLOW(a, size, sign)                                               \
	do {                                                                   \
		SYNC_PC();                                                     \
		if (tcg_helper_load(cpu, a, size, sign, &x[op->rd]))           \
			goto out_nochain;                                      \
		acc = x[op->rd];                                               \
		NEXT;                                                          \
	} while (0)
#define STORE_SLOW(a, b, size)                                                 \
	do {                                                                   \
		SYNC_PC();                                                     \
		r = tcg_helper_store(cpu, a, size, b);                         \
		if (r == TCG_H_EXIT)                                           \
			goto out_nochain;                                      \
		if (r == TCG_H_NEXT)                                           \
			goto out_next;                                         \
		NEXT;                                                          \
	} while (0)
#define LOAD_V(name, v, A, type, size, sign)                                   \
	L_##name##v : {                                                        \
		uint64_t a = (A) + (uint64_t)op->imm, off = a - rbase;         \
		if (likely(off < rlim)) {                                      \
			type val = (type)tcg_ram_load(ram + off, size);        \
			acc = (uint64_t)(int64_t)val;                          \
			x[op->rd] = acc;                                       \
			NEXT;                                                  \
		}                                                              \
		LOAD_SLOW(a, size, sign);                                      \
	}
#define LOAD(name, type, size, sign)                                           \
	LOAD_V(name, , x[op->rs1], type, size, sign)                           \
	LOAD_V(name, _1, acc, type, size, sign)                                \
	LOAD_PG(name, , x[op->rs1], type, size, sign)                          \
	LOAD_PG(name, _1, acc, type, size, sign)
/* Under Sv39: the TLB's tag compare, then RAM offset = address + addend. */
#define LOAD_PG(name, v, A, type, size, sign)                                  \
	L_##name##_PG##v : {                                                   \
		uint64_t a = (A) + (uint64_t)op->imm;                          \
		const struct tcg_tlb_entry *e = TLB_ENTRY(a);                  \
		if (likely(e->tag_r == (a & (TLB_PAGE_MASK | (size - 1))))) {  \
			type val = (type)tcg_ram_load(ram + a + e->addend,     \
						      size);                   \
			acc = (uint64_t)(int64_t)val;                          \
			x[op->rd] = acc;                                       \
			NEXT;                                                  \
		}                                                              \
		LOAD_SLOW(a, size, sign);                                      \
	}
#define STORE_PG(name, v, A, B, type, size)                                    \
	L_##name##_PG##v : {                                                   \
		uint64_t a = (A) + (uint64_t)op->imm, b = (B);                 \
		const struct tcg_tlb_entry *e = TLB_ENTRY(a);                  \
		uint64_t off = a + e->addend;                                  \
		if (likely(e->tag_w == (a & (TLB_PAGE_MASK | (size - 1))) &&   \
			   !tcg_store_slow(slow, off >> TCG_PAGE_BITS))) {     \
			tcg_ram_store(ram + off, size, b);                     \
			NEXT;                                                  \
		}                                                              \
		STORE_SLOW(a, b, size);                                        \
	}
#define STORE_V(name, v, A, B, type, size)                                     \
	L_##name##v : {                                                        \
		uint64_t a = (A) + (uint64_t)op->imm, off = a - rbase;         \
		uint64_t b = (B);                                              \
		if (likely(off < rlim &&                                       \
			   !tcg_store_slow(slow, off >> TCG_PAGE_BITS))) {     \
			tcg_ram_store(ram + off, size, b);                     \
			NEXT;                                                  \
		}                                                              \
		STORE_SLOW(a, b, size);                                        \
	}
#define STORE(name, type, size)                                                \
	STORE_V(name, , x[op->rs1], x[op->rs2], type, size)                    \
	STORE_V(name, _1, acc, x[op->rs2], type, size)                         \
	STORE_V(name, _2, x[op->rs1], acc, type, size)                         \
	STORE_V(name, _3, acc, acc, type, size)                                \
	STORE_PG(name, , x[op->rs1], x[op->rs2], type, size)                   \
	STORE_PG(name, _1, acc, x[op->rs2], type, size)                        \
	STORE_PG(name, _2, x[op->rs1], acc, type, size)                        \
	STORE_PG(name, _3, acc, acc, type, size)
/*
 * Leave through exit slot s: enter the chained successor if there is one
 * (pairs with the release in tcg_tb_chain()), else return to the
 * dispatcher.  Expanded in each branch handler, so that every handler's
 * jump into its successor predicts on its own.
 */
#define TAKE_SLOT(s)                                                           \
	do {                                                                   \
		next = __atomic_load_n(&tb->jmp[s], __ATOMIC_ACQUIRE);         \
		if (next)                                                      \
			ENTER(next);                                           \
		goto out_slot##s;                                              \
	} while (0)
#define BRANCH_V(name, v, A, B, cond)                                          \
	L_##name##v : {                                                        \
		uint64_t a = (A), b = (B);                                     \
		if (cond)                                                      \
			TAKE_SLOT(0);                                          \
		TAKE_SLOT(1);                                                  \
	}
#define BRANCH(name, cond)                                                     \
	BRANCH_V(name, , x[op->rs1], x[op->rs2], cond)                         \
	BRANCH_V(name, _1, acc, x[op->rs2], cond)                              \
	BRANCH_V(name, _2, x[op->rs1], acc, cond)                              \
	BRANCH_V(name, _3, acc, acc, cond)
/* Fused pairs: the first op's write, then the branch on its result. */
#define FUSED_V(label, A, B, rdval, cond)                                      \
	label : {                                                              \
		uint64_t a = (A), b = (B);                                     \
		x[op->rd] = (rdval);                                           \
		if (cond)                                                      \
			TAKE_SLOT(0);                                          \
		TAKE_SLOT(1);                                                  \
	}
#define FUSED(name, cond)                                                      \
	FUSED_V(L_ADDI_##name, x[op->rs1] + (uint64_t)op->imm, x[op->rs2], a,  \
		cond)                                                          \
	FUSED_V(L_ADDI_##name##_1, acc + (uint64_t)op->imm, x[op->rs2], a,     \
		cond)                                                          \
	FUSED_V(L_LI_##name##_L, (uint64_t)op->imm, x[op->rs1], a, cond)       \
	FUSED_V(L_LI_##name##_R, x[op->rs1], (uint64_t)op->imm, b, cond)

	ENTER(tb);

L_NOP:
	NEXT;
L_TB_ENTRY: /* done by ENTER */
	NEXT;
L_INVALID:
	cpu->pc = tb->pc;
	goto out_nochain;
L_LI:
	acc = (uint64_t)op->imm;
	x[op->rd] = acc;
	NEXT;

	INTERP_RR_OPS(RR)
	INTERP_RI_OPS(RI)
	INTERP_LOAD_OPS(LOAD)
	INTERP_STORE_OPS(STORE)
	INTERP_BRANCH_OPS(BRANCH)
	INTERP_BRANCH_OPS(FUSED)

L_GOTO_TB:
	if (op->imm)
		TAKE_SLOT(1);
	TAKE_SLOT(0);
out_slot0:
	cpu->pc = tb->exit_pc[0];
	cpu->last_tb = tb;
	cpu->last_slot = 0;
	return;
out_slot1:
	cpu->pc = tb->exit_pc[1];
	cpu->last_tb = tb;
	cpu->last_slot = 1;
	return;

/*
 * JALR, and L_JR for rd = x0 (scratch): no link to write.
 *
 * The op after a JALR holds its inline cache: two targets this jalr went
 * to (struct interp_jalr_cache).  A cached block always has this block's
 * key: the cache is filled from a jump-cache hit checked against the
 * vCPU's key, and a block only runs while the vCPU's key equals its own
 * (priv and trace_mask change only at exits that leave the interpreter;
 * chains join blocks of one key).  So a hit checks pc and validity only.
 * Under paging only blocks on this block's virtual page are cached
 * (tcg_tb_may_link), as for chains.  Slots are filled once (empty or
 * invalid), never replaced, so that a site returning to many places does
 * not make vCPUs fight over the line.
 */
#define JALR_BODY(target, link)                                                \
	{                                                                      \
		uint64_t t = (target) & ~1ull;                                 \
		struct interp_jalr_cache *ic =                                 \
			(struct interp_jalr_cache *)(op + 1);                  \
                                                                               \
		if (link)                                                      \
			x[op->rd] = tb->pc + (uint64_t)(int64_t)op->pc_off +   \
				    op->len;                                   \
		/* Pairs with the release in ic_fill(). */                     \
		next = __atomic_load_n(&ic->tb[0], __ATOMIC_ACQUIRE);          \
		if (likely(next) && next->pc == t &&                           \
		    !__atomic_load_n(&next->invalid, __ATOMIC_RELAXED))        \
			ENTER(next);                                           \
		next = __atomic_load_n(&ic->tb[1], __ATOMIC_ACQUIRE);          \
		if (next && next->pc == t &&                                   \
		    !__atomic_load_n(&next->invalid, __ATOMIC_RELAXED))        \
			ENTER(next);                                           \
		/* Jump cache: own thread's array, checked against the key. */ \
		next = cpu->jc[tcg_jc_hash(t)];                                \
		if (next && next->pc == t && next->priv == cpu->priv &&        \
		    next->trace_mask == cpu->key_mask &&                       \
		    next->paged == tb->paged) {                                \
			ic_fill(ic, next);                                     \
			ENTER(next);                                           \
		}                                                              \
		cpu->pc = t;                                                   \
		goto out_nochain;                                              \
	}
L_JALR:
	JALR_BODY(x[op->rs1] + (uint64_t)op->imm, 1)
L_JR:
	JALR_BODY(x[op->rs1] + (uint64_t)op->imm, 0)
/* Fused `addi rd, rs1, imm; jr rs2` (function epilogues: addi sp; ret). */
L_ADDI_JR:
	x[op->rd] = x[op->rs1] + (uint64_t)op->imm;
	JALR_BODY(x[op->rs2], 0)
L_ADDI_JR_1:
	x[op->rd] = acc + (uint64_t)op->imm;
	JALR_BODY(x[op->rs2], 0)
L_EXIT:
	goto out_nochain;

/* An op done by a helper that may fault or end the block. */
#define MEM_HELPER(name, call)                                                 \
	L_##name : SYNC_PC();                                                  \
	r = call;                                                              \
	if (r == TCG_H_EXIT)                                                   \
		goto out_nochain;                                              \
	if (r == TCG_H_NEXT)                                                   \
		goto out_next;                                                 \
	NEXT;
	MEM_HELPER(LR_W, tcg_helper_lr(cpu, op->rd, x[op->rs1], 4))
	MEM_HELPER(LR_D, tcg_helper_lr(cpu, op->rd, x[op->rs1], 8))
	MEM_HELPER(SC_W, tcg_helper_sc(cpu, op->rd, x[op->rs1], 4, x[op->rs2]))
	MEM_HELPER(SC_D, tcg_helper_sc(cpu, op->rd, x[op->rs1], 8, x[op->rs2]))
	MEM_HELPER(AMO_W, tcg_helper_amo(cpu, op->rd, x[op->rs1], 4,
					 (unsigned)op->imm, x[op->rs2]))
	MEM_HELPER(AMO_D, tcg_helper_amo(cpu, op->rd, x[op->rs1], 8,
					 (unsigned)op->imm, x[op->rs2]))

#define FP_ADDR() (x[op->rs1] + (uint64_t)(int64_t)(int32_t)op->imm)
#define FP_RAW() ((uint32_t)((uint64_t)op->imm >> 32))
	MEM_HELPER(FLW, tcg_helper_fp_load(cpu, op->rd, FP_ADDR(), 4, FP_RAW()))
	MEM_HELPER(FLD, tcg_helper_fp_load(cpu, op->rd, FP_ADDR(), 8, FP_RAW()))
	MEM_HELPER(FSW,
		   tcg_helper_fp_store(cpu, op->rs2, FP_ADDR(), 4, FP_RAW()))
	MEM_HELPER(FSD,
		   tcg_helper_fp_store(cpu, op->rs2, FP_ADDR(), 8, FP_RAW()))
L_FP:
	SYNC_PC();
	if (tcg_helper_fp(cpu, (uint32_t)op->imm))
		goto out_nochain;
	NEXT;
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
	tcg_full_fence();
	NEXT;
L_TRACE_TB:
	tcg_helper_trace_tb(cpu, tb->pc);
	NEXT;
L_TRACE_MEM:
	SYNC_PC();
	tcg_helper_trace_mem(cpu, x[op->rs1] + (uint64_t)op->imm, op->rs2);
	NEXT;
L_TRIGGER:
	SYNC_PC();
	if (tcg_trigger_exec(cpu))
		goto out_nochain;
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

static size_t interp_code_size(const struct tcg_tb *tb,
			       const struct tcg_ir_block *ir)
{
	/* + the jalr inline cache slot */
	return (ir->nops + 1) * sizeof(struct interp_op);
}

/*
 * Fold `in` and the block's terminator `br` after it into out (already
 * filled from in):
 *  - a branch testing in's result against another register;
 *  - `addi; jr` (jalr x0, 0(rs)); the handler writes the addi's rd before
 *    it reads rs, so rs may be that rd.
 * Neither op can fault and the terminator ends the block, so nothing
 * observable moves.
 */
static bool fuse_terminator(struct interp_op *out, const struct tcg_ir_op *in,
			    const struct tcg_ir_op *br, bool rs1_fwd)
{
	unsigned b = br->opc - TCG_IR_BEQ;

	if (!in->rd || in->rd == TCG_REG_SCRATCH)
		return false;
	if (in->opc == TCG_IR_ADDI && br->opc == TCG_IR_JALR &&
	    br->rd == TCG_REG_SCRATCH && br->imm == 0) {
		out->h = interp_labels[L_ADDI_JR_IDX + rs1_fwd];
		out->rs2 = br->rs1;
		return true;
	}
	if (br->opc < TCG_IR_BEQ || br->opc > TCG_IR_BGEU ||
	    (br->rs1 == in->rd) == (br->rs2 == in->rd))
		return false;
	if (in->opc == TCG_IR_ADDI && br->rs1 == in->rd) {
		out->h = interp_addi_br_labels[b][rs1_fwd];
		out->rs2 = br->rs2;
	} else if (in->opc == TCG_IR_LI) {
		out->h = interp_li_br_labels[b][br->rs2 == in->rd];
		out->rs1 = br->rs1 == in->rd ? br->rs2 : br->rs1;
	} else {
		return false;
	}
	return true;
}

static void interp_compile(struct tcg_tb *tb, const struct tcg_ir_block *ir,
			   void *code, void *code_rx)
{
	struct interp_op *out = code;

	pthread_once(&interp_once, interp_init);
	if (code != (void *)(tb + 1))
		abort(); /* tb.c allocates the code right after the tb */
	for (unsigned i = 0, j = 0; i < ir->nops; i++, j++) {
		const struct tcg_ir_op *prev = i ? &ir->ops[i - 1] : NULL;
		struct tcg_ir_op folded = ir->ops[i];
		const struct tcg_ir_op *in = &folded;
		unsigned v = 0;

		/* lui/auipc r + addi(w) r, r: one constant (x[r] is dead
		 * in between; neither op can fault). */
		if (in->opc == TCG_IR_LI && i + 1 < ir->nops &&
		    (ir->ops[i + 1].opc == TCG_IR_ADDI ||
		     ir->ops[i + 1].opc == TCG_IR_ADDIW) &&
		    ir->ops[i + 1].rd == in->rd && ir->ops[i + 1].rs1 == in->rd) {
			uint64_t c = (uint64_t)in->imm +
				     (uint64_t)ir->ops[i + 1].imm;

			folded.imm = ir->ops[i + 1].opc == TCG_IR_ADDIW
					     ? (int64_t)SW32(c) : (int64_t)c;
			i++;
		}

		/* Forward the previous op's result (never x0 or scratch). */
		if (prev && interp_sets_acc[prev->opc] && prev->rd &&
		    prev->rd != TCG_REG_SCRATCH && interp_fwd_labels[in->opc][0])
			v = (in->rs1 == prev->rd ? FWD_RS1 : 0) |
			    (in->rs2 == prev->rd ? FWD_RS2 : 0);
		out[j].h = v ? interp_fwd_labels[in->opc][v - 1]
			     : interp_labels[in->opc];
		if ((tb->paged & TCG_TB_DATA_PAGED) && in->opc >= TCG_IR_LB &&
		    in->opc <= TCG_IR_SD)
			out[j].h = interp_pg_labels[in->opc][v];
		if (in->opc == TCG_IR_JALR && in->rd == TCG_REG_SCRATCH)
			out[j].h = interp_labels[L_JR_IDX];
		out[j].rd = in->rd;
		out[j].rs1 = in->rs1;
		out[j].rs2 = in->rs2;
		out[j].len = in->len;
		out[j].pc_off = in->pc_off;
		out[j].imm = in->imm;
		if (i + 1 < ir->nops &&
		    fuse_terminator(&out[j], in, &ir->ops[i + 1], v & FWD_RS1))
			i++;
		/* JALR ends the block: its inline cache takes the next slot. */
		if (ir->ops[i].opc == TCG_IR_JALR) {
			if (i + 1 != ir->nops)
				abort(); /* ir.h: one terminator, last */
			memset(&out[j + 1], 0, sizeof(out[j + 1]));
		}
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
