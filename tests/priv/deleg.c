/* SPDX-License-Identifier: MIT */
/*
 * Delegation: each exception raised from U, S and M with medeleg all
 * ones and all zeros (M's own traps never go to S); SSIP/STIP/SEIP
 * written by M, delegated or not, taken or not in M/S/U by the enable
 * rules; the priority order with several pending; the sip/sie views.
 */
#include "rt.h"

#define MIE 0x8ul
#define SIE 0x2ul
#define SSIP 0x2ul
#define STIP 0x20ul
#define SEIP 0x200ul
/* What QEMU 7.2 shows without H: VS interrupts and LCOFI (csr-probe.c). */
#define H_INTS 0x2444ul
#define MSIP 0x8ul		/* always on: run_in's way back to M */

static void e_illegal(void) { __asm__ volatile("csrr t0, 0x7c0" ::: "t0"); }
static void e_ebreak(void) { __asm__ volatile(".option push; .option norvc; ebreak; .option pop"); }
static void e_ecall(void) { __asm__ volatile("li a7, 0; ecall" ::: "a7"); }
static void e_load(void) { __asm__ volatile("li t0, 0x200000; lw t1, 8(t0)" ::: "t0", "t1"); }
static void e_store(void) { __asm__ volatile("li t0, 0x200000; sd t1, -8(t0)" ::: "t0", "t1"); }
static void e_amo(void)
{
	static unsigned long w[2];

	__asm__ volatile("amoadd.w t1, t1, (%0)" :: "r"((char *)w + 2) : "t1", "memory");
}
static void e_lr(void)
{
	static unsigned long w[2];

	__asm__ volatile("lr.d t1, (%0)" :: "r"((char *)w + 4) : "t1", "memory");
}
static void e_fetch(void)
{
	__asm__ volatile("li t0, 0x200000; jalr ra, t0" ::: "t0", "ra", "memory");
}

static const struct {
	const char *name;
	void (*fn)(void);
} excs[] = {
	{ "illegal", e_illegal }, { "ebreak", e_ebreak }, { "ecall", e_ecall },
	{ "load access", e_load }, { "store access", e_store },
	{ "amo misaligned", e_amo }, { "lr misaligned", e_lr },
	{ "fetch access", e_fetch },
};

static void nops(void)
{
	__asm__ volatile("nop; nop; nop; nop; nop; nop; nop; nop");
}

/* Interrupt handlers silence their source: M clears mip, S disables. */
static void silence(unsigned long cause, int mode)
{
	unsigned long bit = 1ul << (cause & 63);

	if (mode == 3)
		csrc(mip, bit);
	else if (bit == SSIP)
		csrc(sip, bit);
	else
		csrc(sie, bit);
}

static const char *const mode_name[] = { "U", "S", "?", "M" };

static void irq_case(unsigned long pend, unsigned long deleg, unsigned mode,
		     int ie)
{
	clear_trap();
	csrw(mideleg, deleg);
	csrw(mie, pend | MSIP);
	csrc(mstatus, MIE | SIE);
	if (ie)
		csrs(mstatus, mode == 3 ? MIE : SIE);
	csrs(mip, pend);
	if (mode == 3)
		nops();
	else
		run_in(mode, nops);
	csrc(mstatus, MIE | SIE);
	csrc(mip, SSIP | STIP | SEIP);
	csrw(mie, MSIP);
	csrw(mideleg, 0);
	puts_("irq pend ");
	puthex(pend);
	puts_(" deleg ");
	puthex(deleg);
	puts_(" in ");
	puts_(mode_name[mode]);
	puts_(ie ? " ie=1" : " ie=0");
	show_trap("");
}

static unsigned long v[8];

static void s_views(void)
{
	v[0] = csrr(sip);
	v[1] = csrr(sie);
	csrw(sie, -1ul);
	v[2] = csrr(sie);
	csrs(sip, -1ul);	/* only SSIP if delegated */
	v[3] = csrr(sip);
	csrc(sip, -1ul);
	v[4] = csrr(sip);
	csrw(sie, 0);
}

int main(void)
{
	static const unsigned long srcs[] = { SSIP, STIP, SEIP };

	/* one PMP rule: all of memory RWX for S and U */
	csrw(pmpaddr0, -1ul);
	csrw(pmpcfg0, 0x1f);
	irq_hook = silence;

	for (unsigned d = 0; d < 2; d++) {
		csrw(medeleg, d ? -1ul : 0);
		for (unsigned e = 0; e < sizeof(excs) / sizeof(excs[0]); e++) {
			for (int m = 0; m < 3; m++) {
				int mode = m == 0 ? 3 : m == 1 ? 1 : 0;

				clear_trap();
				if (mode == 3)
					excs[e].fn();
				else
					run_in(mode, excs[e].fn);
				puts_(excs[e].name);
				puts_(d ? " deleg from " : " from ");
				puts_(mode_name[mode]);
				show_trap("");
			}
		}
	}
	csrw(medeleg, 0);

	/* each source, delegated or not, in each mode, enabled or not */
	for (unsigned i = 0; i < 3; i++)
		for (unsigned d = 0; d < 2; d++)
			for (int mode = 3; mode >= 0; mode--) {
				if (mode == 2)
					continue;
				irq_case(srcs[i], d ? srcs[i] : 0, mode, 0);
				irq_case(srcs[i], d ? srcs[i] : 0, mode, 1);
			}

	/*
	 * Priority: M-level (not delegated) before S-level, whatever their
	 * numbers.  One source per level: within a level QEMU 7.2 (no AIA)
	 * takes the lowest-numbered bit, not the spec's SEI > SSI > STI
	 * order we follow (tests/tcg/test-tcg-priv.c checks ours).
	 */
	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = 0; j < 3; j++) {
			if (i == j)
				continue;
			irq_case(srcs[i] | srcs[j], srcs[j], 0, 0);
			irq_case(srcs[i] | srcs[j], srcs[j], 1, 1);
			irq_case(srcs[i] | srcs[j], srcs[j], 3, 1);
		}

	/* sip/sie seen from S: only delegated bits */
	for (unsigned d = 0; d < 3; d++) {
		unsigned long deleg = d == 0 ? 0 : d == 1 ? SSIP | STIP : -1ul;

		csrw(mideleg, deleg);
		csrw(mip, STIP | SEIP);
		csrw(mie, SSIP | SEIP | MSIP);
		run_in(1, s_views);
		puts_("views deleg ");
		puthex(csrr(mideleg) & ~H_INTS);
		putc_('\n');
		show("  sip", v[0]);
		show("  sie", v[1]);
		show("  sie after writing ones", v[2] & ~H_INTS);
		show("  sip after setting ones", v[3] & ~H_INTS);
		show("  sip after clearing ones", v[4]);
		show("  mip", csrr(mip) & ~0x80ul);
		show("  mie", csrr(mie));
		csrw(mip, 0);
		csrw(mie, MSIP);
	}
	csrw(mideleg, 0);
	return 0;
}
