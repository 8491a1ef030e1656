// SPDX-License-Identifier: MIT
/*
 * The two floating-point tasks (U-mode, the only C file built with F and
 * D).  They print IEEE results as hex bits and the fflags raised, so the
 * same bytes come out of any RISC-V that implements F and D as the spec
 * says: operands are fixed bit patterns, each instruction (its rounding
 * mode included) is written out in asm, and nothing depends on timing.
 *
 * Every stretch of FP work between two yields writes an FP register: the
 * kernel saves a task's FP state when mstatus.FS is Dirty, and whether an
 * FP instruction that writes no FP register sets Dirty is up to the
 * implementation, so a stretch that only read them would make the save
 * counts differ between machines.
 */
#include "kl.h"

/* double and single bit patterns */
#define D_ONE 0x3ff0000000000000UL
#define D_M1 0xbff0000000000000UL
#define D_THREE 0x4008000000000000UL
#define D_NZERO 0x8000000000000000UL
#define D_INF 0x7ff0000000000000UL
#define D_NINF 0xfff0000000000000UL
#define D_QNAN 0x7ff8000000000000UL
#define D_SNAN 0x7ff4000000000000UL
#define D_MAX 0x7fefffffffffffffUL
#define D_MINSUB 0x0000000000000001UL
#define S_ONE 0x3f800000UL
#define S_ZERO 0x00000000UL
#define S_SNAN 0x7fa00000UL
#define BOX(s) (0xffffffff00000000UL | (s)) /* a NaN-boxed single */

static void fflags_clear(void)
{
	__asm__ volatile("fsflags zero" ::: "memory");
}

static u64 fflags(void)
{
	u64 v;

	__asm__ volatile("frflags %0" : "=r"(v)::"memory");
	return v;
}

/*
 * One FP instruction on raw bits.  Operands go in ft0, ft1, ft3 (FP) or
 * %1 (integer); the instruction text writes ft2 (read back as 64 bits, so
 * a single shows its NaN-boxing) or %0 (integer).
 */
#define FP_IN "fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfmv.d.x ft3, %3\n\t"
#define FOP(insn, a, b, c)                                               \
	({                                                               \
		u64 __r;                                                 \
		__asm__ volatile(FP_IN insn "\n\tfmv.x.d %0, ft2"        \
				 : "=r"(__r)                             \
				 : "r"((u64)(a)), "r"((u64)(b)),         \
				   "r"((u64)(c))                         \
				 : "ft0", "ft1", "ft2", "ft3");          \
		__r;                                                     \
	})
#define FTOI(insn, a)                                                  \
	({                                                             \
		u64 __r;                                               \
		__asm__ volatile("fmv.d.x ft0, %1\n\t" insn            \
				 : "=r"(__r)                           \
				 : "r"((u64)(a))                       \
				 : "ft0");                             \
		__r;                                                   \
	})
#define ITOF(insn, a)                                                \
	({                                                           \
		u64 __r;                                             \
		__asm__ volatile(insn "\n\tfmv.x.d %0, ft2"          \
				 : "=r"(__r)                         \
				 : "r"((u64)(a))                     \
				 : "ft2");                           \
		__r;                                                 \
	})

/*
 * -(1 + 2^-24) to single in the five static rounding modes: a tie, so
 * RNE and RMM differ, and the sign makes RDN and RUP differ.
 */
static void fp_rounding(long pid)
{
	const u64 x = 0xbff0000010000000UL;
	u64 rne, rtz, rdn, rup, rmm, fl;

	fflags_clear();
	rne = FOP("fcvt.s.d ft2, ft0, rne", x, 0, 0);
	rtz = FOP("fcvt.s.d ft2, ft0, rtz", x, 0, 0);
	rdn = FOP("fcvt.s.d ft2, ft0, rdn", x, 0, 0);
	rup = FOP("fcvt.s.d ft2, ft0, rup", x, 0, 0);
	rmm = FOP("fcvt.s.d ft2, ft0, rmm", x, 0, 0);
	fl = fflags();
	u_printf("  [pid %ld] fcvt.s.d rne %016lx rtz %016lx\n", pid, rne,
		 rtz);
	u_printf("  [pid %ld] fcvt.s.d rdn %016lx rup %016lx\n", pid, rdn,
		 rup);
	u_printf("  [pid %ld] fcvt.s.d rmm %016lx fflags %02lx\n", pid, rmm,
		 fl);

	/* 1/3 in the dynamic mode: frm = RUP, then back to RNE */
	fflags_clear();
	__asm__ volatile("fsrmi 3" ::: "memory");
	rup = FOP("fdiv.d ft2, ft0, ft1", D_ONE, D_THREE, 0);
	__asm__ volatile("fsrmi 0" ::: "memory");
	rne = FOP("fdiv.d ft2, ft0, ft1", D_ONE, D_THREE, 0);
	u_printf("  [pid %ld] 1/3 dyn rup %016lx rne %016lx fflags %02lx\n",
		 pid, rup, rne, fflags());
}

