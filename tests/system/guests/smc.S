/* Every hart rewrites and calls a function in its own code page, forever:
 * each round is a store to code (tb_invalidate) and a new translation. */
	.section .text.init
	.globl _start
_start:
	csrr a0, mhartid
	la t0, bufs
	slli t1, a0, 12
	add t0, t0, t1
	li t3, 0x00158593	/* addi a1, a1, 1 */
	li t4, 0x00008067	/* ret */
1:	sw t3, 0(t0)
	sw t4, 4(t0)
	fence.i
	jalr ra, 0(t0)
	/* A pause, so that blocks do not fill the code buffer within a
	 * test's run: a full one is flushed in an exclusive section, which
	 * waits for every vCPU, a waiting one too. */
	li t5, 20000
2:	addi t5, t5, -1
	bnez t5, 2b
	j 1b

	.section .data
	.balign 4096
bufs:	.space 4096 * 4
