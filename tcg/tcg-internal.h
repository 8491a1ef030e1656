/* SPDX-License-Identifier: MIT */
/*
 * Private to tcg/: the vCPU and machine structures, translated blocks and
 * the helper calls shared by the frontend, the backend and cpu.c.
 */
#ifndef VTRACE_TCG_INTERNAL_H
#define VTRACE_TCG_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "generated/autoconf.h"
#include "tcg/codebuf.h"
#include "tcg/cpu.h"
#include "tcg/ir.h"
#include "tcg/mmu.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define TCG_PAGE_BITS 12
#define TCG_PAGE_SIZE (1u << TCG_PAGE_BITS)

/*
 * A translated block.  Never freed while vCPUs run: invalidation only
 * marks it and unlinks it from the hash and its pages; the memory goes
 * back when the whole code buffer is flushed inside an exclusive section.
 *
 * Key: (pc, phys_pc, priv, paged, trace_mask), pc virtual, paged what
 * Sv39 translates (fetches, loads and stores: MPRV makes them differ); a
 * block that straddles into a second page also needs that page mapped to
 * page[1].
 * A block only ever chains to a block with the same priv, paged and
 * trace_mask (they change only at block exits that do not chain); under
 * paging only to a block on its own virtual page (QEMU's rule), so that a
 * chain never outlives a mapping.
 */
struct tcg_tb {
	uint64_t pc;
	uint64_t phys_pc;
	uint64_t trace_mask;
	uint8_t priv;
	uint8_t paged;		/* TCG_TB_*: Sv39 fetch/data, triggers */
	uint8_t cross;		/* its last instruction ends on the next page */
	uint8_t invalid;	/* atomic; set once under tb_lock */
	uint16_t ninsns;
	uint32_t size;		/* guest bytes */
	uint32_t flags;		/* translate-time flags */
	uint32_t page[2];	/* RAM page indexes covered; page[1] may = [0] */
	uint64_t exit_pc[2];
	struct tcg_tb *jmp[2];	/* atomic: chained successor per slot */
	struct tcg_tb *hash_next; /* atomic: lock-free lookup chain */
	struct tcg_tb *page_next[2]; /* under tb_lock */
	/* Once invalid: tcg_tb_invalidate_range()'s list of blocks to report,
	 * and the page whose store invalidated the block. */
	struct tcg_tb *dead_next;
	uint32_t dead_page;
	void *code;		/* backend's form */
};

#define TCG_TB_FETCH_PAGED 1
#define TCG_TB_DATA_PAGED 2
#define TCG_TB_TRIGGERS 4	/* execute triggers armed: pcs checked */

/* The interface a backend implements. */
struct tcg_backend {
	const char *name;
	/* Bytes of code buffer needed for the block's code; tb has every
	 * field of the block but its links and code. */
	size_t (*code_size)(const struct tcg_tb *tb,
			    const struct tcg_ir_block *ir);
	/* Fill `code` (code_size bytes, 8-aligned, right after tb in the
	 * code buffer's rw view; code_rx is the same bytes in its rx view)
	 * from the IR, just after code_size() on the same thread with the
	 * same IR. */
	void (*compile)(struct tcg_tb *tb, const struct tcg_ir_block *ir,
			void *code, void *code_rx);
	/*
	 * Run from tb until a block exit.  On return cpu->pc is the next pc;
	 * cpu->last_tb/last_slot say which chainable exit was taken (last_tb
	 * NULL if none).
	 */
	void (*exec)(struct tcg_cpu *cpu, struct tcg_tb *tb);
	/* Make entering tb leave at once (called under tb_lock). */
	void (*invalidate)(struct tcg_tb *tb);
	/* Optional: after from->jmp[slot] = to, make that exit go to `to`
	 * (any thread may be running from's code). */
	void (*chain)(struct tcg_tb *from, unsigned slot, struct tcg_tb *to);
};

extern const struct tcg_backend tcg_backend_interp;
extern const struct tcg_backend tcg_backend_native;

