/* SPDX-License-Identifier: MIT */
/*
 * An S-mode payload that uses OpenSBI: console putchar, the base
 * extension, set_timer (a delegated S timer interrupt), an IPI to itself
 * (S software interrupt), HSM start/status/stop of every other hart in
 * turn, and system reset.  What it prints does not depend on which hart
 * won OpenSBI's boot lottery, so QEMU and vtrace-emu print the same.
 */
#include <stdint.h>

#define EXT_BASE 0x10
#define EXT_TIME 0x54494d45
#define EXT_IPI 0x735049
#define EXT_RFENCE 0x52464e43
#define EXT_HSM 0x48534d
#define EXT_SRST 0x53525354
#define EXT_PMU 0x504d55

struct sbiret {
	long error, value;
};

static struct sbiret sbi(long ext, long fid, long a0, long a1, long a2)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r6 __asm__("a6") = fid;
	register long r7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ r0, r1 };
}

static void putc_(char c)
{
	sbi(1, 0, c, 0, 0);	/* legacy console putchar */
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void puthex(unsigned long v)
{
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4)
		putc_("0123456789abcdef"[(v >> i) & 15]);
}

static void show(const char *name, unsigned long v)
{
	puts_("payload: ");
	puts_(name);
	puts_(" ");
	puthex(v);
	putc_('\n');
}

static volatile int timer_seen, ipi_seen, started;
static volatile unsigned long irq_cause;

void s_irq(void)
{
	unsigned long cause;

	__asm__ volatile("csrr %0, scause" : "=r"(cause));
	irq_cause = cause;
	if (cause == (1ul << 63 | 5)) {
		sbi(EXT_TIME, 0, -1l, 0, 0);	/* no next event */
		timer_seen = 1;
	} else if (cause == (1ul << 63 | 1)) {
		__asm__ volatile("csrc sip, %0" :: "r"(2ul));
		ipi_seen = 1;
	}
}

extern char secondary_entry[];

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	/* no hart ids printed: the boot hart is any of them */
	puts_(opaque == hartid + 100 ? "payload: another hart started, opaque ok\n"
				     : "payload: bad opaque\n");
	__sync_synchronize();
	started = 1;
	sbi(EXT_HSM, 1, 0, 0, 0);	/* hart_stop: does not return */
}

void payload_main(unsigned long hartid)
{
	static const long exts[] = { EXT_TIME, EXT_IPI, EXT_RFENCE, EXT_HSM,
				     EXT_SRST, EXT_PMU };
	unsigned long t;

	puts_("payload: S-mode\n");
	show("spec version", sbi(EXT_BASE, 0, 0, 0, 0).value);
	show("impl id", sbi(EXT_BASE, 1, 0, 0, 0).value);
	for (unsigned i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		show("probe", sbi(EXT_BASE, 3, exts[i], 0, 0).value);

	/* set_timer: STIP, delegated, taken in S */
	__asm__ volatile("csrw sie, %0" :: "r"(0x20ul));
	__asm__ volatile("csrs sstatus, %0" :: "r"(2ul));
	__asm__ volatile("rdtime %0" : "=r"(t));
	sbi(EXT_TIME, 0, (long)(t + 10000), 0, 0);
	while (!timer_seen)
		__asm__ volatile("wfi");
	show("timer interrupt, scause", irq_cause);

	/* IPI to ourselves: SSIP */
	__asm__ volatile("csrw sie, %0" :: "r"(0x2ul));
	show("send_ipi", sbi(EXT_IPI, 0, 1, (long)hartid, 0).error);
	while (!ipi_seen)
		__asm__ volatile("wfi");
	show("ipi, scause", irq_cause);
	__asm__ volatile("csrc sstatus, %0" :: "r"(2ul));

	/* HSM: start each other hart in turn, wait until it stopped */
	for (unsigned long h = 0; h < 8; h++) {
		struct sbiret r;

		if (h == hartid)
			continue;
		started = 0;
		r = sbi(EXT_HSM, 0, (long)h, (long)secondary_entry,
			(long)h + 100);
		if (r.error) {
			show("hart_start of a missing hart", (unsigned long)r.error);
			break;
		}
		while (!started)
			;
		while (sbi(EXT_HSM, 2, (long)h, 0, 0).value != 1)
			;
		show("hart stopped again, status", 1);
	}
	puts_("payload: system reset\n");
	sbi(EXT_SRST, 0, 0, 0, 0);
	puts_("payload: still here\n");
}
