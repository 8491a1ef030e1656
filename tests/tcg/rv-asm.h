/* SPDX-License-Identifier: MIT */
/*
 * A tiny RISC-V encoder for tests: enough to hand-assemble guest programs
 * in C.  Each function returns one 32-bit instruction.
 */
#ifndef VTRACE_TESTS_RV_ASM_H
#define VTRACE_TESTS_RV_ASM_H

#include <stdint.h>

static inline uint32_t rv_r(unsigned f7, unsigned rs2, unsigned rs1,
			    unsigned f3, unsigned rd, unsigned opc)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static inline uint32_t rv_i(int32_t imm, unsigned rs1, unsigned f3,
			    unsigned rd, unsigned opc)
{
	return (uint32_t)(imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 |
	       opc;
}

static inline uint32_t rv_s(int32_t imm, unsigned rs2, unsigned rs1,
			    unsigned f3, unsigned opc)
{
	uint32_t u = (uint32_t)imm;

	return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       (u & 0x1f) << 7 | opc;
}

static inline uint32_t rv_b(int32_t imm, unsigned rs2, unsigned rs1,
			    unsigned f3)
{
	uint32_t u = (uint32_t)imm;

	return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 |
	       rs1 << 15 | f3 << 12 | ((u >> 1) & 0xf) << 8 |
	       ((u >> 11) & 1) << 7 | 0x63;
}

static inline uint32_t rv_jal(unsigned rd, int32_t imm)
{
	uint32_t u = (uint32_t)imm;

	return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 |
	       ((u >> 11) & 1) << 20 | ((u >> 12) & 0xff) << 12 | rd << 7 |
	       0x6f;
}

#define LUI(rd, imm20) ((uint32_t)(imm20) << 12 | (rd) << 7 | 0x37)
#define AUIPC(rd, imm20) ((uint32_t)(imm20) << 12 | (rd) << 7 | 0x17)
#define JAL(rd, off) rv_jal(rd, off)
#define JALR(rd, rs1, imm) rv_i(imm, rs1, 0, rd, 0x67)
#define BEQ(a, b, off) rv_b(off, b, a, 0)
#define BNE(a, b, off) rv_b(off, b, a, 1)
#define BLT(a, b, off) rv_b(off, b, a, 4)
#define BGE(a, b, off) rv_b(off, b, a, 5)
#define BLTU(a, b, off) rv_b(off, b, a, 6)
#define BGEU(a, b, off) rv_b(off, b, a, 7)
#define LB(rd, rs1, imm) rv_i(imm, rs1, 0, rd, 0x03)
#define LH(rd, rs1, imm) rv_i(imm, rs1, 1, rd, 0x03)
#define LW(rd, rs1, imm) rv_i(imm, rs1, 2, rd, 0x03)
#define LD(rd, rs1, imm) rv_i(imm, rs1, 3, rd, 0x03)
#define LBU(rd, rs1, imm) rv_i(imm, rs1, 4, rd, 0x03)
#define LHU(rd, rs1, imm) rv_i(imm, rs1, 5, rd, 0x03)
#define LWU(rd, rs1, imm) rv_i(imm, rs1, 6, rd, 0x03)
#define SB(rs2, rs1, imm) rv_s(imm, rs2, rs1, 0, 0x23)
#define SH(rs2, rs1, imm) rv_s(imm, rs2, rs1, 1, 0x23)
#define SW(rs2, rs1, imm) rv_s(imm, rs2, rs1, 2, 0x23)
#define SD(rs2, rs1, imm) rv_s(imm, rs2, rs1, 3, 0x23)
#define ADDI(rd, rs1, imm) rv_i(imm, rs1, 0, rd, 0x13)
#define SLTI(rd, rs1, imm) rv_i(imm, rs1, 2, rd, 0x13)
#define SLTIU(rd, rs1, imm) rv_i(imm, rs1, 3, rd, 0x13)
#define XORI(rd, rs1, imm) rv_i(imm, rs1, 4, rd, 0x13)
#define ORI(rd, rs1, imm) rv_i(imm, rs1, 6, rd, 0x13)
#define ANDI(rd, rs1, imm) rv_i(imm, rs1, 7, rd, 0x13)
#define SLLI(rd, rs1, sh) rv_i(sh, rs1, 1, rd, 0x13)
#define SRLI(rd, rs1, sh) rv_i(sh, rs1, 5, rd, 0x13)
#define SRAI(rd, rs1, sh) rv_i(0x400 | (sh), rs1, 5, rd, 0x13)
#define ADDIW(rd, rs1, imm) rv_i(imm, rs1, 0, rd, 0x1b)
#define SLLIW(rd, rs1, sh) rv_i(sh, rs1, 1, rd, 0x1b)
#define SRLIW(rd, rs1, sh) rv_i(sh, rs1, 5, rd, 0x1b)
#define SRAIW(rd, rs1, sh) rv_i(0x400 | (sh), rs1, 5, rd, 0x1b)
#define OP(f7, f3, rd, a, b) rv_r(f7, b, a, f3, rd, 0x33)
#define OPW(f7, f3, rd, a, b) rv_r(f7, b, a, f3, rd, 0x3b)
#define ADD(rd, a, b) OP(0, 0, rd, a, b)
#define SUB(rd, a, b) OP(0x20, 0, rd, a, b)
#define SLL(rd, a, b) OP(0, 1, rd, a, b)
#define SLT(rd, a, b) OP(0, 2, rd, a, b)
#define SLTU(rd, a, b) OP(0, 3, rd, a, b)
#define XOR(rd, a, b) OP(0, 4, rd, a, b)
#define SRL(rd, a, b) OP(0, 5, rd, a, b)
#define SRA(rd, a, b) OP(0x20, 5, rd, a, b)
#define OR(rd, a, b) OP(0, 6, rd, a, b)
#define AND(rd, a, b) OP(0, 7, rd, a, b)
#define ADDW(rd, a, b) OPW(0, 0, rd, a, b)
#define SUBW(rd, a, b) OPW(0x20, 0, rd, a, b)
#define SLLW(rd, a, b) OPW(0, 1, rd, a, b)
#define SRLW(rd, a, b) OPW(0, 5, rd, a, b)
#define SRAW(rd, a, b) OPW(0x20, 5, rd, a, b)
#define MUL(rd, a, b) OP(1, 0, rd, a, b)
#define MULH(rd, a, b) OP(1, 1, rd, a, b)
#define MULHSU(rd, a, b) OP(1, 2, rd, a, b)
#define MULHU(rd, a, b) OP(1, 3, rd, a, b)
#define DIV(rd, a, b) OP(1, 4, rd, a, b)
#define DIVU(rd, a, b) OP(1, 5, rd, a, b)
#define REM(rd, a, b) OP(1, 6, rd, a, b)
#define REMU(rd, a, b) OP(1, 7, rd, a, b)
#define MULW(rd, a, b) OPW(1, 0, rd, a, b)
#define DIVW(rd, a, b) OPW(1, 4, rd, a, b)
#define DIVUW(rd, a, b) OPW(1, 5, rd, a, b)
#define REMW(rd, a, b) OPW(1, 6, rd, a, b)
#define REMUW(rd, a, b) OPW(1, 7, rd, a, b)
#define FENCE() 0x0ff0000fu
#define FENCE_I() 0x0000100fu
#define ECALL() 0x00000073u
#define EBREAK() 0x00100073u
#define MRET() 0x30200073u
#define SRET() 0x10200073u
#define WFI() 0x10500073u
#define CSRRW(rd, csr, rs1) rv_i(csr, rs1, 1, rd, 0x73)
#define CSRRS(rd, csr, rs1) rv_i(csr, rs1, 2, rd, 0x73)
#define CSRRC(rd, csr, rs1) rv_i(csr, rs1, 3, rd, 0x73)
#define CSRRWI(rd, csr, u) rv_i(csr, u, 5, rd, 0x73)
#define CSRRSI(rd, csr, u) rv_i(csr, u, 6, rd, 0x73)
#define CSRRCI(rd, csr, u) rv_i(csr, u, 7, rd, 0x73)
#define CSRR(rd, csr) CSRRS(rd, csr, 0)
#define CSRW(csr, rs1) CSRRW(0, csr, rs1)
#define AMO(f5, f3, rd, addr, src) rv_r((f5) << 2, src, addr, f3, rd, 0x2f)
#define LR_W(rd, a) AMO(0x02, 2, rd, a, 0)
#define LR_D(rd, a) AMO(0x02, 3, rd, a, 0)
#define SC_W(rd, a, s) AMO(0x03, 2, rd, a, s)
#define SC_D(rd, a, s) AMO(0x03, 3, rd, a, s)
#define AMOADD_W(rd, a, s) AMO(0x00, 2, rd, a, s)
#define AMOADD_D(rd, a, s) AMO(0x00, 3, rd, a, s)
#define AMOSWAP_W(rd, a, s) AMO(0x01, 2, rd, a, s)
#define AMOMAX_W(rd, a, s) AMO(0x14, 2, rd, a, s)
#define AMOMINU_D(rd, a, s) AMO(0x18, 3, rd, a, s)
/* F and D: f7 = funct5 << 2 | fmt (0 single, 1 double); rm 7 = dynamic. */
#define FP_R(f7, rd, a, b, rm) rv_r(f7, b, a, rm, rd, 0x53)
#define FADD_S(rd, a, b, rm) FP_R(0x00, rd, a, b, rm)
#define FADD_D(rd, a, b, rm) FP_R(0x01, rd, a, b, rm)
#define FSGNJ_S(rd, a, b) FP_R(0x10, rd, a, b, 0)
#define FMIN_D(rd, a, b) FP_R(0x15, rd, a, b, 0)
#define FMAX_D(rd, a, b) FP_R(0x15, rd, a, b, 1)
#define FEQ_D(rd, a, b) FP_R(0x51, rd, a, b, 2)
#define FLT_D(rd, a, b) FP_R(0x51, rd, a, b, 1)
#define FCVT_W_D(rd, a, rm) FP_R(0x61, rd, a, 0, rm)
#define FCVT_WU_D(rd, a, rm) FP_R(0x61, rd, a, 1, rm)
#define FCVT_L_D(rd, a, rm) FP_R(0x61, rd, a, 2, rm)
#define FCVT_D_L(rd, a, rm) FP_R(0x69, rd, a, 2, rm)
#define FMV_X_W(rd, a) FP_R(0x70, rd, a, 0, 0)
#define FMV_X_D(rd, a) FP_R(0x71, rd, a, 0, 0)
#define FCLASS_D(rd, a) FP_R(0x71, rd, a, 0, 1)
#define FMV_W_X(rd, a) FP_R(0x78, rd, a, 0, 0)
#define FMV_D_X(rd, a) FP_R(0x79, rd, a, 0, 0)
#define FMADD_D(rd, a, b, c, rm)                                               \
	((uint32_t)(c) << 27 | 1u << 25 | (b) << 20 | (a) << 15 | (rm) << 12 | \
	 (rd) << 7 | 0x43)
#define FLW(rd, rs1, imm) rv_i(imm, rs1, 2, rd, 0x07)
#define FLD(rd, rs1, imm) rv_i(imm, rs1, 3, rd, 0x07)
#define FSW(rs2, rs1, imm) rv_s(imm, rs2, rs1, 2, 0x27)
#define FSD(rs2, rs1, imm) rv_s(imm, rs2, rs1, 3, 0x27)
/* End a test program: a store to address 0, which the harness turns into
 * a stop of the vCPU. */
#define HALT() SW(0, 0, 0)

#endif
