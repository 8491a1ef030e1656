/* SPDX-License-Identifier: MIT */
/*
 * Control and status registers.
 *
 * One function, csr_access(), knows every implemented CSR: it checks the
 * privilege encoded in the number (bits 9:8) and read-only-ness (bits
 * 11:10 == 3), then reads and optionally writes under a mask.  Anything it
 * does not know is an illegal instruction, precisely at the csr* op.
 * What exists and what sticks follows QEMU 7.2's virt cpu without H:
 *  - PMP: 16 entries, pmpcfg0/2, 54 address bits, granularity 4 bytes;
 *    a locked entry (L) ignores writes.  Stored, not enforced.
 *  - cycle/instret (and mcycle/minstret) count retired instructions; a
 *    csr instruction reads them as they were before it, and its write
 *    replaces its own increment (a csr instruction ends its block, so
 *    the block counted it on entry).  mcountinhibit freezes them.
 *  - mhpmcounter3..18 and mhpmevent3..31 are storage: no event counts.
 *  - hpmcounter/cycle/time/instret below M as mcounteren (and in U also
 *    scounteren) allow, else illegal.
 *  - Sdtrig: tselect, tdata1..3 and tinfo; tcg/trigger.c keeps and fires
 *    the triggers.
 * satp and the mstatus bits that steer translation go to tcg/mmu.c.
 */
#include "tcg/tcg-internal.h"

#define MSTATUS_WMASK                                                          \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE |             \
	 MSTATUS_SPP | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM |              \
	 MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_FS)
#define SSTATUS_MASK                                                           \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM |              \
	 MSTATUS_MXR | MSTATUS_UXL | MSTATUS_FS | MSTATUS_SD)
#define SSTATUS_WMASK                                                          \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM |              \
	 MSTATUS_MXR | MSTATUS_FS)
#define S_INTS (TCG_MIP_SSIP | TCG_MIP_STIP | TCG_MIP_SEIP)
#define ALL_INTS (S_INTS | TCG_MIP_MSIP | TCG_MIP_MTIP | TCG_MIP_MEIP)
/* Delegable: all but ecall from VS (no H) and M (read-only 0) and 14. */
#define MEDELEG_WMASK 0xb3ffull
#define MENVCFG_WMASK 0xc0000000000000f1ull /* STCE PBMTE CBZE CBCFE CBIE FIOM */
#define SENVCFG_WMASK 0xf1ull
#define PMPADDR_MASK ((1ull << 54) - 1)
#define PMP_L 0x80u
#define PMP_A_TOR 0x08u
/* Counters that exist: cycle, time, instret, hpmcounter3..18. */
#define NB_COUNTERS 19
/* tdata1 at reset: type 2 (mcontrol), nothing armed. */
#define TDATA1_TYPE2 (2ull << 60)

#define MISA_VALUE                                                             \
	((2ull << 62) | (1u << ('A' - 'A')) | (1u << ('C' - 'A')) |            \
	 (1u << ('D' - 'A')) | (1u << ('F' - 'A')) | (1u << ('I' - 'A')) |     \
	 (1u << ('M' - 'A')) | (1u << ('S' - 'A')) | (1u << ('U' - 'A')))

