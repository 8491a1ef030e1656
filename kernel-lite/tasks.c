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

/*
 * Recursion over 1 KiB frames: it walks down about @depth KiB of stack,
 * so the kernel maps that many pages of it on first touch.
 */
static NOINLINE u64 stack_deep(u32 depth)
{
	volatile u8 frame[1000];
	u64 sum;
	u32 i;

	for (i = 0; i < sizeof(frame); i += 100)
		frame[i] = (u8)(depth + i);
	sum = depth ? stack_deep(depth - 1) : 0;
	for (i = 0; i < sizeof(frame); i += 100)
		sum += frame[i];
	return sum;
}

static const char *const spin_result[] = {
	"NO timer interrupt taken",
	"timer interrupt taken, registers intact",
	"timer interrupt CORRUPTED registers",
};

static void task_hello(long idx, const volatile u64 *ticks)
{
	volatile u64 *shared = (volatile u64 *)KL_SHARED_VA + 1;
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
	u_printf("  [pid %ld] 12 KiB deep stack sum %lu\n", pid,
		 stack_deep(12));
	/* task 1 has stored to its copy by now: we still see the original,
	 * and our store finds us the last one mapping it */
	u_printf("  [pid %ld] shared page reads %lx\n", pid, *shared);
	*shared = 0x5eed0000 + pid;
	u_printf("  [pid %ld] shared page now %lx\n", pid, *shared);
	u_exit(spin == 1 ? 0 : 10 + spin);
}

static void task_rounds(long idx, const volatile u64 *ticks)
{
	volatile u64 *shared = (volatile u64 *)KL_SHARED_VA;
	long pid = u_getpid();
	int round;

	for (round = 0; round < 3; round++) {
		u_printf("  [pid %ld] round %d\n", pid, round);
		if (round == 0) {
			u_printf("  [pid %ld] shared page reads %lx\n", pid,
				 shared[1]);
			shared[1] = 0xc0b0000 + pid; /* copy on write */
			u_printf("  [pid %ld] shared page now %lx\n", pid,
				 shared[1]);
		}
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

/* a store just below the stack's last page: outside every mapping */
static void task_overflow(long idx, const volatile u64 *ticks)
{
	volatile u64 *below = (volatile u64 *)(KL_USTACK_TOP -
					       KL_USTACK_PAGES * 4096) - 1;

	u_printf("  [pid %ld] storing below the stack\n", u_getpid());
	*below = 1;
	u_exit(3);
}

const kl_task_fn kl_user_tasks[KL_TASKS_PER_HART] = {
	task_hello,
	task_rounds,
	task_fault,
	task_overflow,
	u_task_fp_math,
	u_task_fp_edge,
};

/*
 * What the tasks above must leave: exit codes and kill causes.  The kernel
 * side (main.c) checks them; -1 exit with cause 2 is the illegal
 * instruction kill, with cause 15 the store page fault.
 */
const long kl_user_expected_exit[KL_TASKS_PER_HART] = { 0, 41, -1, -1, 54, 55 };
const u64 kl_user_expected_killed[KL_TASKS_PER_HART] = { 0, 0, 2 + 1, 15 + 1,
							      0, 0 };
