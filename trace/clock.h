/* SPDX-License-Identifier: MIT */
/*
 * The trace clock.  With CONFIG_CLOCK_TSC a timestamp is one rdtsc, and
 * trace_clock_calibrate() measures the TSC against CLOCK_MONOTONIC and
 * CLOCK_REALTIME so the CTF metadata can map ticks to wall time.  Otherwise
 * it is CLOCK_MONOTONIC in nanoseconds through the vDSO.
 */
#ifndef VTRACE_TRACE_CLOCK_H
#define VTRACE_TRACE_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "generated/autoconf.h"

#ifdef CONFIG_CLOCK_TSC
#include <x86intrin.h>
#endif

struct trace_clock_info {
	uint64_t freq;		/* ticks per second */
	int64_t offset_s;	/* CTF clock offset_s */
	int64_t offset;		/* CTF clock offset, in ticks */
	const char *description;
};

static inline uint64_t trace_clock_now(void)
{
#ifdef CONFIG_CLOCK_TSC
	return __rdtsc();
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

/* Fill @info; measures for about 20 ms the first time, then is cached. */
void trace_clock_calibrate(struct trace_clock_info *info);

/* Ticks to nanoseconds with the calibrated frequency. */
uint64_t trace_clock_ticks_to_ns(uint64_t ticks);

#endif /* VTRACE_TRACE_CLOCK_H */
