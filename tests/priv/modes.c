/* SPDX-License-Identifier: MIT */
/*
 * mstatus.TSR/TVM/TW and WFI: sret, satp and sfence.vma, wfi from S with
 * the bit set (illegal) and clear (works); wfi from U (always illegal);
 * wfi in M whatever TW says.  A wfi that works returns at once: SSIP is
 * pending and enabled in mie, delegated but masked by SIE (in S), or not
 * taken in M (delegated).
 */
#include "rt.h"

#define TVM (1ul << 20)
#define TW (1ul << 21)
#define TSR (1ul << 22)
#define SSIP 0x2ul
#define MSIP 0x8ul

static void do_sret(void)
{
	/* sret to S (SPP=1), right after itself, SIE stays off (SPIE=0) */
	__asm__ volatile("csrs sstatus, %0\n"
			 "csrc sstatus, %1\n"
			 "lla t0, 1f\n"
			 "csrw sepc, t0\n"
			 "sret\n"
			 "1:" :: "r"(0x100ul), "r"(0x20ul) : "t0", "memory");
}
static void do_satp(void) { (void)csrr(satp); }
static void do_satp_w(void) { csrw(satp, 0); }
static void do_sfence(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
static void do_wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

static const struct {
	const char *name;
	void (*fn)(void);
	unsigned long bit;
} cases[] = {
	{ "sret", do_sret, TSR }, { "csrr satp", do_satp, TVM },
	{ "csrw satp", do_satp_w, TVM }, { "sfence.vma", do_sfence, TVM },
	{ "wfi", do_wfi, TW },
};

int main(void)
{
	csrw(pmpaddr0, -1ul);
	csrw(pmpcfg0, 0x1f);
	/* wfi's wake-up in S: SSIP pending, in mie, delegated, SIE off */
	csrw(mideleg, SSIP);
	csrw(mie, SSIP | MSIP);
	csrc(mstatus, 0x2ul);

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int set = 0; set < 2; set++) {
			for (int mode = 1; mode >= 0; mode--) {
				csrc(mstatus, TSR | TVM | TW);
				if (set)
					csrs(mstatus, cases[i].bit);
				clear_trap();
				if (mode)
					csrs(mip, SSIP);
				run_in(mode, cases[i].fn);
				csrc(mip, SSIP);
				puts_(cases[i].name);
				puts_(mode ? " in S" : " in U");
				puts_(set ? " bit=1" : " bit=0");
				show_trap("");
			}
		}
	}
	/* M ignores all three */
	csrs(mstatus, TSR | TVM | TW);
	csrs(mip, SSIP);
	clear_trap();
	do_satp();
	do_sfence();
	do_wfi();
	show_trap("satp, sfence.vma, wfi in M with TSR/TVM/TW");
	csrc(mstatus, TSR | TVM | TW);
	csrc(mip, SSIP);
	csrw(mideleg, 0);
	return 0;
}
