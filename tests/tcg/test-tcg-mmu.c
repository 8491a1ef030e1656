/* SPDX-License-Identifier: MIT */
/*
 * Sv39 (tcg/mmu.c) and the translator under paging: every permission and
 * fault case of the walk (R/W/X/U, SUM, MXR, MPRV), superpages aligned
 * and misaligned, A/D updates, PTEs outside RAM, satp WARL, TVM, fetch
 * faults (also of an instruction straddling two pages), and blocks found
 * by physical address across a remapping and through two mappings.
 *
 * Each case runs guest code at CODE_VA (S or U mode) that ends with an
 * ecall; every trap goes to M mode, whose handler stops the vCPU.  So
 * mcause is 8/9 when the code ran through, else the fault it took.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/tcg/rv-asm.h"
#include "tests/tcg/tcg-harness.h"

#define M_HANDLER (TH_RAM_BASE + 0x80000)
#define PT_ROOT (TH_RAM_BASE + 0x40000)	/* tables follow, 4 KiB each */
#define CODE_PA (TH_RAM_BASE + 0x10000)
#define CODE2_PA (TH_RAM_BASE + 0x11000)
#define DATA_PA (TH_RAM_BASE + 0x20000)
#define CODE_VA 0x400000ull
#define DATA_VA 0x600000ull

#define V (1ull << 0)
#define R (1ull << 1)
#define W (1ull << 2)
#define X (1ull << 3)
#define U (1ull << 4)
#define A (1ull << 6)
#define D (1ull << 7)

#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define SATP_SV39 (8ull << 60)

#define SFENCE_VMA(rs1, rs2) (0x12000073u | (rs2) << 20 | (rs1) << 15)

static uint64_t next_table;

static struct th *new_machine(void)
{
	struct th *t = th_new(1);

	th_org(t, M_HANDLER);
	th_emit(t, HALT());
	tcg_cpu_write_csr(t->cpu[0], CSR_MTVEC, M_HANDLER);
	tcg_cpu_write_csr(t->cpu[0], 0x3b0, ~0ull);	/* one PMP rule */
	tcg_cpu_write_csr(t->cpu[0], 0x3a0, 0x1f);
	next_table = PT_ROOT + 0x1000;
	return t;
}

/* The address of va's PTE at level (2: root), making tables on the way. */
static uint64_t pte_addr(struct th *t, uint64_t va, int level)
{
	uint64_t table = PT_ROOT;

	for (int l = 2; l > level; l--) {
		uint64_t a = table + ((va >> (12 + 9 * l)) & 0x1ff) * 8;
		uint64_t pte = th_ram64(t, a);

		if (!(pte & V)) {
			pte = (next_table >> 12) << 10 | V;
			next_table += 0x1000;
			th_set_ram64(t, a, pte);
		}
		table = (pte >> 10) << 12;
	}
	return table + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
}

static void map(struct th *t, uint64_t va, uint64_t pa, int level,
		uint64_t flags)
{
	th_set_ram64(t, pte_addr(t, va, level), (pa >> 12) << 10 | flags);
}

static uint64_t pte(struct th *t, uint64_t va, int level)
{
	return th_ram64(t, pte_addr(t, va, level));
}

/* Code at CODE_VA: insns then ecall, mapped for priv. */
static void code(struct th *t, const uint32_t *insns, unsigned n,
		 enum tcg_priv priv)
{
	map(t, CODE_VA, CODE_PA, 0, V | R | X | (priv == TCG_PRIV_U ? U : 0));
	th_org(t, CODE_PA);
	for (unsigned i = 0; i < n; i++)
		th_emit(t, insns[i]);
	th_emit(t, ECALL());
}

/* Run at pc in priv with mstatus bits set; returns mcause. */
static uint64_t run_at(struct th *t, uint64_t pc, enum tcg_priv priv,
		       uint64_t mstatus)
{
	tcg_cpu_write_csr(t->cpu[0], CSR_SATP, SATP_SV39 | PT_ROOT >> 12);
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS,
			  th_csr(t, 0, CSR_MSTATUS) | mstatus);
	tcg_cpu_set_priv(t->cpu[0], priv);
	assert_int_equal(th_run_at(t, 0, pc), 0);
	return th_csr(t, 0, CSR_MCAUSE);
}

