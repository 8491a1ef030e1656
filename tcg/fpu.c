/* SPDX-License-Identifier: MIT */
/*
 * The F and D extensions: the FP register file's semantics, fcsr, and
 * mstatus.FS.
 *
 * Arithmetic runs on the host FPU where it is bit-exact with RISC-V: the
 * host rounding mode is set to the instruction's (RNE, RTZ, RDN, RUP),
 * the host's exception flags are cleared before and read back after, and
 * map one to one on fflags (x86 SSE, like RISC-V, detects tininess after
 * rounding).  Everything else is done here explicitly:
 *  - a NaN result is always the canonical NaN; sNaN operands raise NV;
 *  - fmin/fmax (minimumNumber/maximumNumber, -0 < +0), the compares
 *    (feq quiet, flt/fle signalling), fclass, fsgnj*: on the bits;
 *  - float -> integer conversions saturate, NaN converts to the maximum;
 *  - fma raises NV for inf * 0 even when the addend is a quiet NaN;
 *  - RMM (ties away from zero), which hosts lack: the operation is done in
 *    binary128 rounded to odd (round toward zero, then set the last bit
 *    if inexact), and that value, which rounds to double or single in any
 *    mode exactly as the infinitely precise result would, is rounded to
 *    nearest and, on an exact tie, away from zero.  A square root is
 *    never a tie, so fsqrt under RMM is fsqrt under RNE.
 *
 * Singles live NaN-boxed in the 64-bit registers: a single read from a
 * register whose upper 32 bits are not all ones is the canonical NaN.
 * fmv.x.w and fsw move the low 32 bits as they are.
 *
 * mstatus.FS: Off makes every FP instruction and the FP CSRs illegal.  A
 * write to an FP register or to fcsr/frm/fflags sets it Dirty (and SD),
 * as QEMU does; instructions that only accrue flags leave it alone.
 *
 * Loads and stores go through tcg_helper_load/store like every access.
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "tcg/tcg-internal.h"

enum { FFLAG_NX = 1, FFLAG_UF = 2, FFLAG_OF = 4, FFLAG_DZ = 8, FFLAG_NV = 16 };
enum { RM_RNE, RM_RTZ, RM_RDN, RM_RUP, RM_RMM, RM_DYN = 7 };

#define CANON_S 0x7fc00000u
#define CANON_D 0x7ff8000000000000ull
#define BOX_S 0xffffffff00000000ull

typedef __float128 wide;

/* ------------------------------------------------------------ host FPU */

/*
 * host_begin(rm) sets the host rounding mode (RNE, RTZ, RDN or RUP) with
 * no flags raised; host_end(rm) returns the flags raised since, as fflags
 * bits, and puts the host back to RNE.  On x86-64 this is MXCSR alone:
 * SSE does every single and double operation here, and libgcc's binary128
 * arithmetic reads its rounding mode from MXCSR and raises NV, DZ and NX
 * there (its OF and UF go to the x87 status word: rmm_*() does not use
 * them).
 */
#if defined(__x86_64__)
#define MXCSR_DEFAULT 0x1f80u	/* all exceptions masked, RNE, no DAZ/FTZ */

static const unsigned host_rm[4] = { 0u << 13, 3u << 13, 1u << 13,
				     2u << 13 };

static inline void host_begin(unsigned rm)
{
	__builtin_ia32_ldmxcsr(MXCSR_DEFAULT | host_rm[rm]);
}

static inline unsigned host_end(unsigned rm)
{
	unsigned m = __builtin_ia32_stmxcsr();

	if (rm != RM_RNE)
		__builtin_ia32_ldmxcsr(MXCSR_DEFAULT);
	return (m & 0x20 ? FFLAG_NX : 0) | (m & 0x10 ? FFLAG_UF : 0) |
	       (m & 0x08 ? FFLAG_OF : 0) | (m & 0x04 ? FFLAG_DZ : 0) |
	       (m & 0x01 ? FFLAG_NV : 0);
}
#else
static const int host_rm[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD,
				FE_UPWARD };

static inline void host_begin(unsigned rm)
{
	fesetround(host_rm[rm]);
	feclearexcept(FE_ALL_EXCEPT);
}