/*
 * (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly with one rounding; a
 * separate multiply rounds the product to 1 and the sum to 0.
 */
static void fp_fused(long pid)
{
	const u64 a = 0x3ff0000000400000UL, b = 0x3fefffffff800000UL;
	u64 fmadd, fnmsub, mul, sep, fl;

	fflags_clear();
	fmadd = FOP("fmadd.d ft2, ft0, ft1, ft3", a, b, D_M1);
	fnmsub = FOP("fnmsub.d ft2, ft0, ft1, ft3", a, b, D_ONE);
	mul = FOP("fmul.d ft2, ft0, ft1", a, b, 0);
	sep = FOP("fadd.d ft2, ft0, ft1", mul, D_M1, 0);
	fl = fflags();
	u_printf("  [pid %ld] fmadd.d %016lx fnmsub.d %016lx\n", pid, fmadd,
		 fnmsub);
	u_printf("  [pid %ld] fmul+fadd %016lx fflags %02lx\n", pid, sep, fl);

	fflags_clear();
	mul = FOP("fsqrt.d ft2, ft0", D_M1, 0, 0); /* NV, canonical NaN */
	fl = fflags();
	fflags_clear();
	sep = FOP("fdiv.s ft2, ft0, ft1", BOX(S_ONE), BOX(S_ZERO), 0); /* DZ */
	u_printf("  [pid %ld] sqrt(-1) %016lx fflags %02lx 1/0.f %016lx fflags %02lx\n",
		 pid, mul, fl, sep, fflags());
}

/* float to integer: saturation on overflow and NaN (NV), RTZ by default */
static void fp_convert(long pid)
{
	u64 w, wu, l, lu, fl;

	fflags_clear();
	w = FTOI("fcvt.w.d %0, ft0, rtz", 0x41e65a0bc0000000UL); /* 3e9 */
	wu = FTOI("fcvt.wu.d %0, ft0, rtz", 0xbff8000000000000UL); /* -1.5 */
	l = FTOI("fcvt.l.d %0, ft0, rtz", D_QNAN);
	lu = FTOI("fcvt.lu.s %0, ft0, rtz", BOX(0xff800000UL)); /* -inf */
	fl = fflags();
	u_printf("  [pid %ld] fcvt.w.d(3e9) %lx fcvt.wu.d(-1.5) %lx\n", pid,
		 w, wu);
	u_printf("  [pid %ld] fcvt.l.d(nan) %lx fcvt.lu.s(-inf) %lx fflags %02lx\n",
		 pid, l, lu, fl);

	fflags_clear();
	w = FTOI("fcvt.w.d %0, ft0, rmm", 0xc004000000000000UL); /* -2.5 */
	l = FTOI("fcvt.l.s %0, ft0, rdn", BOX(0xbfc00000UL)); /* -1.5f */
	u_printf("  [pid %ld] fcvt.w.d(-2.5,rmm) %lx fcvt.l.s(-1.5,rdn) %lx fflags %02lx\n",
		 pid, w, l, fflags());

	fflags_clear();
	w = FOP("fcvt.s.d ft2, ft0", D_MAX, 0, 0); /* OF NX: inf */
	l = ITOF("fcvt.d.l ft2, %1", 0x7fffffffffffffffUL); /* NX */
	wu = ITOF("fcvt.s.w ft2, %1", 0x7fffffffUL); /* NX */
	u_printf("  [pid %ld] fcvt.s.d(max) %016lx fcvt.d.l %016lx\n", pid, w,
		 l);
	u_printf("  [pid %ld] fcvt.s.w %016lx fflags %02lx\n", pid, wu,
		 fflags());
	fflags_clear();
	w = FOP("fcvt.d.s ft2, ft0", BOX(S_SNAN), 0, 0); /* NV, canonical */
	u_printf("  [pid %ld] fcvt.d.s(snan) %016lx fflags %02lx\n", pid, w,
		 fflags());
}

