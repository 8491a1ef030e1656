/* SPDX-License-Identifier: MIT */
/*
 * Traps, CSRs and privilege: ecall causes per mode, mret/sret restoring
 * privilege and interrupt enables, delegation to S-mode, illegal CSR
 * accesses, interrupts taken at block boundaries, WFI sleeping.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/tcg/rv-asm.h"
#include "tests/tcg/tcg-harness.h"

#define M_HANDLER (TH_RAM_BASE + 0x80000)
#define S_HANDLER (TH_RAM_BASE + 0x81000)
#define CODE (TH_RAM_BASE + 0x1000)
#define TARGET (TH_RAM_BASE + 0x2000)
#define INT_BIT (1ull << 63)
#define MPP_SHIFT 11

static struct th *new_machine(void)
{
	struct th *t = th_new(1);

	th_org(t, M_HANDLER);
	th_emit(t, HALT());
	th_org(t, S_HANDLER);
	th_emit(t, HALT());
	tcg_cpu_write_csr(t->cpu[0], CSR_MTVEC, M_HANDLER);
	tcg_cpu_write_csr(t->cpu[0], CSR_STVEC, S_HANDLER);
	/* one PMP rule, as guests need on QEMU to leave M-mode */
	tcg_cpu_write_csr(t->cpu[0], 0x3b0, ~0ull);
	tcg_cpu_write_csr(t->cpu[0], 0x3a0, 0x1f);
	th_org(t, CODE);
	return t;
}

/* QEMU 7.2 helper_mret: no active PMP rule -> mret below M is illegal. */
static void test_priv_mret_without_pmp_rule_is_illegal(void **state)
{
	struct th *t = new_machine();

	tcg_cpu_write_csr(t->cpu[0], 0x3a0, 0);
	th_emit(t, MRET());
	tcg_cpu_write_csr(t->cpu[0], CSR_MEPC, TARGET);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 2);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), MRET());
	assert_int_equal(tcg_cpu_get_priv(t->cpu[0]), TCG_PRIV_M);
	th_free(t);
}

static void test_priv_ecall_cause_per_mode(void **state)
{
	static const struct {
		enum tcg_priv priv;
		uint64_t cause;
	} c[] = { { TCG_PRIV_M, 11 }, { TCG_PRIV_S, 9 }, { TCG_PRIV_U, 8 } };

	for (unsigned i = 0; i < 3; i++) {
		struct th *t = new_machine();
		uint64_t st;

		th_emit(t, ECALL());
		tcg_cpu_set_priv(t->cpu[0], c[i].priv);
		assert_int_equal(th_run_at(t, 0, CODE), 0);
		assert_int_equal(th_csr(t, 0, CSR_MCAUSE), c[i].cause);
		assert_int_equal(th_csr(t, 0, CSR_MEPC), CODE);
		assert_int_equal(th_csr(t, 0, CSR_MTVAL), 0);
		st = th_csr(t, 0, CSR_MSTATUS);
		assert_int_equal((st >> MPP_SHIFT) & 3, c[i].priv);
		assert_int_equal(tcg_cpu_get_priv(t->cpu[0]), TCG_PRIV_M);
		th_free(t);
	}
}

static void test_priv_mret_restores_mode_and_mie(void **state)
{
	struct th *t = new_machine();
	uint64_t st;

	/* M: mepc = TARGET, MPP = U, MPIE = 1; mret */
	th_emit(t, MRET());
	th_org(t, TARGET);
	th_emit(t, ECALL());
	tcg_cpu_write_csr(t->cpu[0], CSR_MEPC, TARGET);
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, 1ull << 7);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 8); /* ecall from U */
	assert_int_equal(th_csr(t, 0, CSR_MEPC), TARGET);
	/* the trap saved MIE (1 after mret) in MPIE and cleared MIE */
	st = th_csr(t, 0, CSR_MSTATUS);
	assert_true(st & (1ull << 7));
	assert_false(st & (1ull << 3));
	th_free(t);

	/* MPP = S: mret lands in S */
	t = new_machine();
	th_emit(t, MRET());
	th_org(t, TARGET);
	th_emit(t, ECALL());
	tcg_cpu_write_csr(t->cpu[0], CSR_MEPC, TARGET);
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, 1ull << MPP_SHIFT);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 9);
	th_free(t);
}

