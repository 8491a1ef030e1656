/* SPDX-License-Identifier: MIT */
/*
 * Trace clock calibration.  The CTF clock maps a tick t to wall time
 * offset_s + (offset + t) / freq.  With the TSC we measure its frequency
 * against CLOCK_MONOTONIC over about 20 ms, and anchor it to CLOCK_REALTIME
 * at one instant; with CLOCK_MONOTONIC the frequency is 1 GHz and only the
 * anchor is needed.
 */
#include <pthread.h>

#include "trace/clock.h"

static struct trace_clock_info calibrated;
static pthread_once_t calibrate_once = PTHREAD_ONCE_INIT;

static uint64_t ns_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void anchor(uint64_t freq, uint64_t ticks, uint64_t real_ns)
{
	/* wall(ticks) = real_ns, so offset_s + offset/freq = real - ticks/freq */
	unsigned __int128 ticks_ns = (unsigned __int128)ticks * 1000000000u / freq;
	uint64_t zero_ns = real_ns - (uint64_t)ticks_ns;

	calibrated.freq = freq;
	calibrated.offset_s = (int64_t)(zero_ns / 1000000000u);
	calibrated.offset = (int64_t)((unsigned __int128)(zero_ns % 1000000000u) *
				      freq / 1000000000u);
}

static void calibrate(void)
{
#ifdef CONFIG_CLOCK_TSC
	uint64_t m0 = ns_of(CLOCK_MONOTONIC), t0 = trace_clock_now(), m1, t1;
	uint64_t real, tnow;
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	nanosleep(&pause, NULL);
	m1 = ns_of(CLOCK_MONOTONIC);
	t1 = trace_clock_now();
	real = ns_of(CLOCK_REALTIME);
	tnow = trace_clock_now();
	anchor((uint64_t)((unsigned __int128)(t1 - t0) * 1000000000u / (m1 - m0)),
	       tnow, real);
	calibrated.description = "TSC calibrated against CLOCK_MONOTONIC";
#else
	uint64_t real = ns_of(CLOCK_REALTIME), mono = trace_clock_now();

	anchor(1000000000u, mono, real);
	calibrated.description = "CLOCK_MONOTONIC";
#endif
}

void trace_clock_calibrate(struct trace_clock_info *info)
{
	pthread_once(&calibrate_once, calibrate);
	*info = calibrated;
}

uint64_t trace_clock_ticks_to_ns(uint64_t ticks)
{
	pthread_once(&calibrate_once, calibrate);
	return (uint64_t)((unsigned __int128)ticks * 1000000000u / calibrated.freq);
}
