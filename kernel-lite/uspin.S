/* SPDX-License-Identifier: MIT */
/*
 * long u_spin_until_tick(const volatile u64 *ticks, u64 limit)   (U-mode)
 *
 * Loads known values into every register it may (a2..a7, t1..t6, s0..s11,
 * gp, tp), spins until *ticks changes (a timer interrupt was taken from
 * U-mode and returned) or limit iterations pass, then checks them all.
 * Returns 0: no tick seen; 1: tick seen, every register intact; 2: a
 * register changed across the trap.
 */
	.text
	.globl u_spin_until_tick
	.balign 4
u_spin_until_tick:
	addi	sp, sp, -112
	sd	s0, 0(sp)
	sd	s1, 8(sp)
	sd	s2, 16(sp)
	sd	s3, 24(sp)
	sd	s4, 32(sp)
	sd	s5, 40(sp)
	sd	s6, 48(sp)
	sd	s7, 56(sp)
	sd	s8, 64(sp)
	sd	s9, 72(sp)
	sd	s10, 80(sp)
	sd	s11, 88(sp)
	sd	gp, 96(sp)
	sd	tp, 104(sp)

	ld	a2, 0(a0)
	li	a3, 103
	li	a4, 104
	li	a5, 105
	li	a6, 106
	li	a7, 107
	li	t1, 201
	li	t2, 202
	li	t3, 203
	li	t4, 204
	li	t5, 205
	li	t6, 206
	li	s0, 300
	li	s1, 301
	li	s2, 302
	li	s3, 303
	li	s4, 304
	li	s5, 305
	li	s6, 306
	li	s7, 307
	li	s8, 308
	li	s9, 309
	li	s10, 310
	li	s11, 311
	li	gp, 400
	li	tp, 401

1:	ld	t0, 0(a0)
	bne	t0, a2, 2f
	addi	a1, a1, -1
	bnez	a1, 1b
	li	a0, 0
	j	.Lout

#define CHECK(reg, val) li t0, val; bne reg, t0, .Lbad
2:	CHECK(a3, 103)
	CHECK(a4, 104)
	CHECK(a5, 105)
	CHECK(a6, 106)
	CHECK(a7, 107)
	CHECK(t1, 201)
	CHECK(t2, 202)
	CHECK(t3, 203)
	CHECK(t4, 204)
	CHECK(t5, 205)
	CHECK(t6, 206)
	CHECK(s0, 300)
	CHECK(s1, 301)
	CHECK(s2, 302)
	CHECK(s3, 303)
	CHECK(s4, 304)
	CHECK(s5, 305)
	CHECK(s6, 306)
	CHECK(s7, 307)
	CHECK(s8, 308)
	CHECK(s9, 309)
	CHECK(s10, 310)
	CHECK(s11, 311)
	CHECK(gp, 400)
	CHECK(tp, 401)
	li	a0, 1
	j	.Lout
.Lbad:
	li	a0, 2
.Lout:
	ld	s0, 0(sp)
	ld	s1, 8(sp)
	ld	s2, 16(sp)
	ld	s3, 24(sp)
	ld	s4, 32(sp)
	ld	s5, 40(sp)
	ld	s6, 48(sp)
	ld	s7, 56(sp)
	ld	s8, 64(sp)
	ld	s9, 72(sp)
	ld	s10, 80(sp)
	ld	s11, 88(sp)
	ld	gp, 96(sp)
	ld	tp, 104(sp)
	addi	sp, sp, 112
	ret