static void test_priv_sret_restores_mode(void **state)
{
	struct th *t = new_machine();

	th_emit(t, SRET());
	th_org(t, TARGET);
	th_emit(t, ECALL());
	tcg_cpu_set_priv(t->cpu[0], TCG_PRIV_S);
	tcg_cpu_write_csr(t->cpu[0], CSR_SEPC, TARGET);
	tcg_cpu_write_csr(t->cpu[0], CSR_SSTATUS, 1ull << 5); /* SPP=U SPIE */
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 8);
	assert_true(th_csr(t, 0, CSR_SSTATUS) & (1ull << 1)); /* SIE = SPIE */
	th_free(t);

	/* sret from U is illegal */
	t = new_machine();
	th_emit(t, SRET());
	tcg_cpu_set_priv(t->cpu[0], TCG_PRIV_U);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 2);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), SRET());
	th_free(t);
}

static void test_priv_delegation_to_s(void **state)
{
	struct th *t = new_machine();
	uint64_t st;

	th_emit(t, ECALL());
	tcg_cpu_write_csr(t->cpu[0], CSR_MEDELEG, (1u << 8) | (1u << 2));
	tcg_cpu_write_csr(t->cpu[0], CSR_SSTATUS, 1ull << 1); /* SIE */
	tcg_cpu_write_csr(t->cpu[0], CSR_MCAUSE, 0xdead);
	tcg_cpu_set_priv(t->cpu[0], TCG_PRIV_U);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_SCAUSE), 8);
	assert_int_equal(th_csr(t, 0, CSR_SEPC), CODE);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 0xdead);
	assert_int_equal(tcg_cpu_get_priv(t->cpu[0]), TCG_PRIV_S);
	assert_int_equal(tcg_cpu_get_pc(t->cpu[0]), S_HANDLER + 4);
	st = th_csr(t, 0, CSR_SSTATUS);
	assert_false(st & (1ull << 8));	/* SPP = U */
	assert_true(st & (1ull << 5));	/* SPIE = old SIE */
	assert_false(st & (1ull << 1));	/* SIE cleared */
	th_free(t);

	/* Traps taken in M are never delegated, even if the bit is set. */
	t = new_machine();
	th_emit(t, 0xffffffffu);
	tcg_cpu_write_csr(t->cpu[0], CSR_MEDELEG, 1u << 2);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 2);
	assert_int_equal(tcg_cpu_get_pc(t->cpu[0]), M_HANDLER + 4);
	/* ecall from M cannot be delegated: bit 11 is read-only zero */
	tcg_cpu_write_csr(t->cpu[0], CSR_MEDELEG, ~0ull);
	assert_int_equal(th_csr(t, 0, CSR_MEDELEG) & (1u << 11), 0);
	th_free(t);
}

static void test_priv_illegal_csr_access_from_u(void **state)
{
	const uint32_t bad_u[] = {
		CSRR(10, CSR_MSTATUS), CSRR(10, CSR_SSTATUS),
		CSRW(CSR_MSCRATCH, 1), CSRR(10, CSR_CYCLE), /* mcounteren 0 */
	};

	for (unsigned i = 0; i < sizeof(bad_u) / sizeof(bad_u[0]); i++) {
		struct th *t = new_machine();

		th_emit(t, ADDI(10, 0, 1));
		th_emit(t, bad_u[i]);
		tcg_cpu_set_priv(t->cpu[0], TCG_PRIV_U);
		assert_int_equal(th_run_at(t, 0, CODE), 0);
		assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 2);
		assert_int_equal(th_csr(t, 0, CSR_MEPC), CODE + 4);
		assert_int_equal(th_csr(t, 0, CSR_MTVAL), bad_u[i]);
		assert_int_equal(th_reg(t, 0, 10), 1); /* rd not written */
		th_free(t);
	}
}

static void test_priv_counters_need_counteren(void **state)
{
	struct th *t = new_machine();

	th_emit(t, ADDI(0, 0, 0));
	th_emit(t, CSRR(10, CSR_INSTRET));
	th_emit(t, ECALL());
	tcg_cpu_write_csr(t->cpu[0], CSR_MCOUNTEREN, 7);
	tcg_cpu_write_csr(t->cpu[0], 0x106, 7); /* scounteren */
	tcg_cpu_set_priv(t->cpu[0], TCG_PRIV_U);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 8); /* the ecall */
	assert_int_equal(th_reg(t, 0, 10), 1); /* the nop before it */
	th_free(t);
}

#define CSR_MCYCLE 0xb00
#define CSR_MINSTRET 0xb02
#define CSR_MCOUNTINHIBIT 0x320

/*
 * The spec (Zicntr): a csr instruction reads a counter as it was before
 * it, and its write replaces its own increment, so the next instruction
 * reads what was written.  (QEMU 7.2 counts host ticks without -icount,
 * and with it also counts the writing instruction: it reads 1 below.)
 */
static void test_priv_counters_around_csr_writes(void **state)
{
	struct th *t = new_machine();

	th_emit(t, CSRW(CSR_MINSTRET, 0));
	th_emit(t, CSRR(10, CSR_MINSTRET));	/* 0 */
	th_emit(t, CSRW(CSR_MINSTRET, 0));
	th_emit(t, ADDI(0, 0, 0));
	th_emit(t, ADDI(0, 0, 0));
	th_emit(t, CSRR(11, CSR_MINSTRET));	/* 2 */
	th_emit(t, ADDI(5, 0, 100));
	th_emit(t, CSRW(CSR_MINSTRET, 5));
	th_emit(t, CSRRW(12, CSR_MINSTRET, 0));	/* 100, then 0 */
	th_emit(t, CSRR(13, CSR_INSTRET));	/* 0 */
	th_emit(t, CSRR(14, CSR_INSTRET));
	th_emit(t, CSRR(15, CSR_INSTRET));	/* one more */
	th_emit(t, CSRW(CSR_MCYCLE, 0));
	th_emit(t, CSRR(16, CSR_CYCLE));	/* 0 */
	th_emit(t, CSRRWI(0, CSR_MCOUNTINHIBIT, 4)); /* stop instret */
	th_emit(t, CSRR(17, CSR_MINSTRET));
	th_emit(t, ADDI(0, 0, 0));
	th_emit(t, CSRR(18, CSR_MINSTRET));	/* the same */
	th_emit(t, CSRRWI(0, CSR_MINSTRET, 7));
	th_emit(t, CSRR(19, CSR_MINSTRET));	/* 7 while stopped */
	th_emit(t, CSRRWI(0, CSR_MCOUNTINHIBIT, 0));
	th_emit(t, CSRR(20, CSR_MINSTRET));	/* 7: counting starts after */
	th_emit(t, HALT());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 0);
	assert_int_equal(th_reg(t, 0, 11), 2);
	assert_int_equal(th_reg(t, 0, 12), 100);
	assert_int_equal(th_reg(t, 0, 13), 0);
	assert_int_equal(th_reg(t, 0, 15) - th_reg(t, 0, 14), 1);
	assert_int_equal(th_reg(t, 0, 16), 0);
	assert_int_equal(th_reg(t, 0, 18), th_reg(t, 0, 17));
	assert_int_equal(th_reg(t, 0, 19), 7);
	assert_int_equal(th_reg(t, 0, 20), 7);
	th_free(t);
}

/*
 * Within a level the spec's order: MEI, MSI, MTI, SEI, SSI, STI (QEMU
 * 7.2 takes the lowest-numbered bit instead); M-level before S-level.
 */
static void test_priv_interrupt_priority(void **state)
{
	static const struct {
		uint64_t pend, deleg;
		enum tcg_priv priv;
		uint64_t cause;
	} c[] = {
		{ 0x222, 0, TCG_PRIV_M, 9 },
		{ 0x022, 0, TCG_PRIV_M, 1 },
		{ 0xaaa, 0, TCG_PRIV_M, 11 },
		{ 0x2aa, 0, TCG_PRIV_M, 3 },
		{ 0x2a2, 0, TCG_PRIV_M, 7 },
		{ 0x222, 0x222, TCG_PRIV_U, 9 },
		{ 0x022, 0x022, TCG_PRIV_U, 1 },
		{ 0x222, 0x200, TCG_PRIV_U, 1 },	/* M-level SSI first */
		{ 0x222, 0x202, TCG_PRIV_S, 5 },
	};

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct th *t = new_machine();
		struct tcg_cpu *cpu = t->cpu[0];

		th_emit(t, ADDI(0, 0, 0));
		th_emit(t, HALT());
		tcg_cpu_write_csr(cpu, CSR_MIDELEG, c[i].deleg);
		tcg_cpu_write_csr(cpu, CSR_MIE, c[i].pend);
		tcg_cpu_write_csr(cpu, CSR_MIP, c[i].pend & 0x222);
		tcg_cpu_set_irq(cpu, c[i].pend & 0x888, true);
		tcg_cpu_write_csr(cpu, CSR_MSTATUS, (1ull << 3) | (1ull << 1));
		tcg_cpu_set_priv(cpu, c[i].priv);
		assert_int_equal(th_run_at(t, 0, CODE), 0);
		if ((c[i].deleg >> c[i].cause) & 1)
			assert_int_equal(th_csr(t, 0, CSR_SCAUSE),
					 INT_BIT | c[i].cause);
		else
			assert_int_equal(th_csr(t, 0, CSR_MCAUSE),
					 INT_BIT | c[i].cause);
		th_free(t);
	}
}

/* mip.SEIP is the OR of the bit M writes and the line the PLIC drives. */
static void test_priv_seip_is_software_or_line(void **state)
{
	struct th *t = new_machine();
	struct tcg_cpu *cpu = t->cpu[0];

	tcg_cpu_set_irq(cpu, TCG_MIP_SEIP, true);
	assert_int_equal(th_csr(t, 0, CSR_MIP), TCG_MIP_SEIP);
	tcg_cpu_write_csr(cpu, CSR_MIP, 0);		/* M clears its bit */
	assert_int_equal(th_csr(t, 0, CSR_MIP), TCG_MIP_SEIP);
	tcg_cpu_set_irq(cpu, TCG_MIP_SEIP, false);
	assert_int_equal(th_csr(t, 0, CSR_MIP), 0);
	tcg_cpu_write_csr(cpu, CSR_MIP, TCG_MIP_SEIP);
	assert_int_equal(tcg_cpu_get_mip(cpu), TCG_MIP_SEIP);
	tcg_cpu_set_irq(cpu, TCG_MIP_SEIP, true);
	tcg_cpu_set_irq(cpu, TCG_MIP_SEIP, false);	/* M's bit stays */
	assert_int_equal(th_csr(t, 0, CSR_MIP), TCG_MIP_SEIP);
	tcg_cpu_write_csr(cpu, CSR_MIP, 0);
	assert_int_equal(th_csr(t, 0, CSR_MIP), 0);
	/* S cannot write SEIP or STIP through sip, even delegated */
	tcg_cpu_write_csr(cpu, CSR_MIDELEG, 0x222);
	tcg_cpu_write_csr(cpu, CSR_SIP, 0x222);
	assert_int_equal(th_csr(t, 0, CSR_MIP), 0x2);
	/* and an external SEIP wakes and interrupts S */
	th_emit(t, JAL(0, 0));
	tcg_cpu_write_csr(cpu, CSR_MIP, 0);
	tcg_cpu_write_csr(cpu, CSR_MIE, TCG_MIP_SEIP);
	tcg_cpu_set_priv(cpu, TCG_PRIV_U);
	tcg_cpu_set_irq(cpu, TCG_MIP_SEIP, true);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_SCAUSE), INT_BIT | 9);
	th_free(t);
}

