/* SPDX-License-Identifier: MIT */
/*
 * kernel-lite: a tiny M-mode RISC-V kernel that runs on qemu-system-riscv64
 * -machine virt -bios none and on vtrace-emu, and prints the same bytes on
 * both.  This header is shared by C and assembly; everything assembly needs
 * (frame layout, per-hart offsets, board addresses) is a plain #define,
 * and the C side checks the offsets with _Static_assert.
 *
 * Determinism contract: only hart 0 writes to the UART, and only after the
 * final barrier, and only values that do not depend on timing or on how the
 * harts interleaved (the exact result of a race-free computation, or of a
 * race whose final value is fixed, like the shared counter).
 */
#ifndef KL_H
#define KL_H

#ifndef KL_MAX_HARTS
#define KL_MAX_HARTS 8
#endif
#if KL_MAX_HARTS < 1 || KL_MAX_HARTS > 64
#error "KL_MAX_HARTS must be 1..64 (harts are a u64 mask)"
#endif

/* virt board (QEMU hw/riscv/virt.c) */
#define KL_UART_BASE 0x10000000UL
#define KL_UART_LSR 5
#define KL_UART_LSR_THRE 0x20
#define KL_CLINT_MSIP 0x2000000UL /* + 4 * hart */
#define KL_CLINT_MTIMECMP 0x2004000UL /* + 8 * hart */
#define KL_CLINT_MTIME 0x200bff8UL
#define KL_FINISHER 0x100000UL
#define KL_FINISHER_PASS 0x5555
#define KL_FINISHER_FAIL 0x3333

/* sizes */
#define KL_KSTACK_SIZE 8192 /* per-hart kernel stack (boot, main) */
#define KL_TSTACK_SIZE 4096 /* per-hart stack for traps taken from U-mode */

/*
 * Trap frame: x0..x31 at 8 * n (the x0 slot is unused), then mepc and
 * mstatus.  272 bytes keeps sp 16-byte aligned.
 */
#define KL_FRAME_MEPC (32 * 8)
#define KL_FRAME_MSTATUS (33 * 8)
#define KL_FRAME_SIZE (34 * 8)

/*
 * struct kl_hart, the fields assembly touches.  While a hart runs in
 * U-mode mscratch holds its struct kl_hart pointer; in M-mode mscratch is
 * 0 and tp holds that pointer.
 */
#define KL_HART_TSTACK 0 /* top of the trap stack for traps from U */
#define KL_HART_SCRATCH 8 /* one spill slot for the trap entry */
#define KL_HART_KCTX 16 /* ra, sp, s0..s11 saved by kl_enter_user */

/* syscall numbers (a7) */
#define KL_SYS_WRITE 64
#define KL_SYS_YIELD 124
#define KL_SYS_GETPID 172
#define KL_SYS_EXIT 93

