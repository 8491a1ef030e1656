// SPDX-License-Identifier: MIT
/*
 * Console output on the virt board's ns16550a.  No initialisation: QEMU
 * needs none, and touching LCR/DLAB would only give an emulator more ways
 * to differ.  Only hart 0 prints in normal operation; kl_panic() may print
 * from any hart, so writers take a spinlock.
 */
#include "kl.h"

static volatile u32 uart_lock;

static void lock(void)
{
	while (__atomic_exchange_n(&uart_lock, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(uart_lock))
			;
}

static void unlock(void)
{
	__atomic_store_n(&uart_lock, 0, __ATOMIC_RELEASE);
}

static void uart_tx(char c)
{
	volatile u8 *uart = (volatile u8 *)KL_UART_BASE;

	while (!(uart[KL_UART_LSR] & KL_UART_LSR_THRE))
		;
	uart[0] = (u8)c;
}

void kl_write(const char *s, size_t n)
{
	lock();
	while (n--)
		uart_tx(*s++);
	unlock();
}

void kl_putc(char c)
{
	kl_write(&c, 1);
}

void kl_puts(const char *s)
{
	kl_write(s, strlen(s));
}

static void vprint(const char *fmt, va_list ap)
{
	char buf[256];
	int n = kl_vsnprintf(buf, sizeof(buf), fmt, ap);

	kl_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void kl_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

/* Print and power off with failure code 99: the run is wrong anyway. */
void kl_panic(const char *fmt, ...)
{
	va_list ap;

	csr_clear(mstatus, MSTATUS_MIE);
	kl_puts("PANIC: ");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	kl_poweroff(99);
}
