/*
 * A tiny "Linux Image" for the boot-flow tests: the RISC-V Image header
 * (magic "RISCV\0\0\0" and "RSC\x05"), then code that prints the boot
 * registers it was entered with (a0 = hart id, a1 = device tree) and
 * powers off through the finisher.  Runs in S mode after OpenSBI, or in M
 * mode with -bios none; position independent.  Made a raw binary with
 * objcopy -O binary.
 */
#define UART 0x10000000

	.section .text.init
	.option norvc
	.globl _start
_start:
	j	entry			/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset (QEMU ignores it) */
	.dword	image_end - _start	/* image_size */
	.dword	0			/* flags */
	.word	2			/* version */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic, deprecated */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0
entry:
	mv	s0, a0
	mv	s1, a1
	lla	a0, s_hello
	call	puts
	mv	a0, s1
	call	puthex
	lla	a0, s_nl
	call	puts
	li	t0, 0x100000
#ifndef EXIT_VALUE
#define EXIT_VALUE 0x5555	/* poweroff; 0x7777: reset */
#endif
	li	t1, EXIT_VALUE
	sw	t1, 0(t0)
1:	j	1b

puts:	li	t0, UART
2:	lbu	t1, 0(a0)
	beqz	t1, 4f
3:	lbu	t2, 5(t0)
	andi	t2, t2, 0x20
	beqz	t2, 3b
	sb	t1, 0(t0)
	addi	a0, a0, 1
	j	2b
4:	ret

puthex:	li	t0, UART
	li	t3, 60
5:	srl	t1, a0, t3
	andi	t1, t1, 15
	lla	t4, s_hex
	add	t4, t4, t1
	lbu	t1, 0(t4)
6:	lbu	t2, 5(t0)
	andi	t2, t2, 0x20
	beqz	t2, 6b
	sb	t1, 0(t0)
	addi	t3, t3, -4
	bgez	t3, 5b
	ret

s_hello: .asciz	"image: entered with a1 = 0x"
s_nl:	.asciz	"\n"
s_hex:	.ascii	"0123456789abcdef"
	.balign	8
image_end:
