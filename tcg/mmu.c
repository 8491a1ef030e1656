/* SPDX-License-Identifier: MIT */
/*
 * Sv39: the page-table walker and the per-vCPU software TLB in front of
 * it, as QEMU 7.2 does them.
 *
 * Loads and stores at an effective privilege below M (MPRV makes M use
 * MPP's), and fetches below M, translate through satp when its MODE is
 * Sv39.  The TLB is direct mapped, one per effective privilege (U, S),
 * 4 KiB pages only: a superpage fills one entry per page it is used at.
 * Entries are not tagged by ASID: a satp write that changes the ASID or
 * the root flushes everything, as QEMU does, and sfence.vma with an ASID
 * flushes everything too (more than the spec asks, never less).
 *
 * The walker reads PTEs only from guest RAM: a PTE address outside RAM
 * (an MMIO register included) is a page fault of the original access
 * type, as on QEMU 7.2 (its walk fails on any read that is not MEMTX_OK).  It sets A (and D on a store) with a compare-and-swap on the PTE
 * and walks again if another hart changed the PTE in between.  A PTE in a
 * page holding translated code drops those blocks like any other store.
 */
#include <string.h>

#include "tcg/mmu.h"
#include "tcg/tcg-internal.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK (((1ull << 44) - 1) << PTE_PPN_SHIFT)
/* Svpbmt and Svnapot, not implemented: set, they make the PTE invalid. */
#define PTE_RESERVED (~((1ull << 54) - 1))

#define PAGE_MASK (~(uint64_t)(TCG_PAGE_SIZE - 1))
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK 0xffffull

static const uint8_t page_fault[] = {
	[TCG_ACC_LOAD] = 13, [TCG_ACC_STORE] = 15, [TCG_ACC_FETCH] = 12,
};

static inline bool sv39(const struct tcg_cpu *cpu)
{
	return (cpu->satp >> SATP_MODE_SHIFT) == SATP_MODE_SV39;
}

int tcg_mmu_data_idx(const struct tcg_cpu *cpu)
{
	unsigned priv = cpu->priv;

	if (priv == TCG_PRIV_M && (cpu->mstatus & MSTATUS_MPRV))
		priv = (unsigned)((cpu->mstatus & MSTATUS_MPP) >> 11);
	return priv == TCG_PRIV_M || !sv39(cpu) ? -1 : (int)priv;
}

int tcg_mmu_fetch_idx(const struct tcg_cpu *cpu)
{
	return cpu->priv == TCG_PRIV_M || !sv39(cpu) ? -1 : (int)cpu->priv;
}

unsigned tcg_mmu_tb_paged(const struct tcg_cpu *cpu)
{
	return (tcg_mmu_fetch_idx(cpu) >= 0 ? TCG_TB_FETCH_PAGED : 0) |
	       (tcg_mmu_data_idx(cpu) >= 0 ? TCG_TB_DATA_PAGED : 0);
}

/* A TLB that hits nothing, for the inline loads and stores to miss. */
static const struct tcg_tlb_entry tlb_none[TCG_TLB_SIZE] = {
	[0 ... TCG_TLB_SIZE - 1] = { TCG_TLB_INVALID, TCG_TLB_INVALID,
				     TCG_TLB_INVALID, 0 },
};

const struct tcg_tlb_entry *tcg_mmu_fast_path(const struct tcg_cpu *cpu,
					      uint64_t *rlim)
{
	int idx = tcg_mmu_data_idx(cpu);

	if (cpu->trig & TCG_TRIG_MEM) {
		*rlim = 0;
		return tlb_none;
	}
	*rlim = cpu->ram_size - 7;
	return cpu->tlb[idx < 0 ? 0 : idx];
}

void tcg_mmu_flush(struct tcg_cpu *cpu)
{
	memset(cpu->tlb, 0xff, sizeof(cpu->tlb));
	cpu->tlb_super = false;
	tcg_jc_flush(cpu);
	/* Leave the block: the backend reloads its view of the TLB. */
	__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
}

static void flush_page(struct tcg_cpu *cpu, uint64_t va)
{
	unsigned i = (unsigned)(va >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1);

	if (cpu->tlb_super) {
		tcg_mmu_flush(cpu);
		return;
	}
	for (unsigned k = 0; k < TCG_TLB_NB_IDX; k++)
		if (cpu->tlb[k][i].tag_r == (va & PAGE_MASK) ||
		    cpu->tlb[k][i].tag_w == (va & PAGE_MASK) ||
		    cpu->tlb[k][i].tag_x == (va & PAGE_MASK))
			memset(&cpu->tlb[k][i], 0xff, sizeof(cpu->tlb[k][i]));
	/* Blocks are found by virtual pc first: forget those too. */
	tcg_jc_flush(cpu);
	__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
}

