/* SPDX-License-Identifier: MIT */
/*
 * bench-producer: what one trace_NAME() call costs the emitting thread.
 *
 * Each thread writes into its own 64 MiB ring in this process's memory,
 * formatted as the consumer formats it; between repetitions the tail is
 * moved up to the head, as a consumer that keeps up would.  So the figure
 * is the producer's own cost (fast path plus its share of the per-packet
 * slow path), not the disk's.  Printed as "BENCH name value unit" lines:
 *   floor         rdtsc + one 64-byte store to the same kind of buffer
 *   enabled_1t    stress_event on, 1 thread
 *   enabled_2t    stress_event on, 2 threads at once (per event, per thread)
 *   vcpu_enabled  stress_vcpu_event on: the vCPU's own mask and ring
 *   vcpu_disabled stress_vcpu_event off on this vCPU
 *   disabled      stress_off, with nothing enabled (global count 0)
 *   disabled_busy stress_off, while another event is enabled
 *   compiled_out  stress_compiled_out (`disable` in trace-events)
 * Each is the median of REPS repetitions.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "trace.h"
#include "trace/control.h"

#define RING_BYTES (64u << 20)
#define EVENTS (RING_BYTES / RING_SLOT_SIZE * 7 / 8)
#define REPS 9

struct bench_ring {
	void *map;
	struct ring_writer w;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void ring_setup(struct bench_ring *r)
{
	struct ring_ctl *ctl;

	r->map = aligned_alloc(RING_PACKET_SIZE, RING_CTL_SIZE + RING_BYTES);
	memset(r->map, 0, RING_CTL_SIZE + RING_BYTES);	/* fault it in */
	ctl = r->map;
	ctl->magic = RING_MAGIC;
	ctl->version = RING_ABI_VERSION;
	ctl->slot_size = RING_SLOT_SIZE;
	ctl->packet_size = RING_PACKET_SIZE;
	ctl->data_offset = RING_CTL_SIZE;
	ctl->data_size = RING_BYTES;
	if (ring_writer_init(&r->w, r->map, RING_CTL_SIZE + RING_BYTES,
			     RING_POLICY_DISCARD, 0, NULL)) {
		fprintf(stderr, "bench-producer: ring setup failed\n");
		exit(1);
	}
}

/* The consumer "took" everything: free the whole ring again. */
static void ring_consume_all(struct bench_ring *r)
{
	uint64_t head = __atomic_load_n(&r->w.ctl->head, __ATOMIC_ACQUIRE);

	head = (head + RING_SLOTS_PER_PACKET - 1) & ~(uint64_t)(RING_SLOTS_PER_PACKET - 1);
	__atomic_store_n(&r->w.ctl->tail, head, __ATOMIC_RELEASE);
}

enum loop { LOOP_FLOOR, LOOP_ENABLED, LOOP_VCPU, LOOP_OFF, LOOP_VCPU_OFF, LOOP_COMPILED_OUT };

struct worker {
	pthread_t thread;
	struct bench_ring ring;
	struct ring_writer *home;
	struct trace_vcpu tv;
	enum loop loop;
	unsigned index;
	double ns;
	pthread_barrier_t *barrier;
};

