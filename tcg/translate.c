/* SPDX-License-Identifier: MIT */
/*
 * The frontend: guest RISC-V code at a pc to one IR block.
 *
 * A block runs until a branch, an indirect jump or a direct jump off its
 * first page (direct jumps within it are followed), a system instruction (csr*, ecall,
 * ebreak, mret, sret, wfi, fence.i, sfence.vma), an illegal instruction,
 * TCG_MAX_BLOCK_INSNS, or the next instruction starting on another page.
 * Only the first instruction may straddle into the next page (as in QEMU
 * 7.2): the block then covers two pages and is invalidated by stores to
 * either; a later one that would straddle ends the block before it.
 *
 * Guest code is read from the host pages tb.c found for the block's
 * virtual pages (it translated them and raised any fetch fault).
 *
 * Nothing here knows about the backend: the output is a tcg_ir_block.
 */
#include <stdio.h>
#include <string.h>

#include "tcg/decode.h"
#include "tcg/guest-ram.h"
#include "tcg/tcg-internal.h"

const char *const tcg_ir_names[TCG_IR_NB_OPS] = {
#define TCG_IR_NAME(name) #name,
	TCG_IR_OPS(TCG_IR_NAME)
#undef TCG_IR_NAME
};

static const uint16_t rv_to_ir[RV_NB_INSNS] = {
	[RV_illegal] = TCG_IR_ILLEGAL,
#define RV_INSN(name, m, v, fmt, irop) [RV_##name] = TCG_IR_##irop,
#include "tcg/insn.def"
#undef RV_INSN
};

struct tr_ctx {
	struct tcg_ir_block *ir;
	uint64_t pc;		/* of the current instruction */
	uint64_t jump_to;	/* TR_JUMP: where translation goes on */
	const struct rv_insn *in;
};

static struct tcg_ir_op *emit(struct tr_ctx *s, unsigned opc, unsigned rd,
			      unsigned rs1, unsigned rs2, int64_t imm)
{
	struct tcg_ir_op *op = &s->ir->ops[s->ir->nops++];

	op->opc = (uint16_t)opc;
	op->rd = (uint8_t)rd;
	op->rs1 = (uint8_t)rs1;
	op->rs2 = (uint8_t)rs2;
	op->len = s->in ? s->in->len : 0;
	op->pc_off = (int32_t)(s->pc - s->ir->pc);
	op->imm = imm;
	return op;
}

static void emit_goto(struct tr_ctx *s, unsigned slot, uint64_t target)
{
	s->ir->exit_pc[slot] = target;
	emit(s, TCG_IR_GOTO_TB, 0, 0, 0, slot);
}

static unsigned wreg(unsigned rd)
{
	return rd ? rd : TCG_REG_SCRATCH;
}

enum tr_next { TR_CONT, TR_END, TR_JUMP };

/*
 * Returns whether the block goes on with the next instruction, ends, or
 * goes on at the target of a direct jump (s->jump_to).
 */
static enum tr_next translate_insn(struct tr_ctx *s)
{
	const struct rv_insn *in = s->in;
	unsigned opc = rv_to_ir[in->id];
	uint64_t next = s->pc + in->len;

	switch (opc) {
	case TCG_IR_LI:
		if (in->rd)
			emit(s, opc, in->rd, 0, 0,
			     in->id == RV_auipc ? (int64_t)(s->pc + in->imm)
						: in->imm);
		return TR_CONT;
	case TCG_IR_ADD ... TCG_IR_SRAIW:
		if (in->rd)
			emit(s, opc, in->rd, in->rs1, in->rs2, in->imm);
		return TR_CONT;
	case TCG_IR_LB ... TCG_IR_SD: {
		/* log2(size) | sign for each of LB LH LW LD LBU LHU LWU SB.. */
		static const uint8_t info[] = {
			0 | TCG_MEM_SIGN, 1 | TCG_MEM_SIGN, 2 | TCG_MEM_SIGN,
			3 | TCG_MEM_SIGN, 0, 1, 2,
			0 | TCG_MEM_STORE, 1 | TCG_MEM_STORE, 2 | TCG_MEM_STORE,
			3 | TCG_MEM_STORE,
		};
		bool store = opc >= TCG_IR_SB;

		if (s->ir->flags & TCG_TF_MEM_HOOK)
			emit(s, TCG_IR_TRACE_MEM, 0, in->rs1,
			     info[opc - TCG_IR_LB], in->imm);
		emit(s, opc, store ? 0 : wreg(in->rd), in->rs1, in->rs2,
		     in->imm);
		return TR_CONT;
	}
	case TCG_IR_LR_W ... TCG_IR_AMO_D: {
		bool word = opc == TCG_IR_LR_W || opc == TCG_IR_SC_W ||
			    opc == TCG_IR_AMO_W;

		if (s->ir->flags & TCG_TF_MEM_HOOK)
			emit(s, TCG_IR_TRACE_MEM, 0, in->rs1,
			     (word ? 2 : 3) | TCG_MEM_SIGN | TCG_MEM_ATOMIC |
				     (opc >= TCG_IR_SC_W ? TCG_MEM_STORE : 0),
			     0);
		emit(s, opc, wreg(in->rd), in->rs1, in->rs2, in->imm);
		return TR_CONT;
	}
	case TCG_IR_FLW ... TCG_IR_FSD: {
		bool store = opc >= TCG_IR_FSW;
		bool dbl = opc == TCG_IR_FLD || opc == TCG_IR_FSD;

		if (s->ir->flags & TCG_TF_MEM_HOOK)
			emit(s, TCG_IR_TRACE_MEM, 0, in->rs1,
			     (dbl ? 3 : 2) | (store ? TCG_MEM_STORE : 0),
			     in->imm);
		emit(s, opc, in->rd, in->rs1, in->rs2,
		     (int64_t)((uint64_t)in->raw << 32 | (uint32_t)in->imm));
		return TR_CONT;
	}
	case TCG_IR_FP:
		emit(s, opc, 0, 0, 0, in->raw);
		return TR_CONT;
	case TCG_IR_BEQ ... TCG_IR_BGEU:
		s->ir->exit_pc[0] = s->pc + in->imm;
		s->ir->exit_pc[1] = next;
		emit(s, opc, 0, in->rs1, in->rs2, 0);
		return TR_END;
	case TCG_IR_GOTO_TB: /* jal */
		if (in->rd)
			emit(s, TCG_IR_LI, in->rd, 0, 0, (int64_t)next);
		/* Follow it when the target is on the block's first page: no
		 * block boundary, and invalidation still covers it. */
		if (((s->pc + in->imm) >> TCG_PAGE_BITS) ==
			    (s->ir->pc >> TCG_PAGE_BITS) &&
		    s->ir->ninsns + 1 < TCG_MAX_BLOCK_INSNS) {
			s->jump_to = s->pc + in->imm;
			return TR_JUMP;
		}
		emit_goto(s, 0, s->pc + in->imm);
		return TR_END;
	case TCG_IR_JALR:
		emit(s, opc, wreg(in->rd), in->rs1, 0, in->imm);
		return TR_END;
	case TCG_IR_FENCE:
		emit(s, opc, 0, 0, 0, 0);
		return TR_CONT;
	case TCG_IR_CSR:
		emit(s, opc, wreg(in->rd), in->rs1, 0,
		     (int64_t)((uint64_t)in->raw << 32 |
			       ((in->raw >> 12) & 7) << 12 | (in->imm & 0xfff)));
		emit_goto(s, 0, next);
		return TR_END;
	case TCG_IR_WFI:
	case TCG_IR_FENCE_I:
	case TCG_IR_SFENCE_VMA:
		emit(s, opc, 0, in->rs1, in->rs2, in->raw);
		emit_goto(s, 0, next);
		return TR_END;
	default: /* ECALL EBREAK MRET SRET ILLEGAL: always leave */
		emit(s, opc, 0, 0, 0, in->raw);
		return TR_END;
	}
}

