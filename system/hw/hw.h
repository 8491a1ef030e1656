/* SPDX-License-Identifier: MIT */
/*
 * The virt board's devices, one per file in system/hw/, each behind its
 * own lock.  board.c maps them and routes MMIO to them:
 *
 *	plic.c      0x0c000000  interrupt controller, M and S context per hart
 *	uart.c      0x10000000  ns16550a, PLIC source 10, stdin/stdout
 *	clint.c     0x02000000  msip, mtimecmp, mtime; its timer thread
 *	finisher.c  0x00100000  sifive_test: poweroff, reboot, exit code
 *	rtc.c       0x00101000  goldfish RTC, PLIC source 11
 *
 * Accessors take an offset inside the device and an access size; they
 * return 0, or -1 for an access the hardware rejects (the guest gets an
 * access fault).  Lock order: uart or rtc, then plic (a device raises its
 * PLIC line under its own lock; the PLIC calls nobody but tcg_cpu_set_irq).
 */
#ifndef VTRACE_SYSTEM_HW_H
#define VTRACE_SYSTEM_HW_H

#include <stdbool.h>
#include <stdint.h>

struct tcg_cpu;

/* PLIC sources, as on QEMU's virt. */
#define VIRT_UART0_IRQ 10
#define VIRT_RTC_IRQ 11
#define PLIC_NUM_SOURCES 97	/* source 0 included: riscv,ndev = 96 */
#define PLIC_NUM_PRIORITIES 7

struct plic;
/* Contexts 2h (M) and 2h+1 (S) drive MEIP and SEIP of cpus[h]. */
struct plic *plic_create(struct tcg_cpu *const *cpus, unsigned ncpus);
int plic_read(struct plic *p, uint64_t off, unsigned size, uint64_t *val);
int plic_write(struct plic *p, uint64_t off, unsigned size, uint64_t val);
/* A source's level (a device's interrupt line): pending follows it. */
/* A device's interrupt line: raising it makes the source pending. */
void plic_set_irq(struct plic *p, unsigned source, bool level);

struct uart;
struct uart *uart_create(struct plic *plic, unsigned source, int out_fd);
int uart_read(struct uart *u, uint64_t off, unsigned size, uint64_t *val);
int uart_write(struct uart *u, uint64_t off, unsigned size, uint64_t val);
/*
 * Start the thread that feeds stdin to the receiver (raw mode when stdin
 * is a terminal, restored at exit).  On C-a x from a terminal it calls
 * quit(opaque).
 */
int uart_start_stdin(struct uart *u, void (*quit)(void *), void *opaque);

struct clint;
struct clint *clint_create(struct tcg_cpu *const *cpus, unsigned ncpus);
int clint_read(struct clint *c, uint64_t off, unsigned size, uint64_t *val);
int clint_write(struct clint *c, uint64_t off, unsigned size, uint64_t val);
uint64_t clint_mtime(struct clint *c);
/* The timer thread: raises MTIP when mtime reaches a hart's mtimecmp. */
int clint_start(struct clint *c);
/* End the timer thread (after the machine is shut down). */
void clint_stop(struct clint *c);

/* The finisher's commands, written at offset 0 (also syscon's values). */
#define FINISHER_FAIL 0x3333	/* | code << 16: exit code */
#define FINISHER_PASS 0x5555	/* poweroff: exit 0 */
#define FINISHER_RESET 0x7777	/* reboot */
struct finisher_ops {
	void (*poweroff)(void *opaque, int code);
	void (*reset)(void *opaque);
};
int finisher_read(uint64_t off, unsigned size, uint64_t *val);
int finisher_write(const struct finisher_ops *ops, void *opaque, uint64_t off,
		   unsigned size, uint64_t val);

struct rtc;
struct rtc *rtc_create(struct plic *plic, unsigned source);
int rtc_read(struct rtc *r, uint64_t off, unsigned size, uint64_t *val);
int rtc_write(struct rtc *r, uint64_t off, unsigned size, uint64_t val);
/* End the alarm thread. */
void rtc_stop(struct rtc *r);

#endif
