/* SPDX-License-Identifier: MIT */
/*
 * Benchmark loops with an exact, known instruction count (kept in sync with
 * the KL_BENCH_*_INSNS formulas in bench.c).  Counts are instructions
 * retired from the first instruction of the function to its ret inclusive.
 */

	.text
/*
 * u64 kl_bench_alu(u64 iters): 3 + 10 * iters + 2 instructions.
 * Small immediates only, so every li is one instruction.
 */
	.globl kl_bench_alu
	.balign 4
kl_bench_alu:
	li	t0, 1234
	li	t1, 567
	li	t2, 0
1:	add	t2, t2, t0
	xor	t0, t0, t1
	slli	t3, t2, 3
	sub	t1, t1, t3
	or	t4, t0, t1
	srli	t5, t4, 7
	and	t6, t5, t2
	add	t0, t0, t6
	addi	a0, a0, -1
	bnez	a0, 1b
	mv	a0, t2
	ret

/*
 * u64 kl_bench_ldst(u64 iters, u64 *buf): 1 + 10 * iters + 2 instructions,
 * 7 of the 10 in the loop access memory (4 loads, 3 stores; buf[0..3]).
 */
	.globl kl_bench_ldst
	.balign 4
kl_bench_ldst:
	li	t2, 0
1:	ld	t0, 0(a1)
	ld	t1, 8(a1)
	add	t2, t2, t0
	sd	t2, 16(a1)
	ld	t3, 24(a1)
	add	t1, t1, t3
	sd	t1, 0(a1)
	ld	t4, 16(a1)
	addi	a0, a0, -1
	bnez	a0, 1b
	mv	a0, t2
	ret

/*
 * u64 kl_bench_fp(u64 iters): 10 + 10 * iters + 2 instructions, 6 of the 10
 * in the loop F/D (add, mul, fused multiply-add, sub, divide, compare) and
 * one a conversion to integer.  Every value is an exact small integer:
 * returns 2 * iters.  Turns mstatus.FS on (the rest of kernel-lite-bench
 * is integer code, compiled for rv64imac).
 */
	.option push
	.option arch, +d
	.globl kl_bench_fp
	.balign 4
kl_bench_fp:
	li	t0, 0x2000		/* mstatus.FS = Initial */
	csrs	mstatus, t0
	li	t0, 1
	fcvt.d.l fa0, t0
	li	t0, 2
	fcvt.d.l fa1, t0
	li	t0, 3
	fcvt.d.l fa2, t0
	fmv.d.x	ft0, zero
	li	t2, 0
1:	fadd.d	ft0, ft0, fa0		/* n */
	fmul.d	ft1, ft0, fa1		/* 2n */
	fmadd.d	ft2, ft1, fa1, ft0	/* 5n */
	fsub.d	ft3, ft2, ft1		/* 3n */
	fdiv.d	ft4, ft3, fa2		/* n */
	feq.d	t1, ft4, ft0
	add	t2, t2, t1
	fcvt.l.d t3, ft4
	addi	a0, a0, -1
	bnez	a0, 1b
	add	a0, t2, t3
	ret
	.option pop

/*
 * u64 kl_bench_fib(u64 n): naive recursive Fibonacci.  A leaf call (n < 2)
 * runs 3 instructions, an inner call 18; fib(n) makes F(n+1) leaf calls and
 * F(n+1) - 1 inner ones.
 */
	.globl kl_bench_fib
	.balign 4
kl_bench_fib:
	li	t0, 2
	blt	a0, t0, 1f
	addi	sp, sp, -32
	sd	ra, 24(sp)
	sd	s0, 16(sp)
	sd	s1, 8(sp)
	mv	s0, a0
	addi	a0, a0, -1
	jal	ra, kl_bench_fib
	mv	s1, a0
	addi	a0, s0, -2
	jal	ra, kl_bench_fib
	add	a0, a0, s1
	ld	ra, 24(sp)
	ld	s0, 16(sp)
	ld	s1, 8(sp)
	addi	sp, sp, 32
1:	ret