static uint64_t run(struct th *t, enum tcg_priv priv, uint64_t mstatus)
{
	return run_at(t, CODE_VA, priv, mstatus);
}

static uint64_t ecall_cause(enum tcg_priv priv)
{
	return priv == TCG_PRIV_U ? 8 : 9;
}

/* One load or store at DATA_VA with the data page's PTE flags. */
static uint64_t access(enum tcg_priv priv, uint64_t mstatus, uint64_t flags,
		       bool store)
{
	struct th *t = new_machine();
	uint32_t insn = store ? SD(12, 11, 0) : LD(10, 11, 0);
	uint64_t cause;

	map(t, DATA_VA, DATA_PA, 0, flags);
	th_set_ram64(t, DATA_PA, 0x1122334455667788ull);
	code(t, &insn, 1, priv);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	tcg_cpu_set_reg(t->cpu[0], 12, 42);
	cause = run(t, priv, mstatus);
	if (cause == ecall_cause(priv)) {
		if (store)
			assert_int_equal(th_ram64(t, DATA_PA), 42);
		else
			assert_int_equal(th_reg(t, 0, 10), 0x1122334455667788ull);
	} else {
		assert_int_equal(th_csr(t, 0, CSR_MTVAL), DATA_VA);
		assert_int_equal(th_csr(t, 0, CSR_MEPC), CODE_VA);
	}
	th_free(t);
	return cause;
}

#define S TCG_PRIV_S
#define US TCG_PRIV_U

static void test_mmu_permissions(void **state)
{
	/* R, W, and the W-without-R and W+X-without-R reserved encodings */
	assert_int_equal(access(S, 0, V | R, false), 9);
	assert_int_equal(access(S, 0, V | R, true), 15);
	assert_int_equal(access(S, 0, V | R | W, true), 9);
	assert_int_equal(access(S, 0, V | W, false), 13);
	assert_int_equal(access(S, 0, V | W, true), 15);
	assert_int_equal(access(S, 0, V | W | X, true), 15);
	assert_int_equal(access(S, 0, R | W, false), 13);	/* not valid */
	/* X only: MXR makes it readable, never writable */
	assert_int_equal(access(S, 0, V | X, false), 13);
	assert_int_equal(access(S, MSTATUS_MXR, V | X, false), 9);
	assert_int_equal(access(S, MSTATUS_MXR, V | X, true), 15);
	/* U pages: U may, S only with SUM; S pages: U never */
	assert_int_equal(access(US, 0, V | R | W | U, false), 8);
	assert_int_equal(access(US, 0, V | R | W | U, true), 8);
	assert_int_equal(access(US, 0, V | R | W, false), 13);
	assert_int_equal(access(US, 0, V | R | W, true), 15);
	assert_int_equal(access(S, 0, V | R | W | U, false), 13);
	assert_int_equal(access(S, 0, V | R | W | U, true), 15);
	assert_int_equal(access(S, MSTATUS_SUM, V | R | W | U, false), 9);
	assert_int_equal(access(S, MSTATUS_SUM, V | R | W | U, true), 9);
	/* reserved high bits (Svpbmt, Svnapot are not implemented) */
	assert_int_equal(access(S, 0, V | R | (1ull << 61), false), 13);
	assert_int_equal(access(S, 0, V | R | (1ull << 63), false), 13);
}

static void test_mmu_accessed_dirty(void **state)
{
	uint32_t insns[] = { LD(10, 11, 0), SD(10, 13, 0) };
	struct th *t = new_machine();

	map(t, DATA_VA, DATA_PA, 0, V | R | W);
	map(t, DATA_VA + 0x1000, DATA_PA + 0x1000, 0, V | R | W);
	code(t, insns, 1, S);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, S, 0), 9);
	/* a load sets A only; the walker wrote the PTE in guest RAM */
	assert_int_equal(pte(t, DATA_VA, 0) & (A | D), A);
	assert_int_equal(pte(t, DATA_VA + 0x1000, 0) & (A | D), 0);
	assert_int_equal(pte(t, CODE_VA, 0) & (A | D), A);
	th_free(t);

	t = new_machine();
	map(t, DATA_VA, DATA_PA, 0, V | R | W);
	code(t, insns, 2, S);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	tcg_cpu_set_reg(t->cpu[0], 13, DATA_VA);
	assert_int_equal(run(t, S, 0), 9);
	/* the store after a load on the same page still sets D */
	assert_int_equal(pte(t, DATA_VA, 0) & (A | D), A | D);
	th_free(t);
}

