/*
 * The S-mode payload behind OpenSBI's fw_jump (sbi-payload.c), linked
 * with fw_jump.bin at 0x80000000 into one image (sbi.ld) that both
 * emulators load with -bios none -kernel.  OpenSBI enters at 0x80200000
 * with a0 = hartid, a1 = the DTB; harts started through HSM enter at
 * secondary_entry with a1 = their opaque value.
 */
	.section .fw, "ax"
	.incbin FW_JUMP_BIN

	.section .text.init, "ax"
	.globl _start
_start:
	lla sp, stack_top
	lla t0, s_vector
	csrw stvec, t0
	call payload_main
1:	wfi
	j 1b

	.globl secondary_entry
secondary_entry:
	lla sp, stack_top
	slli t0, a0, 12
	sub sp, sp, t0
	addi sp, sp, -1024	/* below the boot hart's frames */
	call secondary_main
1:	wfi
	j 1b

	.align 6
s_vector:
	addi sp, sp, -128
	sd ra, 0(sp)
	sd t0, 8(sp)
	sd t1, 16(sp)
	sd t2, 24(sp)
	sd a0, 32(sp)
	sd a1, 40(sp)
	sd a2, 48(sp)
	sd a3, 56(sp)
	sd a4, 64(sp)
	sd a5, 72(sp)
	sd a6, 80(sp)
	sd a7, 88(sp)
	sd t3, 96(sp)
	sd t4, 104(sp)
	sd t5, 112(sp)
	sd t6, 120(sp)
	call s_irq
	ld ra, 0(sp)
	ld t0, 8(sp)
	ld t1, 16(sp)
	ld t2, 24(sp)
	ld a0, 32(sp)
	ld a1, 40(sp)
	ld a2, 48(sp)
	ld a3, 56(sp)
	ld a4, 64(sp)
	ld a5, 72(sp)
	ld a6, 80(sp)
	ld a7, 88(sp)
	ld t3, 96(sp)
	ld t4, 104(sp)
	ld t5, 112(sp)
	ld t6, 120(sp)
	addi sp, sp, 128
	sret

	.section .bss
	.align 4
	.space 32768
stack_top:
