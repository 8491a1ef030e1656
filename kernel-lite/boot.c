// SPDX-License-Identifier: MIT
/*
 * Boot in C.  Hart 0 arrives in kl_boot0() with .bss cleared; it reads the
 * device tree, gives every hart a trap stack, then releases the others
 * (an IPI each, then kl_boot_go).  Harts the tree does not name, or beyond
 * KL_MAX_HARTS, park in wfi for good.
 *
 * Without a usable device tree (an emulator that passes none in a1) hart 0
 * falls back to the harts that checked in within 20 ms; the summary says
 * which source it used and the run fails, so it never looks like a real one.
 */
#include "kl.h"

struct kl_hart kl_harts[KL_MAX_HARTS];
struct kl_machine kl_machine;
extern volatile u64 kl_boot_present;
extern char kl_tstacks[];

void kl_boot0(unsigned long hartid, const void *fdt);
void kl_boot_secondary(unsigned long hartid);

/* no Zbb, and __builtin_popcount would want libgcc */
static u32 popcount(u64 v)
{
	u32 n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static NORETURN void hart_start(unsigned long hartid)
{
	struct kl_hart *h = &kl_harts[hartid];

	__asm__ volatile("mv tp, %0" ::"r"(h));
	h->hartid = hartid;
	kl_main(hartid);
	kl_park();
}

void kl_boot0(unsigned long hartid, const void *fdt)
{
	struct kl_machine *m = &kl_machine;
	unsigned long a = (unsigned long)fdt;
	u32 i;

	/* Only look at a1 if it points into RAM (QEMU puts the tree there). */
	if (a >= 0x80000000UL && a < 0x80000000UL + (1UL << 32) &&
	    kl_fdt_parse(fdt, m) == 0) {
		m->fdt_ok = 1;
	} else {
		u64 t0 = kl_mtime();

		m->fdt_ok = 0;
		m->timebase = 10000000;
		while (kl_mtime() - t0 < m->timebase / 50)
			;
		m->dt_harts = READ_ONCE(kl_boot_present);
		m->ncpus = popcount(m->dt_harts);
	}
	if (!m->timebase)
		m->timebase = 10000000;
	/* we are running, whatever the tree says; hart 0 reports */
	m->harts = m->dt_harts | 1;
#if KL_MAX_HARTS < 64
	m->harts &= (1ULL << KL_MAX_HARTS) - 1;
#endif
	m->nharts = popcount(m->harts);

	for (i = 0; i < KL_MAX_HARTS; i++)
		kl_harts[i].trap_stack_top =
			(u64)(kl_tstacks + (i + 1) * KL_TSTACK_SIZE);

	/*
	 * IPIs first, then the flag: a secondary that sees kl_boot_go (and
	 * then clears its msip) must find the wake-up IPI already there, or
	 * a late one would stay pending and count as a ring IPI later.
	 */
	kl_for_each_hart(i)
		if (i)
			*(volatile u32 *)(KL_CLINT_MSIP + 4 * i) = 1;
	kl_fence(); /* pairs with the fence after the secondaries see kl_boot_go */
	WRITE_ONCE(kl_boot_go, 1);
	hart_start(hartid);
}

void kl_boot_secondary(unsigned long hartid)
{
	if (!(kl_machine.harts & (1ULL << hartid)))
		kl_park();
	/* the wake-up IPI has done its job */
	*(volatile u32 *)(KL_CLINT_MSIP + 4 * hartid) = 0;
	kl_fence();
	hart_start(hartid);
}

u32 kl_next_hart(u32 hartid)
{
	u32 i;

	for (i = 1; i <= KL_MAX_HARTS; i++) {
		u32 next = (hartid + i) % KL_MAX_HARTS;

		if (kl_machine.harts & (1ULL << next))
			return next;
	}
	return hartid;
}

void kl_park(void)
{
	csr_clear(mstatus, MSTATUS_MIE);
	csr_write(mie, 0);
	for (;;)
		kl_wfi();
}

void kl_poweroff(int code)
{
	volatile u32 *fin = (volatile u32 *)KL_FINISHER;

	kl_fence();
	*fin = code ? KL_FINISHER_FAIL | (u32)code << 16 : KL_FINISHER_PASS;
	kl_park();
}
