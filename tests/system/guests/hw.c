/* SPDX-License-Identifier: MIT */
/*
 * Device probes for the PLIC, the ns16550a UART, the goldfish RTC and the
 * reset code, whose output must be byte-identical on vtrace-emu and on
 * qemu-system-riscv64 -M virt -bios none -m 128M -smp 2 with "hi!\n" on
 * stdin once it prints "rx: ready".  Hart 0 runs everything in M mode; hart 1 parks.  Each line
 * names what it reads; nothing depends on timing (waits poll until a
 * state appears).  Exits through the finisher with status 7.
 */
#include <stdint.h>

#define UART 0x10000000ul
#define PLIC 0x0c000000ul
#define RTC 0x101000ul
#define TEST 0x100000ul
#define MROM 0x1000ul
#define MIP_SEIP (1ul << 9)
#define MIP_MEIP (1ul << 11)

uint64_t boot_regs[4];		/* a0, a1, a2, t0 at _start */
static volatile uint64_t trap_cause, trap_count, irq_claim;

__asm__(".section .text.init\n"
	".globl _start\n"
	"_start:\n"
	"	csrr t1, mhartid\n"
	"	bnez t1, 2f\n"
	"	lla t1, boot_regs\n"
	"	sd a0, 0(t1)\n"
	"	sd a1, 8(t1)\n"
	"	sd a2, 16(t1)\n"
	"	sd t0, 24(t1)\n"
	"	li sp, 0x80100000\n"
	"	call main\n"
	"2:	wfi\n"
	"	j 2b\n"
	".text\n");

static inline uint8_t rd8(uintptr_t a) { return *(volatile uint8_t *)a; }
static inline uint32_t rd32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline uint64_t rd64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void wr8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void wr32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

