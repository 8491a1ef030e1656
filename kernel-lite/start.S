/* SPDX-License-Identifier: MIT */
/*
 * Entry, trap vector and the switch into and out of U-mode.
 *
 * With -bios none every hart starts here at 0x80000000 in M-mode with
 * a0 = mhartid and a1 = the device tree.  Hart 0 clears .bss, reads the
 * device tree, sends an IPI to every hart the tree names and then sets
 * kl_boot_go; the others wait for the flag in wfi, touching nothing but
 * their own (never cleared) stack and the two words in .data below.
 *
 * Trap entry uses mscratch to tell where the trap came from: it holds this
 * hart's struct kl_hart while the hart runs in U-mode and 0 in M-mode.
 * Traps from M-mode push a frame on the current stack; traps from U-mode
 * push it on the hart's trap stack.  kl_trap() returns the frame to resume
 * (the same one, or another task's after a switch), or NULL once every task
 * has exited, which resumes the kernel where it called kl_enter_user().
 */
#include "kl.h"

#define REG(n) ((n) * 8)

	.section .text.start, "ax", @progbits
	.globl _start
_start:
	csrw	mie, zero
	csrw	mscratch, zero

	/* U-mode needs a PMP entry on QEMU: NAPOT over everything, RWX.
	 * If a PMP CSR traps (an emulator without PMP), skip to 1f. */
	la	t0, 1f
	csrw	mtvec, t0
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f
	csrw	pmpcfg0, t0
	.balign 4
1:
	la	t0, kl_trap_vector
	csrw	mtvec, t0

	/* harts we have no stack for stop here (KL_MAX_HARTS <= 64) */
	li	t0, KL_MAX_HARTS
	bgeu	a0, t0, .Lpark

	/* sp = kl_kstacks + (hartid + 1) * KL_KSTACK_SIZE */
	addi	t1, a0, 1
	li	t0, KL_KSTACK_SIZE
	mul	t1, t1, t0
	la	sp, kl_kstacks
	add	sp, sp, t1
	mv	tp, zero

	/* check in (bit a0): the fallback when there is no device tree */
	la	t0, kl_boot_present
	li	t1, 1
	sll	t1, t1, a0
	amoor.d	zero, t1, (t0)

	bnez	a0, .Lsecondary

	/* hart 0: clear .bss, then C */
	la	t0, __bss_start
	la	t1, __bss_end
2:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	2b
3:
	call	kl_boot0		/* (hartid, fdt), does not return */
	j	.Lpark

.Lsecondary:
	/* Wait for hart 0.  wfi returns once msip is set (MSIE on, MIE off,
	 * so no trap is taken); the flag is the real condition. */
	li	t0, MIE_MSIE
	csrw	mie, t0
	la	t0, kl_boot_go
4:	ld	t1, 0(t0)
	bnez	t1, 5f
	wfi
	j	4b
5:	fence	iorw, iorw		/* pairs with the fence before hart 0 sets kl_boot_go */
	csrw	mie, zero
	call	kl_boot_secondary	/* (hartid), does not return */

.Lpark:
	csrw	mie, zero
6:	wfi
	j	6b

	.section .data
	.balign 8
	.globl kl_boot_go, kl_boot_present
kl_boot_go:
	.dword 0
kl_boot_present:
	.dword 0

	.section .kstacks, "aw", @nobits
	.balign 16
	.globl kl_kstacks, kl_tstacks
kl_kstacks:
	.space KL_MAX_HARTS * KL_KSTACK_SIZE
kl_tstacks:
	.space KL_MAX_HARTS * KL_TSTACK_SIZE

/* ------------------------------------------------------------ traps */
	.text
	.balign 4
	.globl kl_trap_vector
kl_trap_vector:
	csrrw	sp, mscratch, sp
	bnez	sp, .Lfrom_user

	/* from M-mode: put sp back (mscratch is 0 again) */
	csrrw	sp, mscratch, sp
	addi	sp, sp, -KL_FRAME_SIZE
	sd	x1, REG(1)(sp)
	sd	x3, REG(3)(sp)
	sd	x4, REG(4)(sp)
	sd	x5, REG(5)(sp)
	addi	x5, sp, KL_FRAME_SIZE
	sd	x5, REG(2)(sp)
	j	.Lsave_rest

.Lfrom_user:
	/* sp = struct kl_hart, mscratch = user sp */
	sd	x5, KL_HART_SCRATCH(sp)
	mv	x5, sp
	ld	sp, KL_HART_TSTACK(x5)
	addi	sp, sp, -KL_FRAME_SIZE
	sd	x1, REG(1)(sp)
	sd	x3, REG(3)(sp)
	sd	x4, REG(4)(sp)
	mv	tp, x5
	ld	x5, KL_HART_SCRATCH(tp)
	sd	x5, REG(5)(sp)
	csrr	x5, mscratch
	sd	x5, REG(2)(sp)
	csrw	mscratch, zero

.Lsave_rest:
	sd	x6, REG(6)(sp)
	sd	x7, REG(7)(sp)
	sd	x8, REG(8)(sp)
	sd	x9, REG(9)(sp)
	sd	x10, REG(10)(sp)
	sd	x11, REG(11)(sp)
	sd	x12, REG(12)(sp)
	sd	x13, REG(13)(sp)
	sd	x14, REG(14)(sp)
	sd	x15, REG(15)(sp)
	sd	x16, REG(16)(sp)
	sd	x17, REG(17)(sp)
	sd	x18, REG(18)(sp)
	sd	x19, REG(19)(sp)
	sd	x20, REG(20)(sp)
	sd	x21, REG(21)(sp)
	sd	x22, REG(22)(sp)
	sd	x23, REG(23)(sp)
	sd	x24, REG(24)(sp)
	sd	x25, REG(25)(sp)
	sd	x26, REG(26)(sp)
	sd	x27, REG(27)(sp)
	sd	x28, REG(28)(sp)
	sd	x29, REG(29)(sp)
	sd	x30, REG(30)(sp)
	sd	x31, REG(31)(sp)
	csrr	t0, mepc
	sd	t0, KL_FRAME_MEPC(sp)
	csrr	t0, mstatus
	sd	t0, KL_FRAME_MSTATUS(sp)

	mv	a0, sp
	call	kl_trap
	beqz	a0, kl_user_done

/* a0 = frame to resume; tp = this hart */
kl_trap_return:
	mv	sp, a0
	ld	t0, KL_FRAME_MSTATUS(sp)
	csrw	mstatus, t0
	ld	t1, KL_FRAME_MEPC(sp)
	csrw	mepc, t1
	li	t1, MSTATUS_MPP
	and	t0, t0, t1
	bnez	t0, 1f
	csrw	mscratch, tp		/* back to U-mode: arm the user entry path */
1:
	ld	x1, REG(1)(sp)
	ld	x3, REG(3)(sp)
	ld	x4, REG(4)(sp)
	ld	x5, REG(5)(sp)
	ld	x6, REG(6)(sp)
	ld	x7, REG(7)(sp)
	ld	x8, REG(8)(sp)
	ld	x9, REG(9)(sp)
	ld	x10, REG(10)(sp)
	ld	x11, REG(11)(sp)
	ld	x12, REG(12)(sp)
	ld	x13, REG(13)(sp)
	ld	x14, REG(14)(sp)
	ld	x15, REG(15)(sp)
	ld	x16, REG(16)(sp)
	ld	x17, REG(17)(sp)
	ld	x18, REG(18)(sp)
	ld	x19, REG(19)(sp)
	ld	x20, REG(20)(sp)
	ld	x21, REG(21)(sp)
	ld	x22, REG(22)(sp)
	ld	x23, REG(23)(sp)
	ld	x24, REG(24)(sp)
	ld	x25, REG(25)(sp)
	ld	x26, REG(26)(sp)
	ld	x27, REG(27)(sp)
	ld	x28, REG(28)(sp)
	ld	x29, REG(29)(sp)
	ld	x30, REG(30)(sp)
	ld	x31, REG(31)(sp)
	ld	x2, REG(2)(sp)
	mret

/*
 * void kl_enter_user(struct kl_frame *f): save the kernel's callee-saved
 * state in tp->kctx and resume the U-mode frame *f.  kl_user_done "returns"
 * from it when kl_trap() reports that no task is left.
 */
	.globl kl_enter_user
kl_enter_user:
	csrci	mstatus, MSTATUS_MIE
	sd	ra, KL_HART_KCTX + 0(tp)
	sd	sp, KL_HART_KCTX + 8(tp)
	sd	s0, KL_HART_KCTX + 16(tp)
	sd	s1, KL_HART_KCTX + 24(tp)
	sd	s2, KL_HART_KCTX + 32(tp)
	sd	s3, KL_HART_KCTX + 40(tp)
	sd	s4, KL_HART_KCTX + 48(tp)
	sd	s5, KL_HART_KCTX + 56(tp)
	sd	s6, KL_HART_KCTX + 64(tp)
	sd	s7, KL_HART_KCTX + 72(tp)
	sd	s8, KL_HART_KCTX + 80(tp)
	sd	s9, KL_HART_KCTX + 88(tp)
	sd	s10, KL_HART_KCTX + 96(tp)
	sd	s11, KL_HART_KCTX + 104(tp)
	j	kl_trap_return

kl_user_done:
	ld	ra, KL_HART_KCTX + 0(tp)
	ld	sp, KL_HART_KCTX + 8(tp)
	ld	s0, KL_HART_KCTX + 16(tp)
	ld	s1, KL_HART_KCTX + 24(tp)
	ld	s2, KL_HART_KCTX + 32(tp)
	ld	s3, KL_HART_KCTX + 40(tp)
	ld	s4, KL_HART_KCTX + 48(tp)
	ld	s5, KL_HART_KCTX + 56(tp)
	ld	s6, KL_HART_KCTX + 64(tp)
	ld	s7, KL_HART_KCTX + 72(tp)
	ld	s8, KL_HART_KCTX + 80(tp)
	ld	s9, KL_HART_KCTX + 88(tp)
	ld	s10, KL_HART_KCTX + 96(tp)
	ld	s11, KL_HART_KCTX + 104(tp)
	csrsi	mstatus, MSTATUS_MIE
	ret