/*
 * OpenSBI's timer handler does csrs/csrc mip, STIP while the PLIC may hold
 * the SEIP line high.  The value read ORs that line in, but only M's own
 * bit takes part in the read-modify-write: once the line drops, SEIP must
 * be clear.  When the line leaked into M's bit, Linux on 2+ harts looped
 * for ever in plic_handle_irq (claim 0, SEIP still pending): an RCU stall,
 * then a hard lockup.
 */
static void test_priv_csrs_mip_keeps_line_out_of_seip(void **state)
{
	struct th *t = new_machine();
	struct tcg_cpu *cpu = t->cpu[0];

	th_emit(t, ADDI(5, 0, TCG_MIP_STIP));
	th_emit(t, CSRRS(6, CSR_MIP, 5));	/* reads SEIP from the line */
	th_emit(t, CSRRC(0, CSR_MIP, 5));
	th_emit(t, CSRRSI(0, CSR_MIP, TCG_MIP_SSIP));
	th_emit(t, HALT());
	tcg_cpu_set_irq(cpu, TCG_MIP_SEIP, true);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 6), TCG_MIP_SEIP);
	assert_int_equal(th_csr(t, 0, CSR_MIP), TCG_MIP_SEIP | TCG_MIP_SSIP);
	tcg_cpu_set_irq(cpu, TCG_MIP_SEIP, false);	/* claimed */
	assert_int_equal(th_csr(t, 0, CSR_MIP), TCG_MIP_SSIP);
	th_free(t);
}

static void test_csr_unimplemented_and_readonly_are_illegal(void **state)
{
	const uint32_t bad_m[] = {
		CSRR(10, 0x7c0),	 /* custom */
		CSRR(10, 0xb13),	 /* mhpmcounter19: QEMU virt has 16 */
		CSRW(CSR_MHARTID, 10),	 /* read-only */
		CSRRSI(10, CSR_MHARTID, 1),
		CSRR(10, 0x3a1),	 /* pmpcfg1 does not exist on RV64 */
	};

	for (unsigned i = 0; i < sizeof(bad_m) / sizeof(bad_m[0]); i++) {
		struct th *t = new_machine();

		th_emit(t, bad_m[i]);
		assert_int_equal(th_run_at(t, 0, CODE), 0);
		assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 2);
		assert_int_equal(th_csr(t, 0, CSR_MTVAL), bad_m[i]);
		th_free(t);
	}
}