static void test_mmu_superpages(void **state)
{
	static const struct {
		int level;
		uint64_t va, pa;
		uint64_t cause;
	} c[] = {
		/* 2 MiB aligned; misaligned (low PPN bit set) */
		{ 1, 0x40000000, TH_RAM_BASE, 9 },
		{ 1, 0x40000000, TH_RAM_BASE + 0x1000, 13 },
		/* 1 GiB aligned; misaligned */
		{ 2, 0x80000000, TH_RAM_BASE, 9 },
		{ 2, 0x80000000, TH_RAM_BASE + 0x200000, 13 },
	};

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct th *t = new_machine();
		uint32_t insn = LD(10, 11, 0);
		uint64_t va = c[i].va + DATA_PA - TH_RAM_BASE;

		map(t, c[i].va, c[i].pa, c[i].level, V | R | W);
		th_set_ram64(t, DATA_PA, 77);
		code(t, &insn, 1, S);
		tcg_cpu_set_reg(t->cpu[0], 11, va);
		assert_int_equal(run(t, S, 0), c[i].cause);
		if (c[i].cause == 9)
			assert_int_equal(th_reg(t, 0, 10), 77);
		else
			assert_int_equal(th_csr(t, 0, CSR_MTVAL), va);
		th_free(t);
	}
}

static void test_mmu_bad_tables(void **state)
{
	uint32_t insn = LD(10, 11, 0);
	struct th *t = new_machine();

	/* a pointer PTE with A set, and one at the last level */
	code(t, &insn, 1, S);
	th_set_ram64(t, pte_addr(t, DATA_VA, 1),
		     (next_table >> 12) << 10 | V | A);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, S, 0), 13);
	th_free(t);

	t = new_machine();
	code(t, &insn, 1, S);
	map(t, DATA_VA, DATA_PA, 0, V);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, S, 0), 13);
	th_free(t);

	/* a table outside RAM, and one at an MMIO register: a page fault
	 * (QEMU 7.2), and the walk never reads there */
	t = new_machine();
	code(t, &insn, 1, S);
	th_set_ram64(t, pte_addr(t, DATA_VA, 1), (0x40000000ull >> 12) << 10 | V);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, S, 0), 13);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), DATA_VA);
	th_free(t);

	t = new_machine();
	code(t, &insn, 1, S);
	th_set_ram64(t, pte_addr(t, DATA_VA, 1), (0x1000ull >> 12) << 10 | V);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, S, 0), 13);
	assert_int_equal(t->mmio_reads, 0);
	th_free(t);

	/* an address whose bits 63..39 are not all bit 38 */
	t = new_machine();
	code(t, &insn, 1, S);
	map(t, DATA_VA, DATA_PA, 0, V | R);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA | (1ull << 40));
	assert_int_equal(run(t, S, 0), 13);
	th_free(t);
}

/*
 * Nonsense roots in satp: all-ones PPN, page 0 (the harness's HALT
 * register), page 1 (its scratch device), the last RAM page full of
 * garbage.  Loads (M with MPRV, MPP = S) and an S fetch get page faults;
 * no walk reads outside RAM.
 */
static void test_mmu_nonsense_satp(void **state)
{
	static const uint64_t roots[] = {
		(1ull << 44) - 1, 0, 1, ((TH_RAM_BASE + TH_RAM_SIZE) >> 12) - 1,
	};

	for (unsigned i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		struct th *t = new_machine();
		uint64_t last = TH_RAM_BASE + TH_RAM_SIZE - 4096;

		for (unsigned j = 0; j < 512; j++)
			th_set_ram64(t, last + 8 * j,
				     0x9e3779b97f4a7c15ull * (j + 1) & ~V);
		th_org(t, M_HANDLER);
		th_emit(t, LUI(5, 0x20));
		th_emit(t, CSRRC(0, CSR_MSTATUS, 5));
		th_emit(t, HALT());
		th_org(t, CODE_PA);
		th_emit(t, LD(10, 11, 0));
		th_emit(t, ECALL());
		tcg_cpu_set_reg(t->cpu[0], 11, 0xffffffffc0001238ull);
		tcg_cpu_write_csr(t->cpu[0], CSR_SATP, SATP_SV39 | roots[i]);
		tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS,
				  MSTATUS_MPRV | 1ull << 11);
		assert_int_equal(th_run_at(t, 0, CODE_PA), 0);
		assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 13);
		assert_int_equal(th_csr(t, 0, CSR_MTVAL),
				 0xffffffffc0001238ull);
		/* an S fetch through it */
		tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, 0);
		tcg_cpu_set_priv(t->cpu[0], TCG_PRIV_S);
		assert_int_equal(th_run_at(t, 0, CODE_VA), 0);
		assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 12);
		assert_int_equal(th_csr(t, 0, CSR_MTVAL), CODE_VA);
		assert_int_equal(t->mmio_reads, 0);
		th_free(t);
	}
}

