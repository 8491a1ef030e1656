/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V CPU core: RV64IMAFDC + Zicsr + Zifencei, M/S/U modes, Sv39.
 *
 * Usable without the board: a test creates a machine over its own RAM
 * buffer and an MMIO callback table, adds vCPUs and runs them.
 *
 *	struct tcg_machine_config cfg = {
 *		.ram = buf, .ram_base = 0x80000000, .ram_size = len,
 *		.mmio = &my_mmio, .opaque = me,
 *	};
 *	struct tcg_machine *m = tcg_machine_create(&cfg);
 *	struct tcg_cpu *cpu = tcg_cpu_create(m, 0);
 *	tcg_cpu_set_pc(cpu, 0x80000000);
 *	tcg_cpu_exec(cpu);	// until tcg_cpu_stop() or tcg_machine_shutdown()
 *
 * Threads: tcg_cpu_exec() runs one vCPU on the calling thread; run each
 * vCPU on its own thread.  Every other tcg_cpu_* call below is safe from
 * any thread unless it says otherwise.
 */
#ifndef VTRACE_TCG_CPU_H
#define VTRACE_TCG_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tcg_machine;
struct tcg_cpu;
struct tcg_tb;

/* Privilege levels, as in mstatus.MPP. */
enum tcg_priv { TCG_PRIV_U = 0, TCG_PRIV_S = 1, TCG_PRIV_M = 3 };

/* mip/mie bits. */
#define TCG_MIP_SSIP (1u << 1)
#define TCG_MIP_MSIP (1u << 3)
#define TCG_MIP_STIP (1u << 5)
#define TCG_MIP_MTIP (1u << 7)
#define TCG_MIP_SEIP (1u << 9)
#define TCG_MIP_MEIP (1u << 11)

/*
 * Device accesses outside RAM.  Return 0, or -1 for an access fault (the
 * guest gets a load or store/AMO access fault).  size is 1, 2, 4 or 8.
 */
struct tcg_mmio_ops {
	int (*read)(void *opaque, struct tcg_cpu *cpu, uint64_t addr,
		    unsigned size, uint64_t *val);
	int (*write)(void *opaque, struct tcg_cpu *cpu, uint64_t addr,
		     unsigned size, uint64_t val);
	/* The `time` CSR (10 MHz mtime on the virt board); NULL reads 0. */
	uint64_t (*read_time)(void *opaque);
};

/*
 * Hooks for tracing (tcg/ knows nothing about events; see trace-events for
 * the events they feed).  All optional; each runs on the vCPU's own thread
 * unless it says otherwise.
 *  translated:     after a block is translated (translate_block).
 *  mask_changed:   at the block boundary where a new trace_mask takes
 *                  effect on this vCPU (its jump cache is already flushed).
 *  tb_flags:       translate-time flags word from a vCPU's trace_mask.
 *  exec_tb:        a block starts, in blocks translated with
 *                  TCG_TF_EXEC_HOOK (exec_tb).
 *  mem:            before a guest memory access, in blocks translated with
 *                  TCG_TF_MEM_HOOK (guest_mem_before); info is TCG_MEM_*.
 *  tb_invalidate:  a block dropped because its page was written, on the
 *                  writing vCPU, under the block-cache lock.
 *  tb_flush:       the whole cache dropped (code buffer full or
 *                  tcg_machine_flush()); cpu is NULL from a non-vCPU thread.
 *  exception, interrupt: a trap is taken (epc = the pc it interrupts).
 *  syscall:        ecall from U mode (a7, a0..a5); syscall_ret: the
 *                  first mret/sret back to U of the same task (trap.c
 *                  says how tasks are told apart), with a0.
 *  tlb_flush:      the vCPU's TLB flushed by the guest (reason
 *                  "sfence.vma-all", "-addr", "-asid", "satp" or
 *                  "mstatus.SUM/MXR"; addr and asid as the guest gave
 *                  them, else 0).
 */
#define TCG_TF_MEM_HOOK (1u << 0)
#define TCG_TF_EXEC_HOOK (1u << 1)

/* guest_mem_before's info: log2(size) | sign-extended | store | atomic. */
#define TCG_MEM_SIZE_MASK 3u
#define TCG_MEM_SIGN (1u << 2)
#define TCG_MEM_STORE (1u << 3)
#define TCG_MEM_ATOMIC (1u << 4)

