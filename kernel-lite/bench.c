// SPDX-License-Identifier: MIT
/*
 * kernel-lite-bench: fixed workloads of known instruction count, timed with
 * mtime, reported as guest MIPS.  Every hart the device tree names runs
 * them at the same time (barrier between workloads); hart 0 prints all the
 * results after the last one.  The counts come from the loop bodies in
 * bench-loops.S, not from minstret (QEMU's is not exact under TCG).
 *
 * Output (timing lines differ run to run; the rest does not):
 *   bench alu: insns=N ticks=T mips=M.M            (hart 0)
 *   bench alu: insns=N ticks=T mips=M.M hart=1     (other harts)
 */
#include "kl.h"

#define ALU_ITERS 10000000ULL
#define LDST_ITERS 5000000ULL
#define FIB_N 30
#define FP_ITERS 5000000ULL

u64 kl_bench_alu(u64 iters);
u64 kl_bench_ldst(u64 iters, u64 *buf);
u64 kl_bench_fib(u64 n);
u64 kl_bench_fp(u64 iters);

enum { W_ALU, W_LDST, W_CALL, W_FP, W_LDST_SV39, W_COUNT };

/* alu: dependent integer ops; ldst: 4 loads and 3 stores per 10
 * instructions; call: recursive fib, a call/return every ~10 instructions;
 * fp: 6 dependent double-precision ops and a conversion per 10;
 * ldst_sv39: the ldst loop with its loads and stores through Sv39 */
static const char *const names[W_COUNT] = { "alu", "ldst", "call", "fp",
					     "ldst_sv39" };

struct bench_result {
	u64 insns, ticks, value;
};

static struct bench_result results[KL_MAX_HARTS][W_COUNT];
static u64 ldst_buf[KL_MAX_HARTS][8] __attribute__((aligned(64)));

/*
 * Sv39 for loads and stores: identity 1 GiB pages over devices and RAM,
 * used by M mode with MPRV = 1 and MPP = S (fetches stay physical).  Every
 * hart writes the same two PTEs.
 */
#define SV39_RWXAD 0xcfUL
#define MSTATUS_MPRV (1UL << 17)
static u64 sv39_root[512] __attribute__((aligned(4096)));

static void sv39_data(int on)
{
	if (on) {
		sv39_root[0] = SV39_RWXAD;
		sv39_root[2] = (0x80000000UL >> 2) | SV39_RWXAD;
		csr_write(satp, (8UL << 60) | ((unsigned long)sv39_root >> 12));
		__asm__ volatile("sfence.vma" ::: "memory");
		csr_clear(mstatus, MSTATUS_MPP);
		csr_set(mstatus, MSTATUS_MPRV | (1UL << 11));
	} else {
		csr_clear(mstatus, MSTATUS_MPRV | MSTATUS_MPP);
		csr_write(satp, 0);
		__asm__ volatile("sfence.vma" ::: "memory");
	}
}

static u64 fib_calls_leaf(u64 n)
{
	u64 a = 0, b = 1, i;

	/* F(n + 1) */
	for (i = 0; i < n + 1; i++) {
		u64 t = a + b;

		a = b;
		b = t;
	}
	return a;
}

static u64 fib_insns(u64 n)
{
	u64 leaves = fib_calls_leaf(n);

	return 3 * leaves + 18 * (leaves - 1);
}

static void run(u32 hartid, int w)
{
	struct bench_result *r = &results[hartid][w];
	u64 t0, t1;

	t0 = kl_mtime();
	switch (w) {
	case W_ALU:
		r->value = kl_bench_alu(ALU_ITERS);
		r->insns = 3 + 10 * ALU_ITERS + 2;
		break;
	case W_LDST:
	case W_LDST_SV39:
		ldst_buf[hartid][0] = 1;
		ldst_buf[hartid][1] = 2;
		ldst_buf[hartid][2] = 3;
		ldst_buf[hartid][3] = 4;
		if (w == W_LDST_SV39)
			sv39_data(1);
		r->value = kl_bench_ldst(LDST_ITERS, ldst_buf[hartid]);
		if (w == W_LDST_SV39)
			sv39_data(0);
		r->insns = 1 + 10 * LDST_ITERS + 2;
		break;
	case W_CALL:
		r->value = kl_bench_fib(FIB_N);
		r->insns = fib_insns(FIB_N);
		break;
	case W_FP:
		r->value = kl_bench_fp(FP_ITERS);
		r->insns = 10 + 10 * FP_ITERS + 2;
		break;
	}
	t1 = kl_mtime();
	r->ticks = t1 - t0 ? t1 - t0 : 1;
}

void kl_main(unsigned long hartid)
{
	u32 n = kl_machine.nharts, i;
	u64 tb = kl_machine.timebase;
	int w, fail = 0;

	kl_barrier(n);
	for (w = 0; w < W_COUNT; w++) {
		run((u32)hartid, w);
		kl_barrier(n);
	}
	if (hartid != 0)
		kl_park();

	kl_printf("kernel-lite-bench: %u harts, timebase %lu Hz\n", n, tb);
	for (w = 0; w < W_COUNT; w++) {
		kl_for_each_hart(i) {
			const struct bench_result *r = &results[i][w];
			/* MIPS x10 = insns / (ticks / tb) / 1e6 * 10 */
			u64 mips10 = r->insns * tb / r->ticks / 100000;
			char hart[16] = "";

			if (i)
				kl_snprintf(hart, sizeof(hart), " hart=%u", i);
			kl_printf("bench %s: insns=%lu ticks=%lu mips=%lu.%lu%s\n",
				  names[w], r->insns, r->ticks, mips10 / 10,
				  mips10 % 10, hart);
			if (results[i][w].value != results[0][w].value)
				fail = 1;
		}
	}
	if (results[0][W_CALL].value != 832040 ||
	    results[0][W_FP].value != 2 * FP_ITERS)
		fail = 1;
	kl_printf("kernel-lite-bench: %s\n", fail ? "FAILED" : "ok");
	kl_poweroff(fail ? 1 : 0);
}