static void test_mmu_mprv(void **state)
{
	uint32_t insns[] = { LD(10, 11, 0), ECALL() };
	struct th *t = new_machine();

	/* M code, bare fetch; its loads use MPP's privilege and satp.  The
	 * handler clears MPRV before its HALT store. */
	th_org(t, M_HANDLER);
	th_emit(t, LUI(5, 0x20));
	th_emit(t, CSRRC(0, CSR_MSTATUS, 5));
	th_emit(t, HALT());
	map(t, DATA_VA, DATA_PA, 0, V | R | U);
	th_set_ram64(t, DATA_PA, 5);
	th_org(t, CODE_PA);
	th_emit(t, insns[0]);
	th_emit(t, insns[1]);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	tcg_cpu_write_csr(t->cpu[0], CSR_SATP, SATP_SV39 | PT_ROOT >> 12);
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, MSTATUS_MPRV); /* MPP = U */
	assert_int_equal(th_run_at(t, 0, CODE_PA), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 11);
	assert_int_equal(th_reg(t, 0, 10), 5);
	/* MPP = S: a U page without SUM faults */
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, MSTATUS_MPRV | 1ull << 11);
	assert_int_equal(th_run_at(t, 0, CODE_PA), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 13);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), DATA_VA);
	/* MPRV off: M loads are physical */
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, 0);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_PA);
	tcg_cpu_set_reg(t->cpu[0], 10, 0);
	assert_int_equal(th_run_at(t, 0, CODE_PA), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 11);
	assert_int_equal(th_reg(t, 0, 10), 5);
	th_free(t);
}

static void test_mmu_satp_warl_and_tvm(void **state)
{
	struct th *t = new_machine();
	uint32_t insns[] = { CSRR(10, CSR_SATP) };

	/* Sv48 and Sv57 are not supported: the write is dropped */
	tcg_cpu_write_csr(t->cpu[0], CSR_SATP, SATP_SV39 | 0xffffull << 44 | 5);
	assert_int_equal(th_csr(t, 0, CSR_SATP),
			 SATP_SV39 | 0xffffull << 44 | 5);
	tcg_cpu_write_csr(t->cpu[0], CSR_SATP, 10ull << 60 | 7);
	tcg_cpu_write_csr(t->cpu[0], CSR_SATP, 9ull << 60 | 7);
	assert_int_equal(th_csr(t, 0, CSR_SATP),
			 SATP_SV39 | 0xffffull << 44 | 5);
	tcg_cpu_write_csr(t->cpu[0], CSR_SATP, 0);
	assert_int_equal(th_csr(t, 0, CSR_SATP), 0);
	th_free(t);

	/* TVM: satp and sfence.vma are illegal in S */
	t = new_machine();
	code(t, insns, 1, S);
	assert_int_equal(run(t, S, MSTATUS_TVM), 2);
	th_free(t);
	t = new_machine();
	insns[0] = SFENCE_VMA(0, 0);
	code(t, insns, 1, S);
	assert_int_equal(run(t, S, MSTATUS_TVM), 2);
	th_free(t);
	t = new_machine();
	code(t, insns, 1, S);
	assert_int_equal(run(t, S, 0), 9);
	th_free(t);
}

