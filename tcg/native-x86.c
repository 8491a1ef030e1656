/* SPDX-License-Identifier: MIT */
/*
 * The native backend: each block's IR becomes x86-64 machine code in the
 * code buffer (codebuf.h: written through its rw view, run through its rx
 * view).
 *
 * Running: tcg_native_enter() (below, in assembly) saves the callee-saved
 * registers, points rbx at the vCPU (guest registers are cpu->x[], at its
 * start) and jumps to a block.  Blocks jump to each other (chains, jalr)
 * and return through the epilogue that every exit stub ends with, which
 * restores the registers and returns to native_exec().
 *
 * A block's code, after its struct tcg_tb and a struct native_hdr:
 *  - the entry: a `jmp` to the next instruction whose 4-byte displacement
 *    invalidate() rewrites to go to the leave stub (the interpreter's
 *    L_INVALID), the exit_request check (the block boundary: leave with
 *    cpu->pc = tb->pc) and instret += the block's instructions;
 *  - the ops.  Guest registers are cached in host registers within the
 *    block (struct rcache: loaded on first use, written back when evicted,
 *    before every call and at every exit; rax, rcx, rdx, rsi, r11 are
 *    scratch);
 *  - exits: a direct exit is a `jmp` to its slot's stub, which sets
 *    cpu->pc, last_tb and last_slot and returns; chain() rewrites its
 *    displacement to enter the successor instead.  Displacements that are
 *    rewritten are 4-byte aligned, so a vCPU running the code sees either
 *    the old or the new jump (QEMU patches its direct jumps the same way);
 *  - out of line: the slow paths of loads and stores, the stubs.
 *
 * Helper ops call the interpreter's helpers with the same arguments and
 * handle their result the same way (interp.c is the reference for every
 * op); cpu->pc is synced first where the helper may trap.  Loads and
 * stores check RAM (bare) or the TLB (paged blocks) inline, exactly as
 * the interpreter does, with the values tcg_mmu_fast_path() gives at
 * entry (cpu->jit_rlim, cpu->jit_tlb).
 *
 * The code is generated into a per-thread scratch buffer by code_size(),
 * which so learns the size, and copied by compile(), which writes the
 * block's address where the stubs need it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcg/tcg-internal.h"

#ifdef __x86_64__

enum {
	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
	R8, R9, R10, R11, R12, R13, R14, R15,
};

/* Condition codes (the low nibble of jcc/setcc). */
enum {
	CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_L = 0xc, CC_GE = 0xd,
};

/* Group-1 ALU operations (the /digit of 0x81, 0x83). */
enum { G1_ADD = 0, G1_OR = 1, G1_AND = 4, G1_SUB = 5, G1_XOR = 6, G1_CMP = 7 };

_Static_assert(offsetof(struct tcg_cpu, x) == 0, "rbx points at x[0]");
#define CPU(f) ((int32_t)offsetof(struct tcg_cpu, f))
#define XREG(r) ((int32_t)(8 * (r)))

/* At the start of a block's code, before its entry. */
struct native_hdr {
	uint32_t slot_jmp[2];	/* offsets from the entry of the exits'
				 * displacements (0: no such exit) */
	int32_t leave_rel;	/* the entry jump's displacement to leave */
	uint32_t unused;
};
/* The entry jump's opcode byte lands at offset 3 of the code after the
 * header: its displacement is 4-byte aligned (code is 8-aligned). */
#define ENTRY_OFF (sizeof(struct native_hdr) + 3)

#define SCRATCH_SIZE (96 * 1024)
#define MAX_LABELS 1024
#define MAX_REFS 2048
#define MAX_SLOW (TCG_MAX_IR_OPS + 4)

/*
 * Guest registers cached in host registers within a block: the callee-saved
 * ones, and four caller-saved ones that calls clobber.  Never x0 or the
 * scratch register.
 */
#define NCACHE 9
static const int cache_host[NCACHE] = { RBP, R12, R13, R14, R15,
					RDI, R8, R9, R10 };

struct rcache {
	int8_t guest[NCACHE];	/* -1: free */
	bool dirty[NCACHE];	/* newer than cpu->x[] */
	uint32_t used[NCACHE];	/* for least-recently-used eviction */
};

/* An out-of-line slow path of a load or store, with the cache as it is
 * where the fast path branches there and where it resumes. */
struct slow_path {
	const struct tcg_ir_op *op;
	unsigned label, resume;
	struct rcache at, after;
};

struct emit {
	uint8_t *buf;
	size_t n;
	uint32_t label_pos[MAX_LABELS];	/* UINT32_MAX: not bound yet */
	unsigned nlabels;
	struct {
		uint32_t pos;	/* of a rel32 */
		uint16_t label;
	} ref[MAX_REFS];
	unsigned nref;
	uint32_t tb_fix[2];	/* where the stubs hold the tb's address */
	uint32_t slot_jmp[2];
	unsigned l_leave, l_nochain, l_slot[2];
	struct slow_path slow[MAX_SLOW];
	unsigned nslow;
	const struct tcg_tb *tb;
	struct rcache rc;
	uint32_t clock;
};

static __thread struct emit *emit_tls;

/* ---------------------------------------------------------------- x86 */

static void b1(struct emit *e, unsigned v)
{
	if (e->n + 16 > SCRATCH_SIZE) {
		fprintf(stderr, "vtrace: native block over %u bytes\n",
			SCRATCH_SIZE);
		abort();
	}
	e->buf[e->n++] = (uint8_t)v;
}

static void b4(struct emit *e, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		b1(e, (v >> (8 * i)) & 0xff);
}

static void b8(struct emit *e, uint64_t v)
{
	b4(e, (uint32_t)v);
	b4(e, (uint32_t)(v >> 32));
}