/* Sdtrig (trigger.c): triggers per hart; cpu->trig bits. */
#define TCG_NB_TRIGGERS 2
#define TCG_TRIG_EXEC 1		/* an execute trigger has a mode bit */
#define TCG_TRIG_MEM 2		/* a load or store trigger has one */

/* Syscalls a vCPU tracks at once for guest_syscall_ret: one per task
 * blocked in a syscall that last ran on it (more: the oldest is dropped). */
#define TCG_SYSCALLS_PENDING 16

#define TCG_JC_BITS 12
#define TCG_JC_SIZE (1u << TCG_JC_BITS)

static inline unsigned tcg_jc_hash(uint64_t pc)
{
	return (unsigned)((pc ^ (pc >> TCG_JC_BITS)) >> 1) & (TCG_JC_SIZE - 1);
}

struct tcg_cpu {
	/* Hot state first: the interpreter keeps x and the RAM window. */
	uint64_t x[TCG_NB_REGS];
	uint64_t pc;
	uint8_t priv;
	int exit_request;	/* atomic: leave at the next block boundary */
	uint64_t key_mask;	/* trace_mask in effect (block-cache key) */
	uint64_t instret;
	struct tcg_tb *last_tb;	/* for chaining, set by backend->exec */
	unsigned last_slot;
	struct tcg_machine *m;
	uint8_t *ram;
	uint64_t ram_base, ram_size;
	uint8_t *store_slow;	/* per RAM page: stores take the slow path */
	/* The native backend's inline loads and stores, from
	 * tcg_mmu_fast_path() when it enters its code. */
	uint64_t jit_rlim;
	const struct tcg_tlb_entry *jit_tlb;

	/* CSRs */
	uint64_t mstatus, mtvec, mepc, mcause, mtval, mie, mscratch;
	uint64_t mip;		/* atomic: devices set bits from other threads */
	uint64_t medeleg, mideleg, mcounteren;
	uint64_t stvec, sepc, scause, stval, sscratch, scounteren;
	uint64_t pmpcfg[4], pmpaddr[16];
	uint64_t hartid;
	/* csr.c: counters, hpm, envcfg, triggers (storage; see csr.c) */
	uint64_t mcountinhibit, menvcfg, senvcfg;
	uint64_t ctr_off[3];	/* cycle, -, instret: value - instret */
	uint64_t ctr_frozen[3];	/* their value while inhibited */
	uint64_t mhpmcounter[16], mhpmevent[29];
	uint64_t tselect, tdata1[TCG_NB_TRIGGERS], tdata2[TCG_NB_TRIGGERS];
	uint8_t trig;		/* TCG_TRIG_*, armed (trigger.c) */
	int seip;		/* atomic: bit 0 written by M, bit 1 the line */

	/* F and D (fpu.c): singles NaN-boxed; fcsr = frm << 5 | fflags. */
	uint64_t f[32];
	uint32_t fcsr;

	/* LR/SC reservation: RAM offset and the value LR read (CAS on SC). */
	uint64_t res_addr, res_val;
	bool res_valid;

	/* guest_syscall_ret: ecalls from U awaiting their return (trap.c),
	 * by task: the scratch CSR of the mode taking the trap. */
	struct tcg_syscall_pending {
		uint64_t task, num;
		bool busy;
	} syscalls[TCG_SYSCALLS_PENDING];
	unsigned syscall_evict;	/* next slot to reuse when all are busy */

	/* Control, under lock unless atomic. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop_request;	/* atomic */
	int halted;		/* in WFI */
	int state;		/* atomic enum tcg_cpu_state */
	int in_exec;		/* counted in m->running (exclusive sections) */
	uint64_t pending_mask;	/* atomic: trace mask to apply */
	int mask_pending;	/* atomic */

	struct tcg_cpu_stats stats;
	struct tcg_tb *jc[TCG_JC_SIZE];	/* jump cache, own thread only */
	uint32_t tb_flags;	/* translate-time flags for key_mask */

