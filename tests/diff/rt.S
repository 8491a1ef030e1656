/* SPDX-License-Identifier: MIT */
/*
 * The differential tester's guest runtime, shared by every generator
 * (tests/diff/README.md has the contract).  Bare metal in M-mode at
 * 0x80000000 on QEMU's virt layout: ns16550a UART at 0x10000000,
 * sifive-test finisher at 0x100000.
 *
 * _start sets the stack and mtvec, calls the generated diff_main, prints
 * "end" and powers off with the finisher's pass code.
 *
 * rt_trap, the M-mode trap handler, uses only t5 and t6 (generated code
 * must not keep anything in them): it records mcause, mtval and mepc in
 * rt_trap_rec, sets rt_trap_rec.taken, and returns past the trapping
 * instruction (2 or 4 bytes, read at mepc).
 *
 * rt_report(a0 = case number, a1, a2): prints one line
 *	"<a0> <a1> <a2>"			no trap since the last report
 *	"<a0> <a1> <a2> trap <cause> <tval> <epc>"	otherwise
 * in hex (a1, a2: 16 digits), then forgets the trap.  It follows the
 * calling convention (clobbers a0-a7, t0-t4, ra).
 */
	.equ UART, 0x10000000
	.equ UART_LSR, 5
	.equ UART_LSR_THRE, 0x20
	.equ FINISHER, 0x100000
	.equ FINISHER_PASS, 0x5555

	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, rt_stack_top
	la	t0, rt_trap
	csrw	mtvec, t0
	call	diff_main
	la	a0, rt_end_msg
	call	rt_puts
	li	t0, FINISHER
	li	t1, FINISHER_PASS
	sw	t1, 0(t0)
1:	wfi
	j	1b

	.text
	.balign 4
	.globl rt_trap
rt_trap:
	la	t5, rt_trap_rec
	csrr	t6, mcause
	sd	t6, 8(t5)
	csrr	t6, mtval
	sd	t6, 16(t5)
	csrr	t6, mepc
	sd	t6, 24(t5)
	li	t6, 1
	sd	t6, 0(t5)
	csrr	t6, mepc
	lhu	t5, 0(t6)
	andi	t5, t5, 3
	addi	t6, t6, 2
	addi	t5, t5, -3
	bnez	t5, 1f
	addi	t6, t6, 2
1:	csrw	mepc, t6
	mret

/* rt_putc(a0): one byte to the UART, waiting for room. */
	.globl rt_putc
rt_putc:
	li	t0, UART
1:	lbu	t1, UART_LSR(t0)
	andi	t1, t1, UART_LSR_THRE
	beqz	t1, 1b
	sb	a0, 0(t0)
	ret

/* rt_puts(a0): a NUL-terminated string. */
	.globl rt_puts
rt_puts:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	mv	s0, a0
1:	lbu	a0, 0(s0)
	beqz	a0, 2f
	call	rt_putc
	addi	s0, s0, 1
	j	1b
2:	ld	ra, 0(sp)
	ld	s0, 8(sp)
	addi	sp, sp, 16
	ret

/* rt_puthex(a0 = value, a1 = digits): the low a1 hex digits of a0. */
	.globl rt_puthex
rt_puthex:
	addi	sp, sp, -32
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	mv	s0, a0
	slli	s1, a1, 2
1:	addi	s1, s1, -4
	srl	a0, s0, s1
	andi	a0, a0, 15
	addi	a0, a0, '0'
	li	t2, '9'
	ble	a0, t2, 2f
	addi	a0, a0, 'a' - '0' - 10
2:	call	rt_putc
	bnez	s1, 1b
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	addi	sp, sp, 32
	ret

/* Print a space, then a0 in 16 digits. */
rt_put_field:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	sd	a0, 8(sp)
	li	a0, ' '
	call	rt_putc
	ld	a0, 8(sp)
	li	a1, 16
	call	rt_puthex
	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret

	.globl rt_report
rt_report:
	addi	sp, sp, -32
	sd	ra, 0(sp)
	sd	a1, 8(sp)
	sd	a2, 16(sp)
	li	a1, 6
	call	rt_puthex
	ld	a0, 8(sp)
	call	rt_put_field
	ld	a0, 16(sp)
	call	rt_put_field
	la	t0, rt_trap_rec
	ld	t1, 0(t0)
	beqz	t1, 1f
	la	a0, rt_trap_msg
	call	rt_puts
	la	t0, rt_trap_rec
	ld	a0, 8(t0)
	call	rt_put_field
	la	t0, rt_trap_rec
	ld	a0, 16(t0)
	call	rt_put_field
	la	t0, rt_trap_rec
	ld	a0, 24(t0)
	call	rt_put_field
	la	t0, rt_trap_rec
	sd	zero, 0(t0)
1:	li	a0, '\n'
	call	rt_putc
	ld	ra, 0(sp)
	addi	sp, sp, 32
	ret

	.section .rodata
rt_end_msg:
	.asciz	"end\n"
rt_trap_msg:
	.asciz	" trap"

	.bss
	.balign 16
	.globl rt_trap_rec
rt_trap_rec:			/* taken, cause, tval, epc */
	.space	32
	.balign 16
	.space	16384
rt_stack_top:
