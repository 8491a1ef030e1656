/* SPDX-License-Identifier: MIT */
/*
 * The counters around CSR writes, and who may read them.
 *
 * Values are only compared where they are deterministic on both sides
 * (QEMU 7.2 without -icount counts host ticks): minstret/mcycle written
 * while mcountinhibit stops them, hpm counters without an event.  How
 * the counters move around CSR writes is in tests/tcg/test-tcg-priv.c.  Then cycle/time/instret/hpmcounter3 from S and U
 * for each mcounteren/scounteren setting: readable or illegal.
 */
#include "rt.h"

static unsigned long seen[4];

static void read_ctrs(void)
{
	clear_trap();
	(void)csrr(cycle);
	seen[0] = last.count;
	clear_trap();
	(void)csrr(time);
	seen[1] = last.count;
	clear_trap();
	(void)csrr(instret);
	seen[2] = last.count;
	clear_trap();
	(void)csrr(0xc03);
	seen[3] = last.count;
	clear_trap();
}

static void show_access(const char *who, unsigned long mc, unsigned long sc)
{
	puts_(who);
	puts_(" mcounteren=");
	putc_('0' + (mc & 1));
	putc_('0' + ((mc >> 1) & 1));
	putc_('0' + ((mc >> 2) & 1));
	putc_('0' + ((mc >> 3) & 1));
	puts_(" scounteren=");
	putc_('0' + (sc & 1));
	putc_('0' + ((sc >> 1) & 1));
	putc_('0' + ((sc >> 2) & 1));
	putc_('0' + ((sc >> 3) & 1));
	puts_(": cy tm ir hpm3 =");
	for (int i = 0; i < 4; i++)
		puts_(seen[i] ? " illegal" : " ok");
	putc_('\n');
}

int main(void)
{
	unsigned long a, b;

	/* one PMP rule: all of memory RWX for S and U */
	csrw(pmpaddr0, -1ul);
	csrw(pmpcfg0, 0x1f);

	/* inhibited: the value written is read back, twice */
	csrw(0x320, 5);
	csrw(minstret, 1000);
	csrw(mcycle, 2000);
	a = csrr(minstret);
	__asm__ volatile("nop; nop; nop");
	b = csrr(minstret);
	show("inhibited minstret", a);
	show("inhibited minstret again", b);
	show("inhibited mcycle", csrr(mcycle));
	show("mcountinhibit", csrr(0x320));
	/* hpm counters with no event hold what is written */
	csrw(0x320, 0);
	csrw(0xb03, 77);
	__asm__ volatile("nop; nop; nop");
	show("mhpmcounter3", csrr(0xb03));
	show("hpmcounter3", csrr(0xc03));
	/* an event number sticks (QEMU then counts host ticks: not shown) */
	csrw(0x324, 2);
	show("mhpmevent4", csrr(0x324));
	csrw(0x324, 0);

	/* counter access from S and U for each enable setting */
	static const unsigned long en[][2] = {
		{ 0, 0 }, { 0xf, 0 }, { 0xf, 0xf }, { 0, 0xf },
		{ 0x5, 0xa }, { 0xa, 0xf }, { 0x7, 0x2 },
	};
	for (unsigned i = 0; i < sizeof(en) / sizeof(en[0]); i++) {
		csrw(mcounteren, en[i][0]);
		csrw(scounteren, en[i][1]);
		run_in(1, read_ctrs);
		show_access("S", en[i][0], en[i][1]);
		run_in(0, read_ctrs);
		show_access("U", en[i][0], en[i][1]);
	}
	/* and from M whatever the enables say */
	csrw(mcounteren, 0);
	read_ctrs();
	show_access("M", 0, 0);
	/* a counter beyond the 16 hpm counters is illegal everywhere */
	clear_trap();
	(void)csrr(0xc13);
	show_trap("hpmcounter19");
	return 0;
}
