// SPDX-License-Identifier: MIT
/*
 * The U-mode side: syscall stubs and the tasks each hart runs.  Code here
 * runs with U privilege in the task's Sv39 address space (vm.c: the image
 * read-only and executable, its own stack), so it must not touch CSRs,
 * tp-relative kernel state, devices or writable kernel data; it may call
 * pure helpers such as kl_vsnprintf().  This file is the syscall ABI
 * (a7 = number, a0..a2 = arguments, a0 = result); tasks.c has the tasks.
 */
#include "kl.h"

static long sys3(long nr, long a0, long a1, long a2)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a7 __asm__("a7") = nr;

	__asm__ volatile("ecall"
			 : "+r"(r_a0)
			 : "r"(r_a1), "r"(r_a2), "r"(r_a7)
			 : "memory");
	return r_a0;
}

long u_write(const char *buf, long len)
{
	return sys3(KL_SYS_WRITE, 1, (long)buf, len);
}

long u_yield(void)
{
	return sys3(KL_SYS_YIELD, 0, 0, 0);
}

long u_getpid(void)
{
	return sys3(KL_SYS_GETPID, 0, 0, 0);
}

void u_exit(long code)
{
	sys3(KL_SYS_EXIT, code, 0, 0);
	for (;;)
		; /* not reached: the kernel never resumes an exited task */
}

void u_printf(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kl_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	u_write(buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
}
