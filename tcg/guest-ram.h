/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM as the host reads and writes it.
 *
 * Harts run on host threads that share guest RAM, and a guest may race
 * on it (plain loads and stores to one word from two harts are legal
 * under RVWMO).  Done with plain C accesses, such a race is a host data
 * race, undefined behaviour.  So every access to guest RAM by guest code
 * (loads, stores, instruction fetch) is a relaxed atomic of its size: an
 * aligned one compiles to the same single x86 move as a plain access.  A
 * misaligned one (RISC-V allows them, and C cannot make them atomic) goes
 * byte by byte, each byte a relaxed atomic; it was never single-copy
 * atomic for the guest either.  LR, SC, AMOs and the walker's PTE
 * accesses are stronger atomics of their own (tcg/cpu.c, tcg/mmu.c).
 *
 * @size is 1, 2, 4 or 8 (a constant where it matters: the switch folds
 * away), or any size up to 8 for tcg_ram_load_n()/tcg_ram_store_n().
 * Values are in host (little-endian) order, zero-extended.
 */
#ifndef VTRACE_TCG_GUEST_RAM_H
#define VTRACE_TCG_GUEST_RAM_H

#include <stdint.h>

static inline uint64_t tcg_ram_load_bytes(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)__atomic_load_n(p + i, __ATOMIC_RELAXED)
		     << (8 * i);
	return v;
}

static inline void tcg_ram_store_bytes(uint8_t *p, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		__atomic_store_n(p + i, (uint8_t)(v >> (8 * i)),
				 __ATOMIC_RELAXED);
}

static inline uint64_t tcg_ram_load(const uint8_t *p, unsigned size)
{
	if (__builtin_expect(((uintptr_t)p & (size - 1)) != 0, 0))
		return tcg_ram_load_bytes(p, size);
	switch (size) {
	case 1:
		return __atomic_load_n(p, __ATOMIC_RELAXED);
	case 2:
		return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
	case 4:
		return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
	default:
		return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
	}
}

static inline void tcg_ram_store(uint8_t *p, unsigned size, uint64_t v)
{
	if (__builtin_expect(((uintptr_t)p & (size - 1)) != 0, 0)) {
		tcg_ram_store_bytes(p, size, v);
		return;
	}
	switch (size) {
	case 1:
		__atomic_store_n(p, (uint8_t)v, __ATOMIC_RELAXED);
		break;
	case 2:
		__atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED);
		break;
	case 4:
		__atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED);
		break;
	default:
		__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED);
		break;
	}
}

/* Any size from 1 to 8 (the parts of an access split across pages). */
static inline uint64_t tcg_ram_load_n(const uint8_t *p, unsigned size)
{
	if (size == 1 || size == 2 || size == 4 || size == 8)
		return tcg_ram_load(p, size);
	return tcg_ram_load_bytes(p, size);
}

static inline void tcg_ram_store_n(uint8_t *p, unsigned size, uint64_t v)
{
	if (size == 1 || size == 2 || size == 4 || size == 8)
		tcg_ram_store(p, size, v);
	else
		tcg_ram_store_bytes(p, size, v);
}

/*
 * A host full fence: a guest FENCE, and the translator's handshake with
 * racing stores (tcg/tb.c).  TSan does not model standalone fences and
 * warns about each one (-Wtsan).  Every access these fences order is an
 * atomic (guest RAM above, the store_slow page marks), which TSan never
 * reports as a race, so none of its checks depends on seeing the fence:
 * the warning is silenced here, for this fence only.
 */
static inline void tcg_full_fence(void)
{
#if defined(__SANITIZE_THREAD__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#if defined(__SANITIZE_THREAD__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
}

#endif /* VTRACE_TCG_GUEST_RAM_H */
