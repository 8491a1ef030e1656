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

/*
 * AMO and LR/SC semantics on a hart-private line, exact by the ISA:
 * 32-bit AMOs compare signed or unsigned as named but always return the old
 * value sign-extended, touch only their word, and an SC after an SC (which
 * consumed the reservation) must fail.  Returns a bit mask of failures.
 */
#define AMO(op, rd, p, v) \
	__asm__ volatile(op " %0, %2, %1" : "=r"(rd), "+A"(*(p)) : "r"(v) : "memory")

static u64 amo_line[KL_MAX_HARTS][8] __attribute__((aligned(64)));

u32 kl_atomic_selftest(u32 hartid)
{
	u64 *d = &amo_line[hartid][0];
	u32 *w = (u32 *)&amo_line[hartid][2]; /* w[0], w[1] share a dword */
	u32 fail = 0;
	s64 old;
	u64 sc1, sc2, tmp;

	w[0] = 0x80000000u;
	w[1] = 0x5a5a5a5au;
	AMO("amomin.w", old, &w[0], 1L);
	fail |= (old != (s64)(s32)0x80000000u || w[0] != 0x80000000u) << 0;
	AMO("amomax.w", old, &w[0], 1L);
	fail |= (old != (s64)(s32)0x80000000u || w[0] != 1) << 1;
	w[0] = 0x80000000u;
	AMO("amominu.w", old, &w[0], 1L);
	fail |= (old != (s64)(s32)0x80000000u || w[0] != 1) << 2;
	AMO("amomaxu.w", old, &w[0], 0xffffffffL);
	fail |= (old != 1 || w[0] != 0xffffffffu) << 3;
	AMO("amoadd.w", old, &w[0], 2L);
	fail |= (old != -1 || w[0] != 1 || w[1] != 0x5a5a5a5au) << 4;
	AMO("amoxor.w", old, &w[1], 0xffffffffL);
	fail |= (old != 0x5a5a5a5a || w[1] != 0xa5a5a5a5u || w[0] != 1) << 5;
	__asm__ volatile("lr.w %0, %1" : "=r"(old) : "A"(w[1]) : "memory");
	fail |= (old != (s64)(s32)0xa5a5a5a5u) << 6;

	*d = (u64)-5;
	AMO("amomax.d", old, d, 3L);
	fail |= (old != -5 || *d != 3) << 7;
	AMO("amominu.d", old, d, -1L);
	fail |= (old != 3 || *d != 3) << 8;
	AMO("amoor.d", old, d, 0xf0L);
	AMO("amoand.d", old, d, 0x3cL);
	fail |= (old != 0xf3 || *d != 0x30) << 9;
	AMO("amoswap.d", old, d, -7L);
	fail |= (old != 0x30 || *d != (u64)-7) << 10;

	/* lr/sc until it succeeds, then a second sc must fail */
	do {
		__asm__ volatile("lr.d %0, %3\n"
				 "addi %0, %0, 1\n"
				 "sc.d %1, %0, %2\n"
				 : "=&r"(tmp), "=&r"(sc1), "=A"(*d)
				 : "A"(*d)
				 : "memory");
	} while (sc1);
	__asm__ volatile("sc.d %0, %2, %1" : "=&r"(sc2), "+A"(*d) : "r"(99L)
			 : "memory");
	fail |= (sc2 == 0 || *d != (u64)-6) << 11;
	return fail;
}
