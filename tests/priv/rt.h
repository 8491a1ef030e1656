/* SPDX-License-Identifier: MIT */
/*
 * The C side of the tests/priv guests: CSR access, UART output, the trap
 * record the vectors in rt.S fill through m_trap()/s_trap().
 */
#ifndef PRIV_RT_H
#define PRIV_RT_H

#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000)
#define CLINT 0x2000000ul

#define csrr(csr) ({ unsigned long _v; \
	__asm__ volatile("csrr %0, " #csr : "=r"(_v) :: "memory"); _v; })
#define csrw(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "rK"(v) : "memory")
#define csrs(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "rK"(v) : "memory")
#define csrc(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "rK"(v) : "memory")
/* Write then read back through csrrw's old value on a second write. */
#define csr_wr(csr, v) ({ csrw(csr, v); csrr(csr); })

/* The traps taken since clear_trap(): cause, tval, epc, mode taken to. */
#define TRAP_LOG 8
struct trap {
	unsigned long cause, tval, epc;
	int mode;		/* 3: M, 1: S */
	int count;
	struct { unsigned long cause, tval; int mode; } log[TRAP_LOG];
};
extern volatile struct trap last;
/* Called for an interrupt, to silence its source (else it comes back). */
extern void (*irq_hook)(unsigned long cause, int mode);

/* The registers rt.S saves, in its order. */
struct frame {
	unsigned long ra, t[7], a[8];
};

void run_in(unsigned priv, void (*fn)(void));
void putc_(char c);
void puts_(const char *s);
void puthex(unsigned long v);
/* "name: v\n" */
void show(const char *name, unsigned long v);
/* "name: trap cause tval mode[, ...]\n" or "name: no trap\n"; clears. */
void show_trap(const char *name);
void clear_trap(void);

#endif
