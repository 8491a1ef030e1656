/* SPDX-License-Identifier: MIT */
/*
 * A machine for tcg unit tests: 1 MiB of RAM at 0x80000000, no board.
 * MMIO: a store to 0 stops the storing vCPU (HALT()); 0x1000..0x1fff is
 * a scratch device that reads back (addr & 0xff) and counts accesses;
 * everything else outside RAM is an access fault.
 */
#ifndef VTRACE_TESTS_TCG_HARNESS_H
#define VTRACE_TESTS_TCG_HARNESS_H

#include <stdint.h>

#include "tcg/cpu.h"

#define TH_RAM_BASE 0x80000000ull
#define TH_RAM_SIZE (1u << 20)

struct th {
	uint8_t *ram;
	struct tcg_machine *m;
	struct tcg_cpu *cpu[8];
	unsigned ncpus;
	uint64_t at;		/* emit cursor (guest address) */
	unsigned mmio_reads, mmio_writes;
	uint64_t last_write;
};

struct th *th_new(unsigned ncpus);
struct th *th_new_cfg(unsigned ncpus, size_t code_buffer);
struct th *th_new_full(unsigned ncpus, size_t code_buffer,
		       const struct tcg_hooks *hooks);
void th_free(struct th *t);
/* Emit at the cursor; returns the address of what was emitted. */
uint64_t th_emit(struct th *t, uint32_t insn);
uint64_t th_emit16(struct th *t, uint16_t insn);
void th_org(struct th *t, uint64_t addr);
/* Run vCPU i from its current pc until HALT(); 0 or -1 on timeout. */
int th_run(struct th *t, unsigned i);
/* Run vCPU i from pc. */
int th_run_at(struct th *t, unsigned i, uint64_t pc);
uint64_t th_reg(struct th *t, unsigned i, unsigned reg);
uint64_t th_csr(struct th *t, unsigned i, unsigned csr);
uint64_t th_ram64(struct th *t, uint64_t addr);
void th_set_ram64(struct th *t, uint64_t addr, uint64_t v);

#define CSR_MSTATUS 0x300
#define CSR_MISA 0x301
#define CSR_MEDELEG 0x302
#define CSR_MIDELEG 0x303
#define CSR_MIE 0x304
#define CSR_MTVEC 0x305
#define CSR_MCOUNTEREN 0x306
#define CSR_MSCRATCH 0x340
#define CSR_MEPC 0x341
#define CSR_MCAUSE 0x342
#define CSR_MTVAL 0x343
#define CSR_MIP 0x344
#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define CSR_STVEC 0x105
#define CSR_SSCRATCH 0x140
#define CSR_SEPC 0x141
#define CSR_SCAUSE 0x142
#define CSR_STVAL 0x143
#define CSR_SIP 0x144
#define CSR_SATP 0x180
#define CSR_CYCLE 0xc00
#define CSR_TIME 0xc01
#define CSR_INSTRET 0xc02
#define CSR_MHARTID 0xf14

#endif
