/* SPDX-License-Identifier: MIT */
/*
 * Control and status registers.
 *
 * One function, tcg_csr_access(), knows every implemented CSR: it checks
 * the privilege encoded in the number (bits 9:8) and read-only-ness (bits
 * 11:10 == 3), then reads and optionally writes under a mask.  Anything it
 * does not know is an illegal instruction, precisely at the csr* op.
 * PMP registers are stored and ignored (QEMU's virt has PMP; guests write
 * them); satp and the mstatus bits that steer translation go to tcg/mmu.c.
 */
#include "tcg/tcg-internal.h"

#define MSTATUS_WMASK                                                          \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE |             \
	 MSTATUS_SPP | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM |              \
	 MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define SSTATUS_MASK                                                           \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM |              \
	 MSTATUS_MXR | MSTATUS_UXL)
#define SSTATUS_WMASK                                                          \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR)
#define S_INTS (TCG_MIP_SSIP | TCG_MIP_STIP | TCG_MIP_SEIP)
#define ALL_INTS (S_INTS | TCG_MIP_MSIP | TCG_MIP_MTIP | TCG_MIP_MEIP)
/* Exceptions S-mode may take: all but ecall from M and the reserved. */
#define MEDELEG_WMASK 0xb3ffull

#define MISA_VALUE                                                             \
	((2ull << 62) | (1u << ('A' - 'A')) | (1u << ('C' - 'A')) |            \
	 (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('S' - 'A')) |     \
	 (1u << ('U' - 'A')))

enum {
	CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105,
	CSR_SCOUNTEREN = 0x106, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141,
	CSR_SCAUSE = 0x142, CSR_STVAL = 0x143, CSR_SIP = 0x144,
	CSR_SATP = 0x180,
	CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302,
	CSR_MIDELEG = 0x303, CSR_MIE = 0x304, CSR_MTVEC = 0x305,
	CSR_MCOUNTEREN = 0x306, CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341,
	CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343, CSR_MIP = 0x344,
	CSR_PMPCFG0 = 0x3a0, CSR_PMPADDR0 = 0x3b0,
	CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
	CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
	CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13,
	CSR_MHARTID = 0xf14,
};

static uint64_t read_time(struct tcg_cpu *cpu)
{
	const struct tcg_mmio_ops *mmio = cpu->m->mmio;

	return mmio && mmio->read_time ? mmio->read_time(cpu->m->opaque) : 0;
}

static inline void wr(uint64_t *reg, uint64_t val, uint64_t mask)
{
	*reg = (*reg & ~mask) | (val & mask);
}

/*
 * Read csr into *val and, if write, set it to (old & ~wmask) | (wval &
 * wmask).  Returns 0, or -1 for an illegal access at privilege priv.
 */
