/* SPDX-License-Identifier: MIT */
/*
 * Private to tcg/: Sv39 translation and the per-vCPU software TLB
 * (tcg/mmu.c).  The TLB itself lives in struct tcg_cpu so that the
 * backend's fast path reaches it without a call.
 */
#ifndef VTRACE_TCG_MMU_H
#define VTRACE_TCG_MMU_H

#include <stdbool.h>
#include <stdint.h>

struct tcg_cpu;

#define TCG_TLB_BITS 8
#define TCG_TLB_SIZE (1u << TCG_TLB_BITS)
/* TLBs by effective privilege of the access: U and S (M is never paged). */
#define TCG_TLB_NB_IDX 2

/*
 * One 4 KiB virtual page that maps to RAM.  A tag is the page's virtual
 * address, or TCG_TLB_INVALID: it then matches no page-aligned address.
 * A hit on tag_r/tag_w/tag_x allows a load/store/fetch; the RAM offset of
 * a virtual address va is va + addend.  tag_w is only set once the PTE's
 * D bit is, so the first store to a clean page walks and sets it.
 */
struct tcg_tlb_entry {
	uint64_t tag_r, tag_w, tag_x;
	uint64_t addend;
};
#define TCG_TLB_INVALID (~0ull)

enum tcg_access { TCG_ACC_LOAD, TCG_ACC_STORE, TCG_ACC_FETCH };

#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE 0ull
#define SATP_MODE_SV39 8ull
#define SATP_PPN_MASK ((1ull << 44) - 1)

/* The TLB index (0 = U, 1 = S) of loads and stores, or -1 when bare. */
int tcg_mmu_data_idx(const struct tcg_cpu *cpu);
/* The same for instruction fetch. */
int tcg_mmu_fetch_idx(const struct tcg_cpu *cpu);
/* TCG_TB_FETCH_PAGED | TCG_TB_DATA_PAGED as they apply now. */
unsigned tcg_mmu_tb_paged(const struct tcg_cpu *cpu);

/*
 * What a backend's inline loads and stores check, valid until the vCPU
 * next leaves its blocks (whatever changes it sets exit_request, and a
 * block only runs while its key matches the vCPU's state).  Returns the
 * TLB of the effective privilege of data accesses (Sv39 blocks); *rlim
 * is the size of [ram_base, ram_base + *rlim), where a bare access of up
 * to 8 bytes may start.  With a load/store trigger armed, neither hits.
 */
const struct tcg_tlb_entry *tcg_mmu_fast_path(const struct tcg_cpu *cpu,
					      uint64_t *rlim);

/*
 * Translate va for one access of size bytes (a fetch: 1).  On success
 * returns 0 and the physical address in *pa; an access that crosses into
 * a page mapped elsewhere also gets *pa2 (the second page's physical
 * base) and *n1 (bytes on the first page), else *n1 = size.  On failure
 * returns the exception cause and sets *tval; nothing is raised.
 */
int tcg_mmu_translate(struct tcg_cpu *cpu, uint64_t va, unsigned size,
		      enum tcg_access acc, uint64_t *pa, uint64_t *pa2,
		      unsigned *n1, uint64_t *tval);

/* Forget every translation (TLB and jump cache). */
void tcg_mmu_flush(struct tcg_cpu *cpu);
/* satp write from a CSR instruction (new value, after the wmask). */
void tcg_mmu_write_satp(struct tcg_cpu *cpu, uint64_t val);
/* mstatus changed from old: flush if a translation input moved. */
void tcg_mmu_mstatus_changed(struct tcg_cpu *cpu, uint64_t old);
/* sfence.vma rs1, rs2 (register numbers; x0 = all). */
int tcg_helper_sfence_vma(struct tcg_cpu *cpu, unsigned rs1, unsigned rs2);

#endif
