// SPDX-License-Identifier: MIT
/*
 * Self-modifying code: each hart writes small functions into its slot of a
 * code buffer, makes them visible with fence.i, calls them, rewrites them
 * and calls again.  The slot keeps its address, so an emulator that caches
 * translated blocks must drop the stale one when the code is written (or on
 * fence.i).  All harts' slots share one page on purpose: a write by one
 * hart must not disturb the blocks of the others, nor be missed by them.
 *
 * Both 32-bit and compressed encodings are generated.  fence.i orders only
 * this hart's fetches: kl_smc() runs the hart's own slot; kl_smc_cross()
 * runs another hart's, after a barrier (its fence makes the stores visible
 * here) and a local fence.i, which is the RISC-V recipe for remote code.
 */
#include "kl.h"

#define SLOT_WORDS 16

static u32 smc_code[KL_MAX_HARTS][SLOT_WORDS] __attribute__((aligned(64)));

#define RD_A0 (10 << 7)
#define RS1_A0 (10 << 15)
#define RS2_A1 (11 << 20)
#define OP_IMM 0x13
#define OP_REG 0x33
#define INSN_RET 0x00008067u /* jalr x0, 0(ra) */
#define C_JR_RA 0x8082u /* c.jr ra */

static u32 i_type(u32 funct3, s32 imm)
{
	return (u32)(imm & 0xfff) << 20 | RS1_A0 | funct3 << 12 | RD_A0 | OP_IMM;
}

static u32 r_type(u32 funct7, u32 funct3)
{
	return funct7 << 25 | RS2_A1 | RS1_A0 | funct3 << 12 | RD_A0 | OP_REG;
}

/* c.addi a0, imm (imm in -32..31, nonzero) */
static u16 c_addi(s32 imm)
{
	return (u16)(((imm >> 5) & 1) << 12 | 10 << 7 | (imm & 0x1f) << 2 | 1);
}

typedef u64 (*smc_fn)(u64 a0, u64 a1);

static u64 call(volatile u32 *code, u64 a0, u64 a1)
{
	__asm__ volatile("fence.i" ::: "memory");
	return ((smc_fn)(unsigned long)code)(a0, a1);
}

void kl_smc(u32 hartid, struct kl_results *r)
{
	volatile u32 *code = smc_code[hartid];
	volatile u16 *half = (volatile u16 *)code;
	u64 h = 0;
	u32 fail = 0;
	int i;

	for (i = 0; i < SMC_ROUNDS; i++) {
		u64 x = 1000 + hartid * 100 + i, y = 3 + i, want, got;
		s32 imm = (s32)(i * 37 + hartid) % 2000 - 1000;

		switch (i % 6) {
		case 0: /* addi a0, a0, imm; ret */
			code[0] = i_type(0, imm);
			code[1] = INSN_RET;
			want = x + (u64)(s64)imm;
			break;
		case 1: /* xori */
			code[0] = i_type(4, imm);
			code[1] = INSN_RET;
			want = x ^ (u64)(s64)imm;
			break;
		case 2: /* slli a0, a0, i % 40 */
			code[0] = i_type(1, i % 40);
			code[1] = INSN_RET;
			want = x << (i % 40);
			break;
		case 3: /* mul a0, a0, a1; add a0, a0, a1; ret */
			code[0] = r_type(1, 0);
			code[1] = r_type(0, 0);
			code[2] = INSN_RET;
			want = x * y + y;
			break;
		case 4: /* c.addi a0, k; c.addi a0, k; c.jr ra */
			half[0] = c_addi(i % 31 + 1);
			half[1] = c_addi(-(i % 17) - 1);
			half[2] = C_JR_RA;
			want = x + (u64)(i % 31 + 1) - (u64)(i % 17 + 1);
			break;
		default: /* sub a0, a0, a1; then patch only the second word */
			code[0] = r_type(0x20, 0);
			code[1] = INSN_RET;
			got = call(code, x, y);
			h = h * 1099511628211ULL + got;
			if (got != x - y)
				fail++;
			code[1] = i_type(6, 0x0f0); /* ori a0, a0, 0xf0 */
			code[2] = INSN_RET;
			want = (x - y) | 0xf0;
			break;
		}
		got = call(code, x, y);
		h = h * 1099511628211ULL + got;
		if (got != want)
			fail++;
	}
	r->smc = h;
	r->smc_fail = fail;
}

/*
 * Cross-hart: each hart rewrites its own slot, then (after a barrier, which
 * makes the stores visible, and its own fence.i) runs the slot of the next
 * hart.  The same slot address gets new code every round, so a block
 * another hart translated in the previous round must have been dropped.
 * All harts call this together.
 */
static s32 cross_imm(u32 hartid, int round)
{
	return (s32)(hartid + 1) * 100 + round * 7 - 500;
}

void kl_smc_cross(u32 hartid, u32 nharts, struct kl_results *r)
{
	u32 peer = kl_next_hart(hartid);
	int round;

	for (round = 0; round < SMC_CROSS_ROUNDS; round++) {
		u64 got;

		smc_code[hartid][0] = i_type(0, cross_imm(hartid, round));
		smc_code[hartid][1] = INSN_RET;
		kl_barrier(nharts);
		got = call(smc_code[peer], 1000, 0);
		if (got != 1000 + (u64)(s64)cross_imm(peer, round))
			r->smc_fail++;
		r->smc = r->smc * 1099511628211ULL + got;
		kl_barrier(nharts); /* nobody runs a slot while it is rewritten */
	}
}