static inline unsigned host_end(unsigned rm)
{
	int fe = fetestexcept(FE_ALL_EXCEPT);

	if (rm != RM_RNE)
		fesetround(FE_TONEAREST);
	return (fe & FE_INEXACT ? FFLAG_NX : 0) |
	       (fe & FE_UNDERFLOW ? FFLAG_UF : 0) |
	       (fe & FE_OVERFLOW ? FFLAG_OF : 0) |
	       (fe & FE_DIVBYZERO ? FFLAG_DZ : 0) |
	       (fe & FE_INVALID ? FFLAG_NV : 0);
}
#endif

/* ------------------------------------------------------------- bits */

static inline float f32(uint32_t b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

static inline uint32_t b32(float f)
{
	uint32_t b;

	memcpy(&b, &f, 4);
	return b;
}

static inline double f64(uint64_t b)
{
	double d;

	memcpy(&d, &b, 8);
	return d;
}

static inline uint64_t b64(double d)
{
	uint64_t b;

	memcpy(&b, &d, 8);
	return b;
}

static inline bool nan_s(uint32_t b)
{
	return (b & 0x7fffffffu) > 0x7f800000u;
}

static inline bool snan_s(uint32_t b)
{
	return nan_s(b) && !(b & 0x00400000u);
}

static inline bool nan_d(uint64_t b)
{
	return (b & ~(1ull << 63)) > 0x7ff0000000000000ull;
}

static inline bool snan_d(uint64_t b)
{
	return nan_d(b) && !(b & 0x0008000000000000ull);
}

/* ------------------------------------------------------- registers */

static inline uint32_t get_s(const struct tcg_cpu *cpu, unsigned r)
{
	uint64_t v = cpu->f[r];

	return (v & BOX_S) == BOX_S ? (uint32_t)v : CANON_S;
}

static inline void mark_dirty(struct tcg_cpu *cpu)
{
	cpu->mstatus |= MSTATUS_FS | MSTATUS_SD;
}

static inline void set_s(struct tcg_cpu *cpu, unsigned r, uint32_t v)
{
	cpu->f[r] = BOX_S | v;
	mark_dirty(cpu);
}

static inline void set_d(struct tcg_cpu *cpu, unsigned r, uint64_t v)
{
	cpu->f[r] = v;
	mark_dirty(cpu);
}

static inline void set_x(struct tcg_cpu *cpu, unsigned r, uint64_t v)
{
	if (r)
		cpu->x[r] = v;
}

void tcg_fpu_status_written(struct tcg_cpu *cpu)
{
	if ((cpu->mstatus & MSTATUS_FS) == MSTATUS_FS)
		cpu->mstatus |= MSTATUS_SD;
	else
		cpu->mstatus &= ~MSTATUS_SD;
}

/* ------------------------------------------------------------- RMM */

/* The binary128 operation rounded to odd: exact ops are exact, inexact
 * ones get their last bit set.  Also returns the NV and DZ it raised. */
enum fop { FOP_ADD, FOP_SUB, FOP_MUL, FOP_DIV, FOP_SQRT, FOP_FMA };

static wide wide_rto(enum fop op, wide a, wide b, wide c, unsigned *fl)
{
	volatile wide va = a, vb = b, vc = c;
	volatile wide r;
	unsigned f;

	host_begin(RM_RTZ);
	switch (op) {
	case FOP_ADD: r = va + vb; break;
	case FOP_SUB: r = va - vb; break;
	case FOP_MUL: r = va * vb; break;
	case FOP_DIV: r = va / vb; break;
	default: r = va * vb + vc; break; /* the product is exact */
	}
	f = host_end(RM_RTZ);
	*fl |= f & (FFLAG_NV | FFLAG_DZ);
	if (f & FFLAG_NX) {
		unsigned __int128 u;
		wide w = r;

		memcpy(&u, &w, sizeof(u));
		u |= 1;
		memcpy(&w, &u, sizeof(u));
		return w;
	}
	return r;
}

/*
 * The flags of rounding w to r (w not a NaN): NX if they differ, OF if r
 * is infinite and w is not, UF if inexact and tiny after rounding, that is
 * |w| is below the midpoint between 2^emin and the largest value under it
 * with the format's precision (a tie there rounds up to 2^emin, in RNE
 * and in RMM).
 */
static unsigned round_flags(wide w, wide r, wide tiny_mid)
{
	wide a = w < 0 ? -w : w;

	if (r == w || __builtin_isnan(w))
		return 0;
	return FFLAG_NX | (a < tiny_mid ? FFLAG_UF : 0) |
	       (__builtin_isinf(r) ? FFLAG_OF : 0);
}

/*
 * w rounded to double, to nearest with ties away from zero.  Nearest-even
 * and toward-zero agree except when w lies at or below the midpoint
 * between the truncation t and its neighbour away from zero: only the
 * exact midpoint must go away.
 */
static double rmm_d(wide w, unsigned *fl)
{
	volatile wide vw = w;
	volatile double n, t;
	double away, r;

	host_begin(RM_RNE);
	n = (double)vw;
	host_end(RM_RNE);
	host_begin(RM_RTZ);
	t = (double)vw;
	host_end(RM_RTZ);
	if (n != t || (wide)t == w) {
		r = n;
	} else {
		away = nextafter(t, copysign(INFINITY, t));
		r = ((wide)t + (wide)away) / 2 == w ? away : t;
	}
	*fl |= round_flags(w, r, 0x1p-1022Q - 0x1p-1076Q);
	return r;
}

static float rmm_s(wide w, unsigned *fl)
{
	volatile wide vw = w;
	volatile float n, t;
	float away, r;

	host_begin(RM_RNE);
	n = (float)vw;
	host_end(RM_RNE);
	host_begin(RM_RTZ);
	t = (float)vw;
	host_end(RM_RTZ);
	if (n != t || (wide)t == w) {
		r = n;
	} else {
		away = nextafterf(t, copysignf(INFINITY, t));
		r = ((wide)t + (wide)away) / 2 == w ? away : t;
	}
	*fl |= round_flags(w, r, 0x1p-126Q - 0x1p-151Q);
	return r;
}

/* ------------------------------------------------------- arithmetic */

/* fma raises NV for inf * 0 even when the addend is a quiet NaN. */
static inline bool inf_times_zero(double a, double b)
{
	return (fabs(a) == INFINITY && b == 0) ||
	       (a == 0 && fabs(b) == INFINITY);
}

/*
 * The common case without the host's FP status, whose every access costs
 * tens of nanoseconds on some hosts (virtualized MXCSR): round to nearest
 * even (the host's mode outside host_begin/host_end), finite operands and
 * a finite result far from the subnormal range, so the only flag possible
 * is NX, found exactly by an error-free transformation: the rounding error
 * of a sum (TwoSum), or the residual of a product, quotient or square
 * root (one fma, exact away from underflow).  Returns false for anything
 * else (fma, specials, overflow, possible underflow): the general path.
 * Subnormal sums are exact, so a sum never underflows.
 */
#define FAST_MIN_D 0x1p-968	/* residuals of larger values are exact */

static bool fast_d(enum fop op, double a, double b, double *res,
		   unsigned *fl)
{
	double r, e, t;

	if (!(fabs(a) <= DBL_MAX && fabs(b) <= DBL_MAX))
		return false;
	switch (op) {
	case FOP_ADD:
	case FOP_SUB:
		b = op == FOP_SUB ? -b : b;
		r = a + b;
		if (!(fabs(r) <= DBL_MAX))
			return false;
		t = r - a;
		e = (a - (r - t)) + (b - t);
		break;
	case FOP_MUL:
		r = a * b;
		if (r == 0 && (a == 0 || b == 0)) {
			e = 0;
			break;
		}
		if (!(fabs(r) >= FAST_MIN_D && fabs(r) <= DBL_MAX))
			return false;
		e = fma(a, b, -r);
		break;
	case FOP_DIV:
		if (!(fabs(b) >= FAST_MIN_D))
			return false;
		r = a / b;
		if (a == 0) {
			e = 0;
			break;
		}
		if (!(fabs(a) >= FAST_MIN_D && fabs(r) >= FAST_MIN_D &&
		      fabs(r) <= DBL_MAX))
			return false;
		e = fma(-r, b, a);
		break;
	case FOP_SQRT:
		if (a == 0) {
			r = a;
			e = 0;
			break;
		}
		if (!(a >= FAST_MIN_D))
			return false;
		r = sqrt(a);
		e = fma(-r, r, a);
		break;
	default:
		return false;
	}
	if (e != 0)
		*fl |= FFLAG_NX;
	*res = r;
	return true;
}

/*
 * Singles in double, rounded once more to single: exact for +, -, *, /
 * and sqrt (53 >= 2 * 24 + 2, so the double rounding is innocuous).  The
 * result is inexact if the double operation was or the narrowing is.
 */
static bool fast_s(enum fop op, float a, float b, float *res, unsigned *fl)
{
	double x = a, y = b, d, e = 0, t;
	float r;

	if (!(fabsf(a) <= FLT_MAX && fabsf(b) <= FLT_MAX))
		return false;
	switch (op) {
	case FOP_ADD:
	case FOP_SUB:
		y = op == FOP_SUB ? -y : y;
		d = x + y;
		t = d - x;
		e = (x - (d - t)) + (y - t);
		break;
	case FOP_MUL:
		d = x * y;
		break;
	case FOP_DIV:
		if (b == 0)
			return false;
		d = x / y;
		if (a != 0)
			e = fma(-d, y, x);
		break;
	case FOP_SQRT:
		if (a < 0)
			return false;
		d = sqrt(x);
		e = fma(-d, d, x);
		break;
	default:
		return false;
	}
	r = (float)d;
	if (d != 0 && !(fabsf(r) > 0x1p-126f && fabsf(r) <= FLT_MAX))
		return false;
	if (e != 0 || (double)r != d)
		*fl |= FFLAG_NX;
	*res = r;
	return true;
}

static uint64_t arith_d(enum fop op, unsigned rm, uint64_t ab, uint64_t bb,
			uint64_t cb, unsigned *fl)
{
	double a = f64(ab), b = f64(bb), c = f64(cb);
	volatile double va = a, vb = b, vc = c;
	volatile double r;
	double fast;

	if (snan_d(ab) || (op != FOP_SQRT && snan_d(bb)) ||
	    (op == FOP_FMA && snan_d(cb)))
		*fl |= FFLAG_NV;
	if (op == FOP_FMA && inf_times_zero(a, b))
		*fl |= FFLAG_NV;
	if (rm == RM_RNE && fast_d(op, a, b, &fast, fl))
		return b64(fast);
	if (rm == RM_RMM && op != FOP_SQRT) {
		r = rmm_d(wide_rto(op, a, b, c, fl), fl);
	} else {
		unsigned hrm = rm == RM_RMM ? RM_RNE : rm;

		host_begin(hrm);
		switch (op) {
		case FOP_ADD: r = va + vb; break;
		case FOP_SUB: r = va - vb; break;
		case FOP_MUL: r = va * vb; break;
		case FOP_DIV: r = va / vb; break;
		case FOP_SQRT: r = sqrt(va); break;
		default: r = fma(va, vb, vc); break;
		}
		*fl |= host_end(hrm);
	}
	return r != r ? CANON_D : b64(r);
}

static uint32_t arith_s(enum fop op, unsigned rm, uint32_t ab, uint32_t bb,
			uint32_t cb, unsigned *fl)
{
	float a = f32(ab), b = f32(bb), c = f32(cb);
	volatile float va = a, vb = b, vc = c;
	volatile float r;
	float fast;

	if (snan_s(ab) || (op != FOP_SQRT && snan_s(bb)) ||
	    (op == FOP_FMA && snan_s(cb)))
		*fl |= FFLAG_NV;
	if (op == FOP_FMA && inf_times_zero(a, b))
		*fl |= FFLAG_NV;
	if (rm == RM_RNE && fast_s(op, a, b, &fast, fl))
		return b32(fast);
	if (rm == RM_RMM && op != FOP_SQRT) {
		r = rmm_s(wide_rto(op, a, b, c, fl), fl);
	} else {
		unsigned hrm = rm == RM_RMM ? RM_RNE : rm;

		host_begin(hrm);
		switch (op) {
		case FOP_ADD: r = va + vb; break;
		case FOP_SUB: r = va - vb; break;
		case FOP_MUL: r = va * vb; break;
		case FOP_DIV: r = va / vb; break;
		case FOP_SQRT: r = sqrtf(va); break;
		default: r = fmaf(va, vb, vc); break;
		}
		*fl |= host_end(hrm);
	}
	return r != r ? CANON_S : b32(r);
}

/* ------------------------------------------------------ conversions */

/*
 * v (a double or a single widened, exactly) to an integer of `bits` bits,
 * signed or not, returned sign-extended from bit bits-1 as the register
 * value.  Out of range and NaN saturate with NV only; inexact gives NX.
 */
static uint64_t to_int(double v, unsigned rm, bool sign, unsigned bits,
		       unsigned *fl)
{
	double lo = sign ? (bits == 64 ? -0x1p63 : -0x1p31) : 0;
	double hi = sign ? (bits == 64 ? 0x1p63 : 0x1p31)   /* first too big */
			 : (bits == 64 ? 0x1p64 : 0x1p32);
	uint64_t max = sign ? (1ull << (bits - 1)) - 1
			    : (bits == 64 ? ~0ull : (1ull << bits) - 1);
	uint64_t res;
	double r;

	if (v != v) {
		*fl |= FFLAG_NV;
		res = max;
	} else {
		static double (*const to_integral[])(double) = {
			rint, trunc, floor, ceil, round,
		};

		/* rint rounds in the host's mode: RNE outside host_begin */
		r = to_integral[rm](v);
		if (r < lo) {
			*fl |= FFLAG_NV;
			res = sign ? ~max : 0;
		} else if (r >= hi) {
			*fl |= FFLAG_NV;
			res = max;
		} else {
			res = sign ? (uint64_t)(int64_t)r : (uint64_t)r;
			if (r != v)
				*fl |= FFLAG_NX;
		}
	}
	return bits == 32 ? (uint64_t)(int64_t)(int32_t)res : res;
}

/* Integer x (kind: 0 w, 1 wu, 2 l, 3 lu) as a binary128, exactly. */
static wide int_wide(uint64_t x, unsigned kind)
{
	switch (kind) {
	case 0: return (wide)(int32_t)x;
	case 1: return (wide)(uint32_t)x;
	case 2: return (wide)(int64_t)x;
	default: return (wide)x;
	}
}

static uint64_t from_int_d(uint64_t x, unsigned kind, unsigned rm,
			   unsigned *fl)
{
	volatile uint64_t vx = x;
	volatile double r;

	if (rm == RM_RMM)
		return b64(rmm_d(int_wide(x, kind), fl));
	host_begin(rm);
	switch (kind) {
	case 0: r = (double)(int32_t)vx; break;
	case 1: r = (double)(uint32_t)vx; break;
	case 2: r = (double)(int64_t)vx; break;
	default: r = (double)vx; break;
	}
	*fl |= host_end(rm);
	return b64(r);
}

static uint32_t from_int_s(uint64_t x, unsigned kind, unsigned rm,
			   unsigned *fl)
{
	volatile uint64_t vx = x;
	volatile float r;

	if (rm == RM_RMM)
		return b32(rmm_s(int_wide(x, kind), fl));
	host_begin(rm);
	switch (kind) {
	case 0: r = (float)(int32_t)vx; break;
	case 1: r = (float)(uint32_t)vx; break;
	case 2: r = (float)(int64_t)vx; break;
	default: r = (float)vx; break;
	}
	*fl |= host_end(rm);
	return b32(r);
}

static uint32_t d_to_s(uint64_t ab, unsigned rm, unsigned *fl)
{
	volatile double va = f64(ab);
	volatile float r;

	if (nan_d(ab)) {
		if (snan_d(ab))
			*fl |= FFLAG_NV;
		return CANON_S;
	}
	if (rm == RM_RMM)
		return b32(rmm_s(va, fl));
	host_begin(rm);
	r = (float)va;
	*fl |= host_end(rm);
	return b32(r);
}

static uint64_t s_to_d(uint32_t ab, unsigned *fl)
{
	if (nan_s(ab)) {
		if (snan_s(ab))
			*fl |= FFLAG_NV;
		return CANON_D;
	}
	return b64((double)f32(ab));
}

/* --------------------------------------------- sign, min/max, class */

/* funct3 0 fsgnj, 1 fsgnjn, 2 fsgnjx; sign is the sign bit's mask. */
static uint64_t sgnj(uint64_t a, uint64_t b, unsigned f3, uint64_t sign)
{
	uint64_t s = f3 == 0 ? b : f3 == 1 ? ~b : a ^ b;

	return (a & ~sign) | (s & sign);
}

/*
 * minimumNumber / maximumNumber on bit patterns, sign is the sign bit:
 * a NaN operand loses to a number, two NaNs give the canonical NaN, sNaN
 * raises NV, -0 is below +0.
 */
static uint64_t minmax(uint64_t a, uint64_t b, bool max, bool a_nan,
		       bool b_nan, uint64_t sign, uint64_t canon)
{
	double x, y;
	bool a_less;

	if (a_nan && b_nan)
		return canon;
	if (a_nan)
		return b;
	if (b_nan)
		return a;
	if (sign == 1ull << 63) {
		x = f64(a);
		y = f64(b);
	} else {
		x = f32((uint32_t)a);
		y = f32((uint32_t)b);
	}
	if (x == y) /* equal, or -0 and +0: the negative one is less */
		a_less = (a & sign) != 0;
	else
		a_less = x < y;
	return a_less != max ? a : b;
}

/* fclass: one bit set, from -inf (bit 0) to qNaN (bit 9). */
static uint64_t fclass(bool neg, bool inf, bool zero, bool sub, bool nan,
		       bool snan)
{
	if (nan)
		return snan ? 1u << 8 : 1u << 9;
	if (inf)
		return neg ? 1u << 0 : 1u << 7;
	if (zero)
		return neg ? 1u << 3 : 1u << 4;
	if (sub)
		return neg ? 1u << 2 : 1u << 5;
	return neg ? 1u << 1 : 1u << 6;
}

static uint64_t fclass_s(uint32_t b)
{
	unsigned e = (b >> 23) & 0xff, m = b & 0x7fffff;

	return fclass(b >> 31, e == 0xff && !m, !e && !m, !e && m, nan_s(b),
		      snan_s(b));
}

static uint64_t fclass_d(uint64_t b)
{
	unsigned e = (b >> 52) & 0x7ff;
	uint64_t m = b & ((1ull << 52) - 1);

	return fclass(b >> 63, e == 0x7ff && !m, !e && !m, !e && m, nan_d(b),
		      snan_d(b));
}

/* feq (f3 2, quiet), flt (1), fle (0): signalling ones raise NV on any
 * NaN, feq only on a signalling one. */
static uint64_t compare(double a, double b, bool a_nan, bool b_nan,
			bool a_snan, bool b_snan, unsigned f3, unsigned *fl)
{
	if (a_nan || b_nan) {
		if (f3 != 2 || a_snan || b_snan)
			*fl |= FFLAG_NV;
		return 0;
	}
	return f3 == 2 ? a == b : f3 == 1 ? a < b : a <= b;
}

/* ------------------------------------------------------- the helpers */

static int illegal(struct tcg_cpu *cpu, uint32_t raw)
{
	tcg_raise(cpu, EXC_ILLEGAL, raw);
	return TCG_H_EXIT;
}

static inline bool fp_off(const struct tcg_cpu *cpu)
{
	return !(cpu->mstatus & MSTATUS_FS);
}

/* The instruction's rounding mode, frm for dynamic; -1 if reserved. */
static int insn_rm(const struct tcg_cpu *cpu, uint32_t raw)
{
	unsigned rm = (raw >> 12) & 7;

	if (rm == RM_DYN)
		rm = (cpu->fcsr >> 5) & 7;
	return rm <= RM_RMM ? (int)rm : -1;
}

/* fmadd/fmsub/fnmsub/fnmadd: the negations are exact, one rounding. */
static int fma_insn(struct tcg_cpu *cpu, uint32_t raw, unsigned rm,
		    unsigned *fl)
{
	unsigned rd = (raw >> 7) & 31, rs1 = (raw >> 15) & 31;
	unsigned rs2 = (raw >> 20) & 31, rs3 = raw >> 27;
	unsigned kind = (raw >> 2) & 3; /* 0 madd 1 msub 2 nmsub 3 nmadd */
	bool neg_prod = kind >= 2, neg_add = kind == 1 || kind == 3;

	if ((raw >> 25) & 1) {
		uint64_t a = cpu->f[rs1], c = cpu->f[rs3];

		a ^= neg_prod ? 1ull << 63 : 0;
		c ^= neg_add ? 1ull << 63 : 0;
		set_d(cpu, rd, arith_d(FOP_FMA, rm, a, cpu->f[rs2], c, fl));
	} else {
		uint32_t a = get_s(cpu, rs1), c = get_s(cpu, rs3);

		a ^= neg_prod ? 1u << 31 : 0;
		c ^= neg_add ? 1u << 31 : 0;
		set_s(cpu, rd, arith_s(FOP_FMA, rm, a, get_s(cpu, rs2), c, fl));
	}
	return TCG_H_CONT;
}

/* OP-FP, funct7 in bits 31:25: its low two bits are the format. */
static int op_fp(struct tcg_cpu *cpu, uint32_t raw, unsigned *fl)
{
	unsigned rd = (raw >> 7) & 31, rs1 = (raw >> 15) & 31;
	unsigned rs2 = (raw >> 20) & 31, f3 = (raw >> 12) & 7;
	unsigned f5 = raw >> 27;
	bool dbl = (raw >> 25) & 1;
	uint64_t a = dbl ? cpu->f[rs1] : get_s(cpu, rs1);
	uint64_t b = dbl ? cpu->f[rs2] : get_s(cpu, rs2);
	bool a_nan = dbl ? nan_d(a) : nan_s((uint32_t)a);
	bool b_nan = dbl ? nan_d(b) : nan_s((uint32_t)b);
	bool a_snan = dbl ? snan_d(a) : snan_s((uint32_t)a);
	bool b_snan = dbl ? snan_d(b) : snan_s((uint32_t)b);
	uint64_t sign = dbl ? 1ull << 63 : 1ull << 31;
	int rm = -1;

	/* Those with an rm field: arithmetic (f5 0..3, 11) and fcvt. */
	if (f5 <= 3 || f5 == 0x0b || f5 == 0x08 || f5 == 0x18 || f5 == 0x1a) {
		rm = insn_rm(cpu, raw);
		if (rm < 0)
			return illegal(cpu, raw);
	}
	switch (f5) {
	case 0x00: case 0x01: case 0x02: case 0x03: case 0x0b: {
		static const enum fop ops[] = { FOP_ADD, FOP_SUB, FOP_MUL,
						FOP_DIV };
		enum fop op = f5 == 0x0b ? FOP_SQRT : ops[f5];

		if (dbl)
			set_d(cpu, rd, arith_d(op, rm, a, b, 0, fl));
		else
			set_s(cpu, rd, arith_s(op, rm, (uint32_t)a, (uint32_t)b,
					       0, fl));
		break;
	}
	case 0x04: /* fsgnj* */
		if (dbl)
			set_d(cpu, rd, sgnj(a, b, f3, sign));
		else
			set_s(cpu, rd, (uint32_t)sgnj(a, b, f3, sign));
		break;
	case 0x05: /* fmin, fmax */
		if (a_snan || b_snan)
			*fl |= FFLAG_NV;
		a = minmax(a, b, f3 == 1, a_nan, b_nan, sign,
			   dbl ? CANON_D : CANON_S);
		if (dbl)
			set_d(cpu, rd, a);
		else
			set_s(cpu, rd, (uint32_t)a);
		break;
	case 0x08: /* fcvt.s.d, fcvt.d.s */
		if (dbl)
			set_d(cpu, rd, s_to_d(get_s(cpu, rs1), fl));
		else
			set_s(cpu, rd, d_to_s(cpu->f[rs1], rm, fl));
		break;
	case 0x14: /* feq, flt, fle */
		set_x(cpu, rd,
		      compare(dbl ? f64(a) : f32((uint32_t)a),
			      dbl ? f64(b) : f32((uint32_t)b), a_nan, b_nan,
			      a_snan, b_snan, f3, fl));
		break;
	case 0x18: /* fcvt.{w,wu,l,lu}.{s,d} */
		set_x(cpu, rd, to_int(dbl ? f64(a) : f32((uint32_t)a), rm,
				      !(rs2 & 1), rs2 & 2 ? 64 : 32, fl));
		break;
	case 0x1a: /* fcvt.{s,d}.{w,wu,l,lu} */
		if (dbl)
			set_d(cpu, rd, from_int_d(cpu->x[rs1], rs2, rm, fl));
		else
			set_s(cpu, rd, from_int_s(cpu->x[rs1], rs2, rm, fl));
		break;
	case 0x1c: /* fmv.x.{w,d}, fclass */
		if (f3 == 1)
			set_x(cpu, rd, dbl ? fclass_d(a) : fclass_s((uint32_t)a));
		else
			set_x(cpu, rd, dbl ? cpu->f[rs1]
					   : (uint64_t)(int64_t)(int32_t)cpu->f[rs1]);
		break;
	case 0x1e: /* fmv.{w,d}.x */
		if (dbl)
			set_d(cpu, rd, cpu->x[rs1]);
		else
			set_s(cpu, rd, (uint32_t)cpu->x[rs1]);
		break;
	default: /* the decoder lets through only the encodings above */
		return illegal(cpu, raw);
	}
	return TCG_H_CONT;
}

int tcg_helper_fp(struct tcg_cpu *cpu, uint32_t raw)
{
	unsigned fl = 0;
	int r;

	if (fp_off(cpu))
		return illegal(cpu, raw);
	if ((raw & 0x7f) == 0x53) {
		r = op_fp(cpu, raw, &fl);
	} else {
		int rm = insn_rm(cpu, raw);

		if (rm < 0)
			return illegal(cpu, raw);
		r = fma_insn(cpu, raw, rm, &fl);
	}
	cpu->fcsr |= fl;
	return r;
}

int tcg_helper_fp_load(struct tcg_cpu *cpu, unsigned rd, uint64_t addr,
		       unsigned size, uint32_t raw)
{
	uint64_t v;

	if (fp_off(cpu))
		return illegal(cpu, raw);
	if (tcg_helper_load(cpu, addr, size, false, &v))
		return TCG_H_EXIT;
	if (size == 4)
		set_s(cpu, rd, (uint32_t)v);
	else
		set_d(cpu, rd, v);
	return TCG_H_CONT;
}

int tcg_helper_fp_store(struct tcg_cpu *cpu, unsigned rs2, uint64_t addr,
			unsigned size, uint32_t raw)
{
	if (fp_off(cpu))
		return illegal(cpu, raw);
	return tcg_helper_store(cpu, addr, size, cpu->f[rs2]);
}

/* fflags (0x001), frm (0x002), fcsr (0x003). */
int tcg_fpu_csr_read(const struct tcg_cpu *cpu, unsigned csr, uint64_t *val)
{
	if (fp_off(cpu))
		return -1;
	if (csr == 1)
		*val = cpu->fcsr & 0x1f;
	else if (csr == 2)
		*val = (cpu->fcsr >> 5) & 7;
	else
		*val = cpu->fcsr & 0xff;
	return 0;
}

void tcg_fpu_csr_write(struct tcg_cpu *cpu, unsigned csr, uint64_t val)
{
	if (csr == 1)
		cpu->fcsr = (cpu->fcsr & ~0x1fu) | (val & 0x1f);
	else if (csr == 2)
		cpu->fcsr = (cpu->fcsr & 0x1f) | (val & 7) << 5;
	else
		cpu->fcsr = val & 0xff;
	mark_dirty(cpu);
}
