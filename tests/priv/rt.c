/* SPDX-License-Identifier: MIT */
/* The C side of the tests/priv runtime: output and trap recording. */
#include "rt.h"

volatile struct trap last;
/* An interrupt handler may set this to silence its source. */
void (*irq_hook)(unsigned long cause, int mode);

void putc_(char c)
{
	while (!(UART[5] & 0x20))
		;
	UART[0] = (uint8_t)c;
}

void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

void puthex(unsigned long v)
{
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4)
		putc_("0123456789abcdef"[(v >> i) & 15]);
}

void show(const char *name, unsigned long v)
{
	puts_(name);
	puts_(": ");
	puthex(v);
	putc_('\n');
}

void clear_trap(void)
{
	last.cause = last.tval = last.epc = 0;
	last.mode = last.count = 0;
}

void show_trap(const char *name)
{
	puts_(name);
	if (!last.count)
		puts_(": no trap");
	else
		puts_(": trap");
	for (int i = 0; i < last.count && i < TRAP_LOG; i++) {
		puts_(i ? ", " : " ");
		puthex(last.log[i].cause);
		putc_(' ');
		puthex(last.log[i].tval);
		puts_(last.log[i].mode == 3 ? " M" : " S");
	}
	if (last.count > TRAP_LOG)
		puts_(" ...");
	putc_('\n');
	clear_trap();
}

/* Length of the instruction at pc (16 or 32 bits). */
static unsigned long insn_len(unsigned long pc)
{
	return (*(volatile uint16_t *)pc & 3) == 3 ? 4 : 2;
}

static void record(unsigned long cause, unsigned long tval, unsigned long epc,
		   int mode)
{
	last.cause = cause;
	last.tval = tval;
	last.epc = epc;
	last.mode = mode;
	if (last.count < TRAP_LOG) {
		last.log[last.count].cause = cause;
		last.log[last.count].tval = tval;
		last.log[last.count].mode = mode;
	}
	last.count++;
}

void m_trap(struct frame *f)
{
	unsigned long cause = csrr(mcause), epc = csrr(mepc);

	record(cause, csrr(mtval), epc, 3);
	if ((long)cause < 0) {
		if (irq_hook)
			irq_hook(cause, 3);
		return;
	}
	if (cause == 1) /* fetch fault: the test jumped with jalr ra */
		csrw(mepc, f->ra);
	else
		csrw(mepc, epc + insn_len(epc));
}

void s_trap(struct frame *f)
{
	unsigned long cause = csrr(scause), epc = csrr(sepc);

	record(cause, csrr(stval), epc, 1);
	if ((long)cause < 0) {
		if (irq_hook)
			irq_hook(cause, 1);
		return;
	}
	if (cause == 1)
		csrw(sepc, f->ra);
	else
		csrw(sepc, epc + insn_len(epc));
}