/* fmin/fmax signed zeros and NaNs, NaN-boxing, fclass, compares */
static void fp_special(long pid)
{
	static const u64 classes[] = { D_NINF, D_M1, D_MINSUB | D_NZERO,
				       D_NZERO, 0, D_MINSUB, D_ONE, D_INF,
				       D_SNAN, D_QNAN };
	u64 mn, mx, q, s, fl, cls = 0, eq, lt;
	u32 i;

	fflags_clear();
	mn = FOP("fmin.d ft2, ft0, ft1", 0, D_NZERO, 0);
	mx = FOP("fmax.d ft2, ft0, ft1", D_NZERO, 0, 0);
	q = FOP("fmin.d ft2, ft0, ft1", D_QNAN, D_ONE, 0);
	fl = fflags();
	s = FOP("fmax.s ft2, ft0, ft1", BOX(S_SNAN), BOX(S_SNAN), 0);
	u_printf("  [pid %ld] fmin(+0,-0) %016lx fmax(-0,+0) %016lx\n", pid,
		 mn, mx);
	u_printf("  [pid %ld] fmin(qnan,1) %016lx fflags %02lx fmax.s(snan,snan) %016lx fflags %02lx\n",
		 pid, q, fl, s, fflags());

	/* an unboxed single operand reads as the canonical NaN */
	fflags_clear();
	s = FOP("fadd.s ft2, ft0, ft1", S_ONE, BOX(S_ONE), 0);
	q = FOP("fsgnjn.s ft2, ft0, ft0", 0x123456783f800000UL, 0, 0);
	u_printf("  [pid %ld] unboxed fadd.s %016lx fsgnjn.s %016lx fflags %02lx\n",
		 pid, s, q, fflags());

	for (i = 0; i < ARRAY_SIZE(classes); i++)
		cls |= FTOI("fclass.d %0, ft0", classes[i]);
	fflags_clear();
	eq = FTOI("fmv.d.x ft1, %1\n\tfeq.d %0, ft0, ft1", D_QNAN);
	fl = fflags(); /* feq with a quiet NaN: no flag */
	lt = FTOI("fmv.d.x ft1, %1\n\tflt.d %0, ft0, ft1", D_QNAN);
	u_printf("  [pid %ld] fclass all %03lx feq(qnan) %lu fflags %02lx flt(qnan) %lu fflags %02lx\n",
		 pid, cls, eq, fl, lt, fflags());
}

/*
 * Plain C: sum 1/k^2 for k = 1..n (n from the pid) in double and in
 * single, then a square root, as the compiler writes them.
 */
static void fp_series(long pid)
{
	double d = 0;
	float f = 0;
	u64 bits_d, bits_f, root;
	long k, n = 200 + pid;

	for (k = 1; k <= n; k++) {
		d += 1.0 / ((double)k * (double)k);
		f += 1.0f / ((float)k * (float)k);
	}
	__asm__ volatile("fmv.x.d %0, %1" : "=r"(bits_d) : "f"(d));
	__asm__ volatile("fmv.x.w %0, %1" : "=r"(bits_f) : "f"(f));
	__asm__ volatile("fsqrt.d ft2, %1\n\tfmv.x.d %0, ft2"
			 : "=r"(root)
			 : "f"(d * 6)
			 : "ft2");
	u_printf("  [pid %ld] series n=%ld %016lx %08lx sqrt(6s) %016lx\n",
		 pid, n, bits_d, bits_f & 0xffffffffUL, root);
}

static long fp_regs(long pid)
{
	/* frm = pid % 5, fflags = pid & 0x1f */
	u64 fcsr = (u64)(pid % 5) << 5 | ((u64)pid & 0x1f);
	long ok = u_fp_regs_across_yield((u64)pid << 32 | 0xf00d, fcsr);

	__asm__ volatile("fscsr zero" ::: "memory"); /* back to RNE */

	u_printf("  [pid %ld] f0-f31 and fcsr across a yield: %s\n", pid,
		 ok ? "intact" : "CORRUPTED");
	return ok;
}

/* rounding, fused ops and the series, with yields in between */
void u_task_fp_math(long idx, const volatile u64 *ticks)
{
	long pid = u_getpid();
	long ok;

	fp_rounding(pid);
	u_yield();
	fp_fused(pid);
	ok = fp_regs(pid);
	fp_series(pid);
	u_exit(ok ? 50 + idx : 1);
}

/* conversions and special values */
void u_task_fp_edge(long idx, const volatile u64 *ticks)
{
	long pid = u_getpid();
	long ok;

	fp_convert(pid);
	u_yield();
	ok = fp_regs(pid);
	fp_special(pid);
	u_exit(ok ? 50 + idx : 1);
}
