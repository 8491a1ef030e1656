/* SPDX-License-Identifier: MIT */
/*
 * Traps, interrupts and delegation: taking an exception or an interrupt
 * (to M or, when delegated, to S), the interrupt lines devices drive, and
 * the system instructions that change privilege (ecall, ebreak, mret,
 * sret, wfi, sfence.vma, fence.i).
 *
 * Interrupts are taken only by the dispatcher at a block boundary
 * (tcg_take_interrupt); exceptions at the instruction that raises them
 * (tcg_raise), with cpu->pc as the epc.
 */
#include "tcg/guest-ram.h"
#include "tcg/tcg-internal.h"

/*
 * SEIP has two sources, ORed into mip.SEIP: the bit M-mode writes and the
 * external line (cpu->seip bits 0 and 1); the other bits are mip's own.
 */
void tcg_cpu_set_irq(struct tcg_cpu *cpu, uint32_t bits, bool level)
{
	bool raised = false;

	if (bits & TCG_MIP_SEIP) {
		if (level)
			raised = !(__atomic_fetch_or(&cpu->seip, 2,
						     __ATOMIC_ACQ_REL) & 2);
		else
			__atomic_fetch_and(&cpu->seip, ~2, __ATOMIC_ACQ_REL);
		bits &= ~TCG_MIP_SEIP;
	}
	if (bits && level)
		raised |= (__atomic_fetch_or(&cpu->mip, bits, __ATOMIC_ACQ_REL) &
			   bits) != bits;
	else if (bits)
		__atomic_fetch_and(&cpu->mip, ~(uint64_t)bits, __ATOMIC_ACQ_REL);
	if (raised)
		tcg_kick(cpu);
}

uint64_t tcg_cpu_get_mip(const struct tcg_cpu *cpu)
{
	return tcg_mip(cpu);
}

static const char *const exc_names[16] = {
	"fetch_misaligned", "fetch_access", "illegal_instruction",
	"breakpoint", "load_misaligned", "load_access", "store_misaligned",
	"store_access", "user_ecall", "supervisor_ecall", "hypervisor_ecall",
	"machine_ecall", "exec_page_fault", "load_page_fault", "reserved",
	"store_page_fault",
};
static const char *const irq_names[12] = {
	"u_software", "s_software", "vs_software", "m_software",
	"u_timer", "s_timer", "vs_timer", "m_timer",
	"u_external", "s_external", "vs_external", "m_external",
};

/* Take a trap with cpu->pc as the epc; leaves cpu->pc at the handler. */
static void take_trap(struct tcg_cpu *cpu, uint64_t cause, uint64_t tval,
		      bool irq)
{
	uint64_t deleg = irq ? cpu->mideleg : cpu->medeleg;
	uint64_t code = cause & 63;
	const struct tcg_hooks *h = cpu->m->hooks;

	if (h && irq && h->interrupt)
		h->interrupt(cpu->m->opaque, cpu, code, cpu->pc);
	else if (h && !irq && h->exception)
		h->exception(cpu->m->opaque, cpu, code, cpu->pc, tval);

	if (tcg_log_mask & TCG_LOG_INT)
		tcg_log("riscv_cpu_do_interrupt: hart:%u, async:%d, cause:%016llx, "
			"epc:0x%016llx, tval:0x%016llx, desc=%s\n",
			(unsigned)cpu->hartid, irq, (unsigned long long)code,
			(unsigned long long)cpu->pc, (unsigned long long)tval,
			irq ? (code < 12 ? irq_names[code] : "?")
			    : (code < 16 ? exc_names[code] : "?"));
	cpu->res_valid = false;
	if (cpu->priv <= TCG_PRIV_S && ((deleg >> code) & 1)) {
		uint64_t s = cpu->mstatus;

		cpu->scause = code | (irq ? CAUSE_INTERRUPT : 0);
		cpu->sepc = cpu->pc;
		cpu->stval = tval;
		s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
		s = (s & ~MSTATUS_SPP) | (cpu->priv ? MSTATUS_SPP : 0);
		s &= ~MSTATUS_SIE;
		cpu->mstatus = s;
		cpu->priv = TCG_PRIV_S;
		cpu->pc = (cpu->stvec & ~3ull) +
			  ((irq && (cpu->stvec & 3) == 1) ? 4 * code : 0);
	} else {
		uint64_t s = cpu->mstatus;

		cpu->mcause = code | (irq ? CAUSE_INTERRUPT : 0);
		cpu->mepc = cpu->pc;
		cpu->mtval = tval;
		s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
		s = (s & ~MSTATUS_MPP) | ((uint64_t)cpu->priv << 11);
		s &= ~MSTATUS_MIE;
		cpu->mstatus = s;
		cpu->priv = TCG_PRIV_M;
		cpu->pc = (cpu->mtvec & ~3ull) +
			  ((irq && (cpu->mtvec & 3) == 1) ? 4 * code : 0);
	}
}

