// SPDX-License-Identifier: MIT
/*
 * Cross-hart synchronisation: a barrier, and the shared counters every hart
 * hammers at the same time.  The counters' final values are exact by
 * construction (each hart adds a fixed amount), whatever the interleaving,
 * so hart 0 can print them.
 *
 *   counter64: amoadd.d (+1) and an lr.d/sc.d loop (+3), KL_COUNTER_ITERS
 *              times each per hart
 *   counter32: amoadd.w (+2) and an lr.w/sc.w loop (+5)
 *   locked:    a plain load/add/store under an amoswap.w spinlock (+1)
 */
#include "kl.h"

static volatile u64 counter64;
static volatile u32 counter32;
static volatile u32 lock_word;
static volatile u64 locked_counter;

static volatile u32 bar_count;
static volatile u32 bar_gen;

static inline void amoadd_d(volatile u64 *p, u64 v)
{
	__asm__ volatile("amoadd.d zero, %1, %0" : "+A"(*p) : "r"(v) : "memory");
}

static inline void amoadd_w(volatile u32 *p, u32 v)
{
	__asm__ volatile("amoadd.w.aqrl zero, %1, %0"
			 : "+A"(*p)
			 : "r"(v)
			 : "memory");
}

static inline void lrsc_add_d(volatile u64 *p, u64 v)
{
	u64 tmp, fail;

	__asm__ volatile("1:	lr.d	%0, %2\n"
			 "	add	%0, %0, %3\n"
			 "	sc.d	%1, %0, %2\n"
			 "	bnez	%1, 1b\n"
			 : "=&r"(tmp), "=&r"(fail), "+A"(*p)
			 : "r"(v)
			 : "memory");
}

static inline void lrsc_add_w(volatile u32 *p, u32 v)
{
	u32 tmp, fail;

	__asm__ volatile("1:	lr.w.aq	%0, %2\n"
			 "	addw	%0, %0, %3\n"
			 "	sc.w.rl	%1, %0, %2\n"
			 "	bnez	%1, 1b\n"
			 : "=&r"(tmp), "=&r"(fail), "+A"(*p)
			 : "r"(v)
			 : "memory");
}

static void spin_lock(volatile u32 *l)
{
	u32 old;

	for (;;) {
		__asm__ volatile("amoswap.w.aq %0, %2, %1"
				 : "=r"(old), "+A"(*l)
				 : "r"(1)
				 : "memory");
		if (!old)
			return;
		while (*l)
			;
	}
}

static void spin_unlock(volatile u32 *l)
{
	__asm__ volatile("amoswap.w.rl zero, zero, %0" : "+A"(*l)::"memory");
}

void kl_counter_work(u32 hartid)
{
	u32 i;

	for (i = 0; i < KL_COUNTER_ITERS; i++) {
		amoadd_d(&counter64, 1);
		lrsc_add_w(&counter32, 5);
		lrsc_add_d(&counter64, 3);
		amoadd_w(&counter32, 2);
		spin_lock(&lock_word);
		locked_counter = locked_counter + 1;
		spin_unlock(&lock_word);
	}
}

u64 kl_counter64(void)
{
	return counter64;
}

u32 kl_counter32(void)
{
	return counter32;
}

u64 kl_counter_locked(void)
{
	return locked_counter;
}

/*
 * Sense-reversing barrier for @n harts.  The generation is read before
 * arriving, so the last arriver's bump is always seen; the count is reset
 * before that bump, so a hart racing into the next barrier starts from 0.
 */
void kl_barrier(u32 n)
{
	u32 gen = READ_ONCE(bar_gen);

	kl_fence(); /* read gen before arriving */
	if (__atomic_fetch_add(&bar_count, 1, __ATOMIC_ACQ_REL) == n - 1) {
		WRITE_ONCE(bar_count, 0);
		kl_fence(); /* pairs with the fence after the waiters' loop */
		WRITE_ONCE(bar_gen, gen + 1);
	} else {
		while (READ_ONCE(bar_gen) == gen)
			;
	}
	kl_fence(); /* everything before the barrier is visible after it */
}
