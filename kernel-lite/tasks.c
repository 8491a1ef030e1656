// SPDX-License-Identifier: MIT
/*
 * The U-mode tasks each hart runs (see usys.c for the rules U-mode code
 * follows).  Everything a task prints goes into its hart's log through
 * write(); hart 0 prints the logs in hart order, so what the tasks print
 * must depend only on their pid and the (cooperative) schedule.
 */
#include "kl.h"

static long sys_bogus(void)
{
	register long a0 __asm__("a0") = 0;
	register long a7 __asm__("a7") = 999;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0;
}

/* collatz steps: branchy integer work in U-mode */
static NOINLINE u64 collatz_steps(u64 n)
{
	u64 steps = 0;

	while (n != 1) {
		n = (n & 1) ? 3 * n + 1 : n / 2;
		steps++;
	}
	return steps;
}

static const char *const spin_result[] = {
	"NO timer interrupt taken",
	"timer interrupt taken, registers intact",
	"timer interrupt CORRUPTED registers",
};

static void task_hello(long idx, const volatile u64 *ticks)
{
	long pid = u_getpid();
	u64 sum = 0, i;
	long spin;

	u_printf("  [pid %ld] hello from U-mode\n", pid);
	/* ticks come every 500 us: 50M iterations is far more than enough */
	spin = u_spin_until_tick(ticks, 50000000);
	u_printf("  [pid %ld] %s\n", pid, spin_result[spin]);
	u_yield();
	for (i = 1; i < 200; i++)
		sum += collatz_steps(i + (u64)pid);
	u_printf("  [pid %ld] collatz sum %lu\n", pid, sum);
	u_exit(spin == 1 ? 0 : 10 + spin);
}

static void task_rounds(long idx, const volatile u64 *ticks)
{
	long pid = u_getpid();
	int round;

	for (round = 0; round < 3; round++) {
		u_printf("  [pid %ld] round %d\n", pid, round);
		u_yield();
	}
	if (sys_bogus() != -38)
		u_exit(1);
	u_exit(40 + idx);
}

static void task_fault(long idx, const volatile u64 *ticks)
{
	long pid = u_getpid();
	unsigned long v;

	u_printf("  [pid %ld] reading mhartid from U-mode\n", pid);
	u_yield();
	__asm__ volatile("csrr %0, mhartid" : "=r"(v)); /* must trap */
	u_printf("  [pid %ld] read mhartid %lu: NOT TRAPPED\n", pid, v);
	u_exit(2);
}

const kl_task_fn kl_user_tasks[KL_TASKS_PER_HART] = {
	task_hello,
	task_rounds,
	task_fault,
};

/*
 * What the tasks above must leave: exit codes and kill causes.  The kernel
 * side (main.c) checks them; -1 exit with cause 2 is the illegal
 * instruction kill.
 */
const long kl_user_expected_exit[KL_TASKS_PER_HART] = { 0, 41, -1 };
const u64 kl_user_expected_killed[KL_TASKS_PER_HART] = { 0, 0, 2 + 1 };