/* The instruction at pc, false if its second half is on the next page
 * and that page is not to be read (code[1] NULL). */
static bool fetch(const uint8_t *const code[2], uint64_t pc, uint32_t *bits)
{
	unsigned off = (unsigned)(pc & (TCG_PAGE_SIZE - 1));
	uint16_t lo, hi;

	lo = (uint16_t)tcg_ram_load(code[0] + off, 2);
	if ((lo & 3) != 3) {
		*bits = lo;
		return true;
	}
	if (off + 2 < TCG_PAGE_SIZE)
		hi = (uint16_t)tcg_ram_load(code[0] + off + 2, 2);
	else if (code[1])
		hi = (uint16_t)tcg_ram_load(code[1], 2);
	else
		return false;
	*bits = (uint32_t)hi << 16 | lo;
	return true;
}

int tcg_translate(struct tcg_cpu *cpu, uint64_t pc,
		  const uint8_t *const code[2], struct tcg_ir_block *ir)
{
	/* Only the first instruction may straddle into the next page. */
	const uint8_t *const later[2] = { code[0], NULL };
	struct tr_ctx s = { .ir = ir, .pc = pc };
	struct tcg_ir_op *entry;
	struct rv_insn in;
	bool log = tcg_log_mask & TCG_LOG_IN_ASM;
	/* The key's TCG_TB_TRIGGERS (tcg_tb_find): check each pc. */
	bool trig = cpu->trig & TCG_TRIG_EXEC;

	ir->pc = pc;
	ir->nops = 0;
	ir->ninsns = 0;
	ir->size = 0;
	ir->end_pc = pc;
	ir->priv = cpu->priv;
	ir->flags = cpu->tb_flags;
	ir->exit_pc[0] = ir->exit_pc[1] = 0;
	entry = emit(&s, TCG_IR_TB_ENTRY, 0, 0, 0, 0);
	if (ir->flags & TCG_TF_EXEC_HOOK)
		emit(&s, TCG_IR_TRACE_TB, 0, 0, 0, 0);
	if (log)
		tcg_log("IN: hart %u priv %u\n", (unsigned)cpu->hartid,
			cpu->priv);
	for (;;) {
		uint32_t bits;
		enum tr_next nx;

		s.in = NULL;
		if (!fetch(ir->ninsns ? later : code, s.pc, &bits)) {
			emit_goto(&s, 0, s.pc);
			break;
		}
		rv_decode(bits, &in);
		s.in = &in;
		if (log) {
			char text[96];

			rv_disas(&in, s.pc, text, sizeof(text));
			tcg_log("0x%016llx:  %0*x  %s\n",
				(unsigned long long)s.pc, in.len * 2, in.raw,
				text);
		}
		if (trig)
			emit(&s, TCG_IR_TRIGGER, 0, 0, 0, 0);
		nx = translate_insn(&s);
		ir->ninsns++;
		ir->size += in.len;
		s.pc += in.len;
		if (s.pc > ir->end_pc)
			ir->end_pc = s.pc;
		if (nx == TR_END)
			break;
		if (nx == TR_JUMP)
			s.pc = s.jump_to;
		if (ir->ninsns >= TCG_MAX_BLOCK_INSNS ||
		    (s.pc >> TCG_PAGE_BITS) != (pc >> TCG_PAGE_BITS)) {
			s.in = NULL;
			emit_goto(&s, 0, s.pc);
			break;
		}
	}
	entry->imm = ir->ninsns;
	if (log)
		tcg_log("\n");
	return 0;
}