enum {
	CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
	CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105,
	CSR_SCOUNTEREN = 0x106, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141,
	CSR_SCAUSE = 0x142, CSR_STVAL = 0x143, CSR_SIP = 0x144,
	CSR_SATP = 0x180, CSR_SENVCFG = 0x10a, CSR_MENVCFG = 0x30a,
	CSR_MCOUNTINHIBIT = 0x320, CSR_MHPMEVENT3 = 0x323,
	CSR_MHPMEVENT31 = 0x33f, CSR_TSELECT = 0x7a0, CSR_TDATA1 = 0x7a1,
	CSR_TDATA2 = 0x7a2, CSR_TDATA3 = 0x7a3, CSR_TINFO = 0x7a4,
	CSR_MCONFIGPTR = 0xf15,
	CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302,
	CSR_MIDELEG = 0x303, CSR_MIE = 0x304, CSR_MTVEC = 0x305,
	CSR_MCOUNTEREN = 0x306, CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341,
	CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343, CSR_MIP = 0x344,
	CSR_PMPCFG0 = 0x3a0, CSR_PMPADDR0 = 0x3b0,
	CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02, CSR_MHPMCOUNTER3 = 0xb03,
	CSR_MHPMCOUNTER31 = 0xb1f,
	CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
	CSR_HPMCOUNTER31 = 0xc1f,
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

void tcg_csr_reset(struct tcg_cpu *cpu)
{
	for (unsigned i = 0; i < TCG_NB_TRIGGERS; i++)
		cpu->tdata1[i] = TDATA1_TYPE2;
}

bool tcg_tvm_traps(const struct tcg_cpu *cpu, unsigned priv)
{
	return priv == TCG_PRIV_S && (cpu->mstatus & MSTATUS_TVM);
}

/*
 * Counter i (0 cycle, 2 instret) as an instruction sees it: cpu->instret
 * already counts the csr instruction itself when insn is set.
 */
static uint64_t counter_read(struct tcg_cpu *cpu, unsigned i, bool insn)
{
	if ((cpu->mcountinhibit >> i) & 1)
		return cpu->ctr_frozen[i];
	return cpu->instret - insn + cpu->ctr_off[i];
}

/* The write takes the place of the writing instruction's increment. */
static void counter_write(struct tcg_cpu *cpu, unsigned i, uint64_t v)
{
	if ((cpu->mcountinhibit >> i) & 1)
		cpu->ctr_frozen[i] = v;
	else
		cpu->ctr_off[i] = v - cpu->instret;
}

static void countinhibit_write(struct tcg_cpu *cpu, uint64_t v, bool insn)
{
	for (unsigned i = 0; i < 3; i += 2) {
		uint64_t cur = counter_read(cpu, i, insn);

		if (((v ^ cpu->mcountinhibit) >> i) & 1) {
			cpu->mcountinhibit ^= 1ull << i;
			counter_write(cpu, i, cur);
		}
	}
	cpu->mcountinhibit = v;
}

/* May priv read user counter i (cycle/time/instret/hpmcounterN)? */
static bool counter_allowed(const struct tcg_cpu *cpu, unsigned i,
			    unsigned priv)
{
	if (i >= NB_COUNTERS)
		return false;
	if (priv < TCG_PRIV_M && !((cpu->mcounteren >> i) & 1))
		return false;
	if (priv < TCG_PRIV_S && !((cpu->scounteren >> i) & 1))
		return false;
	return true;
}

/* pmpcfg0/2: each byte is one entry's; a locked entry keeps its byte. */
static void pmpcfg_write(struct tcg_cpu *cpu, unsigned reg, uint64_t v)
{
	uint64_t old = cpu->pmpcfg[reg], keep = 0;

	for (unsigned e = 0; e < 8; e++)
		if ((old >> (8 * e)) & PMP_L)
			keep |= 0xffull << (8 * e);
	cpu->pmpcfg[reg] = (old & keep) | (v & ~keep);
}

static uint8_t pmp_cfg(const struct tcg_cpu *cpu, unsigned e)
{
	return (uint8_t)(cpu->pmpcfg[(e / 8) * 2] >> (8 * (e % 8)));
}

/* Ignored if the entry is locked or the next is a locked TOR. */
static void pmpaddr_write(struct tcg_cpu *cpu, unsigned e, uint64_t v)
{
	if (e + 1 < 16 && (pmp_cfg(cpu, e + 1) & PMP_L) &&
	    (pmp_cfg(cpu, e + 1) & 0x18) == PMP_A_TOR)
		return;
	if (pmp_cfg(cpu, e) & PMP_L)
		return;
	cpu->pmpaddr[e] = v & PMPADDR_MASK;
}

/*
 * Read csr into *val and, if write, set it to (old & ~wmask) | (wval &
 * wmask).  Returns 0, or -1 for an illegal access at privilege priv.
 * insn: the access is a guest csr instruction (counters, see above).
 */
static int csr_access(struct tcg_cpu *cpu, unsigned csr, uint64_t *val,
		      uint64_t wval, uint64_t wmask, bool write, unsigned priv,
		      bool insn)
{
	uint64_t v, nv;
	bool irq_change = false;

	if (((csr >> 8) & 3) > priv)
		return -1;
	if (write && (csr >> 10) == 3)
		return -1;
	switch (csr) {
	case CSR_FFLAGS ... CSR_FCSR:
		if (tcg_fpu_csr_read(cpu, csr, &v))
			return -1;
		break;
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
	case CSR_MIP: v = tcg_mip(cpu); break;
	case CSR_SIP: v = tcg_mip(cpu) & cpu->mideleg; break;
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
	case CSR_MCOUNTINHIBIT: v = cpu->mcountinhibit; break;
	case CSR_MENVCFG: v = cpu->menvcfg; break;
	case CSR_SENVCFG: v = cpu->senvcfg; break;
	case CSR_SATP:
		if (tcg_tvm_traps(cpu, priv))
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
		v = counter_read(cpu, csr - CSR_MCYCLE, insn);
		break;
	case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31:
		if (csr - CSR_MCYCLE >= NB_COUNTERS)
			return -1;
		v = cpu->mhpmcounter[csr - CSR_MCYCLE - 3];
		break;
	case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31:
		v = cpu->mhpmevent[csr - CSR_MHPMEVENT3];
		break;
	case CSR_CYCLE ... CSR_HPMCOUNTER31: {
		unsigned i = csr - CSR_CYCLE;

		if (!counter_allowed(cpu, i, priv))
			return -1;
		if (i == 1)
			v = read_time(cpu);
		else if (i < 3)
			v = counter_read(cpu, i, insn);
		else
			v = cpu->mhpmcounter[i - 3];
		break;
	}
	case CSR_TSELECT: v = cpu->tselect; break;
	case CSR_TDATA1: v = cpu->tdata1[cpu->tselect]; break;
	case CSR_TDATA2: v = cpu->tdata2[cpu->tselect]; break;
	case CSR_TDATA3: v = 0; break;
	case CSR_TINFO: v = (1u << 2) | (1u << 6); break; /* types 2, 6 */
	case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID:
	case CSR_MCONFIGPTR:
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
		tcg_fpu_status_written(cpu);
		irq_change = true;
		break;
	case CSR_SSTATUS:
		v = cpu->mstatus;
		wr(&cpu->mstatus, nv, SSTATUS_WMASK);
		tcg_mmu_mstatus_changed(cpu, v);
		tcg_fpu_status_written(cpu);
		irq_change = true;
		break;
	case CSR_FFLAGS ... CSR_FCSR:
		tcg_fpu_csr_write(cpu, csr, nv);
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
		/*
		 * M writes SSIP, STIP and its own SEIP bit; S only SSIP.
		 * Only the bits in wmask change: the value read ORs the PLIC
		 * line into SEIP, and that line must not leak into the
		 * software bit through a csrs/csrc of another bit (the spec:
		 * only the software-writable SEIP takes part in the
		 * read-modify-write).  Other harts' devices change MTIP/MSIP/
		 * MEIP meanwhile, so nothing else is written back either.
		 */
		uint64_t m = wmask & (csr == CSR_MIP
				      ? TCG_MIP_SSIP | TCG_MIP_STIP
				      : cpu->mideleg & TCG_MIP_SSIP);

		__atomic_fetch_or(&cpu->mip, wval & m, __ATOMIC_ACQ_REL);
		__atomic_fetch_and(&cpu->mip, ~(~wval & m), __ATOMIC_ACQ_REL);
		if (csr == CSR_MIP && (wmask & TCG_MIP_SEIP)) {
			if (wval & TCG_MIP_SEIP)
				__atomic_fetch_or(&cpu->seip, 1,
						  __ATOMIC_ACQ_REL);
			else
				__atomic_fetch_and(&cpu->seip, ~1,
						   __ATOMIC_ACQ_REL);
		}
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
	case CSR_MCOUNTEREN: cpu->mcounteren = nv; break;
	case CSR_SCOUNTEREN: cpu->scounteren = nv; break;
	case CSR_MCOUNTINHIBIT: countinhibit_write(cpu, nv, insn); break;
	case CSR_MENVCFG: wr(&cpu->menvcfg, nv, MENVCFG_WMASK); break;
	case CSR_SENVCFG: wr(&cpu->senvcfg, nv, SENVCFG_WMASK); break;
	case CSR_PMPCFG0: case CSR_PMPCFG0 + 2:
		pmpcfg_write(cpu, csr - CSR_PMPCFG0, nv);
		break;
	case CSR_PMPADDR0 ... CSR_PMPADDR0 + 15:
		pmpaddr_write(cpu, csr - CSR_PMPADDR0, nv);
		break;
	case CSR_MCYCLE: case CSR_MINSTRET:
		counter_write(cpu, csr - CSR_MCYCLE, nv);
		break;
	case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31:
		cpu->mhpmcounter[csr - CSR_MCYCLE - 3] = nv;
		break;
	case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31:
		cpu->mhpmevent[csr - CSR_MHPMEVENT3] = nv;
		break;
	case CSR_TSELECT:
		if (nv < TCG_NB_TRIGGERS)
			cpu->tselect = nv;
		break;
	case CSR_TDATA1: tcg_trigger_write_tdata1(cpu, nv); break;
	case CSR_TDATA2: cpu->tdata2[cpu->tselect] = nv; break;
	case CSR_SATP: tcg_mmu_write_satp(cpu, nv); break;
	default: /* misa, tdata3, tinfo, mconfigptr: writes ignored */
		break;
	}
	if (irq_change)
		__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
	return 0;
}

int tcg_csr_access(struct tcg_cpu *cpu, unsigned csr, uint64_t *val,
		   uint64_t wval, uint64_t wmask, bool write, unsigned priv)
{
	return csr_access(cpu, csr, val, wval, wmask, write, priv, false);
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
	if (csr_access(cpu, csr, &old, wval, wmask, write, cpu->priv, true)) {
		tcg_raise(cpu, EXC_ILLEGAL, (uint64_t)imm >> 32);
		return TCG_H_EXIT;
	}
	cpu->x[rd] = old;
	cpu->x[0] = 0;
	return TCG_H_CONT;
}
