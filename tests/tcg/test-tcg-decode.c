/* SPDX-License-Identifier: MIT */
/*
 * Decoder tests: every compressed format expands to the right 32-bit
 * instruction with the right operands (encodings from GNU as), reserved
 * encodings are illegal, and 32-bit immediates sign-extend correctly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tcg/decode.h"
#include "tests/tcg/rv-asm.h"

struct cexp {
	uint16_t bits;
	unsigned id, rd, rs1, rs2;
	int64_t imm;
	const char *what;
};

static void check(const struct cexp *e)
{
	struct rv_insn in;

	assert_int_equal(rv_decode(e->bits, &in), 2);
	if (in.id != e->id || in.rd != e->rd || in.rs1 != e->rs1 ||
	    in.rs2 != e->rs2 || in.imm != e->imm)
		fail_msg("%s (0x%04x): got %s rd=%u rs1=%u rs2=%u imm=%lld",
			 e->what, e->bits, rv_insn_names[in.id], in.rd, in.rs1,
			 in.rs2, (long long)in.imm);
	assert_int_equal(in.len, 2);
}

static void test_decode_compressed_formats(void **state)
{
	static const struct cexp tab[] = {
		{ 0x1fe0, RV_addi, 8, 2, 0, 1020, "CIW c.addi4spn" },
		{ 0x5de8, RV_lw, 10, 11, 0, 124, "CL c.lw" },
		{ 0x7ef0, RV_ld, 12, 13, 0, 248, "CL c.ld" },
		{ 0xc3d8, RV_sw, 0, 15, 14, 4, "CS c.sw" },
		{ 0xe404, RV_sd, 0, 8, 9, 8, "CS c.sd" },
		{ 0x0001, RV_addi, 0, 0, 0, 0, "CI c.nop" },
		{ 0x1501, RV_addi, 10, 10, 0, -32, "CI c.addi" },
		{ 0x25fd, RV_addiw, 11, 11, 0, 31, "CI c.addiw" },
		{ 0x567d, RV_addi, 12, 0, 0, -1, "CI c.li" },
		{ 0x7101, RV_addi, 2, 2, 0, -512, "CI c.addi16sp" },
		{ 0x76fd, RV_lui, 13, 0, 0, -4096, "CI c.lui" },
		{ 0x907d, RV_srli, 8, 8, 0, 63, "CB c.srli" },
		{ 0x8485, RV_srai, 9, 9, 0, 1, "CB c.srai" },
		{ 0x9b75, RV_andi, 14, 14, 0, -3, "CB c.andi" },
		{ 0x8c05, RV_sub, 8, 8, 9, 0, "CA c.sub" },
		{ 0x8d2d, RV_xor, 10, 10, 11, 0, "CA c.xor" },
		{ 0x8e55, RV_or, 12, 12, 13, 0, "CA c.or" },
		{ 0x8f7d, RV_and, 14, 14, 15, 0, "CA c.and" },
		{ 0x9c1d, RV_subw, 8, 8, 15, 0, "CA c.subw" },
		{ 0x9d2d, RV_addw, 10, 10, 11, 0, "CA c.addw" },
		{ 0xb001, RV_jal, 0, 0, 0, -2048, "CJ c.j" },
		{ 0xd081, RV_beq, 0, 9, 0, -256, "CB c.beqz" },
		{ 0xeffd, RV_bne, 0, 15, 0, 254, "CB c.bnez" },
		{ 0x12fe, RV_slli, 5, 5, 0, 63, "CI c.slli" },
		{ 0x50fe, RV_lw, 1, 2, 0, 252, "CI c.lwsp" },
		{ 0x737e, RV_ld, 6, 2, 0, 504, "CI c.ldsp" },
		{ 0x8082, RV_jalr, 0, 1, 0, 0, "CR c.jr" },
		{ 0x851e, RV_add, 10, 0, 7, 0, "CR c.mv" },
		{ 0x9002, RV_ebreak, 0, 0, 0, 0, "CR c.ebreak" },
		{ 0x9282, RV_jalr, 1, 5, 0, 0, "CR c.jalr" },
		{ 0x931e, RV_add, 6, 6, 7, 0, "CR c.add" },
		{ 0xdfca, RV_sw, 0, 2, 18, 252, "CSS c.swsp" },
		{ 0xffce, RV_sd, 0, 2, 19, 504, "CSS c.sdsp" },
		{ 0x3ef0, RV_fld, 12, 13, 0, 248, "CL c.fld" },
		{ 0xa404, RV_fsd, 0, 8, 9, 8, "CS c.fsd" },
		{ 0x337e, RV_fld, 6, 2, 0, 504, "CI c.fldsp" },
		{ 0x2002, RV_fld, 0, 2, 0, 0, "CI c.fldsp f0" },
		{ 0xbfce, RV_fsd, 0, 2, 19, 504, "CSS c.fsdsp" },
	};

	for (unsigned i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		check(&tab[i]);
}

static void test_decode_compressed_reserved(void **state)
{
	static const uint16_t bad[] = {
		0x0000, /* all zeros: defined illegal */
		0x0000 | (0 << 2) | 0, /* c.addi4spn with imm 0 */
		0x6101, /* c.addi16sp with imm 0 */
		0x6281, /* c.lui x5, 0 */
		0x4082 & 0x4002, /* c.lwsp x0 */
		0x6002, /* c.ldsp x0 */
		0x8002, /* c.jr x0 */
		0x2001, /* c.addiw x0 */
		0x9c41, /* c.subw reserved pattern 10 (c.ca 12=1, 6:5=10) */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rv_insn in;

		rv_decode(bad[i], &in);
		if (in.id != RV_illegal)
			fail_msg("0x%04x decoded as %s", bad[i],
				 rv_insn_names[in.id]);
	}
}

