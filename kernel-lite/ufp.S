/* SPDX-License-Identifier: MIT */
/*
 * long u_fp_regs_across_yield(u64 seed, u64 fcsr)   (U-mode, built with D)
 *
 * Loads f0..f31 with seed, seed + K, seed + 2K... (K a fixed odd
 * constant) and fcsr with @fcsr, yields to the other tasks of the hart,
 * then checks every FP register and fcsr.  Returns 1 if all are intact, 0
 * if any changed: the kernel's FP save and restore across task switches
 * is what keeps them.
 *
 * It writes f0 last, after the check, so the slice that ends at the
 * caller's next yield has written an FP register whatever the
 * implementation's FS=Dirty policy (the kernel's save counts must not
 * depend on it, see the README).
 */
#include "kl.h"

	.text
	.globl u_fp_regs_across_yield
	.balign 4
u_fp_regs_across_yield:
	mv	a6, a0
	mv	a5, a1
	li	t2, 0x9e3779b97f4a7c15
	mv	t0, a6
	fmv.d.x	f0, t0
	add	t0, t0, t2
	fmv.d.x	f1, t0
	add	t0, t0, t2
	fmv.d.x	f2, t0
	add	t0, t0, t2
	fmv.d.x	f3, t0
	add	t0, t0, t2
	fmv.d.x	f4, t0
	add	t0, t0, t2
	fmv.d.x	f5, t0
	add	t0, t0, t2
	fmv.d.x	f6, t0
	add	t0, t0, t2
	fmv.d.x	f7, t0
	add	t0, t0, t2
	fmv.d.x	f8, t0
	add	t0, t0, t2
	fmv.d.x	f9, t0
	add	t0, t0, t2
	fmv.d.x	f10, t0
	add	t0, t0, t2
	fmv.d.x	f11, t0
	add	t0, t0, t2
	fmv.d.x	f12, t0
	add	t0, t0, t2
	fmv.d.x	f13, t0
	add	t0, t0, t2
	fmv.d.x	f14, t0
	add	t0, t0, t2
	fmv.d.x	f15, t0
	add	t0, t0, t2
	fmv.d.x	f16, t0
	add	t0, t0, t2
	fmv.d.x	f17, t0
	add	t0, t0, t2
	fmv.d.x	f18, t0
	add	t0, t0, t2
	fmv.d.x	f19, t0
	add	t0, t0, t2
	fmv.d.x	f20, t0
	add	t0, t0, t2
	fmv.d.x	f21, t0
	add	t0, t0, t2
	fmv.d.x	f22, t0
	add	t0, t0, t2
	fmv.d.x	f23, t0
	add	t0, t0, t2
	fmv.d.x	f24, t0
	add	t0, t0, t2
	fmv.d.x	f25, t0
	add	t0, t0, t2
	fmv.d.x	f26, t0
	add	t0, t0, t2
	fmv.d.x	f27, t0
	add	t0, t0, t2
	fmv.d.x	f28, t0
	add	t0, t0, t2
	fmv.d.x	f29, t0
	add	t0, t0, t2
	fmv.d.x	f30, t0
	add	t0, t0, t2
	fmv.d.x	f31, t0
	add	t0, t0, t2
	fscsr	a5

	li	a7, KL_SYS_YIELD
	li	a0, 0
	ecall

	frcsr	t1
	bne	t1, a5, .Lbad
	mv	t0, a6
	fmv.x.d	t1, f0
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f1
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f2
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f3
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f4
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f5
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f6
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f7
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f8
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f9
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f10
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f11
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f12
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f13
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f14
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f15
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f16
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f17
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f18
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f19
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f20
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f21
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f22
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f23
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f24
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f25
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f26
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f27
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f28
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f29
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f30
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	fmv.x.d	t1, f31
	bne	t1, t0, .Lbad
	add	t0, t0, t2
	li	a0, 1
	j	.Lout
.Lbad:
	li	a0, 0
.Lout:
	fmv.d.x	f0, zero
	ret