static bool fits8(int64_t v)
{
	return v >= -128 && v <= 127;
}

static bool fits32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

/* REX if w or any register above 7 needs it. */
static void rex(struct emit *e, bool w, int reg, int base)
{
	unsigned r = 0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 |
		     ((base >> 3) & 1);

	if (r != 0x40)
		b1(e, r);
}

static void opcode(struct emit *e, unsigned opc)
{
	if (opc > 0xff)
		b1(e, opc >> 8);
	b1(e, opc & 0xff);
}

/* ModRM (and SIB, displacement) for [base + disp]. */
static void modrm_mem(struct emit *e, int reg, int base, int32_t disp)
{
	unsigned mod = disp == 0 && (base & 7) != RBP ? 0 : fits8(disp) ? 1 : 2;

	b1(e, mod << 6 | (reg & 7) << 3 | (base & 7));
	if ((base & 7) == RSP)
		b1(e, 0x24);
	if (mod == 1)
		b1(e, (uint8_t)disp);
	else if (mod == 2)
		b4(e, (uint32_t)disp);
}

/* opc reg, [base + disp] (or the reverse, as opc says). */
static void op_mem(struct emit *e, bool w, unsigned opc, int reg, int base,
		   int32_t disp)
{
	rex(e, w, reg, base);
	opcode(e, opc);
	modrm_mem(e, reg, base, disp);
}

/* opc reg, rm (registers). */
static void op_rr(struct emit *e, bool w, unsigned opc, int reg, int rm)
{
	rex(e, w, reg, rm);
	opcode(e, opc);
	b1(e, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

static void mov_rr(struct emit *e, int dst, int src)
{
	op_rr(e, true, 0x8b, dst, src);
}

static void mov_imm(struct emit *e, int r, uint64_t v)
{
	if (v == 0) {
		op_rr(e, false, 0x33, r, r); /* xor r32, r32 */
	} else if (v <= UINT32_MAX) {
		rex(e, false, 0, r);
		b1(e, 0xb8 + (r & 7));
		b4(e, (uint32_t)v);
	} else if (fits32((int64_t)v)) {
		op_rr(e, true, 0xc7, 0, r);
		b4(e, (uint32_t)v);
	} else {
		rex(e, true, 0, r);
		b1(e, 0xb8 + (r & 7));
		b8(e, v);
	}
}

/* r = r op imm, or cmp r, imm (group 1); w false: 32-bit. */
static void alu_imm(struct emit *e, bool w, unsigned g1, int r, int64_t imm)
{
	if (fits8(imm)) {
		op_rr(e, w, 0x83, (int)g1, r);
		b1(e, (uint8_t)imm);
	} else if (fits32(imm)) {
		op_rr(e, w, 0x81, (int)g1, r);
		b4(e, (uint32_t)imm);
	} else {
		mov_imm(e, R11, (uint64_t)imm);
		op_rr(e, w, g1 << 3 | 3, r, R11);
	}
}

/* Shifts: /4 shl, /5 shr, /7 sar; by cl when imm < 0. */
static void shift(struct emit *e, bool w, unsigned digit, int r, int imm)
{
	if (imm < 0) {
		op_rr(e, w, 0xd3, (int)digit, r);
	} else {
		op_rr(e, w, 0xc1, (int)digit, r);
		b1(e, (unsigned)imm);
	}
}

static void movsxd(struct emit *e, int dst, int src)
{
	op_rr(e, true, 0x63, dst, src);
}

/* ---------------------------------------------------------------- labels */

static unsigned new_label(struct emit *e)
{
	if (e->nlabels == MAX_LABELS)
		abort();
	e->label_pos[e->nlabels] = UINT32_MAX;
	return e->nlabels++;
}

static void bind(struct emit *e, unsigned l)
{
	e->label_pos[l] = (uint32_t)e->n;
}

static void rel32_to(struct emit *e, unsigned l)
{
	if (e->label_pos[l] != UINT32_MAX) {
		b4(e, (uint32_t)(e->label_pos[l] - (e->n + 4)));
		return;
	}
	if (e->nref == MAX_REFS)
		abort();
	e->ref[e->nref].pos = (uint32_t)e->n;
	e->ref[e->nref].label = (uint16_t)l;
	e->nref++;
	b4(e, 0);
}

static void jmp(struct emit *e, unsigned l)
{
	b1(e, 0xe9);
	rel32_to(e, l);
}

static void jcc(struct emit *e, unsigned cc, unsigned l)
{
	b1(e, 0x0f);
	b1(e, 0x80 + cc);
	rel32_to(e, l);
}

static void resolve(struct emit *e)
{
	for (unsigned i = 0; i < e->nref; i++) {
		uint32_t pos = e->ref[i].pos;
		uint32_t rel = e->label_pos[e->ref[i].label] - (pos + 4);

		memcpy(e->buf + pos, &rel, 4);
	}
}

/* Pad so that the next instruction's byte 1 is 4-byte aligned. */
static void align_disp(struct emit *e)
{
	static const uint8_t nops[3][3] = {
		{ 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 },
	};
	unsigned pad = (unsigned)((3 - (e->n + ENTRY_OFF - 3)) & 3);

	if (pad)
		for (unsigned i = 0; i < pad; i++)
			b1(e, nops[pad - 1][i]);
}

/* ---------------------------------------------------------------- guest */

static int rc_find(const struct rcache *rc, unsigned r)
{
	for (int i = 0; i < NCACHE; i++)
		if (rc->guest[i] == (int)r)
			return i;
	return -1;
}

static void rc_writeback(struct emit *e, struct rcache *rc)
{
	for (int i = 0; i < NCACHE; i++) {
		if (rc->guest[i] >= 0 && rc->dirty[i])
			op_mem(e, true, 0x89, cache_host[i], RBX,
			       XREG(rc->guest[i]));
		rc->dirty[i] = false;
	}
}

/* Before a call or an exit: cpu->x[] up to date, nothing cached. */
static void rc_flush(struct emit *e)
{
	rc_writeback(e, &e->rc);
	memset(e->rc.guest, -1, sizeof(e->rc.guest));
}

/* A host register for guest r: free, or the least recently used one,
 * written back if dirty. */
static int rc_alloc(struct emit *e, unsigned r)
{
	struct rcache *rc = &e->rc;
	int v = 0;

	for (int i = 0; i < NCACHE; i++) {
		if (rc->guest[i] < 0) {
			v = i;
			break;
		}
		if (rc->used[i] < rc->used[v])
			v = i;
	}
	if (rc->guest[v] >= 0 && rc->dirty[v])
		op_mem(e, true, 0x89, cache_host[v], RBX, XREG(rc->guest[v]));
	rc->guest[v] = (int8_t)r;
	rc->dirty[v] = false;
	return v;
}

static bool cacheable(unsigned r)
{
	return r && r < 32;
}

/* The host register holding guest r (not x0 or scratch), loaded if new. */
static int reg_x(struct emit *e, unsigned r)
{
	int i = rc_find(&e->rc, r);

	if (i < 0) {
		i = rc_alloc(e, r);
		op_mem(e, true, 0x8b, cache_host[i], RBX, XREG(r));
	}
	e->rc.used[i] = ++e->clock;
	return cache_host[i];
}

static void ld_x(struct emit *e, int h, unsigned r)
{
	if (!r)
		op_rr(e, false, 0x33, h, h);
	else if (!cacheable(r))
		op_mem(e, true, 0x8b, h, RBX, XREG(r));
	else
		mov_rr(e, h, reg_x(e, r));
}

static void st_x(struct emit *e, unsigned r, int h)
{
	int i;

	if (!r)
		return;
	if (!cacheable(r)) {
		op_mem(e, true, 0x89, h, RBX, XREG(r));
		return;
	}
	i = rc_find(&e->rc, r);
	if (i < 0)
		i = rc_alloc(e, r);
	e->rc.dirty[i] = true;
	e->rc.used[i] = ++e->clock;
	mov_rr(e, cache_host[i], h);
}

static void sync_pc(struct emit *e, uint64_t pc)
{
	mov_imm(e, RAX, pc);
	op_mem(e, true, 0x89, RAX, RBX, CPU(pc));
}

static void call(struct emit *e, const void *fn)
{
	mov_imm(e, RAX, (uint64_t)(uintptr_t)fn);
	op_rr(e, false, 0xff, 2, RAX); /* call *rax */
}

static uint64_t op_pc(const struct emit *e, const struct tcg_ir_op *op)
{
	return e->tb->pc + (uint64_t)(int64_t)op->pc_off;
}

/* Leave with cpu->pc = the instruction after op's. */
static void leave_next(struct emit *e, const struct tcg_ir_op *op)
{
	sync_pc(e, op_pc(e, op) + op->len);
	jmp(e, e->l_nochain);
}

/* After a helper returning TCG_H_*: EXIT leaves, NEXT leaves after op. */
static void helper_result(struct emit *e, const struct tcg_ir_op *op)
{
	unsigned cont = new_label(e);

	op_rr(e, false, 0x85, RAX, RAX); /* test eax, eax */
	jcc(e, CC_E, cont);
	alu_imm(e, false, G1_CMP, RAX, TCG_H_NEXT);
	jcc(e, CC_NE, e->l_nochain);
	leave_next(e, op);
	bind(e, cont);
}

/* A nonzero int (or bool: al) result leaves. */
static void leave_if_nonzero(struct emit *e, bool byte)
{
	if (byte)
		op_rr(e, false, 0x84, RAX, RAX); /* test al, al */
	else
		op_rr(e, false, 0x85, RAX, RAX);
	jcc(e, CC_NE, e->l_nochain);
}

/* A direct exit through slot s: a jump chain() may retarget. */
static void exit_jmp(struct emit *e, unsigned s)
{
	align_disp(e);
	e->slot_jmp[s] = (uint32_t)(e->n + 1);
	jmp(e, e->l_slot[s]);
}

static void epilogue(struct emit *e)
{
	alu_imm(e, true, G1_ADD, RSP, 8);
	for (int r = R15; r >= R12; r--)
		op_rr(e, false, 0x8f, 0, r); /* pop */
	b1(e, 0x5b); /* pop rbx */
	b1(e, 0x5d); /* pop rbp */
	b1(e, 0xc3);
}

/* ---------------------------------------------------------------- ops */

static void emit_rr(struct emit *e, const struct tcg_ir_op *op)
{
	unsigned opc = op->opc, done = new_label(e), l;

	ld_x(e, RAX, op->rs1);
	ld_x(e, RCX, op->rs2);
	switch (opc) {
	case TCG_IR_ADD: op_rr(e, true, 0x03, RAX, RCX); break;
	case TCG_IR_SUB: op_rr(e, true, 0x2b, RAX, RCX); break;
	case TCG_IR_XOR: op_rr(e, true, 0x33, RAX, RCX); break;
	case TCG_IR_OR: op_rr(e, true, 0x0b, RAX, RCX); break;
	case TCG_IR_AND: op_rr(e, true, 0x23, RAX, RCX); break;
	case TCG_IR_SLL: shift(e, true, 4, RAX, -1); break;
	case TCG_IR_SRL: shift(e, true, 5, RAX, -1); break;
	case TCG_IR_SRA: shift(e, true, 7, RAX, -1); break;
	case TCG_IR_SLT:
	case TCG_IR_SLTU:
		op_rr(e, true, 0x3b, RAX, RCX);
		op_rr(e, false, 0x0f90 | (opc == TCG_IR_SLT ? CC_L : CC_B), 0,
		      RAX);
		op_rr(e, false, 0x0fb6, RAX, RAX); /* movzx eax, al */
		break;
	case TCG_IR_ADDW:
		op_rr(e, false, 0x03, RAX, RCX);
		movsxd(e, RAX, RAX);
		break;
	case TCG_IR_SUBW:
		op_rr(e, false, 0x2b, RAX, RCX);
		movsxd(e, RAX, RAX);
		break;
	case TCG_IR_SLLW:
	case TCG_IR_SRLW:
	case TCG_IR_SRAW:
		shift(e, false, opc == TCG_IR_SLLW ? 4 : opc == TCG_IR_SRLW ? 5 : 7,
		      RAX, -1);
		movsxd(e, RAX, RAX);
		break;
	case TCG_IR_MUL: op_rr(e, true, 0x0faf, RAX, RCX); break;
	case TCG_IR_MULW:
		op_rr(e, false, 0x0faf, RAX, RCX);
		movsxd(e, RAX, RAX);
		break;
	case TCG_IR_MULH:
	case TCG_IR_MULHU:
		/* rdx:rax = rax * rcx, signed (/5) or not (/4) */
		op_rr(e, true, 0xf7, opc == TCG_IR_MULH ? 5 : 4, RCX);
		mov_rr(e, RAX, RDX);
		break;
	case TCG_IR_MULHSU:
		/* mulhu(a, b) - (a < 0 ? b : 0) */
		mov_rr(e, RSI, RAX);
		op_rr(e, true, 0xf7, 4, RCX);
		shift(e, true, 7, RSI, 63);
		op_rr(e, true, 0x23, RSI, RCX);
		op_rr(e, true, 0x2b, RDX, RSI);
		mov_rr(e, RAX, RDX);
		break;
	case TCG_IR_DIV:
	case TCG_IR_REM:
	case TCG_IR_DIVW:
	case TCG_IR_REMW: {
		bool w = opc == TCG_IR_DIV || opc == TCG_IR_REM;
		bool rem = opc == TCG_IR_REM || opc == TCG_IR_REMW;

		/* b == 0: div -1, rem a; b == -1: div -a, rem 0 (this
		 * also gives RISC-V's results for the overflow case). */
		l = new_label(e);
		op_rr(e, w, 0x85, RCX, RCX);
		jcc(e, CC_NE, l);
		if (rem) {
			if (!w)
				movsxd(e, RAX, RAX);
		} else {
			mov_imm(e, RAX, ~0ull);
		}
		jmp(e, done);
		bind(e, l);
		l = new_label(e);
		alu_imm(e, w, G1_CMP, RCX, -1);
		jcc(e, CC_NE, l);
		if (rem) {
			mov_imm(e, RAX, 0);
		} else {
			op_rr(e, w, 0xf7, 3, RAX); /* neg */
			if (!w)
				movsxd(e, RAX, RAX);
		}
		jmp(e, done);
		bind(e, l);
		if (w)
			b1(e, 0x48); /* cqo */
		b1(e, 0x99);	 /* cdq */
		op_rr(e, w, 0xf7, 7, RCX); /* idiv */
		if (rem)
			mov_rr(e, RAX, RDX);
		if (!w)
			movsxd(e, RAX, RAX);
		break;
	}
	case TCG_IR_DIVU:
	case TCG_IR_REMU:
	case TCG_IR_DIVUW:
	case TCG_IR_REMUW: {
		bool w = opc == TCG_IR_DIVU || opc == TCG_IR_REMU;
		bool rem = opc == TCG_IR_REMU || opc == TCG_IR_REMUW;

		l = new_label(e);
		op_rr(e, w, 0x85, RCX, RCX);
		jcc(e, CC_NE, l);
		if (rem) {
			if (!w)
				movsxd(e, RAX, RAX);
		} else {
			mov_imm(e, RAX, ~0ull);
		}
		jmp(e, done);
		bind(e, l);
		op_rr(e, false, 0x33, RDX, RDX);
		op_rr(e, w, 0xf7, 6, RCX); /* div */
		if (rem)
			mov_rr(e, RAX, RDX);
		if (!w)
			movsxd(e, RAX, RAX);
		break;
	}
	default:
		abort();
	}
	bind(e, done);
	st_x(e, op->rd, RAX);
}

static void emit_ri(struct emit *e, const struct tcg_ir_op *op)
{
	int64_t i = op->imm;

	ld_x(e, RAX, op->rs1);
	switch (op->opc) {
	case TCG_IR_ADDI: alu_imm(e, true, G1_ADD, RAX, i); break;
	case TCG_IR_XORI: alu_imm(e, true, G1_XOR, RAX, i); break;
	case TCG_IR_ORI: alu_imm(e, true, G1_OR, RAX, i); break;
	case TCG_IR_ANDI: alu_imm(e, true, G1_AND, RAX, i); break;
	case TCG_IR_SLTI:
	case TCG_IR_SLTIU:
		alu_imm(e, true, G1_CMP, RAX, i);
		op_rr(e, false,
		      0x0f90 | (op->opc == TCG_IR_SLTI ? CC_L : CC_B), 0, RAX);
		op_rr(e, false, 0x0fb6, RAX, RAX);
		break;
	case TCG_IR_SLLI: shift(e, true, 4, RAX, (int)(i & 63)); break;
	case TCG_IR_SRLI: shift(e, true, 5, RAX, (int)(i & 63)); break;
	case TCG_IR_SRAI: shift(e, true, 7, RAX, (int)(i & 63)); break;
	case TCG_IR_ADDIW:
		alu_imm(e, false, G1_ADD, RAX, (int32_t)i);
		movsxd(e, RAX, RAX);
		break;
	case TCG_IR_SLLIW:
	case TCG_IR_SRLIW:
	case TCG_IR_SRAIW:
		shift(e, false,
		      op->opc == TCG_IR_SLLIW ? 4 : op->opc == TCG_IR_SRLIW ? 5 : 7,
		      RAX, (int)(i & 31));
		movsxd(e, RAX, RAX);
		break;
	default:
		abort();
	}
	st_x(e, op->rd, RAX);
}

/* Helper-call arguments: rdi = cpu, then these. */
static void args(struct emit *e, unsigned n, const uint64_t *v)
{
	static const int reg[] = { RSI, RDX, RCX, R8, R9 };

	mov_rr(e, RDI, RBX);
	for (unsigned i = 0; i < n; i++)
		mov_imm(e, reg[i], v[i]);
}

/* rsi..: guest register values, loaded over the constants args() set
 * (after rc_flush(): from cpu->x[]). */
static void arg_x(struct emit *e, unsigned i, unsigned r)
{
	static const int reg[] = { RSI, RDX, RCX, R8, R9 };

	if (!r)
		op_rr(e, false, 0x33, reg[i], reg[i]);
	else
		op_mem(e, true, 0x8b, reg[i], RBX, XREG(r));
}

static unsigned mem_size(unsigned opc)
{
	switch (opc) {
	case TCG_IR_LB: case TCG_IR_LBU: case TCG_IR_SB: return 1;
	case TCG_IR_LH: case TCG_IR_LHU: case TCG_IR_SH: return 2;
	case TCG_IR_LW: case TCG_IR_LWU: case TCG_IR_SW: return 4;
	default: return 8;
	}
}

static void add_slow(struct emit *e, const struct tcg_ir_op *op, unsigned l,
		     unsigned resume, const struct rcache *at)
{
	if (e->nslow == MAX_SLOW)
		abort();
	e->slow[e->nslow].op = op;
	e->slow[e->nslow].label = l;
	e->slow[e->nslow].resume = resume;
	e->slow[e->nslow].at = *at;
	e->slow[e->nslow].after = e->rc;
	e->nslow++;
}

/*
 * rsi = the address.  Leaves rax = the host address of the access, or
 * goes to slow (rsi intact) when the access is not on the fast path.
 */
static void fast_addr(struct emit *e, const struct tcg_ir_op *op, bool store,
		      unsigned slow)
{
	unsigned size = mem_size(op->opc);

	if (e->tb->paged & TCG_TB_DATA_PAGED) {
		/* rcx = the TLB entry; its tag against the page (and the
		 * low bits of a misaligned address, which then misses) */
		mov_rr(e, RCX, RSI);
		shift(e, true, 5, RCX, TCG_PAGE_BITS);
		alu_imm(e, false, G1_AND, RCX, TCG_TLB_SIZE - 1);
		shift(e, false, 4, RCX, 5);
		_Static_assert(sizeof(struct tcg_tlb_entry) == 32, "TLB entry");
		op_mem(e, true, 0x03, RCX, RBX, CPU(jit_tlb));
		mov_rr(e, RAX, RSI);
		alu_imm(e, true, G1_AND, RAX,
			(int64_t)~(uint64_t)(TCG_PAGE_SIZE - 1) | (size - 1));
		op_mem(e, true, 0x3b, RAX, RCX,
		       store ? (int32_t)offsetof(struct tcg_tlb_entry, tag_w)
			     : (int32_t)offsetof(struct tcg_tlb_entry, tag_r));
		jcc(e, CC_NE, slow);
		mov_rr(e, RAX, RSI);
		op_mem(e, true, 0x03, RAX, RCX,
		       (int32_t)offsetof(struct tcg_tlb_entry, addend));
	} else {
		mov_rr(e, RAX, RSI);
		op_mem(e, true, 0x2b, RAX, RBX, CPU(ram_base));
		op_mem(e, true, 0x3b, RAX, RBX, CPU(jit_rlim));
		jcc(e, CC_AE, slow);
	}
	/* rax = the RAM offset */
	if (store) {
		mov_rr(e, RDX, RAX);
		shift(e, true, 5, RDX, TCG_PAGE_BITS);
		op_mem(e, true, 0x03, RDX, RBX, CPU(store_slow));
		op_mem(e, false, 0x80, 7, RDX, 0); /* cmp byte [rdx], 0 */
		b1(e, 0);
		jcc(e, CC_NE, slow);
	}
	op_mem(e, true, 0x03, RAX, RBX, CPU(ram));
}

static void emit_load(struct emit *e, const struct tcg_ir_op *op)
{
	unsigned slow = new_label(e), resume = new_label(e);
	struct rcache at;

	ld_x(e, RSI, op->rs1);
	alu_imm(e, true, G1_ADD, RSI, op->imm);
	at = e->rc;
	fast_addr(e, op, false, slow);
	switch (op->opc) {
	case TCG_IR_LB: op_mem(e, true, 0x0fbe, RAX, RAX, 0); break;
	case TCG_IR_LBU: op_mem(e, false, 0x0fb6, RAX, RAX, 0); break;
	case TCG_IR_LH: op_mem(e, true, 0x0fbf, RAX, RAX, 0); break;
	case TCG_IR_LHU: op_mem(e, false, 0x0fb7, RAX, RAX, 0); break;
	case TCG_IR_LW: op_mem(e, true, 0x63, RAX, RAX, 0); break;
	case TCG_IR_LWU: op_mem(e, false, 0x8b, RAX, RAX, 0); break;
	default: op_mem(e, true, 0x8b, RAX, RAX, 0); break;
	}
	st_x(e, op->rd, RAX);
	bind(e, resume);
	add_slow(e, op, slow, resume, &at);
}

static void emit_store(struct emit *e, const struct tcg_ir_op *op)
{
	unsigned slow = new_label(e), resume = new_label(e);
	struct rcache at;

	ld_x(e, RSI, op->rs1);
	alu_imm(e, true, G1_ADD, RSI, op->imm);
	at = e->rc;
	fast_addr(e, op, true, slow);
	ld_x(e, RCX, op->rs2);
	switch (op->opc) {
	case TCG_IR_SB: op_mem(e, false, 0x88, RCX, RAX, 0); break;
	case TCG_IR_SH:
		b1(e, 0x66);
		op_mem(e, false, 0x89, RCX, RAX, 0);
		break;
	case TCG_IR_SW: op_mem(e, false, 0x89, RCX, RAX, 0); break;
	default: op_mem(e, true, 0x89, RCX, RAX, 0); break;
	}
	bind(e, resume);
	add_slow(e, op, slow, resume, &at);
}

/*
 * The slow path of a load or store: rsi is the address.  cpu->x[] is
 * brought up to date from the cache as it is where the fast path
 * branches, and every register cached where it resumes is reloaded after
 * the call (the load's rd from what the helper wrote).
 */
static void emit_slow(struct emit *e, const struct slow_path *s)
{
	const struct tcg_ir_op *op = s->op;
	unsigned size = mem_size(op->opc);
	struct rcache at = s->at;
	int i;

	bind(e, s->label);
	rc_writeback(e, &at);
	if (op->opc >= TCG_IR_SB) {
		i = cacheable(op->rs2) ? rc_find(&at, op->rs2) : -1;
		if (i >= 0)
			mov_rr(e, RCX, cache_host[i]);
		else
			arg_x(e, 2, op->rs2);
	}
	sync_pc(e, op_pc(e, op));
	mov_rr(e, RDI, RBX);
	mov_imm(e, RDX, size);
	if (op->opc >= TCG_IR_SB) {
		call(e, tcg_helper_store);
		helper_result(e, op);
	} else {
		mov_imm(e, RCX, op->opc <= TCG_IR_LD);
		op_mem(e, true, 0x8d, R8, RBX, XREG(op->rd)); /* lea */
		call(e, tcg_helper_load);
		leave_if_nonzero(e, false);
	}
	for (i = 0; i < NCACHE; i++)
		if (s->after.guest[i] >= 0)
			op_mem(e, true, 0x8b, cache_host[i], RBX,
			       XREG(s->after.guest[i]));
	jmp(e, s->resume);
}

static void emit_branch(struct emit *e, const struct tcg_ir_op *op)
{
	static const uint8_t cc[] = {
		[TCG_IR_BEQ - TCG_IR_BEQ] = CC_E,
		[TCG_IR_BNE - TCG_IR_BEQ] = CC_NE,
		[TCG_IR_BLT - TCG_IR_BEQ] = CC_L,
		[TCG_IR_BGE - TCG_IR_BEQ] = CC_GE,
		[TCG_IR_BLTU - TCG_IR_BEQ] = CC_B,
		[TCG_IR_BGEU - TCG_IR_BEQ] = CC_AE,
	};
	unsigned taken = new_label(e);
	int a = RAX, b = RCX;

	if (cacheable(op->rs1))
		a = reg_x(e, op->rs1);
	else
		ld_x(e, RAX, op->rs1);
	if (cacheable(op->rs2))
		b = reg_x(e, op->rs2);
	else
		ld_x(e, RCX, op->rs2);
	op_rr(e, true, 0x3b, a, b);
	rc_writeback(e, &e->rc);	/* movs: the flags stay */
	jcc(e, cc[op->opc - TCG_IR_BEQ], taken);
	exit_jmp(e, 1);
	bind(e, taken);
	exit_jmp(e, 0);
}

/* The block a jalr goes to, if the jump cache has it (as the interpreter
 * checks it), else NULL with cpu->pc = t for the dispatcher. */
static const void *native_jalr_lookup(struct tcg_cpu *cpu, uint64_t t,
				      unsigned paged)
{
	struct tcg_tb *next = cpu->jc[tcg_jc_hash(t)];

	if (next && next->pc == t && next->priv == cpu->priv &&
	    next->trace_mask == cpu->key_mask && next->paged == paged)
		return next->code;
	cpu->pc = t;
	return NULL;
}

static void emit_jalr(struct emit *e, const struct tcg_ir_op *op)
{
	ld_x(e, RSI, op->rs1);
	alu_imm(e, true, G1_ADD, RSI, op->imm);
	alu_imm(e, true, G1_AND, RSI, -2);
	if (op->rd != TCG_REG_SCRATCH) {
		mov_imm(e, RCX, op_pc(e, op) + op->len);
		st_x(e, op->rd, RCX);
	}
	rc_flush(e);
	mov_rr(e, RDI, RBX);
	mov_imm(e, RDX, e->tb->paged);
	call(e, native_jalr_lookup);
	op_rr(e, true, 0x85, RAX, RAX);
	jcc(e, CC_E, e->l_nochain);
	op_rr(e, false, 0xff, 4, RAX); /* jmp *rax */
}

static void emit_op(struct emit *e, const struct tcg_ir_op *op)
{
	uint64_t pc = op_pc(e, op);
	unsigned opc = op->opc;
	uint32_t raw = (uint32_t)op->imm;

	switch (opc) {
	case TCG_IR_NOP:
	case TCG_IR_TB_ENTRY:
		return;
	case TCG_IR_LI:
		mov_imm(e, RAX, (uint64_t)op->imm);
		st_x(e, op->rd, RAX);
		return;
	case TCG_IR_ADD ... TCG_IR_REMUW:
		emit_rr(e, op);
		return;
	case TCG_IR_ADDI ... TCG_IR_SRAIW:
		emit_ri(e, op);
		return;
	case TCG_IR_LB ... TCG_IR_LWU:
		emit_load(e, op);
		return;
	case TCG_IR_SB ... TCG_IR_SD:
		emit_store(e, op);
		return;
	case TCG_IR_BEQ ... TCG_IR_BGEU:
		emit_branch(e, op);
		return;
	case TCG_IR_GOTO_TB:
		rc_writeback(e, &e->rc);
		exit_jmp(e, op->imm ? 1 : 0);
		return;
	case TCG_IR_JALR:
		emit_jalr(e, op);
		return;
	case TCG_IR_EXIT:
		rc_flush(e);
		jmp(e, e->l_nochain);
		return;
	case TCG_IR_LR_W:
	case TCG_IR_LR_D:
		rc_flush(e);
		sync_pc(e, pc);
		args(e, 3, (uint64_t[]){ op->rd, 0, opc == TCG_IR_LR_W ? 4 : 8 });
		arg_x(e, 1, op->rs1);
		call(e, tcg_helper_lr);
		helper_result(e, op);
		return;
	case TCG_IR_SC_W:
	case TCG_IR_SC_D:
		rc_flush(e);
		sync_pc(e, pc);
		args(e, 4,
		     (uint64_t[]){ op->rd, 0, opc == TCG_IR_SC_W ? 4 : 8, 0 });
		arg_x(e, 1, op->rs1);
		arg_x(e, 3, op->rs2);
		call(e, tcg_helper_sc);
		helper_result(e, op);
		return;
	case TCG_IR_AMO_W:
	case TCG_IR_AMO_D:
		rc_flush(e);
		sync_pc(e, pc);
		args(e, 5, (uint64_t[]){ op->rd, 0, opc == TCG_IR_AMO_W ? 4 : 8,
					 (uint32_t)op->imm, 0 });
		arg_x(e, 1, op->rs1);
		arg_x(e, 4, op->rs2);
		call(e, tcg_helper_amo);
		helper_result(e, op);
		return;
	case TCG_IR_FLW:
	case TCG_IR_FLD:
	case TCG_IR_FSW:
	case TCG_IR_FSD: {
		bool load = opc == TCG_IR_FLW || opc == TCG_IR_FLD;

		rc_flush(e);
		sync_pc(e, pc);
		args(e, 4, (uint64_t[]){ load ? op->rd : op->rs2, 0,
					 opc == TCG_IR_FLW || opc == TCG_IR_FSW
						 ? 4 : 8,
					 (uint64_t)op->imm >> 32 });
		arg_x(e, 1, op->rs1);
		alu_imm(e, true, G1_ADD, RDX, (int32_t)op->imm);
		call(e, load ? (const void *)tcg_helper_fp_load
			     : (const void *)tcg_helper_fp_store);
		helper_result(e, op);
		return;
	}
	case TCG_IR_FP:
		rc_flush(e);
		sync_pc(e, pc);
		args(e, 1, (uint64_t[]){ raw });
		call(e, tcg_helper_fp);
		leave_if_nonzero(e, false);
		return;
	case TCG_IR_CSR:
		rc_flush(e);
		sync_pc(e, pc);
		args(e, 3, (uint64_t[]){ op->rd, op->rs1, (uint64_t)op->imm });
		call(e, tcg_helper_csr);
		leave_if_nonzero(e, false);
		return;
	case TCG_IR_ECALL:
	case TCG_IR_EBREAK:
	case TCG_IR_MRET:
	case TCG_IR_SRET:
	case TCG_IR_ILLEGAL:
	case TCG_IR_WFI:
	case TCG_IR_SFENCE_VMA:
	case TCG_IR_FENCE_I:
		rc_flush(e);
		sync_pc(e, pc);
		args(e, 2, (uint64_t[]){ opc, raw });
		call(e, tcg_helper_system);
		if (opc == TCG_IR_WFI || opc == TCG_IR_SFENCE_VMA)
			leave_if_nonzero(e, false);
		else if (opc == TCG_IR_FENCE_I)
			/* The jump cache is gone: through the dispatcher. */
			leave_next(e, op);
		else
			jmp(e, e->l_nochain);
		return;
	case TCG_IR_FENCE:
		b1(e, 0x0f);
		b1(e, 0xae);
		b1(e, 0xf0); /* mfence */
		return;
	case TCG_IR_TRACE_TB:
		rc_flush(e);
		args(e, 1, (uint64_t[]){ e->tb->pc });
		call(e, tcg_helper_trace_tb);
		return;
	case TCG_IR_TRACE_MEM:
		rc_flush(e);
		sync_pc(e, pc);
		args(e, 2, (uint64_t[]){ 0, op->rs2 });
		arg_x(e, 0, op->rs1);
		alu_imm(e, true, G1_ADD, RSI, op->imm);
		call(e, tcg_helper_trace_mem);
		return;
	case TCG_IR_TRIGGER:
		rc_flush(e);
		sync_pc(e, pc);
		args(e, 0, NULL);
		call(e, tcg_trigger_exec);
		leave_if_nonzero(e, true);
		return;
	default:
		abort();
	}
}

/* ---------------------------------------------------------------- block */

static size_t native_code_size(const struct tcg_tb *tb,
			       const struct tcg_ir_block *ir)
{
	static __thread uint8_t scratch[SCRATCH_SIZE];
	struct emit *e = emit_tls;

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			abort();
		emit_tls = e;
	}
	e->buf = scratch;
	e->n = sizeof(struct native_hdr);
	e->nlabels = e->nref = e->nslow = 0;
	e->slot_jmp[0] = e->slot_jmp[1] = 0;
	e->tb = tb;
	e->l_leave = new_label(e);
	e->l_nochain = new_label(e);
	e->l_slot[0] = new_label(e);
	e->l_slot[1] = new_label(e);
	memset(e->rc.guest, -1, sizeof(e->rc.guest));
	e->clock = 0;

	/* The entry (see the top of the file). */
	b1(e, 0xcc);
	b1(e, 0xcc);
	b1(e, 0xcc);
	b1(e, 0xe9);
	b4(e, 0);
	/* Pairs with the release store in tcg_kick(): a load on x86. */
	op_mem(e, false, 0x83, 7, RBX, CPU(exit_request));
	b1(e, 0);
	jcc(e, CC_NE, e->l_leave);
	op_mem(e, true, fits8(tb->ninsns) ? 0x83 : 0x81, 0, RBX, CPU(instret));
	if (fits8(tb->ninsns))
		b1(e, tb->ninsns);
	else
		b4(e, tb->ninsns);

	for (unsigned i = 0; i < ir->nops; i++)
		emit_op(e, &ir->ops[i]);
	b1(e, 0x0f);
	b1(e, 0x0b); /* ud2: the terminator never falls through */

	for (unsigned i = 0; i < e->nslow; i++)
		emit_slow(e, &e->slow[i]);
	bind(e, e->l_leave);
	sync_pc(e, tb->pc);
	bind(e, e->l_nochain);
	/* mov qword [rbx + last_tb], 0 */
	op_mem(e, true, 0xc7, 0, RBX, CPU(last_tb));
	b4(e, 0);
	epilogue(e);
	for (unsigned s = 0; s < 2; s++) {
		bind(e, e->l_slot[s]);
		mov_imm(e, RAX, tb->exit_pc[s]);
		op_mem(e, true, 0x89, RAX, RBX, CPU(pc));
		rex(e, true, 0, RAX);
		b1(e, 0xb8);
		e->tb_fix[s] = (uint32_t)e->n;
		b8(e, 0);
		op_mem(e, true, 0x89, RAX, RBX, CPU(last_tb));
		op_mem(e, false, 0xc7, 0, RBX, CPU(last_slot));
		b4(e, s);
		epilogue(e);
	}
	resolve(e);
	return e->n;
}

static void native_compile(struct tcg_tb *tb, const struct tcg_ir_block *ir,
			   void *code, void *code_rx)
{
	struct emit *e = emit_tls;
	struct native_hdr *h = code;
	uint8_t *c = code;
	uint64_t self = (uint64_t)(uintptr_t)tb;

	memcpy(c, e->buf, e->n);
	for (unsigned s = 0; s < 2; s++) {
		memcpy(c + e->tb_fix[s], &self, 8);
		h->slot_jmp[s] = e->slot_jmp[s]
				 ? e->slot_jmp[s] - (uint32_t)ENTRY_OFF : 0;
	}
	h->leave_rel = (int32_t)(e->label_pos[e->l_leave] - (ENTRY_OFF + 5));
	h->unused = 0;
	tb->code = (uint8_t *)code_rx + ENTRY_OFF;
}

/* Rewrite the aligned displacement at rw (its rx twin: rx) to reach to. */
static void patch_jmp(uint8_t *rw, const uint8_t *rx, const void *to)
{
	int32_t rel = (int32_t)((const uint8_t *)to - (rx + 4));

	/* A vCPU running this jump sees the old or the new displacement. */
	__atomic_store_n((int32_t *)rw, rel, __ATOMIC_RELEASE);
}

static void native_invalidate(struct tcg_tb *tb)
{
	uint8_t *entry = (uint8_t *)(tb + 1) + ENTRY_OFF;
	const struct native_hdr *h = (const void *)(tb + 1);

	/* Pairs with nothing: entering the block runs one or the other. */
	__atomic_store_n((int32_t *)(entry + 1), h->leave_rel,
			 __ATOMIC_RELEASE);
}

static void native_chain(struct tcg_tb *from, unsigned slot,
			 struct tcg_tb *to)
{
	const struct native_hdr *h = (const void *)(from + 1);
	uint32_t off = h->slot_jmp[slot];

	if (!off)
		return;
	patch_jmp((uint8_t *)(from + 1) + ENTRY_OFF + off,
		  (const uint8_t *)from->code + off, to->code);
}

/* Save the callee-saved registers, rbx = cpu, jump to the block. */
void tcg_native_enter(struct tcg_cpu *cpu, const void *code);
__asm__(".text\n"
	".globl tcg_native_enter\n"
	".hidden tcg_native_enter\n"
	".type tcg_native_enter, @function\n"
	"tcg_native_enter:\n"
	"	push %rbp\n"
	"	push %rbx\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	sub $8, %rsp\n"	/* calls from the blocks: rsp 16-aligned */
	"	mov %rdi, %rbx\n"
	"	jmp *%rsi\n"
	".size tcg_native_enter, .-tcg_native_enter\n");

static void native_exec(struct tcg_cpu *cpu, struct tcg_tb *tb)
{
	cpu->jit_tlb = tcg_mmu_fast_path(cpu, &cpu->jit_rlim);
	tcg_native_enter(cpu, tb->code);
}

const struct tcg_backend tcg_backend_native = {
	.name = "native",
	.code_size = native_code_size,
	.compile = native_compile,
	.exec = native_exec,
	.invalidate = native_invalidate,
	.chain = native_chain,
};

#endif /* __x86_64__ */