static void test_csr_values_and_masks(void **state)
{
	struct th *t = new_machine();
	struct tcg_cpu *c = t->cpu[0];
	uint64_t v;

	/* read-only reads with x0 as source are fine */
	th_emit(t, CSRRS(10, CSR_MHARTID, 0));
	th_emit(t, CSRR(11, CSR_MISA));
	th_emit(t, CSRRW(0, CSR_SATP, 16));	/* Sv48: WARL, ignored */
	th_emit(t, CSRR(13, CSR_SATP));
	th_emit(t, CSRRW(0, 0x3a0, 12));	/* pmpcfg0: stored */
	th_emit(t, CSRRW(0, 0x3bf, 12));	/* pmpaddr15 */
	th_emit(t, CSRR(14, 0x3a0));
	th_emit(t, CSRR(15, 0xf11));		/* mvendorid */
	th_emit(t, HALT());
	tcg_cpu_set_reg(c, 12, 0x8000000000000000ull | 0x1f);
	tcg_cpu_set_reg(c, 16, 0x9000000000000000ull | 0x1f);
	tcg_cpu_set_reg(c, 13, 5);
	tcg_cpu_set_reg(c, 15, 5);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 0);
	assert_int_equal(th_reg(t, 0, 11),
			 (2ull << 62) | (1 << 0) | (1 << 2) | (1 << 3) |
				 (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) |
				 (1 << 20));
	assert_int_equal(th_reg(t, 0, 13), 0);
	assert_int_equal(th_reg(t, 0, 14), 0x800000000000001full);
	assert_int_equal(th_reg(t, 0, 15), 0);
	assert_int_equal(th_csr(t, 0, 0x3bf), 0x1f);

	/* mtvec: modes 2 and 3 are ignored */
	tcg_cpu_write_csr(c, CSR_MTVEC, 0x80000102);
	assert_int_equal(th_csr(t, 0, CSR_MTVEC), M_HANDLER);
	/* sstatus is a view of mstatus */
	tcg_cpu_write_csr(c, CSR_MSTATUS, (1ull << 3) | (1ull << 1));
	v = th_csr(t, 0, CSR_SSTATUS);
	assert_int_equal(v & 0xf, 1ull << 1);
	assert_int_equal(v >> 32 & 3, 2); /* UXL = 64 */
	/* sie/sip only show delegated bits */
	tcg_cpu_write_csr(c, CSR_MIE, 0xaaa);
	assert_int_equal(th_csr(t, 0, CSR_SIE), 0);
	tcg_cpu_write_csr(c, CSR_MIDELEG, 0x222);
	assert_int_equal(th_csr(t, 0, CSR_SIE), 0x222);
	/* mip: MTIP/MSIP are not writable by software, SSIP is */
	tcg_cpu_write_csr(c, CSR_MIP, 0x8a);
	assert_int_equal(th_csr(t, 0, CSR_MIP), 0x2);
	th_free(t);
}

static void test_priv_timer_interrupt_at_block_boundary(void **state)
{
	struct th *t = new_machine();
	uint64_t loop;

	th_emit(t, ADDI(10, 10, 1));
	loop = th_emit(t, JAL(0, 0)); /* j . */
	tcg_cpu_write_csr(t->cpu[0], CSR_MIE, TCG_MIP_MTIP);
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, 1ull << 3);
	tcg_cpu_set_irq(t->cpu[0], TCG_MIP_MTIP, true);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), INT_BIT | 7);
	assert_int_equal(th_csr(t, 0, CSR_MEPC), CODE);
	/* MIE was on, so the trap entry saved it in MPIE */
	assert_true(th_csr(t, 0, CSR_MSTATUS) & (1ull << 7));
	(void)loop;
	th_free(t);
}

static void test_priv_vectored_interrupt(void **state)
{
	struct th *t = new_machine();

	th_emit(t, JAL(0, 0));
	th_org(t, M_HANDLER + 4 * 3);
	th_emit(t, HALT());
	tcg_cpu_write_csr(t->cpu[0], CSR_MTVEC, M_HANDLER | 1);
	tcg_cpu_write_csr(t->cpu[0], CSR_MIE, TCG_MIP_MSIP);
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, 1ull << 3);
	tcg_cpu_set_irq(t->cpu[0], TCG_MIP_MSIP, true);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), INT_BIT | 3);
	assert_int_equal(tcg_cpu_get_pc(t->cpu[0]), M_HANDLER + 16);
	th_free(t);
}

static void test_priv_delegated_interrupt_in_u(void **state)
{
	struct th *t = new_machine();

	th_emit(t, JAL(0, 0));
	tcg_cpu_write_csr(t->cpu[0], CSR_MIDELEG, TCG_MIP_STIP);
	tcg_cpu_write_csr(t->cpu[0], CSR_MIE, TCG_MIP_STIP);
	tcg_cpu_write_csr(t->cpu[0], CSR_MIP, TCG_MIP_STIP);
	tcg_cpu_set_priv(t->cpu[0], TCG_PRIV_U); /* SIE off: U always takes */
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_SCAUSE), INT_BIT | 5);
	assert_int_equal(tcg_cpu_get_priv(t->cpu[0]), TCG_PRIV_S);
	th_free(t);

	/* In M, a delegated interrupt is never taken. */
	t = new_machine();
	th_emit(t, ADDI(10, 0, 9));
	th_emit(t, HALT());
	tcg_cpu_write_csr(t->cpu[0], CSR_MSTATUS, (1ull << 3) | (1ull << 1));
	tcg_cpu_write_csr(t->cpu[0], CSR_MIDELEG, TCG_MIP_SSIP);
	tcg_cpu_write_csr(t->cpu[0], CSR_MIE, TCG_MIP_SSIP);
	tcg_cpu_write_csr(t->cpu[0], CSR_MIP, TCG_MIP_SSIP);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_reg(t, 0, 10), 9);
	th_free(t);
}

