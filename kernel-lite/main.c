// SPDX-License-Identifier: MIT
/*
 * kernel-lite's main: what every hart runs, then hart 0's report.
 *
 *   barrier            every hart is up and has cleared its boot IPI
 *   timer on           ticks every KL_TICK_US, counted, never printed
 *   compute, smc, shared counters, IPI ring   (M-mode)
 *   barrier            all IPIs delivered
 *   U-mode tasks       3 per hart, cooperative, syscalls via ecall
 *   wait for ticks     at least KL_MIN_TICKS timer interrupts taken
 *   barrier            results are in memory
 *   hart 0 prints, in hart order, and powers off with 0 or a failure code
 */
#include "kl.h"

#define KL_TICK_US 500
#define KL_MIN_TICKS 4
#define KL_IPI_ROUNDS 8

enum {
	FAIL_COMPUTE = 1 << 0,
	FAIL_SMC = 1 << 1,
	FAIL_IPI = 1 << 2,
	FAIL_TIMER = 1 << 3,
	FAIL_TASKS = 1 << 4,
	FAIL_COUNTER = 1 << 5,
	FAIL_FDT = 1 << 6,
};

extern const kl_task_fn kl_user_tasks[KL_TASKS_PER_HART];
extern const long kl_user_expected_exit[KL_TASKS_PER_HART];
extern const u64 kl_user_expected_killed[KL_TASKS_PER_HART];

/* Send KL_IPI_ROUNDS IPIs to the next hart in the ring, one at a time. */
static void ipi_ring(struct kl_hart *h)
{
	u32 to = kl_next_hart((u32)h->hartid);
	struct kl_hart *peer = &kl_harts[to];
	u32 i;

	for (i = 0; i < KL_IPI_ROUNDS; i++) {
		u32 seen = READ_ONCE(peer->ipi_rx);

		kl_send_ipi(to);
		/* pairs with the fence between clearing msip and bumping
		 * ipi_rx in kl_trap() */
		while (READ_ONCE(peer->ipi_rx) == seen)
			;
		kl_fence();
		h->res.ipi_sent++;
	}
}

static u32 check_tasks(struct kl_hart *h)
{
	u32 fail = 0;
	int i;

	for (i = 0; i < KL_TASKS_PER_HART; i++) {
		struct kl_task *t = &h->tasks[i];

		if (t->state != KL_TASK_DONE ||
		    t->exit_code != kl_user_expected_exit[i] ||
		    t->killed_cause != kl_user_expected_killed[i])
			fail |= 1u << i;
		/* the shared page: task 1 stores first (a copy), task 0
		 * then owns the original */
		if (t->cow_copies != (i == 1) || t->cow_reuses != (i == 0) ||
		    !t->stack_faults)
			fail |= 1u << i;
	}
	if (h->log_overflow)
		fail |= 1u << 7;
	return fail;
}

/* LABEL then one u32 counter of every task, comma separated */
static void print_counts(const char *label, const struct kl_task *t,
			 unsigned long field)
{
	int i;

	kl_printf("%s", label);
	for (i = 0; i < KL_TASKS_PER_HART; i++)
		kl_printf("%s%u", i ? "," : "",
			  *(const u32 *)((const char *)&t[i] + field));
}

#define COUNTS(label, t, member) \
	print_counts(label, t, offsetof(struct kl_task, member))

/* exit codes, page fault and FP switch counts, one column per task */
static void report_tasks(u32 hartid, const struct kl_hart *h)
{
	const struct kl_task *t = h->tasks;
	int i;

	kl_printf("hart %u: tasks exit=", hartid);
	for (i = 0; i < KL_TASKS_PER_HART; i++)
		kl_printf("%s%ld", i ? "," : "", t[i].exit_code);
	kl_printf(" %s\n", h->res.task_fail ? "FAILED" : "ok");
	kl_printf("hart %u: vm", hartid);
	COUNTS(" stack-faults=", t, stack_faults);
	COUNTS(" cow-copies=", t, cow_copies);
	COUNTS(" cow-reuses=", t, cow_reuses);
	kl_printf("\nhart %u: fp", hartid);
	COUNTS(" first-use=", t, fp_first_use);
	COUNTS(" saves=", t, fp_saves);
	COUNTS(" restores=", t, fp_restores);
	kl_printf("\n");
}

static u32 report(void)
{
	const struct kl_machine *m = &kl_machine;
	u32 n = m->nharts, i, fail = 0;
	u64 c64 = kl_counter64(), c32 = kl_counter32(),
	    locked = kl_counter_locked();
	u64 want64 = (u64)n * KL_COUNTER64_PER_HART,
	    want32 = (u64)n * KL_COUNTER32_PER_HART,
	    want_locked = (u64)n * KL_COUNTER_ITERS;

	if (!m->fdt_ok)
		fail |= FAIL_FDT;
	kl_for_each_hart(i) {
		const struct kl_hart *h = &kl_harts[i];
		const struct kl_results *r = &h->res;

		kl_printf("hart %u: compute sort=%016lx hash=%016lx\n", i,
			  r->sort_sum, r->hash);
		kl_printf("hart %u: compute matrix=%016lx string=%016lx\n", i,
			  r->matrix, r->string);
		kl_printf("hart %u: compute control=%016lx %s\n", i,
			  r->control, r->compute_fail ? "FAILED" : "ok");
		kl_printf("hart %u: smc rewrites=%u cross-hart=%u checksum=%016lx %s\n",
			  i, SMC_ROUNDS, SMC_CROSS_ROUNDS, r->smc,
			  r->smc_fail ? "FAILED" : "ok");
		kl_printf("hart %u: atomics %s\n", i,
			  r->atomic_fail ? "FAILED" : "ok");
		kl_printf("hart %u: ipi sent=%u received=%u %s\n", i,
			  r->ipi_sent, h->ipi_rx,
			  r->ipi_sent == KL_IPI_ROUNDS &&
					  h->ipi_rx == KL_IPI_ROUNDS ?
				  "ok" :
				  "FAILED");
		kl_printf("hart %u: timer: %s\n", i,
			  r->timer_ok ? "ok" : "FAILED");
		kl_printf("hart %u: tasks:\n", i);
		kl_write(h->log, h->log_len);
		report_tasks(i, h);
		if (r->compute_fail)
			fail |= FAIL_COMPUTE;
		if (r->smc_fail)
			fail |= FAIL_SMC;
		if (r->atomic_fail)
			fail |= FAIL_COUNTER;
		if (r->ipi_sent != KL_IPI_ROUNDS || h->ipi_rx != KL_IPI_ROUNDS)
			fail |= FAIL_IPI;
		if (!r->timer_ok)
			fail |= FAIL_TIMER;
		if (r->task_fail)
			fail |= FAIL_TASKS;
	}
	if (c64 != want64 || c32 != want32 || locked != want_locked)
		fail |= FAIL_COUNTER;
	kl_printf("shared counter: %lu (amoadd.d + lr/sc.d, %u harts x %u) %s\n",
		  c64, n, KL_COUNTER64_PER_HART, c64 == want64 ? "ok" : "FAILED");
	kl_printf("shared counter32: %lu (amoadd.w + lr/sc.w) %s\n", c32,
		  c32 == want32 ? "ok" : "FAILED");
	kl_printf("shared counter locked: %lu (amoswap lock) %s\n", locked,
		  locked == want_locked ? "ok" : "FAILED");
	return fail;
}

void kl_main(unsigned long hartid)
{
	struct kl_hart *h = kl_this_hart();
	const struct kl_machine *m = &kl_machine;
	u32 n = m->nharts;
	u64 deadline;
	u32 fail;

	if (hartid == 0) {
		kl_printf("kernel-lite: %u harts (%s: %u cpus, timebase %lu Hz)\n",
			  n, m->fdt_ok ? "device tree" : "NO device tree",
			  m->ncpus, m->timebase);
	}
	kl_barrier(n);

	csr_set(mie, MIE_MSIE);
	kl_timer_start(h, m->timebase * KL_TICK_US / 1000000 ?: 1);
	csr_set(mstatus, MSTATUS_MIE);

	kl_compute((u32)hartid, &h->res);
	kl_smc((u32)hartid, &h->res);
	kl_smc_cross((u32)hartid, n, &h->res);
	h->res.atomic_fail = kl_atomic_selftest((u32)hartid);
	kl_counter_work((u32)hartid);
	ipi_ring(h);
	kl_barrier(n);

	kl_run_tasks(h, kl_user_tasks, KL_TASKS_PER_HART);
	h->res.task_fail = check_tasks(h);

	/* a second is plenty; wfi returns on our next tick */
	deadline = kl_mtime() + m->timebase;
	while (h->ticks < KL_MIN_TICKS && kl_mtime() < deadline)
		kl_wfi();
	kl_timer_stop(h);
	h->res.timer_ok = h->ticks >= KL_MIN_TICKS;
	h->res.done = 1;
	kl_barrier(n);

	if (hartid != 0)
		kl_park();
	csr_clear(mstatus, MSTATUS_MIE);
	fail = report();
	if (fail) {
		kl_printf("kernel-lite: FAILED (code %u)\n", fail);
		kl_poweroff((int)fail);
	}
	kl_printf("kernel-lite: all checks passed\n");
	kl_poweroff(0);
}