/* The tlb_flush hook: the guest asked for the flush just done. */
static void report_flush(struct tcg_cpu *cpu, const char *reason,
			 uint64_t addr, uint64_t asid)
{
	const struct tcg_hooks *h = cpu->m->hooks;

	if (h && h->tlb_flush)
		h->tlb_flush(cpu->m->opaque, cpu, reason, addr, asid);
}

void tcg_mmu_write_satp(struct tcg_cpu *cpu, uint64_t val)
{
	uint64_t mode = val >> SATP_MODE_SHIFT;

	/* WARL: an unsupported MODE leaves satp as it was (QEMU: the whole
	 * write is dropped), so Sv57 and Sv48 probes fall back to Sv39. */
	if (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39)
		return;
	if (val == cpu->satp)
		return;
	cpu->satp = val;
	tcg_mmu_flush(cpu);
	report_flush(cpu, "satp", 0, (val >> SATP_ASID_SHIFT) & SATP_ASID_MASK);
}

void tcg_mmu_mstatus_changed(struct tcg_cpu *cpu, uint64_t old)
{
	/* MPRV/MPP pick the TLB; SUM and MXR are folded into its entries. */
	if ((old ^ cpu->mstatus) & (MSTATUS_SUM | MSTATUS_MXR)) {
		tcg_mmu_flush(cpu);
		report_flush(cpu, "mstatus.SUM/MXR", 0, 0);
	} else if ((old ^ cpu->mstatus) & (MSTATUS_MPRV | MSTATUS_MPP))
		__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
}

int tcg_helper_sfence_vma(struct tcg_cpu *cpu, unsigned rs1, unsigned rs2)
{
	/* entries carry no ASID: by ASID is as for all ASIDs */
	if (rs1)
		flush_page(cpu, cpu->x[rs1]);
	else
		tcg_mmu_flush(cpu);
	report_flush(cpu, rs1 ? "sfence.vma-addr" : rs2 ? "sfence.vma-asid" :
							  "sfence.vma-all",
		     rs1 ? cpu->x[rs1] : 0, rs2 ? cpu->x[rs2] : 0);
	return TCG_H_CONT;
}

/* The 8-byte PTE at physical pa, or NULL if it is not in RAM. */
static uint64_t *pte_ptr(struct tcg_cpu *cpu, uint64_t pa)
{
	uint64_t off = pa - cpu->ram_base;

	if (off >= cpu->ram_size || cpu->ram_size - off < 8)
		return NULL;
	return (uint64_t *)(cpu->ram + off);
}

/*
 * Walk for one access at privilege priv.  Returns 0 with the physical
 * address, the leaf's level (0: 4 KiB, 1: 2 MiB, 2: 1 GiB) and the PTE as
 * updated, or the exception cause.
 */
static int walk(struct tcg_cpu *cpu, uint64_t va, enum tcg_access acc,
		unsigned priv, uint64_t *pa, unsigned *level, uint64_t *leaf)
{
	bool sum = cpu->mstatus & MSTATUS_SUM;
	bool mxr = cpu->mstatus & MSTATUS_MXR;
	uint64_t base, pte, *p;
	int lvl;

	/* Bits 63..39 must all equal bit 38. */
	if ((uint64_t)((int64_t)(va << 25) >> 25) != va)
		return page_fault[acc];
restart:
	base = (cpu->satp & SATP_PPN_MASK) << TCG_PAGE_BITS;
	for (lvl = 2; lvl >= 0; lvl--) {
		unsigned shift = TCG_PAGE_BITS + 9 * (unsigned)lvl;
		uint64_t ppn, want;

		p = pte_ptr(cpu, base + ((va >> shift) & 0x1ff) * 8);
		if (!p)
			return page_fault[acc];
		/* Pairs with the CAS below on another hart. */
		pte = __atomic_load_n(p, __ATOMIC_ACQUIRE);
		ppn = (pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT;
		if (!(pte & PTE_V) || (pte & PTE_RESERVED))
			return page_fault[acc];
		if (!(pte & (PTE_R | PTE_W | PTE_X))) {
			/* Pointer to the next level: D, A, U are reserved. */
			if (pte & (PTE_D | PTE_A | PTE_U))
				return page_fault[acc];
			base = ppn << TCG_PAGE_BITS;
			continue;
		}
		if ((pte & (PTE_R | PTE_W)) == PTE_W)
			return page_fault[acc];
		if (pte & PTE_U) {
			if (priv != TCG_PRIV_U && (!sum || acc == TCG_ACC_FETCH))
				return page_fault[acc];
		} else if (priv != TCG_PRIV_S) {
			return page_fault[acc];
		}
		/* A superpage's low PPN bits must be zero. */
		if (ppn & ((1ull << (9 * lvl)) - 1))
			return page_fault[acc];
		if ((acc == TCG_ACC_LOAD &&
		     !((pte & PTE_R) || ((pte & PTE_X) && mxr))) ||
		    (acc == TCG_ACC_STORE && !(pte & PTE_W)) ||
		    (acc == TCG_ACC_FETCH && !(pte & PTE_X)))
			return page_fault[acc];
		want = pte | PTE_A | (acc == TCG_ACC_STORE ? PTE_D : 0);
		if (want != pte) {
			uint64_t off = (uint64_t)((uint8_t *)p - cpu->ram);

			if (!__atomic_compare_exchange_n(p, &pte, want, false,
							 __ATOMIC_SEQ_CST,
							 __ATOMIC_SEQ_CST))
				goto restart;
			if (tcg_store_slow(cpu->store_slow, off >> TCG_PAGE_BITS))
				tcg_tb_invalidate_range(cpu, off, 8);
		}
		*pa = ((ppn | ((va >> TCG_PAGE_BITS) &
			       ((1ull << (9 * lvl)) - 1))) << TCG_PAGE_BITS) |
		      (va & (TCG_PAGE_SIZE - 1));
		*level = (unsigned)lvl;
		*leaf = want;
		return 0;
	}
	return page_fault[acc];
}

/* Translate the page of va; fill the TLB if it is RAM. */
static int translate_page(struct tcg_cpu *cpu, uint64_t va,
			  enum tcg_access acc, int idx, uint64_t *pa)
{
	struct tcg_tlb_entry *e;
	uint64_t page = va & PAGE_MASK, pte = 0, off;
	unsigned level = 0;
	int cause;

	e = &cpu->tlb[idx][(va >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1)];
	if ((acc == TCG_ACC_LOAD ? e->tag_r : acc == TCG_ACC_STORE ? e->tag_w
								    : e->tag_x) ==
	    page) {
		*pa = va + e->addend + cpu->ram_base;
		return 0;
	}
	cause = walk(cpu, va, acc, (unsigned)idx, pa, &level, &pte);
	if (cause)
		return cause;
	off = (*pa & PAGE_MASK) - cpu->ram_base;
	if (off >= cpu->ram_size)
		return 0; /* MMIO: never cached */
	if (e->addend != off - page) {
		e->tag_r = e->tag_w = e->tag_x = TCG_TLB_INVALID;
		e->addend = off - page;
	}
	if ((pte & PTE_R) || ((pte & PTE_X) && (cpu->mstatus & MSTATUS_MXR)))
		e->tag_r = page;
	if ((pte & PTE_W) && (pte & PTE_D))
		e->tag_w = page;
	if (pte & PTE_X)
		e->tag_x = page;
	if (level)
		cpu->tlb_super = true;
	return 0;
}

int tcg_mmu_translate(struct tcg_cpu *cpu, uint64_t va, unsigned size,
		      enum tcg_access acc, uint64_t *pa, uint64_t *pa2,
		      unsigned *n1, uint64_t *tval)
{
	int idx = acc == TCG_ACC_FETCH ? tcg_mmu_fetch_idx(cpu)
				       : tcg_mmu_data_idx(cpu);
	uint64_t end = va + size - 1;
	int cause;

	*n1 = size;
	if (idx < 0) {
		*pa = va;
		return 0;
	}
	/* QEMU: the first page with the address itself, then the second
	 * page with its base address. */
	cause = translate_page(cpu, va, acc, idx, pa);
	if (cause) {
		*tval = va;
		return cause;
	}
	if (((va ^ end) & PAGE_MASK) == 0)
		return 0;
	cause = translate_page(cpu, end & PAGE_MASK, acc, idx, pa2);
	if (cause) {
		*tval = end & PAGE_MASK;
		return cause;
	}
	if (*pa2 != (*pa & PAGE_MASK) + TCG_PAGE_SIZE)
		*n1 = (unsigned)(TCG_PAGE_SIZE - (va & (TCG_PAGE_SIZE - 1)));
	return 0;
}
