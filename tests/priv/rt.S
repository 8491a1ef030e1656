/*
 * Runtime of the privileged-architecture guests (the .c files beside it): boot on
 * hart 0 (others park in wfi), M and S trap vectors that save the caller-
 * saved registers and call m_trap()/s_trap() in C, and run_in(), which
 * calls a function in S or U mode and comes back to M when it returns:
 * it raises its own machine software interrupt through the CLINT, the
 * one trap that no delegation can send elsewhere (mie.MSIE stays on).
 * Built with -march=rv64imac: the same binary runs on vtrace-emu and on
 * qemu-system-riscv64 -M virt -bios none.
 */
#define CLINT_MSIP0 0x2000000

	.section .text.init
	.globl _start
_start:
	csrr t0, mhartid
	bnez t0, park
	lla sp, stack_top
	lla t0, m_vector
	csrw mtvec, t0
	lla t0, s_vector
	csrw stvec, t0
	li t0, 8
	csrw mie, t0		/* MSIE: run_in's way back */
	call main
	/* main's return value: 0 -> finisher pass, else fail(code) */
	li t0, 0x100000
	beqz a0, 1f
	slli a0, a0, 16
	li t1, 0x3333
	or a0, a0, t1
	sw a0, 0(t0)
1:	li t1, 0x5555
	sw t1, 0(t0)
park:	wfi
	j park

/* Save ra, t0-t6, a0-a7 (and s0 for the C frame) in 18 slots on sp. */
.macro SAVE
	addi sp, sp, -160
	sd ra, 0(sp)
	sd t0, 8(sp)
	sd t1, 16(sp)
	sd t2, 24(sp)
	sd t3, 32(sp)
	sd t4, 40(sp)
	sd t5, 48(sp)
	sd t6, 56(sp)
	sd a0, 64(sp)
	sd a1, 72(sp)
	sd a2, 80(sp)
	sd a3, 88(sp)
	sd a4, 96(sp)
	sd a5, 104(sp)
	sd a6, 112(sp)
	sd a7, 120(sp)
.endm
.macro RESTORE
	ld ra, 0(sp)
	ld t0, 8(sp)
	ld t1, 16(sp)
	ld t2, 24(sp)
	ld t3, 32(sp)
	ld t4, 40(sp)
	ld t5, 48(sp)
	ld t6, 56(sp)
	ld a0, 64(sp)
	ld a1, 72(sp)
	ld a2, 80(sp)
	ld a3, 88(sp)
	ld a4, 96(sp)
	ld a5, 104(sp)
	ld a6, 112(sp)
	ld a7, 120(sp)
	addi sp, sp, 160
.endm

	.align 6
m_vector:
	SAVE
	csrr t0, mcause
	li t1, (1 << 63) | 3
	beq t0, t1, back_in_m	/* the MSI from leave_run */
	mv a0, sp
	call m_trap
	RESTORE
	mret

back_in_m:
	li t0, CLINT_MSIP0
	sw zero, 0(t0)
	ld sp, run_sp
	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	ld s2, 24(sp)
	ld s3, 32(sp)
	ld s4, 40(sp)
	ld s5, 48(sp)
	ld s6, 56(sp)
	ld s7, 64(sp)
	ld s8, 72(sp)
	ld s9, 80(sp)
	ld s10, 88(sp)
	ld s11, 96(sp)
	addi sp, sp, 112
	ret

	.align 6
s_vector:
	SAVE
	mv a0, sp
	call s_trap
	RESTORE
	sret

/* void run_in(unsigned priv, void (*fn)(void)): call fn in S (1) or U (0). */
	.globl run_in
run_in:
	addi sp, sp, -112
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	sd s2, 24(sp)
	sd s3, 32(sp)
	sd s4, 40(sp)
	sd s5, 48(sp)
	sd s6, 56(sp)
	sd s7, 64(sp)
	sd s8, 72(sp)
	sd s9, 80(sp)
	sd s10, 88(sp)
	sd s11, 96(sp)
	la t0, run_sp
	sd sp, 0(t0)
	csrw mepc, a1
	li t0, 0x1800
	csrc mstatus, t0
	slli a0, a0, 11
	csrs mstatus, a0
	lla ra, leave_run
	addi sp, sp, -512	/* the lower mode's frames below ours */
	mret
leave_run:
	li t0, CLINT_MSIP0
	li t1, 1
	sw t1, 0(t0)
1:	j 1b

	.section .bss
	.align 4
	.globl run_sp
run_sp:	.space 8
	.space 16384
stack_top:
