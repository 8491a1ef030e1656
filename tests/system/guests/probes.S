/*
 * Trap and device probes whose output must be byte-identical on
 * vtrace-emu and qemu-system-riscv64 -M virt -bios none -smp 4: each
 * probe faults or traps on purpose; the M-mode handler prints mcause,
 * mepc and mtval (only mcause for interrupts, whose exact epc depends on
 * timing) and resumes at s11.  Harts 1..3 print in turn, woken by IPIs.
 * Ends through the finisher with exit status 42.
 */
#define UART 0x10000000
#define CLINT 0x2000000

	.section .text.init
	.globl _start
_start:
	csrr t0, mhartid
	bnez t0, secondary
	li sp, 0x80100000
	lla t0, trap
	csrw mtvec, t0
	lla a0, s_hello
	call puts
	mv a0, a1		/* the DTB address */
	call puthex
	call newline

	/* illegal instruction (32-bit, all ones) */
	lla s11, 1f
	.word 0xffffffff
1:	/* unimplemented CSR */
	lla s11, 1f
	csrr t0, 0x7c0
1:	/* compressed illegal (all zero) */
	lla s11, 1f
	.half 0
1:	/* load and store access faults, unmapped address */
	lla s11, 1f
	li t0, 0x200000
	lw t1, 8(t0)
1:	lla s11, 1f
	li t0, 0x200000
	sd t1, -8(t0)
1:	/* misaligned AMO and LR */
	lla s11, 1f
	li t0, 0x80200002
	amoadd.w t1, t1, (t0)
1:	lla s11, 1f
	li t0, 0x80200004
	lr.d t1, (t0)
1:	/* ecall and ebreak from M */
	lla s11, 1f
	ecall
1:	lla s11, 1f
	ebreak
1:	/* fetch from nowhere */
	lla s11, 1f
	li t0, 0x200000
	jr t0
1:	/* misaligned plain load/store work */
	li t0, 0x80200001
	li t1, 0x1122334455667788
	sd t1, 0(t0)
	lw a0, 2(t0)
	call puthex
	call newline
	/* QEMU 7.2: mret below M with no PMP rule is illegal */
	lla s11, 1f
	lla t0, user_ecall
	csrw mepc, t0
	li t0, 0x1800
	csrc mstatus, t0
	mret
1:	/* one PMP rule: everything RWX (NAPOT) */
	li t0, -1
	csrw pmpaddr0, t0
	li t0, 0x1f
	csrw pmpcfg0, t0
	/* M/U: ecall and a CSR access from U */
	lla s11, 1f
	lla t0, user_ecall
	csrw mepc, t0
	li t0, 0x1800
	csrc mstatus, t0	/* MPP = U */
	mret
1:	lla s11, 1f
	lla t0, user_csr
	csrw mepc, t0
	li t0, 0x1800
	csrc mstatus, t0
	mret
1:	/* delegate U ecall to S, go to U via S */
	lla t0, strap
	csrw stvec, t0
	li t0, 0x100
	csrw medeleg, t0
	lla s11, 1f
	lla t0, user_ecall
	csrw mepc, t0
	li t0, 0x1800
	csrc mstatus, t0
	mret
1:	csrw medeleg, zero
	/* division edge cases (puthex clobbers t0-t3) */
	li s2, -1
	div a0, s2, zero
	call puthex
	li s3, 0x8000000000000000
	div a0, s3, s2
	call puthex
	rem a0, s3, s2
	call puthex
	li s3, 0x80000000
	divw a0, s3, s2
	call puthex
	remuw a0, s3, zero
	call puthex
	call newline
	/* timer interrupt: mtimecmp = mtime + 1000, MTIE, MIE, wfi */
	lla s11, 1f
	li t0, CLINT + 0xbff8
	ld t1, 0(t0)
	addi t1, t1, 1000
	li t0, CLINT + 0x4000
	sd t1, 0(t0)
	li t0, 0x80
	csrs mie, t0
	csrsi mstatus, 8
2:	wfi
	j 2b
1:	/* software interrupt to self */
	lla s11, 1f
	li t0, 8
	csrs mie, t0
	csrsi mstatus, 8
	li t0, CLINT
	li t1, 1
	sw t1, 0(t0)
2:	wfi
	j 2b
1:	csrci mstatus, 8
	/* wake hart 1, wait until hart 3 is done */
	li t0, CLINT + 4
	li t1, 1
	sw t1, 0(t0)
	lla t0, done
2:	lw t1, 0(t0)
	beqz t1, 2b
	lla a0, s_bye
	call puts
	li t0, 0x100000
	li t1, 0x3333 | (42 << 16)
	sw t1, 0(t0)
3:	j 3b

secondary:
	/* wait for our msip with MSIE on and MIE off: wfi just wakes */
	li t1, 8
	csrw mie, t1
	mv s0, t0
	slli s0, s0, 12
	li sp, 0x80100000
	sub sp, sp, s0
1:	wfi
	csrr t1, mip
	andi t1, t1, 8
	beqz t1, 1b
	csrr t0, mhartid
	li t1, CLINT
	slli t2, t0, 2
	add t1, t1, t2
	sw zero, 0(t1)		/* clear our msip */
	lla a0, s_hart
	call puts
	csrr a0, mhartid
	call puthex
	call newline
	csrr t0, mhartid
	li t1, 3
	beq t0, t1, 2f
	li t1, CLINT + 4	/* wake the next hart */
	slli t2, t0, 2
	add t1, t1, t2
	li t2, 1
	sw t2, 0(t1)
3:	wfi
	j 3b
2:	lla t0, done
	li t1, 1
	amoswap.w zero, t1, (t0)
	j 3b

user_ecall:
	ecall
user_csr:
	csrr t0, mstatus

	.align 2
trap:
	csrr a0, mcause
	call puthex
	csrr t0, mcause
	bltz t0, 1f
	csrr a0, mepc
	call puthex
	csrr a0, mtval
	call puthex
1:	call newline
	csrw mie, zero
	li t0, CLINT
	sw zero, 0(t0)
	li t0, CLINT + 0x4000
	li t1, -1
	sd t1, 0(t0)
	csrw mepc, s11
	li t0, 0x1800
	csrs mstatus, t0	/* back to M */
	mret

	.align 2
strap:
	lla a0, s_s
	call puts
	csrr a0, scause
	call puthex
	csrr a0, sepc
	call puthex
	csrr a0, sstatus
	call puthex
	call newline
	ecall			/* from S: back to M, resumes at s11 */

puthex:
	li t0, UART
	li t1, 60
1:	srl t2, a0, t1
	andi t2, t2, 15
	addi t2, t2, '0'
	li t3, '9' + 1
	blt t2, t3, 2f
	addi t2, t2, 'a' - '0' - 10
2:	sb t2, 0(t0)
	addi t1, t1, -4
	bgez t1, 1b
	li t2, ' '
	sb t2, 0(t0)
	ret
newline:
	li t0, UART
	li t2, '\n'
	sb t2, 0(t0)
	ret
puts:
	li t0, UART
1:	lbu t2, 0(a0)
	beqz t2, 2f
3:	lbu t3, 5(t0)		/* wait for THRE like a real driver */
	andi t3, t3, 0x20
	beqz t3, 3b
	sb t2, 0(t0)
	addi a0, a0, 1
	j 1b
2:	ret

	.section .rodata
s_hello: .string "probes: dtb at "
s_hart: .string "hello from hart "
s_s: .string "S-trap "
s_bye: .string "bye\n"
	.section .data
	.align 3
done: .word 0
