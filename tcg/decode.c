/* SPDX-License-Identifier: MIT */
/*
 * Decoder for RV64IMAFDC + Zicsr + Zifencei.
 *
 * 32-bit instructions are matched against insn.def, pre-bucketed by the
 * 7-bit major opcode so a lookup tries only a handful of entries.  The
 * compressed set expands by quadrant and funct3 into the 32-bit ids, with
 * the reserved encodings (zero immediates, rd = x0 where the spec says so)
 * decoding as illegal.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "tcg/decode.h"

enum rv_fmt {
	F_R, F_I, F_S, F_B, F_U, F_J, F_SH, F_SHW, F_CSR, F_CSRI, F_A, F_N,
	F_FL, F_FST, F_FR, F_FR1, F_FR4, F_FCMP, F_FX, F_XF,
};

struct rv_insn_desc {
	uint32_t mask, match;
	uint8_t fmt;
};

static const struct rv_insn_desc rv_table[RV_NB_INSNS] = {
#define RV_INSN(name, m, v, fmt, irop) [RV_##name] = { m, v, F_##fmt },
#include "tcg/insn.def"
#undef RV_INSN
};

const char *const rv_insn_names[RV_NB_INSNS] = {
	[RV_illegal] = "illegal",
#define RV_INSN(name, m, v, fmt, irop) [RV_##name] = #name,
#include "tcg/insn.def"
#undef RV_INSN
};

/* Per major opcode, a 0-terminated list of table ids. */
#define RV_BUCKET_MAX 64 /* OP-FP has 50 */
static uint8_t rv_buckets[128][RV_BUCKET_MAX];
_Static_assert(RV_NB_INSNS <= 256, "bucket entries are 8-bit ids");
static pthread_once_t rv_once = PTHREAD_ONCE_INIT;

static void rv_build_buckets(void)
{
	for (unsigned id = 1; id < RV_NB_INSNS; id++) {
		unsigned major = rv_table[id].match & 0x7f;
		unsigned n = 0;

		while (n < RV_BUCKET_MAX && rv_buckets[major][n])
			n++;
		if (n == RV_BUCKET_MAX) {
			/* A build error in insn.def, not guest input. */
			fprintf(stderr, "tcg: insn.def has more than %d "
					"instructions of major opcode 0x%02x: "
					"raise RV_BUCKET_MAX\n",
				RV_BUCKET_MAX, major);
			abort();
		}
		rv_buckets[major][n] = (uint8_t)id;
	}
}