void tcg_raise(struct tcg_cpu *cpu, uint64_t cause, uint64_t tval)
{
	cpu->stats.exceptions++;
	take_trap(cpu, cause, tval, false);
}

/* The first of the priority order (MEI MSI MTI SEI SSI STI) in bits. */
static int highest(uint64_t bits)
{
	static const int order[] = { 11, 3, 7, 9, 1, 5 };

	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (bits & (1ull << order[i]))
			return order[i];
	return -1;
}

/*
 * The interrupt to take now, or -1.  Interrupts not delegated go to M:
 * enabled below M always, in M with mstatus.MIE.  Delegated ones go to S:
 * enabled in U always, in S with mstatus.SIE, never in M.  M's come first
 * whatever their number (QEMU's riscv_cpu_local_irq_pending).
 */
static int pending_irq(struct tcg_cpu *cpu)
{
	uint64_t pend = tcg_mip(cpu) & cpu->mie;
	uint64_t m = pend & ~cpu->mideleg, s = pend & cpu->mideleg;

	if (!pend)
		return -1;
	if (m && (cpu->priv < TCG_PRIV_M || (cpu->mstatus & MSTATUS_MIE)))
		return highest(m);
	if (s && (cpu->priv < TCG_PRIV_S ||
		  (cpu->priv == TCG_PRIV_S && (cpu->mstatus & MSTATUS_SIE))))
		return highest(s);
	return -1;
}

/* Take the highest-priority enabled interrupt, if any; true if taken. */
bool tcg_take_interrupt(struct tcg_cpu *cpu)
{
	int irq = pending_irq(cpu);

	if (irq < 0)
		return false;
	cpu->stats.interrupts++;
	take_trap(cpu, (uint64_t)irq, 0, true);
	return true;
}

/*
 * guest_syscall_ret pairs a return to U with the ecall of the same task,
 * not merely the last ecall on this vCPU: under an OS the task that
 * returns is often another one (the caller blocked, the scheduler ran a
 * task that was itself in a syscall).  A task is named by the scratch CSR
 * of the mode that takes the trap, as the kernel leaves it in U: Linux
 * keeps the task's kernel tp in sscratch there.  A guest with one scratch
 * value per hart (kernel-lite) gets its last ecall back, as before; a task
 * that returns on another vCPU than its ecall's has no guest_syscall_ret.
 */
static void syscall_enter(struct tcg_cpu *cpu, uint64_t num)
{
	uint64_t task = (cpu->medeleg >> EXC_ECALL_U) & 1 ? cpu->sscratch :
							     cpu->mscratch;
	struct tcg_syscall_pending *p = NULL;

	for (unsigned i = 0; i < TCG_SYSCALLS_PENDING; i++) {
		struct tcg_syscall_pending *q = &cpu->syscalls[i];

		if (q->busy && q->task == task) {
			p = q;
			break;
		}
		if (!q->busy && !p)
			p = q;
	}
	if (!p) {
		p = &cpu->syscalls[cpu->syscall_evict];
		cpu->syscall_evict = (cpu->syscall_evict + 1) %
				     TCG_SYSCALLS_PENDING;
	}
	*p = (struct tcg_syscall_pending){ task, num, true };
}

/* Back in U from the mode whose scratch CSR is task. */
static void syscall_return(struct tcg_cpu *cpu, uint64_t task)
{
	const struct tcg_hooks *h = cpu->m->hooks;

	if (cpu->priv != TCG_PRIV_U)
		return;
	for (unsigned i = 0; i < TCG_SYSCALLS_PENDING; i++) {
		struct tcg_syscall_pending *p = &cpu->syscalls[i];

		if (!p->busy || p->task != task)
			continue;
		p->busy = false;
		if (h && h->syscall_ret)
			h->syscall_ret(cpu->m->opaque, cpu, p->num,
				       cpu->x[10]);
		return;
	}
}