/* Raise MSIP once the vCPU sleeps in WFI: on a loaded machine a fixed
 * delay may end before the vCPU gets there. */
static void *raise_msip_when_halted(void *arg)
{
	while (tcg_cpu_state(arg) != TCG_CPU_HALTED)
		usleep(1000);
	tcg_cpu_set_irq(arg, TCG_MIP_MSIP, true);
	return NULL;
}

static void test_priv_wfi_sleeps_until_interrupt(void **state)
{
	struct th *t = new_machine();
	struct tcg_cpu_stats st;
	pthread_t thr;

	/* MSIE on but MIE off: wfi wakes, execution continues after it */
	th_emit(t, WFI());
	th_emit(t, ADDI(10, 0, 1));
	th_emit(t, HALT());
	tcg_cpu_write_csr(t->cpu[0], CSR_MIE, TCG_MIP_MSIP);
	pthread_create(&thr, NULL, raise_msip_when_halted, t->cpu[0]);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	pthread_join(thr, NULL);
	assert_int_equal(th_reg(t, 0, 10), 1);
	tcg_cpu_get_stats(t->cpu[0], &st);
	assert_true(st.wfi_sleeps >= 1);
	th_free(t);

	/* wfi in U-mode is illegal */
	t = new_machine();
	th_emit(t, WFI());
	tcg_cpu_set_priv(t->cpu[0], TCG_PRIV_U);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 2);
	th_free(t);
}

static void test_priv_ebreak_and_mret_from_s(void **state)
{
	struct th *t = new_machine();

	th_emit(t, EBREAK());
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 3);
	assert_int_equal(th_csr(t, 0, CSR_MEPC), CODE);
	th_free(t);

	t = new_machine();
	th_emit(t, MRET());
	tcg_cpu_set_priv(t->cpu[0], TCG_PRIV_S);
	assert_int_equal(th_run_at(t, 0, CODE), 0);
	assert_int_equal(th_csr(t, 0, CSR_MCAUSE), 2);
	assert_int_equal(th_csr(t, 0, CSR_MTVAL), MRET());
	th_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priv_ecall_cause_per_mode),
		cmocka_unit_test(test_priv_mret_restores_mode_and_mie),
		cmocka_unit_test(test_priv_mret_without_pmp_rule_is_illegal),
		cmocka_unit_test(test_priv_sret_restores_mode),
		cmocka_unit_test(test_priv_delegation_to_s),
		cmocka_unit_test(test_priv_illegal_csr_access_from_u),
		cmocka_unit_test(test_priv_counters_need_counteren),
		cmocka_unit_test(test_priv_counters_around_csr_writes),
		cmocka_unit_test(test_priv_interrupt_priority),
		cmocka_unit_test(test_priv_seip_is_software_or_line),
		cmocka_unit_test(test_priv_csrs_mip_keeps_line_out_of_seip),
		cmocka_unit_test(test_csr_unimplemented_and_readonly_are_illegal),
		cmocka_unit_test(test_csr_values_and_masks),
		cmocka_unit_test(test_priv_timer_interrupt_at_block_boundary),
		cmocka_unit_test(test_priv_vectored_interrupt),
		cmocka_unit_test(test_priv_delegated_interrupt_in_u),
		cmocka_unit_test(test_priv_wfi_sleeps_until_interrupt),
		cmocka_unit_test(test_priv_ebreak_and_mret_from_s),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
