/* SPDX-License-Identifier: MIT */
/*
 * A guest that pokes the PLIC and the UART with nonsense: 20000 accesses
 * from a fixed-seed xorshift, each a read or a write of 1, 2, 4 or 8
 * bytes, aligned or not, of a random value, at a random offset in one of
 * the two devices' windows (weighted towards the PLIC's registers; UART
 * writes are bytes to registers 1-7 only).  Faulting
 * accesses are counted and skipped; interrupts stay off.  Then it puts
 * the UART back in order, prints the fault count and exits through the
 * finisher with status 9.  The count must equal QEMU's, and the emulator
 * must survive (under ASan too).
 */
#include <stdint.h>

#define UART 0x10000000ul
#define PLIC 0x0c000000ul
#define TEST 0x100000ul
#define ACCESSES 20000

static volatile uint64_t faults, fault_hash;
static uint64_t seed = 0x9e3779b97f4a7c15ull;

__asm__(".section .text.init\n"
	".globl _start\n"
	"_start:\n"
	"	csrr t1, mhartid\n"
	"	bnez t1, 2f\n"
	"	li sp, 0x80100000\n"
	"	call main\n"
	"2:	wfi\n"
	"	j 2b\n"
	".text\n");

/* Skip the faulting instruction (2 or 4 bytes). */
__attribute__((interrupt("machine"), aligned(4))) static void trap(void)
{
	uint64_t epc, cause, tval;

	__asm__ volatile("csrr %0, mepc" : "=r"(epc));
	__asm__ volatile("csrr %0, mcause" : "=r"(cause));
	__asm__ volatile("csrr %0, mtval" : "=r"(tval));
	faults++;
	fault_hash = (fault_hash ^ cause << 40 ^ tval) * 0x100000001b3ull;
	epc += (*(volatile uint16_t *)epc & 3) == 3 ? 4 : 2;
	__asm__ volatile("csrw mepc, %0" ::"r"(epc));
}

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void access(uintptr_t a, unsigned size, uint64_t v, int write)
{
	switch (size | (write ? 16 : 0)) {
	case 1: (void)*(volatile uint8_t *)a; break;
	case 2: (void)*(volatile uint16_t *)a; break;
	case 4: (void)*(volatile uint32_t *)a; break;
	case 8: (void)*(volatile uint64_t *)a; break;
	case 17: *(volatile uint8_t *)a = (uint8_t)v; break;
	case 18: *(volatile uint16_t *)a = (uint16_t)v; break;
	case 20: *(volatile uint32_t *)a = (uint32_t)v; break;
	default: *(volatile uint64_t *)a = v; break;
	}
}

/* An offset in the PLIC: its register blocks, or anywhere in 6 MiB. */
static uintptr_t plic_offset(uint64_t r)
{
	switch (r % 5) {
	case 0: return (r >> 8) % 0x200;		/* priorities */
	case 1: return 0x1000 + (r >> 8) % 0x100;	/* pending */
	case 2: return 0x2000 + (r >> 8) % 0x400;	/* enables */
	case 3: return 0x200000 + (r >> 8) % 0x5000;	/* contexts */
	default: return (r >> 8) % 0x600000;
	}
}

static void putc_(char c)
{
	while (!(*(volatile uint8_t *)(UART + 5) & 0x20))
		;
	*(volatile uint8_t *)UART = (uint8_t)c;
}

static void show(const char *s, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";

	while (*s)
		putc_(*s++);
	for (int i = 60; i >= 0; i -= 4)
		putc_(hex[(v >> i) & 15]);
	putc_('\n');
}

int main(void);
int main(void)
{
	__asm__ volatile("csrw mtvec, %0" ::"r"(trap));
	for (unsigned i = 0; i < ACCESSES; i++) {
		uint64_t r = rnd(), v = rnd();
		unsigned size = 1u << (r & 3);
		uintptr_t a = r & 4 ? PLIC + plic_offset(r >> 8)
				    : UART + (r >> 8) % 0x100;
		int write = (r >> 4) & 1;

		if ((r >> 3) & 1)
			a &= ~(uintptr_t)(size - 1);
		/* In the UART, writes are single bytes to registers 1-7:
		 * no THR write sends the host a byte that could wait on a
		 * divisor the dice chose. */
		if (a >= UART && (size != 1 || (a & 7) == 0))
			write = 0;
		access(a, size, v, write);
	}
	/* UART back to 8N1 at divisor 1, no loopback, no interrupts. */
	*(volatile uint8_t *)(UART + 3) = 0x80;
	*(volatile uint8_t *)(UART + 0) = 1;
	*(volatile uint8_t *)(UART + 1) = 0;
	*(volatile uint8_t *)(UART + 3) = 3;
	*(volatile uint8_t *)(UART + 4) = 0;
	*(volatile uint8_t *)(UART + 1) = 0;
	*(volatile uint8_t *)(UART + 2) = 7;
	show("nonsense: faults 0x", faults);
	show("nonsense: causes and tvals hash 0x", fault_hash);
	*(volatile uint32_t *)TEST = 9 << 16 | 0x3333;
	return 0;
}
