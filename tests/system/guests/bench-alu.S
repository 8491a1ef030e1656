/* ALU loop: 9 instructions per iteration, 20M iterations (180M insns). */
	.section .text.init
	.globl _start
_start:
	csrr t0, mhartid
	bnez t0, park
	li t0, 0
	li t1, 20000000
loop:	addi t0, t0, 1
	xor a2, a2, t0
	add a3, a3, a2
	slli a4, a3, 1
	sub a5, a4, a2
	or a6, a5, t0
	and a7, a6, a3
	addi a2, a2, 3
	bne t0, t1, loop
	li t0, 0x100000
	li t1, 0x5555
	sw t1, 0(t0)
park:	wfi
	j park