#define MSTATUS_MIE (1UL << 3)
#define MSTATUS_MPIE (1UL << 7)
#define MSTATUS_MPP (3UL << 11)
#define MSTATUS_FS (3UL << 13)
#define MSTATUS_FS_OFF (0UL << 13)
#define MSTATUS_FS_INITIAL (1UL << 13)
#define MSTATUS_FS_CLEAN (2UL << 13)
#define MSTATUS_FS_DIRTY (3UL << 13)
#define MIE_MSIE (1UL << 3)
#define MIE_MTIE (1UL << 7)

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NOINLINE __attribute__((noinline))
#define NORETURN __attribute__((noreturn))
#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define csr_read(csr)                                                   \
	({                                                              \
		unsigned long __v;                                      \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory"); \
		__v;                                                    \
	})
#define csr_write(csr, val) \
	__asm__ volatile("csrw " #csr ", %0" ::"rK"(val) : "memory")
#define csr_set(csr, val) \
	__asm__ volatile("csrs " #csr ", %0" ::"rK"(val) : "memory")
#define csr_clear(csr, val) \
	__asm__ volatile("csrc " #csr ", %0" ::"rK"(val) : "memory")

/* Full fence, device I/O included (msip, mtimecmp and the finisher are
 * MMIO, and some orderings below are between MMIO and memory). */
static inline void kl_fence(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

static inline void kl_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline u64 kl_mtime(void)
{
	return *(volatile u64 *)KL_CLINT_MTIME;
}

/* ---- trap frame and tasks (trap.c) */
struct kl_frame {
	u64 x[32];
	u64 mepc;
	u64 mstatus;
};

#define KL_TASKS_PER_HART 6
#define KL_LOG_SIZE 2048

/* task virtual addresses (vm.c has the whole layout) */
#define KL_USTACK_TOP 0x40000000UL
#define KL_USTACK_PAGES 8
#define KL_SHARED_VA 0x3fe00000UL
#define KL_SHARED_TASKS 2 /* tasks 0 and 1 map the shared page */

/* f0..f31 and fcsr, as fpstate.S saves and loads them */
struct kl_fpstate {
	u64 f[32];
	u64 fcsr;
};

enum kl_task_state { KL_TASK_FREE, KL_TASK_RUNNABLE, KL_TASK_DONE };

struct kl_task {
	struct kl_frame frame;
	int state;
	int pid;
	long exit_code;
	u64 killed_cause; /* 0, or mcause + 1 if it was killed */
	u64 syscalls;
	u64 *root; /* Sv39 root table */
	u64 asid;
	u64 satp;
	u32 stack_faults; /* stack pages mapped on first touch */
	u32 cow_copies; /* stores that copied the shared page */
	u32 cow_reuses; /* stores that made the last mapping writable */
	struct kl_fpstate fp; /* valid while frame.mstatus.FS is not Off */
	u32 fp_first_use; /* FP instructions trapped with FS=Off (0 or 1) */
	u32 fp_saves; /* switched out with FS=Dirty */
	u32 fp_restores; /* switched in while another task owned the FPU */
};

/* a hart's Sv39 state (vm.c) */
struct kl_vm {
	u64 *image_l1; /* level-1 table with the image megapage */
	u64 *shared; /* the page tasks 0 and 1 share copy-on-write */
	u32 shared_refs; /* read-only mappings of it left */
	u32 used; /* pages taken from the hart's pool */
	u32 asid_ok; /* satp keeps an ASID per task */
	u32 ready;
};

/* Results a hart leaves for hart 0 to print after the final barrier. */
struct kl_results {
	u64 sort_sum, hash, matrix, string, control;
	u32 compute_fail; /* bit mask of failed self-checks */
	u64 smc;
	u32 smc_fail;
	u32 atomic_fail;
	u32 ipi_sent;
	u32 timer_ok;
	u32 task_fail;
	u32 done;
};

struct kl_hart {
	/* assembly relies on these three offsets (KL_HART_*) */
	u64 trap_stack_top;
	u64 scratch;
	u64 kctx[14];

	u64 hartid;
	volatile u64 ticks;
	volatile u32 ipi_rx;
	volatile u32 timer_on;
	u64 timer_interval;

	struct kl_task tasks[KL_TASKS_PER_HART];
	int ntasks;
	int cur;
	struct kl_vm vm;
	/* the task whose state the FP registers hold, or NULL */
	struct kl_task *fp_owner;

	char log[KL_LOG_SIZE];
	u32 log_len;
	u32 log_overflow;

	struct kl_results res;
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct kl_hart, trap_stack_top) == KL_HART_TSTACK,
	       "asm offset");
_Static_assert(offsetof(struct kl_hart, scratch) == KL_HART_SCRATCH,
	       "asm offset");
_Static_assert(offsetof(struct kl_hart, kctx) == KL_HART_KCTX, "asm offset");
_Static_assert(sizeof(struct kl_frame) == KL_FRAME_SIZE, "asm offset");
_Static_assert(offsetof(struct kl_frame, mepc) == KL_FRAME_MEPC, "asm offset");

extern struct kl_hart kl_harts[KL_MAX_HARTS];

static inline struct kl_hart *kl_this_hart(void)
{
	struct kl_hart *h;
	__asm__("mv %0, tp" : "=r"(h));
	return h;
}

/* ---- start.S */
void kl_trap_vector(void);
/* Enter U-mode at *f; returns once every task of this hart has exited. */
void kl_enter_user(struct kl_frame *f);
extern volatile u64 kl_boot_go;

/* ---- boot.c: the machine as hart 0 found it */
struct kl_machine {
	u32 ncpus; /* cpu@N nodes under /cpus */
	u64 dt_harts; /* bit N: a cpu node has reg = N (N < 64) */
	u64 harts; /* harts that take part: in the tree and < KL_MAX_HARTS */
	u32 nharts; /* popcount(harts) */
	u64 timebase; /* /cpus/timebase-frequency */
	int fdt_ok;
};
extern struct kl_machine kl_machine;
void kl_main(unsigned long hartid); /* main.c or bench.c */
NORETURN void kl_park(void);
/* the next hart after @hartid that takes part, wrapping around */
u32 kl_next_hart(u32 hartid);
#define kl_for_each_hart(i) \
	for ((i) = 0; (i) < KL_MAX_HARTS; (i)++) \
		if (kl_machine.harts & (1ULL << (i)))
NORETURN void kl_poweroff(int code);

/* ---- fdt.c */
int kl_fdt_parse(const void *fdt, struct kl_machine *m);

/* ---- uart.c, format.c */
int kl_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int kl_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kl_putc(char c);
void kl_puts(const char *s);
void kl_write(const char *s, size_t n);
void kl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
NORETURN void kl_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* ---- string.c (freestanding gcc may emit calls to these) */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* ---- sync.c: barrier and the shared counter */
void kl_barrier(u32 n);
void kl_counter_work(u32 hartid);
u64 kl_counter64(void);
u32 kl_counter32(void);
u64 kl_counter_locked(void);
u32 kl_atomic_selftest(u32 hartid);
#define KL_COUNTER_ITERS 1000
/* per hart: amoadd.d +1 and LR/SC +3 per iteration, on the 64-bit counter */
#define KL_COUNTER64_PER_HART (KL_COUNTER_ITERS * (1 + 3))
/* per hart: amoadd.w +2 and LR/SC .w +5 per iteration, on the 32-bit counter */
#define KL_COUNTER32_PER_HART (KL_COUNTER_ITERS * (2 + 5))

/* ---- trap.c */
struct kl_frame *kl_trap(struct kl_frame *f);
void kl_timer_start(struct kl_hart *h, u64 interval);
void kl_timer_stop(struct kl_hart *h);
void kl_send_ipi(u32 hartid);
/* a U-mode task: its index on this hart, and the hart's tick counter */
typedef void (*kl_task_fn)(long idx, const volatile u64 *ticks);
int kl_run_tasks(struct kl_hart *h, const kl_task_fn entries[], int ntasks);

/* ---- vm.c: Sv39 for the tasks; the int results are 0 or -errno */
int kl_vm_task_init(struct kl_hart *h, struct kl_task *t, int idx);
/* satp for @t, or Bare when @t is NULL */
void kl_vm_switch(const struct kl_hart *h, const struct kl_task *t);
/* a page fault of @t at @va: 0 when handled, the task may go on */
int kl_vm_fault(struct kl_hart *h, struct kl_task *t, u64 cause, u64 va);
/* @n bytes at @t's @va, readable from U-mode: 0 or -EFAULT */
int kl_vm_copy_from_user(const struct kl_task *t, void *dst, u64 va, u64 n);

/* ---- fpstate.S: the only kernel code that touches FP registers; each
 * sets mstatus.FS to Dirty first (the caller's frame holds the FS the
 * task resumes with) */
void kl_fp_save(struct kl_fpstate *s);
void kl_fp_load(const struct kl_fpstate *s);

/* ---- compute.c, smc.c */
void kl_compute(u32 hartid, struct kl_results *r);
#define SMC_ROUNDS 24
#define SMC_CROSS_ROUNDS 4
void kl_smc(u32 hartid, struct kl_results *r);
void kl_smc_cross(u32 hartid, u32 nharts, struct kl_results *r);

/* ---- usys.c: U-mode syscall stubs */
long u_write(const char *buf, long len);
long u_yield(void);
long u_getpid(void);
NORETURN void u_exit(long code);
void u_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long u_spin_until_tick(const volatile u64 *ticks, u64 limit); /* uspin.S */
long u_fp_regs_across_yield(u64 seed, u64 fcsr); /* ufp.S */
/* fptask.c: the FP tasks, exit 50 + idx when their checks pass */
void u_task_fp_math(long idx, const volatile u64 *ticks);
void u_task_fp_edge(long idx, const volatile u64 *ticks);

#endif /* __ASSEMBLER__ */
#endif /* KL_H */