static double run_loop(struct worker *wk)
{
	uint32_t me = wk->index;
	struct ring_record *slots = wk->ring.w.slots;
	uint64_t mask = wk->ring.w.slot_mask;
	double t0, t1;

	ring_consume_all(&wk->ring);
	t0 = now_ns();
	switch (wk->loop) {
	case LOOP_FLOOR:
		for (uint64_t i = 0; i < EVENTS; i++) {
			struct ring_record *r = &slots[i & mask];

			r->id = 1;
			r->nslots = 1;
			r->timestamp = __rdtsc();
			memset(r->args, 0, 8);
			memcpy(r->args + 8, &i, 8);
			__asm__ volatile("" ::: "memory");
		}
		break;
	case LOOP_ENABLED:
		for (uint64_t i = 0; i < EVENTS; i++)
			trace_stress_event(me, i);
		break;
	case LOOP_VCPU:
		for (uint64_t i = 0; i < EVENTS; i++)
			trace_stress_vcpu_event(&wk->tv, me, i);
		break;
	case LOOP_VCPU_OFF:
		for (uint64_t i = 0; i < EVENTS; i++) {
			trace_stress_vcpu_event(&wk->tv, me, i);
			__asm__ volatile("" ::: "memory");
		}
		break;
	case LOOP_OFF:
		for (uint64_t i = 0; i < EVENTS; i++) {
			trace_stress_off(me, i);
			__asm__ volatile("" ::: "memory");
		}
		break;
	case LOOP_COMPILED_OUT:
		for (uint64_t i = 0; i < EVENTS; i++) {
			trace_stress_compiled_out(me, i);
			__asm__ volatile("" ::: "memory");
		}
		break;
	}
	t1 = now_ns();
	return (t1 - t0) / EVENTS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	double ns[REPS];

	wk->home = &wk->ring.w;
	ring_thread_set_home(&wk->home);
	for (int rep = 0; rep < REPS; rep++) {
		pthread_barrier_wait(wk->barrier);
		ns[rep] = run_loop(wk);
	}
	qsort(ns, REPS, sizeof(ns[0]), cmp_double);
	wk->ns = ns[REPS / 2];
	return NULL;
}

static double measure(struct worker *w, unsigned nthreads, enum loop loop)
{
	pthread_barrier_t barrier;
	double sum = 0;

	pthread_barrier_init(&barrier, NULL, nthreads);
	for (unsigned i = 0; i < nthreads; i++) {
		w[i].loop = loop;
		w[i].index = i;
		w[i].barrier = &barrier;
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	for (unsigned i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		sum += w[i].ns;
	}
	pthread_barrier_destroy(&barrier);
	return sum / nthreads;
}

int main(void)
{
	static struct worker w[2];
	double floor, en1, en2, vc1, vc2, off, off_busy, vc_off, out;

	for (unsigned i = 0; i < 2; i++) {
		ring_setup(&w[i].ring);
		w[i].tv.ring = &w[i].ring.w;
		trace_vcpu_register(&w[i].tv, i);
	}
	floor = measure(w, 1, LOOP_FLOOR);
	trace_event_set("stress_event", true, TRACE_ALL_VCPUS);
	en1 = measure(w, 1, LOOP_ENABLED);
	en2 = measure(w, 2, LOOP_ENABLED);
	vc_off = measure(w, 1, LOOP_VCPU_OFF);
	trace_event_set("stress_vcpu_event", true, TRACE_ALL_VCPUS);
	vc1 = measure(w, 1, LOOP_VCPU);
	vc2 = measure(w, 2, LOOP_VCPU);
	off_busy = measure(w, 1, LOOP_OFF);
	trace_control_reset();
	off = measure(w, 1, LOOP_OFF);
	out = measure(w, 1, LOOP_COMPILED_OUT);
	printf("BENCH producer_floor_ns %.2f ns/event\n", floor);
	printf("BENCH producer_enabled_1t_ns %.2f ns/event\n", en1);
	printf("BENCH producer_enabled_2t_ns %.2f ns/event\n", en2);
	printf("BENCH producer_enabled_vs_floor %.2f ratio\n", en1 / floor);
	printf("BENCH producer_vcpu_enabled_1t_ns %.2f ns/event\n", vc1);
	printf("BENCH producer_vcpu_enabled_2t_ns %.2f ns/event\n", vc2);
	printf("BENCH producer_vcpu_enabled_vs_floor %.2f ratio\n", vc1 / floor);
	printf("BENCH producer_disabled_ns %.3f ns/event\n", off);
	printf("BENCH producer_vcpu_disabled_ns %.3f ns/event\n", vc_off);
	printf("BENCH producer_disabled_busy_ns %.3f ns/event\n", off_busy);
	printf("BENCH producer_compiled_out_ns %.3f ns/event\n", out);
	return 0;
}