struct tcg_hooks {
	void (*translated)(void *opaque, struct tcg_cpu *cpu, uint64_t pc,
			   unsigned ninsns, uint64_t host_ns);
	void (*mask_changed)(void *opaque, struct tcg_cpu *cpu,
			     uint64_t old_mask, uint64_t new_mask);
	uint32_t (*tb_flags)(void *opaque, uint64_t trace_mask);
	void (*exec_tb)(void *opaque, struct tcg_cpu *cpu, uint64_t pc);
	void (*mem)(void *opaque, struct tcg_cpu *cpu, uint64_t vaddr,
		    unsigned info);
	void (*tb_invalidate)(void *opaque, struct tcg_cpu *cpu, uint64_t pc,
			      uint64_t page_addr, const char *reason);
	void (*tb_flush)(void *opaque, struct tcg_cpu *cpu, unsigned blocks,
			 const char *reason);
	void (*exception)(void *opaque, struct tcg_cpu *cpu, uint64_t cause,
			  uint64_t epc, uint64_t tval);
	void (*interrupt)(void *opaque, struct tcg_cpu *cpu, uint64_t cause,
			  uint64_t epc);
	void (*syscall)(void *opaque, struct tcg_cpu *cpu, const uint64_t *args7);
	void (*syscall_ret)(void *opaque, struct tcg_cpu *cpu, uint64_t num,
			    uint64_t ret);
	void (*tlb_flush)(void *opaque, struct tcg_cpu *cpu, const char *reason,
			  uint64_t addr, uint64_t asid);
	/* At a block boundary after tcg_kick(); idle while the vCPU sleeps
	 * (WFI) or is outside tcg_cpu_exec(): it runs no guest code. */
	void (*boundary)(void *opaque, struct tcg_cpu *cpu);
	void (*idle)(void *opaque, struct tcg_cpu *cpu, bool idle);
};

struct tcg_machine_config {
	void *ram;		/* host memory for guest RAM */
	uint64_t ram_base;	/* guest physical address of ram[0] */
	uint64_t ram_size;	/* multiple of 4096 */
	const struct tcg_mmio_ops *mmio;
	const struct tcg_hooks *hooks;
	void *opaque;		/* passed to mmio and hooks */
	size_t code_buffer_size; /* translated-code buffer, 0: 64 MiB */
	/* "interp" (NULL: the default) or "native" (x86-64 hosts only) */
	const char *backend;
};

/* Is name a backend tcg_machine_create() takes on this host? */
bool tcg_backend_exists(const char *name);

/* NULL on bad configuration (or an unknown backend) or no memory. */
struct tcg_machine *tcg_machine_create(const struct tcg_machine_config *cfg);
/* The backend's name (`info jit`). */
const char *tcg_machine_backend(const struct tcg_machine *m);
/* Replace the hooks (before vCPUs run, or hooks tolerate both). */
void tcg_machine_set_hooks(struct tcg_machine *m, const struct tcg_hooks *h,
			   void *opaque);
/* Call only after every vCPU thread has returned from tcg_cpu_exec(). */
void tcg_machine_destroy(struct tcg_machine *m);

/*
 * Ask every vCPU to leave tcg_cpu_exec() for good (returns
 * TCG_EXEC_SHUTDOWN) and remember code as the machine's exit status.
 */
void tcg_machine_shutdown(struct tcg_machine *m, int code);
bool tcg_machine_is_shutdown(struct tcg_machine *m, int *code);

/* Drop every translated block (counted in `flushes`). */
void tcg_machine_flush(struct tcg_machine *m);

struct tcg_cpu *tcg_cpu_create(struct tcg_machine *m, unsigned hartid);
unsigned tcg_cpu_hartid(const struct tcg_cpu *cpu);
struct tcg_machine *tcg_cpu_machine(const struct tcg_cpu *cpu);

/* Before the first tcg_cpu_exec() or while the vCPU is stopped. */
void tcg_cpu_set_pc(struct tcg_cpu *cpu, uint64_t pc);
void tcg_cpu_set_reg(struct tcg_cpu *cpu, unsigned reg, uint64_t val);
uint64_t tcg_cpu_get_reg(const struct tcg_cpu *cpu, unsigned reg);
/* f0..f31 as stored (singles NaN-boxed). */
uint64_t tcg_cpu_get_freg(const struct tcg_cpu *cpu, unsigned reg);
uint64_t tcg_cpu_get_pc(const struct tcg_cpu *cpu);
enum tcg_priv tcg_cpu_get_priv(const struct tcg_cpu *cpu);
void tcg_cpu_set_priv(struct tcg_cpu *cpu, enum tcg_priv priv);
/* CSR access as M-mode would see it; -1 if the CSR is not implemented. */
int tcg_cpu_read_csr(struct tcg_cpu *cpu, unsigned csr, uint64_t *val);
int tcg_cpu_write_csr(struct tcg_cpu *cpu, unsigned csr, uint64_t val);

enum tcg_exec_status {
	TCG_EXEC_STOPPED,	/* tcg_cpu_stop() */
	TCG_EXEC_SHUTDOWN,	/* tcg_machine_shutdown() */
};

/*
 * Run the vCPU on the calling thread until it is stopped or the machine
 * shuts down.  WFI with nothing pending sleeps inside (no spinning).
 */
enum tcg_exec_status tcg_cpu_exec(struct tcg_cpu *cpu);

/* Make @cpu reach its next block boundary (hooks->boundary) soon. */
void tcg_kick(struct tcg_cpu *cpu);
/* Make tcg_cpu_exec() return at the vCPU's next block boundary. */
void tcg_cpu_stop(struct tcg_cpu *cpu);
/* Clear a stop request (before calling tcg_cpu_exec() again). */
void tcg_cpu_clear_stop(struct tcg_cpu *cpu);

/*
 * Raise or lower interrupt lines in mip (TCG_MIP_MTIP, MSIP, MEIP, SEIP):
 * wakes the vCPU from WFI; taken at its next block boundary.
 */
void tcg_cpu_set_irq(struct tcg_cpu *cpu, uint32_t mip_bits, bool level);
uint64_t tcg_cpu_get_mip(const struct tcg_cpu *cpu);

/*
 * The vCPU's trace mask, part of the block-cache key.  The new mask takes
 * effect at the vCPU's next block boundary: its jump cache is flushed and
 * hooks->mask_changed runs there.
 */
void tcg_cpu_set_trace_mask(struct tcg_cpu *cpu, uint64_t mask);
uint64_t tcg_cpu_trace_mask(const struct tcg_cpu *cpu);

/* Per-vCPU counters; read racily by the monitor. */
struct tcg_cpu_stats {
	uint64_t instret;	/* guest instructions retired (block granular) */
	uint64_t translations;	/* blocks this vCPU translated */
	uint64_t traced_translations; /* of those, with trace ops (tb_flags) */
	uint64_t jc_hits;	/* dispatcher lookups served by the jump cache */
	uint64_t hash_lookups;	/* dispatcher lookups that went to the hash */
	uint64_t exceptions;
	uint64_t interrupts;
	uint64_t wfi_sleeps;
};
void tcg_cpu_get_stats(const struct tcg_cpu *cpu, struct tcg_cpu_stats *st);

enum tcg_cpu_state { TCG_CPU_RUNNING, TCG_CPU_HALTED, TCG_CPU_STOPPED };
enum tcg_cpu_state tcg_cpu_state(const struct tcg_cpu *cpu);

/* Whole-machine translation statistics (`info jit`). */
struct tcg_jit_stats {
	uint64_t translated;	/* blocks translated */
	uint64_t retranslated;	/* of those, pcs that had an invalidated block */
	uint64_t invalidated;	/* blocks invalidated (self-modifying code) */
	uint64_t flushes;	/* whole-cache flushes */
	uint64_t chained;	/* direct jumps patched */
	uint64_t live_blocks;	/* blocks in the hash table now */
	uint64_t code_bytes;	/* code buffer in use */
	uint64_t code_capacity;
	uint64_t translate_ns;	/* host time spent translating */
	uint64_t guest_insns;	/* guest instructions translated */
};
void tcg_machine_jit_stats(struct tcg_machine *m, struct tcg_jit_stats *st);

/* -d logging: a mask of TCG_LOG_* and the FILE* (default stderr). */
#define TCG_LOG_INT (1u << 0)
#define TCG_LOG_IN_ASM (1u << 1)
#define TCG_LOG_EXEC (1u << 2)
#define TCG_LOG_GUEST_ERRORS (1u << 3)
#define TCG_LOG_UNIMP (1u << 4)
extern unsigned tcg_log_mask;
void tcg_log_set_file(void *file); /* FILE *, NULL: stderr */
void tcg_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parse "int,in_asm"; returns the mask or -1 naming the bad item. */
int tcg_log_parse(const char *spec, unsigned *mask, const char **bad);
/* One line per log item: "name  help". */
void tcg_log_print_items(void *file);

#endif
