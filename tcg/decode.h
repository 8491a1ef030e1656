/* SPDX-License-Identifier: MIT */
/*
 * Instruction decoding, driven by insn.def.  rv_decode() takes 16 or 32
 * bits of guest code and returns the instruction's length (2 or 4); a
 * compressed instruction comes back as the 32-bit instruction it expands
 * to (RV_c_addi -> RV_addi with the same operands).  Anything not in the
 * table, or a reserved compressed encoding, is RV_illegal.
 */
#ifndef VTRACE_TCG_DECODE_H
#define VTRACE_TCG_DECODE_H

#include <stdint.h>

enum rv_insn_id {
	RV_illegal,
#define RV_INSN(name, mask, match, fmt, irop) RV_##name,
#include "tcg/insn.def"
#undef RV_INSN
	RV_NB_INSNS
};

struct rv_insn {
	uint16_t id;		/* enum rv_insn_id */
	uint8_t rd, rs1, rs2;
	uint8_t len;		/* 2 or 4 */
	uint32_t raw;		/* the bits as fetched (16 or 32) */
	int64_t imm;
};

extern const char *const rv_insn_names[RV_NB_INSNS];

/* Decode one instruction; bits holds 32 bits (only the low 16 are used if
 * the low two bits are not 0b11). */
unsigned rv_decode(uint32_t bits, struct rv_insn *out);

/* "addi a0, a0, 1": text for -d in_asm (pc resolves branch targets).
 * Compressed instructions show as c.<the 32-bit form>. */
void rv_disas(const struct rv_insn *in, uint64_t pc, char *buf,
	      unsigned size);

#endif