	/* Sv39 (mmu.c): satp and the software TLB, own thread only. */
	uint64_t satp;
	bool tlb_super;		/* a superpage filled entries */
	struct tcg_tlb_entry tlb[TCG_TLB_NB_IDX][TCG_TLB_SIZE];
};

#define TCG_HASH_BITS 15
#define TCG_HASH_SIZE (1u << TCG_HASH_BITS)
#define TCG_RECENT_SIZE 4096

struct tcg_machine {
	uint8_t *ram;
	uint64_t ram_base, ram_size;
	uint64_t npages;
	uint8_t *store_slow;	/* npages + 1 bytes */
	struct tcg_tb **page_tbs; /* per page: blocks touching it */
	uint32_t *page_gen;	/* per page: invalidation generation */
	const struct tcg_mmio_ops *mmio;
	const struct tcg_hooks *hooks;
	void *opaque;
	const struct tcg_backend *backend;

	/* Block cache: lock-free lookup, changes under tb_lock. */
	struct tcg_tb *hash[TCG_HASH_SIZE];
	pthread_mutex_t tb_lock;
	struct tcg_codebuf code;	/* blocks: tcg_tb, then its code */
	uint64_t recent_invalid[TCG_RECENT_SIZE]; /* pcs invalidated */

	/* Statistics, atomic. */
	uint64_t st_translated, st_retranslated, st_invalidated, st_flushes,
		st_chained, st_live, st_translate_ns, st_guest_insns;

	/* vCPUs and exclusive sections (whole-cache flush). */
	pthread_mutex_t excl_lock;
	pthread_cond_t excl_cond;
	int running;		/* vCPUs inside exec, not sleeping */
	int excl_pending;
	struct tcg_cpu *cpus[CONFIG_MAX_VCPUS];
	unsigned ncpus;
	int shutdown;		/* atomic */
	int shutdown_code;
};

/* Helper return values. */
enum { TCG_H_CONT = 0, TCG_H_EXIT = 1, TCG_H_NEXT = 2 };

/* trap.c */
/*
 * store_slow[page] is set by a translating vCPU (tb.c, under tb_lock) and
 * read by every vCPU's stores without a lock: a byte flag accessed with
 * relaxed atomics, a plain load on x86.  The ordering that matters for
 * self-modifying code is the one tb.c's design comment describes.
 */
static inline bool tcg_store_slow(const uint8_t *slow, uint64_t page)
{
	return __atomic_load_n(&slow[page], __ATOMIC_RELAXED) != 0;
}

void tcg_raise(struct tcg_cpu *cpu, uint64_t cause, uint64_t tval);
bool tcg_take_interrupt(struct tcg_cpu *cpu);
int tcg_helper_system(struct tcg_cpu *cpu, unsigned opc, uint32_t raw);

/* cpu.c */
int tcg_helper_load(struct tcg_cpu *cpu, uint64_t addr, unsigned size,
		    bool sign, uint64_t *val);
int tcg_helper_store(struct tcg_cpu *cpu, uint64_t addr, unsigned size,
		     uint64_t val);
int tcg_helper_lr(struct tcg_cpu *cpu, unsigned rd, uint64_t addr,
		  unsigned size);
int tcg_helper_sc(struct tcg_cpu *cpu, unsigned rd, uint64_t addr,
		  unsigned size, uint64_t val);
int tcg_helper_amo(struct tcg_cpu *cpu, unsigned rd, uint64_t addr,
		   unsigned size, unsigned funct5, uint64_t val);
void tcg_helper_trace_mem(struct tcg_cpu *cpu, uint64_t addr, unsigned info);
void tcg_helper_trace_tb(struct tcg_cpu *cpu, uint64_t pc);

/* csr.c */
/* mip with SEIP as the OR of the bit M wrote and the external line. */
static inline uint64_t tcg_mip(const struct tcg_cpu *cpu)
{
	return __atomic_load_n(&cpu->mip, __ATOMIC_ACQUIRE) |
	       (__atomic_load_n(&cpu->seip, __ATOMIC_ACQUIRE)
			? TCG_MIP_SEIP : 0);
}
/* satp and sfence.vma at priv trap as illegal (S with mstatus.TVM). */
bool tcg_tvm_traps(const struct tcg_cpu *cpu, unsigned priv);
/* CSR values at reset that are not zero (tcg_cpu_create). */
void tcg_csr_reset(struct tcg_cpu *cpu);
int tcg_helper_csr(struct tcg_cpu *cpu, unsigned rd, unsigned rs1,
		   int64_t imm);
int tcg_csr_access(struct tcg_cpu *cpu, unsigned csr, uint64_t *val,
		   uint64_t wval, uint64_t wmask, bool write, unsigned priv);

/* trigger.c: Sdtrig (see there) */
void tcg_trigger_write_tdata1(struct tcg_cpu *cpu, uint64_t val);
/* An armed execute trigger at cpu->pc fires: raised, true. */
bool tcg_trigger_exec(struct tcg_cpu *cpu);
/* An armed load (read) or store (write) trigger overlaps the access at
 * addr: raised (epc is cpu->pc), true. */
bool tcg_trigger_mem(struct tcg_cpu *cpu, uint64_t addr, unsigned size,
		     bool read, bool write);

/* fpu.c: FP instructions (imm = raw bits), FP loads/stores, FP CSRs */
int tcg_helper_fp(struct tcg_cpu *cpu, uint32_t raw);
int tcg_helper_fp_load(struct tcg_cpu *cpu, unsigned rd, uint64_t addr,
		       unsigned size, uint32_t raw);
int tcg_helper_fp_store(struct tcg_cpu *cpu, unsigned rs2, uint64_t addr,
			unsigned size, uint32_t raw);
int tcg_fpu_csr_read(const struct tcg_cpu *cpu, unsigned csr, uint64_t *val);
void tcg_fpu_csr_write(struct tcg_cpu *cpu, unsigned csr, uint64_t val);
/* After a CSR write to mstatus.FS: SD follows FS == Dirty. */
void tcg_fpu_status_written(struct tcg_cpu *cpu);

/* translate.c: code[0] is pc's page in host memory, code[1] the next
 * virtual page's or NULL if a fetch from it faults. */
int tcg_translate(struct tcg_cpu *cpu, uint64_t pc,
		  const uint8_t *const code[2], struct tcg_ir_block *ir);

/* tb.c */
struct tcg_tb *tcg_tb_find(struct tcg_cpu *cpu, uint64_t pc);
void tcg_tb_chain(struct tcg_cpu *cpu, struct tcg_tb *from, unsigned slot,
		  struct tcg_tb *to);
bool tcg_tb_may_link(const struct tcg_tb *from, const struct tcg_tb *to);
int tcg_tb_invalidate_range(struct tcg_cpu *cpu, uint64_t off,
			    unsigned size);
void tcg_jc_flush(struct tcg_cpu *cpu);
void tcg_exec_start(struct tcg_cpu *cpu);
void tcg_exec_end(struct tcg_cpu *cpu);

/* mstatus bits */
#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (3ull << 32)
#define MSTATUS_SXL (3ull << 34)
#define MSTATUS_SD (1ull << 63)

/* exception causes */
enum {
	EXC_INSN_MISALIGNED = 0,
	EXC_INSN_ACCESS = 1,
	EXC_ILLEGAL = 2,
	EXC_BREAKPOINT = 3,
	EXC_LOAD_MISALIGNED = 4,
	EXC_LOAD_ACCESS = 5,
	EXC_STORE_MISALIGNED = 6,
	EXC_STORE_ACCESS = 7,
	EXC_ECALL_U = 8,
	EXC_ECALL_S = 9,
	EXC_ECALL_M = 11,
};
#define CAUSE_INTERRUPT (1ull << 63)

static inline uint64_t tcg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
