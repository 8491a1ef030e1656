/* UART receive: echo stdin upper-cased up to a newline, then power off. */
#define UART 0x10000000
	.section .text.init
	.globl _start
_start:
	csrr t0, mhartid
	bnez t0, park
	li s0, UART
1:	lbu t1, 5(s0)		/* LSR.DR */
	andi t1, t1, 1
	beqz t1, 1b
	lbu a0, 0(s0)		/* RBR */
	li t1, 'a'
	blt a0, t1, 2f
	li t1, 'z'
	bgt a0, t1, 2f
	addi a0, a0, 'A' - 'a'
2:	sb a0, 0(s0)
	li t1, '\n'
	bne a0, t1, 1b
	li t0, 0x100000
	li t1, 0x5555
	sw t1, 0(t0)
park:	wfi
	j park