int tcg_csr_access(struct tcg_cpu *cpu, unsigned csr, uint64_t *val,
		   uint64_t wval, uint64_t wmask, bool write, unsigned priv)
{
	uint64_t v, nv;
	bool irq_change = false;

	if (((csr >> 8) & 3) > priv)
		return -1;
	if (write && (csr >> 10) == 3)
		return -1;
	switch (csr) {
	case CSR_MSTATUS:
		v = cpu->mstatus;
		break;
	case CSR_SSTATUS:
		v = cpu->mstatus & SSTATUS_MASK;
		break;
	case CSR_MISA: v = MISA_VALUE; break;
	case CSR_MEDELEG: v = cpu->medeleg; break;
	case CSR_MIDELEG: v = cpu->mideleg; break;
	case CSR_MIE: v = cpu->mie; break;
	case CSR_SIE: v = cpu->mie & cpu->mideleg; break;
	case CSR_MIP: v = __atomic_load_n(&cpu->mip, __ATOMIC_ACQUIRE); break;
	case CSR_SIP:
		v = __atomic_load_n(&cpu->mip, __ATOMIC_ACQUIRE) & cpu->mideleg;
		break;
	case CSR_MTVEC: v = cpu->mtvec; break;
	case CSR_STVEC: v = cpu->stvec; break;
	case CSR_MEPC: v = cpu->mepc; break;
	case CSR_SEPC: v = cpu->sepc; break;
	case CSR_MCAUSE: v = cpu->mcause; break;
	case CSR_SCAUSE: v = cpu->scause; break;
	case CSR_MTVAL: v = cpu->mtval; break;
	case CSR_STVAL: v = cpu->stval; break;
	case CSR_MSCRATCH: v = cpu->mscratch; break;
	case CSR_SSCRATCH: v = cpu->sscratch; break;
	case CSR_MCOUNTEREN: v = cpu->mcounteren; break;
	case CSR_SCOUNTEREN: v = cpu->scounteren; break;
	case CSR_SATP:
		if (priv == TCG_PRIV_S && (cpu->mstatus & MSTATUS_TVM))
			return -1;
		v = cpu->satp;
		break;
	case CSR_PMPCFG0: case CSR_PMPCFG0 + 2:
		v = cpu->pmpcfg[csr - CSR_PMPCFG0];
		break;
	case CSR_PMPCFG0 + 1: case CSR_PMPCFG0 + 3:
		return -1; /* odd pmpcfg do not exist on RV64 */
	case CSR_PMPADDR0 ... CSR_PMPADDR0 + 15:
		v = cpu->pmpaddr[csr - CSR_PMPADDR0];
		break;
	case CSR_MCYCLE: case CSR_MINSTRET:
		v = cpu->instret;
		break;
	case CSR_CYCLE: case CSR_TIME: case CSR_INSTRET: {
		unsigned b = csr - CSR_CYCLE;

		if (priv < TCG_PRIV_M && !((cpu->mcounteren >> b) & 1))
			return -1;
		if (priv < TCG_PRIV_S && !((cpu->scounteren >> b) & 1))
			return -1;
		v = csr == CSR_TIME ? read_time(cpu) : cpu->instret;
		break;
	}
	case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID:
		v = 0;
		break;
	case CSR_MHARTID: v = cpu->hartid; break;
	default:
		if (tcg_log_mask & TCG_LOG_UNIMP)
			tcg_log("hart %u: unimplemented csr 0x%03x\n",
				(unsigned)cpu->hartid, csr);
		return -1;
	}
	*val = v;
	if (!write)
		return 0;
	nv = (v & ~wmask) | (wval & wmask);
	switch (csr) {
	case CSR_MSTATUS:
		if (((nv >> 11) & 3) == 2) /* reserved MPP: keep the old one */
			nv = (nv & ~MSTATUS_MPP) | (v & MSTATUS_MPP);
		wr(&cpu->mstatus, nv, MSTATUS_WMASK);
		tcg_mmu_mstatus_changed(cpu, v);
		irq_change = true;
		break;
	case CSR_SSTATUS:
		v = cpu->mstatus;
		wr(&cpu->mstatus, nv, SSTATUS_WMASK);
		tcg_mmu_mstatus_changed(cpu, v);
		irq_change = true;
		break;
	case CSR_MEDELEG: wr(&cpu->medeleg, nv, MEDELEG_WMASK); break;
	case CSR_MIDELEG:
		wr(&cpu->mideleg, nv, S_INTS);
		irq_change = true;
		break;
	case CSR_MIE:
		wr(&cpu->mie, nv, ALL_INTS);
		irq_change = true;
		break;
	case CSR_SIE:
		wr(&cpu->mie, nv, cpu->mideleg & S_INTS);
		irq_change = true;
		break;
	case CSR_MIP: case CSR_SIP: {
		uint64_t m = csr == CSR_MIP ? S_INTS : (cpu->mideleg & TCG_MIP_SSIP);
		uint64_t set = nv & m, clr = ~nv & m;

		__atomic_fetch_or(&cpu->mip, set, __ATOMIC_ACQ_REL);
		__atomic_fetch_and(&cpu->mip, ~clr, __ATOMIC_ACQ_REL);
		irq_change = true;
		break;
	}
	case CSR_MTVEC: case CSR_STVEC:
		if ((nv & 3) < 2) /* direct or vectored; others ignored */
			*(csr == CSR_MTVEC ? &cpu->mtvec : &cpu->stvec) = nv;
		break;
	case CSR_MEPC: cpu->mepc = nv & ~1ull; break;
	case CSR_SEPC: cpu->sepc = nv & ~1ull; break;
	case CSR_MCAUSE: cpu->mcause = nv; break;
	case CSR_SCAUSE: cpu->scause = nv; break;
	case CSR_MTVAL: cpu->mtval = nv; break;
	case CSR_STVAL: cpu->stval = nv; break;
	case CSR_MSCRATCH: cpu->mscratch = nv; break;
	case CSR_SSCRATCH: cpu->sscratch = nv; break;
	case CSR_MCOUNTEREN: cpu->mcounteren = nv & 7; break;
	case CSR_SCOUNTEREN: cpu->scounteren = nv & 7; break;
	case CSR_PMPCFG0: case CSR_PMPCFG0 + 2:
		cpu->pmpcfg[csr - CSR_PMPCFG0] = nv;
		break;
	case CSR_PMPADDR0 ... CSR_PMPADDR0 + 15:
		cpu->pmpaddr[csr - CSR_PMPADDR0] = nv & ((1ull << 54) - 1);
		break;
	case CSR_MCYCLE: case CSR_MINSTRET:
		cpu->instret = nv;
		break;
	case CSR_SATP: tcg_mmu_write_satp(cpu, nv); break;
	default: /* misa: writes ignored */
		break;
	}
	if (irq_change)
		__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The csr* instructions.  imm = csr | funct3 << 12 | raw << 32; rs1 is a
 * register or, for the *i forms, the 5-bit immediate.  csrrs/csrrc with
 * x0 (or uimm 0) do not write, so reading a read-only CSR that way is fine.
 */
int tcg_helper_csr(struct tcg_cpu *cpu, unsigned rd, unsigned rs1, int64_t imm)
{
	unsigned csr = imm & 0xfff, kind = (imm >> 12) & 7;
	uint64_t src = kind >= 5 ? rs1 : cpu->x[rs1];
	uint64_t old, wval, wmask;
	bool write;

	switch (kind & 3) {
	case 1: /* rw */
		write = true;
		wval = src;
		wmask = ~0ull;
		break;
	case 2: /* rs */
		write = rs1 != 0;
		wval = ~0ull;
		wmask = src;
		break;
	default: /* rc */
		write = rs1 != 0;
		wval = 0;
		wmask = src;
		break;
	}
	if (tcg_csr_access(cpu, csr, &old, wval, wmask, write, cpu->priv)) {
		tcg_raise(cpu, EXC_ILLEGAL, (uint64_t)imm >> 32);
		return TCG_H_EXIT;
	}
	cpu->x[rd] = old;
	cpu->x[0] = 0;
	return TCG_H_CONT;
}
