/* Call/return: 10M iterations of 11 instructions, 2 calls, 2 returns. */
	.section .text.init
	.globl _start
_start:
	csrr t0, mhartid
	bnez t0, park
	li sp, 0x80100000
	li s0, 0
	li s1, 10000000
loop:	call f
	addi s0, s0, 1
	bne s0, s1, loop
	li t0, 0x100000
	li t1, 0x5555
	sw t1, 0(t0)
park:	wfi
	j park
f:	addi sp, sp, -16
	sd ra, 8(sp)
	call g
	ld ra, 8(sp)
	addi sp, sp, 16
	ret
g:	addi a0, a0, 1
	ret
