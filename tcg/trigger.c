/* SPDX-License-Identifier: MIT */
/*
 * Sdtrig: the trigger module as QEMU 7.2 has it.
 *
 * Two triggers (tselect 0..1), each of type 2 (mcontrol, the reset type)
 * or 6 (mcontrol6); tinfo says so.  A tdata1 write of any other type is
 * ignored.  What a write keeps: the type, the U/S/M mode bits, the
 * load/store/execute bits, the size if its encoding is 0, 1, 2, 3 or 5
 * (else none), and for type 6 VU/VS; match, chain, timing, select, hit,
 * action and dmode read 0.  tdata2 is the address; tdata3 reads 0.
 *
 * A trigger fires when its mode bit for the current privilege is set
 * (cpu->priv, not MPRV's: QEMU checks env->priv) and:
 *  - execute: the instruction at pc == tdata2 is about to run;
 *  - load/store: an access overlaps [tdata2, tdata2 + len), len being
 *    the size field's raw encoding (QEMU 7.2 passes it to its watchpoint
 *    as a length: encoding 3, "4 bytes", watches 3) or 8 when 0.  Loads,
 *    LR and FP loads are reads; stores and FP stores writes; AMOs and an
 *    SC that writes are both.  It fires after translation (a page fault
 *    comes first) and before the access.
 * The action is always a breakpoint exception: cause 3, tval 0 (QEMU 7.2
 * sets no tval for it), epc the instruction.
 *
 * Translated code: while an execute trigger is armed, the vCPU's blocks
 * carry TCG_TB_TRIGGERS in their key and check every instruction's pc
 * (TCG_IR_TRIGGER), and the lookup checks a block's pc before fetching
 * it, so a trigger beats a fetch fault as in QEMU.  While a load/store
 * trigger is armed, the backend sends every access to the helpers
 * (cpu->trig & TCG_TRIG_MEM), which call tcg_trigger_mem().
 */
#include "tcg/tcg-internal.h"

#define TDATA1_TYPE_SHIFT 60
#define TRIG_LOAD (1ull << 0)
#define TRIG_STORE (1ull << 1)
#define TRIG_EXEC (1ull << 2)
#define TRIG_U (1ull << 3)
#define TRIG_S (1ull << 4)
#define TRIG_M (1ull << 6)
#define TRIG_KEEP                                                              \
	(TRIG_LOAD | TRIG_STORE | TRIG_EXEC | TRIG_U | TRIG_S | TRIG_M)
#define TYPE2_SIZE ((3ull << 21) | (3ull << 16))	/* sizehi, sizelo */
#define TYPE6_SIZE (15ull << 16)
#define TYPE6_VU_VS (3ull << 23)

static unsigned trig_type(uint64_t tdata1)
{
	return (unsigned)(tdata1 >> TDATA1_TYPE_SHIFT);
}

/* The size field's encoding (type 2: sizehi:sizelo). */
static unsigned trig_size(uint64_t tdata1)
{
	if (trig_type(tdata1) == 6)
		return (unsigned)((tdata1 >> 16) & 15);
	return (unsigned)(((tdata1 >> 21) & 3) << 2 | ((tdata1 >> 16) & 3));
}

static bool size_valid(unsigned enc)
{
	return enc <= 3 || enc == 5; /* any, 1, 2, 4 or 8 bytes */
}

/* Does trigger i fire in the current privilege for one of the kinds? */
static bool trig_armed(const struct tcg_cpu *cpu, unsigned i, uint64_t kinds)
{
	uint64_t t = cpu->tdata1[i];

	return (t & kinds) && ((t >> 3) & (1ull << cpu->priv));
}

/* Recompute cpu->trig; a change takes effect at the next block lookup. */
static void rearm(struct tcg_cpu *cpu)
{
	uint8_t trig = 0;

	for (unsigned i = 0; i < TCG_NB_TRIGGERS; i++) {
		uint64_t t = cpu->tdata1[i];

		if (!(t & (TRIG_U | TRIG_S | TRIG_M)))
			continue;
		if (t & TRIG_EXEC)
			trig |= TCG_TRIG_EXEC;
		if (t & (TRIG_LOAD | TRIG_STORE))
			trig |= TCG_TRIG_MEM;
	}
	if (trig != cpu->trig) {
		cpu->trig = trig;
		__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
	}
}

void tcg_trigger_write_tdata1(struct tcg_cpu *cpu, uint64_t v)
{
	unsigned type = trig_type(v);
	uint64_t nv;

	if (type != 2 && type != 6)
		return;
	nv = ((uint64_t)type << TDATA1_TYPE_SHIFT) | (v & TRIG_KEEP);
	if (type == 6)
		nv |= v & TYPE6_VU_VS;
	if (size_valid(trig_size(v)))
		nv |= v & (type == 6 ? TYPE6_SIZE : TYPE2_SIZE);
	cpu->tdata1[cpu->tselect] = nv;
	rearm(cpu);
}

bool tcg_trigger_exec(struct tcg_cpu *cpu)
{
	for (unsigned i = 0; i < TCG_NB_TRIGGERS; i++) {
		if (cpu->tdata2[i] == cpu->pc &&
		    trig_armed(cpu, i, TRIG_EXEC)) {
			tcg_raise(cpu, EXC_BREAKPOINT, 0);
			return true;
		}
	}
	return false;
}

bool tcg_trigger_mem(struct tcg_cpu *cpu, uint64_t addr, unsigned size,
		     bool read, bool write)
{
	uint64_t kinds = (read ? TRIG_LOAD : 0) | (write ? TRIG_STORE : 0);

	for (unsigned i = 0; i < TCG_NB_TRIGGERS; i++) {
		unsigned enc = trig_size(cpu->tdata1[i]);
		uint64_t start = cpu->tdata2[i], len = enc ? enc : 8;

		if (!trig_armed(cpu, i, kinds))
			continue;
		/* [addr, addr + size) and [start, start + len) overlap */
		if (addr - start < len || start - addr < size) {
			tcg_raise(cpu, EXC_BREAKPOINT, 0);
			return true;
		}
	}
	return false;
}