static void test_mmu_fetch_faults(void **state)
{
	uint32_t insns[] = { JALR(0, 11, 0) };
	struct th *t = new_machine();

	/* a jump to an unmapped page, and to an S page from U */
	code(t, insns, 1, S);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, S, 0), 12);
	assert_int_equal(th_csr(t, 0, CSR_MEPC), DATA_VA);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), DATA_VA);
	th_free(t);

	t = new_machine();
	code(t, insns, 1, US);
	map(t, DATA_VA, CODE2_PA, 0, V | R | X);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, US, 0), 12);
	th_free(t);

	/* S may not fetch from a U page, even with SUM */
	t = new_machine();
	code(t, insns, 1, US);
	tcg_cpu_set_reg(t->cpu[0], 11, CODE_VA);
	assert_int_equal(run(t, S, MSTATUS_SUM), 12);
	th_free(t);

	/* a 4-byte instruction straddling into an unmapped page: epc is
	 * the instruction, tval the second page (QEMU) */
	t = new_machine();
	map(t, CODE_VA, CODE_PA, 0, V | R | X | A);
	th_org(t, CODE_PA + 0xffe);
	th_emit(t, ADDI(10, 0, 1));
	tcg_cpu_set_reg(t->cpu[0], 10, 0);
	tcg_cpu_write_csr(t->cpu[0], CSR_SATP, SATP_SV39 | PT_ROOT >> 12);
	tcg_cpu_set_priv(t->cpu[0], S);
	assert_int_equal(th_run_at(t, 0, CODE_VA + 0xffe), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 12);
	assert_int_equal(th_csr(t, 0, CSR_MEPC), CODE_VA + 0xffe);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), CODE_VA + 0x1000);
	/* mapped, it runs: only a block's first instruction straddles */
	map(t, CODE_VA + 0x1000, CODE2_PA, 0, V | R | X | A);
	th_org(t, CODE2_PA + 2);
	th_emit(t, ECALL());
	tcg_cpu_set_priv(t->cpu[0], S);
	assert_int_equal(th_run_at(t, 0, CODE_VA + 0xffe), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 9);
	assert_int_equal(th_reg(t, 0, 10), 1);
	th_free(t);
}

static void test_mmu_cross_page_data(void **state)
{
	uint32_t insns[] = { LD(10, 11, 0) };
	struct th *t = new_machine();

	/* pages mapped apart: one load from both; then the second page
	 * unmapped: the fault names its base address */
	map(t, DATA_VA, DATA_PA + 0x3000, 0, V | R | W);
	map(t, DATA_VA + 0x1000, DATA_PA, 0, V | R | W);
	th_set_ram64(t, DATA_PA + 0x3ff8, 0x4433221100000000ull);
	th_set_ram64(t, DATA_PA, 0x0000000077665544ull);
	code(t, insns, 1, S);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA + 0xffc);
	assert_int_equal(run(t, S, 0), 9);
	assert_int_equal(th_reg(t, 0, 10), 0x7766554444332211ull);
	th_set_ram64(t, pte_addr(t, DATA_VA + 0x1000, 0), 0);
	tcg_cpu_write_csr(t->cpu[0], CSR_SATP, 0);
	assert_int_equal(run(t, S, 0), 13);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), DATA_VA + 0x1000);
	th_free(t);
}

static void test_mmu_atomics(void **state)
{
	uint32_t insns[] = { LR_D(10, 11), SC_D(12, 13, 14) };
	struct th *t = new_machine();

	/* LR through one mapping, SC through another of the same page:
	 * reservations are physical */
	map(t, DATA_VA, DATA_PA, 0, V | R | W);
	map(t, DATA_VA + 0x5000, DATA_PA, 0, V | R | W);
	th_set_ram64(t, DATA_PA, 3);
	code(t, insns, 2, S);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	tcg_cpu_set_reg(t->cpu[0], 13, DATA_VA + 0x5000);
	tcg_cpu_set_reg(t->cpu[0], 14, 9);
	assert_int_equal(run(t, S, 0), 9);
	assert_int_equal(th_reg(t, 0, 10), 3);
	assert_int_equal(th_reg(t, 0, 12), 0);
	assert_int_equal(th_ram64(t, DATA_PA), 9);
	th_free(t);

	/* an AMO probes as a load, then as a store (QEMU 7.2): on a
	 * read-only page a store/AMO page fault, with A set by the load
	 * probe; on an unreadable one a load page fault */
	t = new_machine();
	insns[0] = AMOADD_D(10, 11, 12);
	map(t, DATA_VA, DATA_PA, 0, V | R);
	code(t, insns, 1, S);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, S, 0), 15);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), DATA_VA);
	assert_int_equal(pte(t, DATA_VA, 0) & (A | D), A);
	th_free(t);
	t = new_machine();
	map(t, DATA_VA, DATA_PA, 0, V | R | W | U);
	code(t, insns, 1, S);
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, S, 0), 13);
	th_free(t);
}

/*
 * One virtual pc, two physical pages of different code: after the PTE
 * changes and sfence.vma, the new code runs (blocks are found by
 * physical address; the jump cache and TLB were flushed).
 */
static void test_mmu_block_lookup_across_remap(void **state)
{
	struct th *t = new_machine();
	uint32_t insns[] = { JALR(1, 11, 0) };

	code(t, insns, 1, S);
	map(t, DATA_VA, CODE2_PA, 0, V | R | X | A);
	th_org(t, CODE2_PA);
	th_emit(t, ADDI(10, 0, 1));
	th_emit(t, JALR(0, 1, 0));
	th_org(t, CODE2_PA + 0x1000);
	th_emit(t, ADDI(10, 0, 2));
	th_emit(t, JALR(0, 1, 0));
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	assert_int_equal(run(t, S, 0), 9);
	assert_int_equal(th_reg(t, 0, 10), 1);
	/* run it again so the path is in the jump and inline caches */
	assert_int_equal(run(t, S, 0), 9);
	assert_int_equal(th_reg(t, 0, 10), 1);

	/* remap, then sfence.vma from the guest and the same jalr again */
	map(t, DATA_VA, CODE2_PA + 0x1000, 0, V | R | X | A);
	th_org(t, CODE_PA + 0x100);
	th_emit(t, SFENCE_VMA(0, 0));
	th_emit(t, JAL(0, -0x104));
	assert_int_equal(run_at(t, CODE_VA + 0x100, S, 0), 9);
	assert_int_equal(th_reg(t, 0, 10), 2);
	th_free(t);
}

/*
 * Two virtual pcs on one physical page run the same code, and a store
 * through a third, data-only mapping of it is seen by both: code is
 * invalidated by physical page.
 */
static void test_mmu_two_mappings_one_page(void **state)
{
	struct th *t = new_machine();
	uint32_t insns[] = {
		JALR(1, 11, 0), JALR(1, 12, 0), SW(14, 13, 0),
		JALR(1, 11, 0), ADD(15, 10, 0), JALR(1, 12, 0),
	};

	code(t, insns, 6, S);
	map(t, DATA_VA, CODE2_PA, 0, V | R | X | A);
	map(t, DATA_VA + 0x7000, CODE2_PA, 0, V | R | X | A);
	map(t, DATA_VA + 0x9000, CODE2_PA, 0, V | R | W | A | D);
	th_org(t, CODE2_PA);
	th_emit(t, ADDI(10, 0, 1));
	th_emit(t, JALR(0, 1, 0));
	tcg_cpu_set_reg(t->cpu[0], 11, DATA_VA);
	tcg_cpu_set_reg(t->cpu[0], 12, DATA_VA + 0x7000);
	tcg_cpu_set_reg(t->cpu[0], 13, DATA_VA + 0x9000);
	tcg_cpu_set_reg(t->cpu[0], 14, ADDI(10, 0, 7));
	assert_int_equal(run(t, S, 0), 9);
	assert_int_equal(th_reg(t, 0, 15), 7);
	assert_int_equal(th_reg(t, 0, 10), 7);
	th_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmu_permissions),
		cmocka_unit_test(test_mmu_accessed_dirty),
		cmocka_unit_test(test_mmu_superpages),
		cmocka_unit_test(test_mmu_bad_tables),
		cmocka_unit_test(test_mmu_nonsense_satp),
		cmocka_unit_test(test_mmu_mprv),
		cmocka_unit_test(test_mmu_satp_warl_and_tvm),
		cmocka_unit_test(test_mmu_fetch_faults),
		cmocka_unit_test(test_mmu_cross_page_data),
		cmocka_unit_test(test_mmu_atomics),
		cmocka_unit_test(test_mmu_block_lookup_across_remap),
		cmocka_unit_test(test_mmu_two_mappings_one_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