/* Is any PMP entry on (pmpcfg A field != OFF)?  Entries are stored only. */
static bool pmp_active(const struct tcg_cpu *cpu)
{
	for (unsigned i = 0; i < 4; i += 2)
		for (unsigned e = 0; e < 8; e++)
			if ((cpu->pmpcfg[i] >> (8 * e + 3)) & 3)
				return true;
	return false;
}

static int illegal(struct tcg_cpu *cpu, uint32_t raw)
{
	tcg_raise(cpu, EXC_ILLEGAL, raw);
	return TCG_H_EXIT;
}

int tcg_helper_system(struct tcg_cpu *cpu, unsigned opc, uint32_t raw)
{
	uint64_t s = cpu->mstatus;

	switch (opc) {
	case TCG_IR_ECALL:
		if (cpu->priv == TCG_PRIV_U) {
			const struct tcg_hooks *h = cpu->m->hooks;
			uint64_t args[7] = { cpu->x[17], cpu->x[10], cpu->x[11],
					     cpu->x[12], cpu->x[13], cpu->x[14],
					     cpu->x[15] };

			syscall_enter(cpu, cpu->x[17]);
			if (h && h->syscall)
				h->syscall(cpu->m->opaque, cpu, args);
		}
		tcg_raise(cpu, cpu->priv == TCG_PRIV_U ? EXC_ECALL_U
			       : cpu->priv == TCG_PRIV_S ? EXC_ECALL_S
							 : EXC_ECALL_M, 0);
		return TCG_H_EXIT;
	case TCG_IR_EBREAK:
		tcg_raise(cpu, EXC_BREAKPOINT, 0);
		return TCG_H_EXIT;
	case TCG_IR_MRET: {
		unsigned mpp = (unsigned)((s & MSTATUS_MPP) >> 11);

		if (cpu->priv != TCG_PRIV_M)
			return illegal(cpu, raw);
		/* QEMU 7.2 (helper_mret): with PMP present but no rule
		 * active, leaving M-mode is an illegal instruction. */
		if (mpp != TCG_PRIV_M && !pmp_active(cpu))
			return illegal(cpu, raw);
		s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
		s |= MSTATUS_MPIE;
		s &= ~MSTATUS_MPP; /* MPP = U */
		if (mpp != TCG_PRIV_M)
			s &= ~MSTATUS_MPRV;
		cpu->mstatus = s;
		cpu->priv = (uint8_t)mpp;
		cpu->pc = cpu->mepc;
		syscall_return(cpu, cpu->mscratch);
		__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
		return TCG_H_EXIT;
	}
	case TCG_IR_SRET: {
		unsigned spp = (s & MSTATUS_SPP) ? TCG_PRIV_S : TCG_PRIV_U;

		if (cpu->priv == TCG_PRIV_U ||
		    (cpu->priv == TCG_PRIV_S && (s & MSTATUS_TSR)))
			return illegal(cpu, raw);
		s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
		s |= MSTATUS_SPIE;
		s &= ~MSTATUS_SPP;
		s &= ~MSTATUS_MPRV;
		cpu->mstatus = s;
		cpu->priv = (uint8_t)spp;
		cpu->pc = cpu->sepc;
		syscall_return(cpu, cpu->sscratch);
		__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
		return TCG_H_EXIT;
	}
	case TCG_IR_WFI:
		if (cpu->priv == TCG_PRIV_U ||
		    (cpu->priv == TCG_PRIV_S && (s & MSTATUS_TW)))
			return illegal(cpu, raw);
		/* Sleep in the dispatcher at the next boundary. */
		cpu->halted = 1;
		__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
		return TCG_H_CONT;
	case TCG_IR_FENCE_I:
		/* Stores to code already invalidated its blocks; forget
		 * ours so the next lookups see that. */
		tcg_full_fence();
		tcg_jc_flush(cpu);
		return TCG_H_CONT;
	case TCG_IR_SFENCE_VMA:
		if (cpu->priv == TCG_PRIV_U || tcg_tvm_traps(cpu, cpu->priv))
			return illegal(cpu, raw);
		return tcg_helper_sfence_vma(cpu, (raw >> 15) & 31,
					     (raw >> 20) & 31);
	default: /* TCG_IR_ILLEGAL */
		if (tcg_log_mask & TCG_LOG_UNIMP)
			tcg_log("hart %u: illegal instruction 0x%x at 0x%llx\n",
				(unsigned)cpu->hartid, raw,
				(unsigned long long)cpu->pc);
		return illegal(cpu, raw);
	}
}
