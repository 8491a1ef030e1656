/* SPDX-License-Identifier: MIT */
/*
 * lttng-bench [EVENTS]: the peer of bench-producer's enabled_1t figure, the
 * same loop through an LTTng-UST tracepoint.  bench/run.sh runs it inside
 * a recording session (lttng create / enable-event / start).
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "bench/lttng/lttng-tp.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 5000000;
	double ns[9], t0;

	/* The median of nine, as bench-producer reports its own figures. */
	for (int rep = 0; rep < 9; rep++) {
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			lttng_ust_tracepoint(vtrace_bench, event, 0, i);
		ns[rep] = (now_ns() - t0) / n;
	}
	qsort(ns, 9, sizeof(ns[0]), cmp_double);
	printf("BENCH lttng_ust_enabled_1t_ns %.2f ns/event\n", ns[4]);
	return 0;
}