static void test_decode_immediates_sign_extend(void **state)
{
	struct rv_insn in;

	rv_decode(BEQ(1, 2, -4096), &in);
	assert_int_equal(in.id, RV_beq);
	assert_int_equal(in.imm, -4096);
	rv_decode(BNE(3, 4, 4094), &in);
	assert_int_equal(in.imm, 4094);
	rv_decode(JAL(1, -1048576), &in);
	assert_int_equal(in.id, RV_jal);
	assert_int_equal(in.imm, -1048576);
	rv_decode(JAL(0, 1048574), &in);
	assert_int_equal(in.imm, 1048574);
	rv_decode(SD(5, 6, -2048), &in);
	assert_int_equal(in.id, RV_sd);
	assert_int_equal(in.imm, -2048);
	assert_int_equal(in.rs1, 6);
	assert_int_equal(in.rs2, 5);
	rv_decode(ADDI(1, 2, -1), &in);
	assert_int_equal(in.imm, -1);
	rv_decode(LUI(7, 0x80000), &in);
	assert_int_equal(in.imm, (int64_t)(int32_t)0x80000000u);
	rv_decode(CSRRW(1, 0xfff, 2), &in);
	assert_int_equal(in.id, RV_csrrw);
	assert_int_equal(in.imm, 0xfff); /* csr numbers are unsigned */
	rv_decode(SRAI(1, 2, 63), &in);
	assert_int_equal(in.id, RV_srai);
	assert_int_equal(in.imm, 63);
}

static void test_decode_illegal_32bit(void **state)
{
	struct rv_insn in;

	rv_decode(0xffffffffu, &in);
	assert_int_equal(in.id, RV_illegal);
	assert_int_equal(in.len, 4);
	/* slliw with shamt[5] set is reserved on RV64 */
	rv_decode(SLLIW(1, 2, 0) | (1u << 25), &in);
	assert_int_equal(in.id, RV_illegal);
	/* flq (no Q), fsqrt.d with rs2 != 0, fmadd with fmt 2 (no Q) */
	rv_decode(0x00004007u, &in);
	assert_int_equal(in.id, RV_illegal);
	rv_decode(0x5a100053u, &in);
	assert_int_equal(in.id, RV_illegal);
	rv_decode(0x04000043u, &in);
	assert_int_equal(in.id, RV_illegal);
	/* and the real ones decode */
	rv_decode(0x00002007u, &in);
	assert_int_equal(in.id, RV_flw);
	rv_decode(0x5a000053u, &in);
	assert_int_equal(in.id, RV_fsqrt_d);
	/* lr.w with rs2 != 0 is reserved */
	rv_decode(LR_W(1, 2) | (3u << 20), &in);
	assert_int_equal(in.id, RV_illegal);
}

/* Every insn.def entry decodes to itself from its own match bits: none
 * is lost to a full bucket or shadowed by an earlier entry. */
static void test_decode_every_table_entry(void **state)
{
	static const struct {
		const char *name;
		uint32_t match;
		unsigned id;
	} all[] = {
#define RV_INSN(name, m, v, fmt, irop) { #name, v, RV_##name },
#include "tcg/insn.def"
#undef RV_INSN
	};

	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct rv_insn in;

		rv_decode(all[i].match, &in);
		if (in.id != all[i].id)
			fail_msg("%s (0x%08x) decodes as %s", all[i].name,
				 all[i].match, rv_insn_names[in.id]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_every_table_entry),
		cmocka_unit_test(test_decode_compressed_formats),
		cmocka_unit_test(test_decode_compressed_reserved),
		cmocka_unit_test(test_decode_immediates_sign_extend),
		cmocka_unit_test(test_decode_illegal_32bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