#define csr_read(csr)                                                          \
	({                                                                     \
		uint64_t _v;                                                   \
		__asm__ volatile("csrr %0, " #csr : "=r"(_v));                 \
		_v;                                                            \
	})
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"(v))

static void putc_(char c)
{
	while (!(rd8(UART + 5) & 0x20))
		;
	wr8(UART, (uint8_t)c);
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void hex(uint64_t v)
{
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4)
		putc_("0123456789abcdef"[(v >> i) & 15]);
}

static void show(const char *name, uint64_t v)
{
	puts_(name);
	putc_(' ');
	hex(v);
	putc_('\n');
}

/*
 * While IER.THRI is on, printing (a THR write) raises the UART's line
 * again: such sections note values and print them afterwards.
 */
static const char *note_name[64];
static uint64_t note_val[64];
static unsigned nnotes;

static void note(const char *name, uint64_t v)
{
	note_name[nnotes] = name;
	note_val[nnotes++] = v;
}

static void flush_notes(void)
{
	for (unsigned i = 0; i < nnotes; i++)
		show(note_name[i], note_val[i]);
	nnotes = 0;
}

/* PLIC registers */
static uintptr_t prio(unsigned s) { return PLIC + 4 * s; }
static uintptr_t pend(unsigned w) { return PLIC + 0x1000 + 4 * w; }
static uintptr_t enable(unsigned c, unsigned w)
{
	return PLIC + 0x2000 + 0x80 * c + 4 * w;
}
static uintptr_t thresh(unsigned c) { return PLIC + 0x200000 + 0x1000 * c; }
static uintptr_t claim(unsigned c) { return thresh(c) + 4; }

static uint64_t meip(void)
{
	return csr_read(mip) & (MIP_MEIP | MIP_SEIP);
}

__attribute__((interrupt("machine"), aligned(4))) static void trap(void)
{
	uint64_t cause = csr_read(mcause);

	trap_cause = cause;
	trap_count++;
	if ((int64_t)cause < 0) {
		/* external: claim, silence the UART, complete */
		irq_claim = rd32(claim(0));
		wr8(UART + 1, 0);
		wr32(claim(0), (uint32_t)irq_claim);
	} else {
		/* all faulting probes are 4-byte instructions */
		csr_write(mepc, csr_read(mepc) + 4);
	}
}

static void reset_code(void)
{
	show("boot a0", boot_regs[0]);
	show("boot a1", boot_regs[1]);
	show("boot a2", boot_regs[2]);
	show("boot t0", boot_regs[3]);
	for (unsigned i = 0; i < 40; i += 8)
		show("mrom", rd64(MROM + i));
	for (unsigned i = 0; i < 48; i += 8)
		show("fw_dynamic_info", rd64(boot_regs[2] + i));
}

static void uart_registers(void)
{
	show("uart ier", rd8(UART + 1));
	show("uart iir", rd8(UART + 2));
	show("uart lcr", rd8(UART + 3));
	show("uart mcr", rd8(UART + 4));
	show("uart lsr (no DR)", rd8(UART + 5) & 0xfe);
	show("uart msr", rd8(UART + 6));
	wr8(UART + 7, 0xa5);
	show("uart scr", rd8(UART + 7));
	wr8(UART + 3, 0x83);
	note("uart dll reset", rd8(UART + 0));
	note("uart dlm reset", rd8(UART + 1));
	wr8(UART + 0, 0x34);
	wr8(UART + 1, 0x12);
	note("uart dll", rd8(UART + 0));
	note("uart dlm", rd8(UART + 1));
	note("uart lcr dlab", rd8(UART + 3));
	wr8(UART + 0, 0x01);
	wr8(UART + 1, 0x00);
	wr8(UART + 3, 0x03);
	flush_notes();
	show("uart lcr 8n1", rd8(UART + 3));
	show("uart ier after dlab", rd8(UART + 1));
	/* all but RDI: stdin may have data already */
	wr8(UART + 1, 0xfe);
	note("uart ier masked", rd8(UART + 1));
	note("uart iir thri", rd8(UART + 2));
	note("uart iir after read", rd8(UART + 2));
	wr8(UART + 1, 0);
	flush_notes();
	/* FIFO bits in IIR */
	wr8(UART + 2, 0x07);
	show("uart iir fifo", rd8(UART + 2));
	wr8(UART + 2, 0xc1);
	show("uart iir fifo itl14", rd8(UART + 2));
	wr8(UART + 2, 0x00);
	show("uart iir no fifo", rd8(UART + 2));
	/* a word-sized access reads the byte register */
	show("uart lcr as word", rd32(UART + 3));
}

static void plic_registers(void)
{
	wr32(prio(10), 9);
	show("plic prio 10 <- 9", rd32(prio(10)));
	wr32(prio(96), 5);
	show("plic prio 96 <- 5", rd32(prio(96)));
	wr32(prio(97), 5);
	show("plic prio 97", rd32(prio(97)));
	wr32(prio(96), 0);
	wr32(enable(0, 0), 0xffffffff);
	show("plic enable 0.0", rd32(enable(0, 0)));
	wr32(enable(0, 2), 0xffffffff);
	show("plic enable 0.2", rd32(enable(0, 2)));
	wr32(enable(0, 3), 0xffffffff);
	show("plic enable 0.3", rd32(enable(0, 3)));
	wr32(enable(0, 2), 0);
	wr32(enable(0, 4), 0xffffffff);
	show("plic enable 0.4", rd32(enable(0, 4)));
	wr32(enable(0, 0), 0);
	wr32(enable(0, 3), 0);
	wr32(thresh(0), 9);
	show("plic threshold <- 9", rd32(thresh(0)));
	wr32(thresh(0), 0);
	wr32(pend(0), 0xffffffff);
	show("plic pending after write", rd32(pend(0)));
	show("plic claim nothing", rd32(claim(0)));
	wr32(claim(0), 200);	/* complete of nonsense: ignored */
	show("plic hole", rd32(PLIC + 0x1ff000));
	show("mip", meip());
}

/* THR-empty interrupt through the PLIC: levels, claim, complete. */
static void plic_uart_thri(void)
{
	wr32(prio(10), 1);
	wr32(enable(0, 0), 1u << 10);
	wr8(UART + 1, 0x02);
	note("thri: iir", rd8(UART + 2) & 0x0f);
	/* that IIR read cleared THRE's event: raise it again */
	wr8(UART + 1, 0x00);
	wr8(UART + 1, 0x02);
	note("thri: pending", rd32(pend(0)));
	note("thri: mip", meip());
	wr32(thresh(0), 1);
	note("thri: mip threshold 1", meip());
	note("thri: claim threshold 1", rd32(claim(0)));
	wr32(thresh(0), 0);
	note("thri: mip threshold 0", meip());
	note("thri: claim", rd32(claim(0)));
	note("thri: pending after claim", rd32(pend(0)));
	note("thri: mip while claimed", meip());
	note("thri: claim again", rd32(claim(0)));
	note("thri: iir", rd8(UART + 2));
	note("thri: iir after", rd8(UART + 2));
	note("thri: pending line low", rd32(pend(0)));
	wr32(claim(0), 10);
	note("thri: mip after complete", meip());
	note("thri: claim after complete", rd32(claim(0)));
	note("thri: pending", rd32(pend(0)));
	wr8(UART, '.');
	note("thri: pending after THR write", rd32(pend(0)));
	note("thri: mip after THR write", meip());
	/* S context of hart 0 and M context of hart 1 */
	wr32(enable(1, 0), 1u << 10);
	wr32(thresh(1), 0);	/* QEMU updates the lines on this */
	note("thri: mip with S enabled", meip());
	wr32(enable(0, 0), 0);
	wr32(thresh(0), 0);
	note("thri: mip S only", meip());
	wr32(enable(2, 0), 1u << 10);
	note("thri: claim hart 1 M", rd32(claim(2)));
	note("thri: claim hart 0 S", rd32(claim(1)));
	wr32(claim(2), 10);
	wr8(UART, '.');
	note("thri: claim hart 0 S after complete", rd32(claim(1)));
	wr32(claim(1), 10);
	wr32(enable(1, 0), 0);
	wr32(enable(2, 0), 0);
	wr8(UART + 1, 0x00);
	note("thri: pending ier 0", rd32(pend(0)));
	wr32(enable(0, 0), 1u << 10);
	note("thri: claim stale pending", rd32(claim(0)));
	wr32(claim(0), 10);
	note("thri: pending", rd32(pend(0)));
	note("thri: mip", meip());
	putc_('\n');
	flush_notes();

	/* as a trap */
	csr_write(mie, MIP_MEIP);
	wr8(UART + 1, 0x02);
	csr_write(mstatus, 8ul);	/* MIE */
	while (!trap_count)
		__asm__ volatile("wfi");
	csr_write(mstatus, 0ul);
	show("trap: mcause", trap_cause);
	show("trap: claimed", irq_claim);
	show("trap: count", trap_count);
	trap_count = 0;
	wr32(enable(0, 0), 0);
	show("trap: pending", rd32(pend(0)));
	(void)rd32(claim(0));	/* nothing enabled: 0 */
	wr32(enable(0, 0), 1u << 10);
	show("trap: claim stale", rd32(claim(0)));
	wr32(claim(0), 10);
	show("trap: pending after", rd32(pend(0)));
}

/*
 * "hi!\n" from stdin, one receive interrupt per byte (no FIFO).  The test
 * sends it only once this prints "rx: ready", so no byte arrives early.
 */
static void uart_rx(void)
{
	wr8(UART + 1, 0x01);
	puts_("rx: ready\n");
	for (int i = 0; i < 4; i++) {
		uint32_t src;

		while (!(csr_read(mip) & MIP_MEIP))
			__asm__ volatile("wfi");
		src = rd32(claim(0));
		note("rx: claim", src);
		note("rx: iir", rd8(UART + 2));
		note("rx: lsr", rd8(UART + 5));
		note("rx: byte", rd8(UART + 0));
		note("rx: lsr after", rd8(UART + 5) & 0xfe);
		wr32(claim(0), src);
		/* a byte that came meanwhile raises the line again */
		wr8(UART + 1, 0x00);
		wr8(UART + 1, 0x01);
	}
	wr8(UART + 1, 0x00);
	flush_notes();
}

static void set_divisor(uint16_t d)
{
	wr8(UART + 3, 0x83);
	wr8(UART + 0, (uint8_t)d);
	wr8(UART + 1, (uint8_t)(d >> 8));
	wr8(UART + 3, 0x03);
}

static void uart_loopback(void)
{
	/* 100 baud: 0.1 s a character, so the 4-character timeout cannot
	 * fire between a write and the read that follows it */
	set_divisor(3992);
	wr8(UART + 4, 0x1f);
	note("loop: msr", rd8(UART + 6));
	wr8(UART + 4, 0x11);
	note("loop: msr dtr", rd8(UART + 6));
	wr8(UART, 'A');
	note("loop: lsr", rd8(UART + 5));
	note("loop: rbr", rd8(UART + 0));
	note("loop: lsr after", rd8(UART + 5));
	/* FIFO, trigger 1 (its IIR bits show from here on) */
	wr8(UART + 2, 0x01);
	wr8(UART, 'B');
	wr8(UART, 'C');
	wr8(UART, 'D');
	wr8(UART + 1, 0x01);
	note("loop fifo: iir", rd8(UART + 2));
	note("loop fifo: pending", rd32(pend(0)));
	for (int i = 0; i < 3; i++)
		note("loop fifo: rbr", rd8(UART + 0));
	note("loop fifo: lsr", rd8(UART + 5));
	note("loop fifo: iir empty", rd8(UART + 2));
	note("loop fifo: rbr empty", rd8(UART + 0));
	/* trigger 4: two bytes wait for the character timeout */
	wr8(UART + 2, 0x41);
	wr8(UART, 'E');
	wr8(UART, 'F');
	note("loop fifo4: iir", rd8(UART + 2) & 0xcf);
	while ((rd8(UART + 2) & 0x0f) != 0x0c)
		;
	note("loop fifo4: iir timeout", rd8(UART + 2));
	note("loop fifo4: rbr", rd8(UART + 0));
	note("loop fifo4: iir after read", rd8(UART + 2) & 0xcf);
	note("loop fifo4: rbr", rd8(UART + 0));
	/* overrun: 17 bytes into the 16-byte FIFO */
	for (int i = 0; i < 17; i++)
		wr8(UART, (uint8_t)('a' + i));
	wr8(UART + 1, 0x05);
	note("loop ovr: iir", rd8(UART + 2));
	note("loop ovr: lsr", rd8(UART + 5));
	note("loop ovr: lsr again", rd8(UART + 5));
	wr8(UART + 2, 0x43);	/* clear the receive FIFO */
	note("loop ovr: lsr after clear", rd8(UART + 5));
	note("loop ovr: iir after clear", rd8(UART + 2));
	wr8(UART + 1, 0x00);
	wr8(UART + 2, 0x00);
	wr8(UART + 4, 0x08);
	set_divisor(1);
	flush_notes();
	show("loop: mcr", rd8(UART + 4));
}

static void rtc(void)
{
	uint64_t lo = rd32(RTC + 0), hi = rd32(RTC + 4), now = hi << 32 | lo;

	show("rtc after 2020", now > 1577836800ull * 1000000000ull);
	show("rtc before 2100", now < 4102444800ull * 1000000000ull);
	wr32(RTC + 0x10, 3);
	show("rtc irq_enabled", rd32(RTC + 0x10));
	wr32(prio(11), 2);
	wr32(enable(0, 0), 1u << 11);
	wr32(thresh(0), 0);
	/* alarm 2 ms ahead */
	now += 2000000;
	wr32(RTC + 0x0c, (uint32_t)(now >> 32));
	wr32(RTC + 0x08, (uint32_t)now);
	show("rtc alarm_high", rd32(RTC + 0x0c) == (uint32_t)(now >> 32));
	show("rtc alarm_low", rd32(RTC + 0x08) == (uint32_t)now);
	while (!(rd32(pend(0)) & (1u << 11)))
		;
	show("rtc alarm status after", rd32(RTC + 0x18));
	show("rtc mip", meip());
	show("rtc claim", rd32(claim(0)));
	wr32(RTC + 0x1c, 1);
	show("rtc pending cleared", rd32(pend(0)));
	wr32(claim(0), 11);
	show("rtc mip after complete", meip());
	/* an alarm in the past fires at once; a far one stays armed */
	wr32(RTC + 0x08, 0);
	show("rtc past alarm pending", rd32(pend(0)));
	wr32(RTC + 0x1c, 1);
	now += 3600ull * 1000000000ull;
	wr32(RTC + 0x0c, (uint32_t)(now >> 32));
	wr32(RTC + 0x08, (uint32_t)now);
	show("rtc far alarm status", rd32(RTC + 0x18));
	wr32(RTC + 0x14, 1);
	show("rtc cleared alarm status", rd32(RTC + 0x18));
	show("rtc hole", rd32(RTC + 0x20));
	wr32(RTC + 0x10, 0);
	wr32(enable(0, 0), 0);
	wr32(thresh(0), 0);
}

/* Accesses the hardware rejects: an access fault, no crash. */
static void bad_sizes(void)
{
	uint64_t v = 0;

	__asm__ volatile(".option push\n.option norvc\n"
			 "lb %0, 0(%1)\n.option pop"
			 : "=r"(v) : "r"(PLIC + 40));
	show("plic byte read: cause", trap_count ? trap_cause : 0);
	trap_count = 0;
	__asm__ volatile(".option push\n.option norvc\n"
			 "sh %0, 0(%1)\n.option pop"
			 :: "r"(v), "r"(RTC + 0x10));
	show("rtc half write: cause", trap_count ? trap_cause : 0);
	trap_count = 0;
	__asm__ volatile(".option push\n.option norvc\n"
			 "ld %0, 0(%1)\n.option pop"
			 : "=r"(v) : "r"(PLIC + 0x200004));
	show("plic dword claim: cause", trap_count ? trap_cause : 0);
	trap_count = 0;
}

int main(void);
int main(void)
{
	csr_write(mtvec, (uint64_t)(uintptr_t)trap);
	puts_("hw probes\n");
	reset_code();
	uart_registers();
	plic_registers();
	plic_uart_thri();
	uart_rx();
	uart_loopback();
	rtc();
	bad_sizes();
	puts_("hw probes done\n");
	wr32(TEST, 0x3333 | 7u << 16);
	for (;;)
		;
}
