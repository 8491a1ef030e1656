/* Loads and stores: 10M iterations of 9 instructions over a 4 KiB buffer. */
	.section .text.init
	.globl _start
_start:
	csrr t0, mhartid
	bnez t0, park
	li s0, 0x80100000
	li t0, 0
	li t1, 80000000		/* t0 steps by 8 */
loop:	andi t2, t0, 0x3f8
	add t3, s0, t2
	ld a0, 0(t3)
	addi a0, a0, 1
	sd a0, 0(t3)
	lw a1, 4(t3)
	sw a1, 8(t3)
	addi t0, t0, 8
	bne t0, t1, loop
	li t0, 0x100000
	li t1, 0x5555
	sw t1, 0(t0)
park:	wfi
	j park
