/* SPDX-License-Identifier: MIT */
/*
 * Which CSRs exist in M mode and what sticks when all ones and then zero
 * are written (WARL read-back): mstatus, delegation, interrupt enables and
 * pending bits, counters and their enables, hpm counters and events,
 * envcfg, PMP, triggers, ids.  Each CSR gets its first value back.
 *
 * Compared with qemu-system-riscv64 -cpu rv64,h=false (we have no H).
 * Masked out, each for its reason (tcg/README.md lists them):
 *  - what QEMU 7.2 shows even without H: mstatus MPV/GVA, medeleg 20-23
 *    (guest page faults) and 10 (ecall from VS), mideleg/mie/mip VS bits
 *    2/6/10 and LCOFI 13;
 *  - medeleg 11: QEMU 7.2 lets ecall from M be delegated, the spec
 *    makes the bit read-only zero;
 *  - mstatus FS/VS/SD (F/D are the fpu's; no V), UXL as written (QEMU
 *    7.2 stores 3 when asked; ours stays 2 as the spec says);
 *  - mepc/sepc bit 0 (QEMU 7.2 stores it; the spec makes it 0);
 *  - mip.MTIP (QEMU's CLINT resets mtimecmp to 0, ours to ~0);
 *  - misa F/D (the fpu's);
 *  - the values of cycle/time (host ticks on QEMU without -icount).
 */
#include "rt.h"

static void line(const char *name, unsigned long o, int ro, unsigned long a,
		 unsigned long b, int wtrap)
{
	puts_(name);
	putc_(' ');
	if (ro) {
		puts_("illegal\n");
		return;
	}
	puthex(o);
	if (wtrap) {
		puts_(" write illegal\n");
		return;
	}
	putc_(' ');
	puthex(a);
	putc_(' ');
	puthex(b);
	putc_('\n');
}

/* Read; write ~0 and read; write 0 and read; restore; values & ~ign. */
#define PROBE(csr) PROBE_IGN(csr, 0)
#define PROBE_IGN(csr, ign) do {							\
	unsigned long o, a = 0, b = 0;					\
	int rt, wt;							\
	clear_trap();							\
	o = csrr(csr);							\
	rt = last.count;						\
	clear_trap();							\
	if (!rt) {							\
		csrw(csr, -1ul);					\
		wt = last.count;					\
		a = csrr(csr);						\
		csrw(csr, 0);						\
		b = csrr(csr);						\
		csrw(csr, o);						\
	} else {							\
		wt = 0;							\
	}								\
	clear_trap();							\
	line(#csr, o & ~(ign), rt, a & ~(ign), b & ~(ign), wt);	\
} while (0)

/* Read only, for CSRs whose write would break the test. */
#define PEEK(csr) PEEK_IGN(csr, 0)
#define PEEK_IGN(csr, ign) do {						\
	unsigned long o;						\
	clear_trap();							\
	o = csrr(csr);							\
	puts_(#csr);							\
	if (last.count) {						\
		puts_(" illegal\n");					\
	} else {							\
		putc_(' ');						\
		puthex(o & ~(unsigned long)(ign));			\
		putc_('\n');						\
	}								\
	clear_trap();							\
} while (0)
#define EXISTS(csr) PEEK_IGN(csr, -1)

#define MS_IGNORE (0x8000000000000000ul | 0xc000000000ul | 0x300000000ul | \
		   0x6000ul | 0x600ul)
#define H_INTS 0x2444ul

int main(void)
{
	PEEK_IGN(misa, 0x28);
	PEEK(mvendorid);
	PEEK(mhartid);
	PEEK(0xf15);		/* mconfigptr */
	PEEK(mstatus);
	PROBE_IGN(mstatus, MS_IGNORE);
	PROBE_IGN(sstatus, MS_IGNORE);
	PROBE_IGN(medeleg, 0xf00c00);
	PROBE_IGN(mideleg, H_INTS);
	PROBE_IGN(mie, H_INTS);
	PROBE(sie);
	PROBE_IGN(mip, H_INTS | 0x80);
	PROBE(sip);
	PROBE(mcounteren);
	PROBE(scounteren);
	PROBE(0x320);		/* mcountinhibit */
	PROBE(0x30a);		/* menvcfg */
	PROBE(0x10a);		/* senvcfg */
	PROBE(mscratch);
	PROBE(sscratch);
	PROBE_IGN(mepc, 1);
	PROBE_IGN(sepc, 1);
	PROBE(mcause);
	PROBE(scause);
	PROBE(mtval);
	PROBE(stval);
	PROBE(stvec);
	EXISTS(cycle);
	EXISTS(0xc01);		/* time */
	EXISTS(instret);
	PEEK(0xc03);
	PEEK(0xc12);
	PEEK(0xc13);
	PEEK(0xc1f);
	PROBE(0xb03);
	PROBE(0xb04);
	PROBE(0xb12);
	PROBE(0xb13);
	PROBE(0xb1f);
	PROBE(0x323);
	PROBE(0x324);
	PROBE(0x332);
	PROBE(0x333);
	PROBE(0x33f);
	PROBE(0x7a0);		/* tselect */
	PEEK(0x7a1);		/* tdata1 */
	PEEK(0x7a2);
	PEEK(0x7a3);
	PEEK(0x7a4);		/* tinfo */
	PEEK(0x7a8);		/* mcontext */
	PEEK(0x7b0);		/* dcsr: debug mode only */
	PEEK(0x7b1);
	PEEK(0xda0);		/* scountovf (Sscofpmf) */
	PEEK(0xfb0);		/* mtopi (AIA) */
	PEEK(0x015);		/* seed (Zkr) */
	PEEK(0x180);		/* satp */
	PEEK(0x3a1);
	PEEK(0x3a3);
	PEEK(0x3a4);		/* pmpcfg4: 64 entries only */
	PEEK(0x3c0);		/* pmpaddr16 */
	PEEK(0x5a8);		/* scontext */
	PEEK(0x7c0);		/* custom */
	PEEK(0x600);		/* hstatus: no H here */
	return 0;
}
