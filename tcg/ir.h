/* SPDX-License-Identifier: MIT */
/*
 * The intermediate form between the frontend (translate.c: guest RISC-V
 * to IR) and a backend (interp.c today; a native x86-64 one later).
 *
 * A block is a straight list of ops over 33 registers: x0..x31 plus
 * TCG_REG_SCRATCH, where the frontend sends writes to x0 that must still
 * happen for their side effects (loads, jalr, csr*).  x0 always reads 0.
 * ALU ops with rd = x0 are not emitted at all.
 *
 * Every op carries pc_off (its guest instruction's signed offset from the
 * block pc) and len (that instruction's size), so any op may fault
 * precisely.  A block follows direct jumps (jal) whose target lies in the
 * block's first page, so offsets may be negative and the guest bytes
 * covered are not contiguous: end_pc is one past the highest.
 * The block ends with exactly one terminator: GOTO_TB (direct, chainable,
 * exit slot in imm), a conditional branch (slot 0 taken, slot 1 not
 * taken), JALR (indirect, jump-cache lookup), EXIT (to a pc set by a
 * helper) or a trap-raising op.
 *
 * Helper ops (CSR, FP, ECALL, ...) are calls into cpu.c/csr.c/fpu.c with the
 * guest pc
 * synced; a native backend emits the same calls.  TRACE_MEM is the op the
 * frontend inserts before each memory access when the translate-time flag
 * TCG_TF_MEM_HOOK is set: rs1 + imm is the address, rs2 the info word.
 * TRACE_TB follows TB_ENTRY when TCG_TF_EXEC_HOOK is set.  TRIGGER
 * precedes every instruction of a block keyed with TCG_TB_TRIGGERS: it
 * raises if an execute trigger fires at that instruction (trigger.c).
 */
#ifndef VTRACE_TCG_IR_H
#define VTRACE_TCG_IR_H

#include <stdint.h>

#define TCG_IR_OPS(X)                                                          \
	X(NOP) X(TB_ENTRY) X(LI)                                               \
	X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND)  \
	X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW)                                \
	X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU)        \
	X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW)                              \
	X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI)        \
	X(SRAI) X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW)                            \
	X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU)                           \
	X(SB) X(SH) X(SW) X(SD)                                                \
	X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU)                            \
	X(GOTO_TB) X(JALR) X(EXIT)                                             \
	X(LR_W) X(LR_D) X(SC_W) X(SC_D) X(AMO_W) X(AMO_D)                      \
	X(FLW) X(FLD) X(FSW) X(FSD) X(FP)                                      \
	X(CSR) X(ECALL) X(EBREAK) X(MRET) X(SRET) X(WFI)                       \
	X(FENCE) X(FENCE_I) X(SFENCE_VMA) X(ILLEGAL)                         \
	X(TRACE_MEM) X(TRACE_TB) X(TRIGGER)

enum tcg_ir_opc {
#define TCG_IR_ENUM(name) TCG_IR_##name,
	TCG_IR_OPS(TCG_IR_ENUM)
#undef TCG_IR_ENUM
	TCG_IR_NB_OPS
};

extern const char *const tcg_ir_names[TCG_IR_NB_OPS];

#define TCG_REG_SCRATCH 32
#define TCG_NB_REGS 33

/*
 * Operand use per opcode:
 *  TB_ENTRY  imm = guest instructions in the block
 *  LI        rd = imm
 *  ALU       rd = rs1 op rs2 | rs1 op imm
 *  loads     rd = mem[rs1 + imm];  stores  mem[rs1 + imm] = rs2
 *  Bxx       if (rs1 cmp rs2) slot 0 else slot 1
 *  GOTO_TB   slot imm
 *  JALR      t = (rs1 + imm) & ~1; rd = pc + len; goto t
 *  EXIT      leave the block; the pc is already in the vCPU
 *  LR/SC/AMO rd, rs1 (address), rs2; AMO: imm = funct5
 *  FLW/FLD   f[rd] = mem[rs1 + (int32_t)imm];  FSW/FSD  mem[...] = f[rs2]
 *            imm = raw instruction << 32 | (uint32_t)offset
 *  FP        every other F/D instruction, imm = raw instruction bits
 *  CSR       rd, rs1 (register or uimm), imm = csr | kind << 12 | raw << 32
 *            kind: 1 rw 2 rs 3 rc 5 rwi 6 rsi 7 rci (funct3)
 *  ILLEGAL, ECALL, ..., WFI, SFENCE_VMA  imm = raw instruction bits
 */
struct tcg_ir_op {
	uint16_t opc;
	uint8_t rd, rs1, rs2, len;
	int32_t pc_off;
	int64_t imm;
};

#define TCG_MAX_BLOCK_INSNS 64
#define TCG_MAX_IR_OPS (3 * TCG_MAX_BLOCK_INSNS + 4)

struct tcg_ir_block {
	uint64_t pc;
	uint64_t exit_pc[2];	/* targets of GOTO_TB / branch slots */
	uint64_t end_pc;	/* one past the highest guest byte covered */
	uint32_t size;		/* guest bytes translated */
	uint32_t ninsns;
	uint32_t nops;
	uint32_t flags;		/* translate-time flags (TCG_TF_*) */
	uint8_t priv;
	struct tcg_ir_op ops[TCG_MAX_IR_OPS];
};

#endif
