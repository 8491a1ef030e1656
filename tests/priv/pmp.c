/* SPDX-License-Identifier: MIT */
/*
 * PMP as OpenSBI probes it and as WARL storage: 16 entries in pmpcfg0/2,
 * pmpaddr with 54 bits and granularity 4 (read back unchanged in every
 * mode), cfg bytes stored as written, and locks: a locked entry ignores
 * writes to its cfg byte and address, a locked TOR entry also protects
 * the address below it.  Locks stay until reset: this test runs last in
 * its program, and its locked ranges are empty.
 */
#include "rt.h"

int main(void)
{
	/*
	 * OpenSBI's probes: it writes its 54-bit mask and counts the bits
	 * and the trailing zeros read back.  (QEMU 7.2 also keeps bits
	 * 63:54 of a write; the spec and we do not: not written here.)
	 */
	csrw(pmpcfg0, 0);
	csrw(pmpaddr0, 0x3ffffffffffffful);
	show("pmpaddr0 after 54 ones (OFF)", csrr(pmpaddr0));
	csrw(pmpcfg0, 0x18);	/* NAPOT */
	show("pmpaddr0 (NAPOT)", csrr(pmpaddr0));
	csrw(pmpcfg0, 0x10);	/* NA4 */
	show("pmpaddr0 (NA4)", csrr(pmpaddr0));
	csrw(pmpcfg0, 0x08);	/* TOR */
	csrw(pmpaddr0, 0x0023456789abcdeful);
	show("pmpaddr0 TOR", csrr(pmpaddr0));

	/* cfg bytes: every A mode and permission, reserved W-without-R */
	csrw(pmpcfg0, 0x1f1e1d1c1b1a1918ul);
	show("pmpcfg0", csrr(pmpcfg0));
	csrw(pmpcfg0, 0x0706050403020100ul);
	show("pmpcfg0", csrr(pmpcfg0));
	csrw(pmpcfg0, 0x6f5f4f3f2f0f0e0dul);
	show("pmpcfg0", csrr(pmpcfg0));
	csrw(pmpcfg2, 0x1f1e1d1c1b1a1918ul);
	show("pmpcfg2", csrr(pmpcfg2));
	csrw(pmpcfg2, 0);
	csrw(pmpaddr15, 0x3ffffffffffffful);
	show("pmpaddr15", csrr(pmpaddr15));

	/*
	 * Locks: entry 2 locked OFF, entry 5 locked TOR over the empty range
	 * [0x4000, 0x4000) (QEMU 7.2 reads TOR [0, 0) as everything).
	 */
	csrw(pmpcfg0, 0);
	csrw(pmpaddr2, 0);
	csrw(pmpaddr4, 0x1000);
	csrw(pmpaddr5, 0x1000);
	csrw(pmpcfg0, (0x80ul << 16) | (0x88ul << 40));
	show("locked pmpcfg0", csrr(pmpcfg0));
	csrw(pmpcfg0, -1ul & ~0x8080808080808080ul);
	show("pmpcfg0 after writing", csrr(pmpcfg0));
	csrw(pmpaddr2, 0x2000);
	csrw(pmpaddr3, 0x2000);
	csrw(pmpaddr4, 0x2000);
	csrw(pmpaddr5, 0x2000);
	csrw(pmpaddr6, 0x2000);
	show("pmpaddr2 (locked)", csrr(pmpaddr2));
	show("pmpaddr3", csrr(pmpaddr3));
	show("pmpaddr4 (below a locked TOR)", csrr(pmpaddr4));
	show("pmpaddr5 (locked TOR)", csrr(pmpaddr5));
	show("pmpaddr6", csrr(pmpaddr6));
	return 0;
}