static inline int64_t sext(uint64_t v, unsigned bits)
{
	return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

static inline uint32_t bit(uint32_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static unsigned rv_decode32(uint32_t w, struct rv_insn *d)
{
	const uint8_t *b = rv_buckets[w & 0x7f];
	unsigned id = 0;

	for (unsigned i = 0; i < RV_BUCKET_MAX && b[i]; i++) {
		if ((w & rv_table[b[i]].mask) == rv_table[b[i]].match) {
			id = b[i];
			break;
		}
	}
	d->id = (uint16_t)id;
	d->len = 4;
	d->raw = w;
	d->rd = bit(w, 11, 7);
	d->rs1 = bit(w, 19, 15);
	d->rs2 = bit(w, 24, 20);
	d->imm = 0;
	if (!id)
		return 4;
	switch (rv_table[id].fmt) {
	case F_I:
	case F_FL:
		d->imm = (int32_t)w >> 20;
		break;
	case F_S:
	case F_FST:
		d->imm = (int64_t)((int32_t)w >> 25) * 32 + (int64_t)bit(w, 11, 7);
		break;
	case F_B:
		d->imm = sext((bit(w, 31, 31) << 12) | (bit(w, 7, 7) << 11) |
			      (bit(w, 30, 25) << 5) | (bit(w, 11, 8) << 1), 13);
		break;
	case F_U:
		d->imm = (int32_t)(w & 0xfffff000);
		break;
	case F_J:
		d->imm = sext((bit(w, 31, 31) << 20) | (bit(w, 19, 12) << 12) |
			      (bit(w, 20, 20) << 11) | (bit(w, 30, 21) << 1), 21);
		break;
	case F_SH:
		d->imm = bit(w, 25, 20);
		break;
	case F_SHW:
		d->imm = bit(w, 24, 20);
		break;
	case F_CSR:
	case F_CSRI:
		d->imm = bit(w, 31, 20);
		break;
	case F_A:
		d->imm = bit(w, 31, 27);
		break;
	default:
		break;
	}
	return 4;
}

static void set(struct rv_insn *d, unsigned id, unsigned rd, unsigned rs1,
		unsigned rs2, int64_t imm)
{
	d->id = (uint16_t)id;
	d->rd = (uint8_t)rd;
	d->rs1 = (uint8_t)rs1;
	d->rs2 = (uint8_t)rs2;
	d->imm = imm;
}

/* The compressed set; returns 2 with d->id = RV_illegal when reserved. */
static unsigned rv_decode16(uint32_t c, struct rv_insn *d)
{
	unsigned q = c & 3, f3 = bit(c, 15, 13);
	unsigned rd = bit(c, 11, 7), rs2 = bit(c, 6, 2);
	unsigned rdp = 8 + bit(c, 4, 2), rs1p = 8 + bit(c, 9, 7);
	int64_t imm6 = sext((bit(c, 12, 12) << 5) | bit(c, 6, 2), 6);
	uint32_t u;

	set(d, RV_illegal, 0, 0, 0, 0);
	d->len = 2;
	d->raw = c & 0xffff;
	if ((c & 0xffff) == 0)
		return 2; /* defined illegal */
	switch (q << 3 | f3) {
	case 0 << 3 | 0: /* c.addi4spn */
		u = (bit(c, 12, 11) << 4) | (bit(c, 10, 7) << 6) |
		    (bit(c, 6, 6) << 2) | (bit(c, 5, 5) << 3);
		if (u)
			set(d, RV_addi, rdp, 2, 0, u);
		break;
	case 0 << 3 | 1: /* c.fld */
	case 0 << 3 | 5: /* c.fsd */
		u = (bit(c, 12, 10) << 3) | (bit(c, 6, 5) << 6);
		if (f3 == 1)
			set(d, RV_fld, rdp, rs1p, 0, u);
		else
			set(d, RV_fsd, 0, rs1p, rdp, u);
		break;
	case 0 << 3 | 2: /* c.lw */
	case 0 << 3 | 6: /* c.sw */
		u = (bit(c, 12, 10) << 3) | (bit(c, 6, 6) << 2) |
		    (bit(c, 5, 5) << 6);
		if (f3 == 2)
			set(d, RV_lw, rdp, rs1p, 0, u);
		else
			set(d, RV_sw, 0, rs1p, rdp, u);
		break;
	case 0 << 3 | 3: /* c.ld */
	case 0 << 3 | 7: /* c.sd */
		u = (bit(c, 12, 10) << 3) | (bit(c, 6, 5) << 6);
		if (f3 == 3)
			set(d, RV_ld, rdp, rs1p, 0, u);
		else
			set(d, RV_sd, 0, rs1p, rdp, u);
		break;
	case 1 << 3 | 0: /* c.addi, c.nop */
		set(d, RV_addi, rd, rd, 0, imm6);
		break;
	case 1 << 3 | 1: /* c.addiw */
		if (rd)
			set(d, RV_addiw, rd, rd, 0, imm6);
		break;
	case 1 << 3 | 2: /* c.li */
		set(d, RV_addi, rd, 0, 0, imm6);
		break;
	case 1 << 3 | 3:
		if (rd == 2) { /* c.addi16sp */
			int64_t imm = sext((bit(c, 12, 12) << 9) |
					   (bit(c, 4, 3) << 7) |
					   (bit(c, 5, 5) << 6) |
					   (bit(c, 2, 2) << 5) |
					   (bit(c, 6, 6) << 4), 10);
			if (imm)
				set(d, RV_addi, 2, 2, 0, imm);
		} else if (imm6) { /* c.lui */
			set(d, RV_lui, rd, 0, 0, imm6 * 4096);
		}
		break;
	case 1 << 3 | 4: {
		unsigned f2 = bit(c, 11, 10);
		static const uint16_t ops[8] = { RV_sub, RV_xor, RV_or, RV_and,
						 RV_subw, RV_addw, 0, 0 };

		if (f2 == 0)
			set(d, RV_srli, rs1p, rs1p, 0, imm6 & 63);
		else if (f2 == 1)
			set(d, RV_srai, rs1p, rs1p, 0, imm6 & 63);
		else if (f2 == 2)
			set(d, RV_andi, rs1p, rs1p, 0, imm6);
		else
			set(d, ops[bit(c, 12, 12) << 2 | bit(c, 6, 5)], rs1p,
			    rs1p, rdp, 0);
		break;
	}
	case 1 << 3 | 5: /* c.j */
		set(d, RV_jal, 0, 0, 0,
		    sext((bit(c, 12, 12) << 11) | (bit(c, 11, 11) << 4) |
			 (bit(c, 10, 9) << 8) | (bit(c, 8, 8) << 10) |
			 (bit(c, 7, 7) << 6) | (bit(c, 6, 6) << 7) |
			 (bit(c, 5, 3) << 1) | (bit(c, 2, 2) << 5), 12));
		break;
	case 1 << 3 | 6: /* c.beqz */
	case 1 << 3 | 7: /* c.bnez */
		set(d, f3 == 6 ? RV_beq : RV_bne, 0, rs1p, 0,
		    sext((bit(c, 12, 12) << 8) | (bit(c, 11, 10) << 3) |
			 (bit(c, 6, 5) << 6) | (bit(c, 4, 3) << 1) |
			 (bit(c, 2, 2) << 5), 9));
		break;
	case 2 << 3 | 0: /* c.slli */
		set(d, RV_slli, rd, rd, 0, imm6 & 63);
		break;
	case 2 << 3 | 1: /* c.fldsp */
		set(d, RV_fld, rd, 2, 0,
		    (bit(c, 12, 12) << 5) | (bit(c, 6, 5) << 3) |
			    (bit(c, 4, 2) << 6));
		break;
	case 2 << 3 | 2: /* c.lwsp */
		if (rd)
			set(d, RV_lw, rd, 2, 0,
			    (bit(c, 12, 12) << 5) | (bit(c, 6, 4) << 2) |
				    (bit(c, 3, 2) << 6));
		break;
	case 2 << 3 | 3: /* c.ldsp */
		if (rd)
			set(d, RV_ld, rd, 2, 0,
			    (bit(c, 12, 12) << 5) | (bit(c, 6, 5) << 3) |
				    (bit(c, 4, 2) << 6));
		break;
	case 2 << 3 | 4:
		if (!bit(c, 12, 12)) {
			if (rs2)
				set(d, RV_add, rd, 0, rs2, 0); /* c.mv */
			else if (rd)
				set(d, RV_jalr, 0, rd, 0, 0); /* c.jr */
		} else {
			if (rs2)
				set(d, RV_add, rd, rd, rs2, 0); /* c.add */
			else if (rd)
				set(d, RV_jalr, 1, rd, 0, 0); /* c.jalr */
			else
				set(d, RV_ebreak, 0, 0, 0, 0);
		}
		break;
	case 2 << 3 | 6: /* c.swsp */
		set(d, RV_sw, 0, 2, rs2,
		    (bit(c, 12, 9) << 2) | (bit(c, 8, 7) << 6));
		break;
	case 2 << 3 | 5: /* c.fsdsp */
		set(d, RV_fsd, 0, 2, rs2,
		    (bit(c, 12, 10) << 3) | (bit(c, 9, 7) << 6));
		break;
	case 2 << 3 | 7: /* c.sdsp */
		set(d, RV_sd, 0, 2, rs2,
		    (bit(c, 12, 10) << 3) | (bit(c, 9, 7) << 6));
		break;
	default: /* reserved (c.flw and friends are RV32 only) */
		break;
	}
	return 2;
}

unsigned rv_decode(uint32_t bits, struct rv_insn *out)
{
	pthread_once(&rv_once, rv_build_buckets);
	if ((bits & 3) != 3)
		return rv_decode16(bits & 0xffff, out);
	return rv_decode32(bits, out);
}

static const char *const abi[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const fabi[32] = {
	"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1",
	"fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3",
	"fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9",
	"ft10", "ft11",
};

void rv_disas(const struct rv_insn *in, uint64_t pc, char *buf, unsigned size)
{
	const char *n = rv_insn_names[in->id], *c = in->len == 2 ? "c." : "";
	const char *rd = abi[in->rd], *r1 = abi[in->rs1], *r2 = abi[in->rs2];
	const char *frd = fabi[in->rd], *fr1 = fabi[in->rs1];
	const char *fr2 = fabi[in->rs2];
	long long imm = (long long)in->imm;

	if (in->id == RV_illegal) {
		snprintf(buf, size, "illegal 0x%x", in->raw);
		return;
	}
	switch (rv_table[in->id].fmt) {
	case F_R:
		snprintf(buf, size, "%s%s %s, %s, %s", c, n, rd, r1, r2);
		break;
	case F_I:
		if ((in->id >= RV_lb && in->id <= RV_lwu) || in->id == RV_jalr)
			snprintf(buf, size, "%s%s %s, %lld(%s)", c, n, rd, imm, r1);
		else
			snprintf(buf, size, "%s%s %s, %s, %lld", c, n, rd, r1, imm);
		break;
	case F_SH: case F_SHW:
		snprintf(buf, size, "%s%s %s, %s, %lld", c, n, rd, r1, imm);
		break;
	case F_S:
		snprintf(buf, size, "%s%s %s, %lld(%s)", c, n, r2, imm, r1);
		break;
	case F_B:
		snprintf(buf, size, "%s%s %s, %s, 0x%llx", c, n, r1, r2,
			 (unsigned long long)(pc + in->imm));
		break;
	case F_U:
		snprintf(buf, size, "%s%s %s, 0x%llx", c, n, rd,
			 (unsigned long long)((uint64_t)in->imm >> 12) & 0xfffff);
		break;
	case F_J:
		snprintf(buf, size, "%s%s %s, 0x%llx", c, n, rd,
			 (unsigned long long)(pc + in->imm));
		break;
	case F_CSR:
		snprintf(buf, size, "%s %s, 0x%03llx, %s", n, rd, imm, r1);
		break;
	case F_CSRI:
		snprintf(buf, size, "%s %s, 0x%03llx, %u", n, rd, imm, in->rs1);
		break;
	case F_A:
		snprintf(buf, size, "%s %s, %s, (%s)", n, rd, r2, r1);
		break;
	case F_FL:
		snprintf(buf, size, "%s%s %s, %lld(%s)", c, n, frd, imm, r1);
		break;
	case F_FST:
		snprintf(buf, size, "%s%s %s, %lld(%s)", c, n, fr2, imm, r1);
		break;
	case F_FR:
		snprintf(buf, size, "%s %s, %s, %s", n, frd, fr1, fr2);
		break;
	case F_FR1:
		snprintf(buf, size, "%s %s, %s", n, frd, fr1);
		break;
	case F_FR4:
		snprintf(buf, size, "%s %s, %s, %s, %s", n, frd, fr1, fr2,
			 fabi[in->raw >> 27]);
		break;
	case F_FCMP:
		snprintf(buf, size, "%s %s, %s, %s", n, rd, fr1, fr2);
		break;
	case F_FX:
		snprintf(buf, size, "%s %s, %s", n, rd, fr1);
		break;
	case F_XF:
		snprintf(buf, size, "%s %s, %s", n, frd, r1);
		break;
	default:
		snprintf(buf, size, "%s%s", c, n);
		break;
	}
}
