// SPDX-License-Identifier: MIT
/*
 * The compute mix: many distinct basic blocks (sorting, hashing, matrix and
 * string work, a bytecode interpreter, indirect calls, backtracking), seeded by the hart id so each hart does different work, and
 * self-checked where an independent answer exists (two sorts must agree,
 * CRC-32 of "123456789" is 0xcbf43926, A * I == A, ...).  The results are
 * pure functions of the hart id, so they are the same on every machine.
 */
#include "kl.h"

#define SORT_N 192
#define MAT_N 10
#define BUF_N 768

enum {
	FAIL_SORT = 1,
	FAIL_CRC = 2,
	FAIL_MATRIX = 4,
	FAIL_STRING = 8,
	FAIL_DIV = 16,
	FAIL_CONTROL = 32,
};

static u64 rng_next(u64 *s)
{
	/* 64-bit LCG (Knuth MMIX), then an xorshift of the high bits */
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s ^ (*s >> 29);
}

/* ---------------------------------------------------------------- sort */
static NOINLINE void insertion_sort(u32 *a, int n)
{
	int i, j;

	for (i = 1; i < n; i++) {
		u32 v = a[i];

		for (j = i - 1; j >= 0 && a[j] > v; j--)
			a[j + 1] = a[j];
		a[j + 1] = v;
	}
}

static NOINLINE void quick_sort(u32 *a, int lo, int hi)
{
	while (lo < hi) {
		u32 pivot = a[lo + (hi - lo) / 2];
		int i = lo, j = hi;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				u32 t = a[i];

				a[i++] = a[j];
				a[j--] = t;
			}
		}
		/* recurse into the smaller half, loop on the larger */
		if (j - lo < hi - i) {
			quick_sort(a, lo, j);
			lo = i;
		} else {
			quick_sort(a, i, hi);
			hi = j;
		}
	}
}

static void sift_down(u32 *a, int root, int n)
{
	for (;;) {
		int child = 2 * root + 1;
		u32 t;

		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

static NOINLINE void heap_sort(u32 *a, int n)
{
	int i;

	for (i = n / 2 - 1; i >= 0; i--)
		sift_down(a, i, n);
	for (i = n - 1; i > 0; i--) {
		u32 t = a[0];

		a[0] = a[i];
		a[i] = t;
		sift_down(a, 0, i);
	}
}

static u64 do_sort(u64 seed, u32 *fail)
{
	static u32 a[KL_MAX_HARTS][3][SORT_N];
	u32 *x = a[seed % KL_MAX_HARTS][0], *y = a[seed % KL_MAX_HARTS][1],
	    *z = a[seed % KL_MAX_HARTS][2];
	u64 s = seed * 7919 + 17, sum = 0, in_sum = 0;
	int i;

	for (i = 0; i < SORT_N; i++) {
		x[i] = y[i] = z[i] = (u32)(rng_next(&s) >> 16) % 100000;
		in_sum += x[i];
	}
	insertion_sort(x, SORT_N);
	quick_sort(y, 0, SORT_N - 1);
	heap_sort(z, SORT_N);
	for (i = 0; i < SORT_N; i++) {
		if (x[i] != y[i] || y[i] != z[i] || (i && x[i - 1] > x[i]))
			*fail |= FAIL_SORT;
		sum += (u64)x[i] * (i + 1);
		in_sum -= x[i];
	}
	if (in_sum)
		*fail |= FAIL_SORT;
	return sum;
}

/* ---------------------------------------------------------------- hash */
static NOINLINE u64 fnv1a64(const u8 *p, u64 n)
{
	u64 h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static NOINLINE u32 crc32(const u8 *p, u64 n)
{
	u32 c = ~0u;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static NOINLINE u64 fmix64(u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* djb2 over 16-bit loads, and an adler-32 with its modulo (div unit) */
static NOINLINE u32 adler32(const u8 *p, u64 n)
{
	u32 a = 1, b = 0;

	while (n--) {
		a = (a + *p++) % 65521;
		b = (b + a) % 65521;
	}
	return b << 16 | a;
}

static u64 do_hash(u64 seed, u32 *fail)
{
	static u8 buf[KL_MAX_HARTS][BUF_N];
	u8 *b = buf[seed % KL_MAX_HARTS];
	u64 s = seed ^ 0x9e3779b97f4a7c15ULL, h;
	int i;

	if (crc32((const u8 *)"123456789", 9) != 0xcbf43926u ||
	    adler32((const u8 *)"Wikipedia", 9) != 0x11e60398u ||
	    fnv1a64((const u8 *)"a", 1) != 0xaf63dc4c8601ec8cULL)
		*fail |= FAIL_CRC;
	for (i = 0; i < BUF_N; i++)
		b[i] = (u8)(rng_next(&s) >> 24);
	h = fnv1a64(b, BUF_N);
	h ^= (u64)crc32(b, BUF_N) << 32;
	h += adler32(b, BUF_N);
	for (i = 0; i < 64; i++)
		h = fmix64(h + (u64)i);
	return h;
}

/* ---------------------------------------------------------------- matrix */
typedef s64 mat_t[MAT_N][MAT_N];

static NOINLINE void mat_mul(mat_t c, const mat_t a, const mat_t b)
{
	int i, j, k;

	for (i = 0; i < MAT_N; i++) {
		for (j = 0; j < MAT_N; j++) {
			s64 acc = 0;

			for (k = 0; k < MAT_N; k++)
				acc += a[i][k] * b[k][j];
			c[i][j] = acc;
		}
	}
}

static NOINLINE void mat_transpose(mat_t t, const mat_t a)
{
	int i, j;

	for (i = 0; i < MAT_N; i++)
		for (j = 0; j < MAT_N; j++)
			t[j][i] = a[i][j];
}

static u64 do_matrix(u64 seed, u32 *fail)
{
	static mat_t m[KL_MAX_HARTS][5];
	s64(*a)[MAT_N] = m[seed % KL_MAX_HARTS][0];
	s64(*b)[MAT_N] = m[seed % KL_MAX_HARTS][1];
	s64(*c)[MAT_N] = m[seed % KL_MAX_HARTS][2];
	s64(*id)[MAT_N] = m[seed % KL_MAX_HARTS][3];
	s64(*t)[MAT_N] = m[seed % KL_MAX_HARTS][4];
	u64 s = seed * 31 + 5, r = 0;
	int i, j, round;

	for (i = 0; i < MAT_N; i++) {
		for (j = 0; j < MAT_N; j++) {
			a[i][j] = (s64)(rng_next(&s) % 201) - 100;
			b[i][j] = (s64)(rng_next(&s) % 201) - 100;
			id[i][j] = i == j;
		}
	}
	mat_mul(c, a, id);
	for (i = 0; i < MAT_N; i++)
		for (j = 0; j < MAT_N; j++)
			if (c[i][j] != a[i][j])
				*fail |= FAIL_MATRIX;
	/* (A B)^T == B^T A^T */
	mat_mul(c, a, b);
	mat_transpose(t, c);
	mat_transpose(c, a);
	mat_transpose(id, b);
	mat_mul(a, id, c);
	for (i = 0; i < MAT_N; i++)
		for (j = 0; j < MAT_N; j++)
			if (a[i][j] != t[i][j])
				*fail |= FAIL_MATRIX;
	/* a few powers, reduced to keep the numbers small */
	for (round = 0; round < 4; round++) {
		mat_mul(c, a, b);
		for (i = 0; i < MAT_N; i++)
			for (j = 0; j < MAT_N; j++) {
				a[i][j] = c[i][j] % 1009;
				r = r * 31 + (u64)(c[i][j] / 7) + (u64)(c[i][j] % 13);
			}
	}
	return r;
}

/* ---------------------------------------------------------------- string */
static NOINLINE int utoa(u64 v, char *out, unsigned base)
{
	char tmp[65]; /* 64 binary digits */
	int n = 0, i;

	do {
		tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % base];
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

static NOINLINE u64 atou(const char *s, unsigned base)
{
	u64 v = 0;

	for (; *s; s++) {
		unsigned d = *s <= '9' ? (unsigned)(*s - '0')
				       : (unsigned)(*s - 'a' + 10);
		v = v * base + d;
	}
	return v;
}

static NOINLINE void reverse(char *s, int n)
{
	int i;

	for (i = 0; i < n / 2; i++) {
		char t = s[i];

		s[i] = s[n - 1 - i];
		s[n - 1 - i] = t;
	}
}

static NOINLINE void rot13(char *s)
{
	for (; *s; s++) {
		if (*s >= 'a' && *s <= 'z')
			*s = (char)('a' + (*s - 'a' + 13) % 26);
		else if (*s >= 'A' && *s <= 'Z')
			*s = (char)('A' + (*s - 'A' + 13) % 26);
	}
}

static NOINLINE int count_matches(const char *hay, const char *needle)
{
	int n = 0, i, j;

	for (i = 0; hay[i]; i++) {
		for (j = 0; needle[j] && hay[i + j] == needle[j]; j++)
			;
		if (!needle[j])
			n++;
	}
	return n;
}

static u64 do_string(u64 seed, u32 *fail)
{
	static char text[KL_MAX_HARTS][512];
	char *t = text[seed % KL_MAX_HARTS];
	char num[72], copy[64];
	u64 s = seed + 99, h = 0;
	int len = 0, i;
	unsigned base;

	for (base = 2; base <= 36; base += 3) {
		u64 v = rng_next(&s);
		int n = utoa(v, num, base);

		if (atou(num, base) != v)
			*fail |= FAIL_STRING;
		reverse(num, n);
		h = h * 131 + fnv1a64((const u8 *)num, n);
	}
	for (i = 0; i < 60; i++) {
		static const char *const words[] = {
			"emulate", "trace", "hart", "block", "cache",
			"fence", "ring", "Vtrace", "RISC", "ab",
		};
		const char *w = words[rng_next(&s) % ARRAY_SIZE(words)];
		int n = (int)strlen(w);

		if (len + n + 2 >= 512)
			break;
		memcpy(t + len, w, n);
		len += n;
		t[len++] = ' ';
	}
	t[len] = '\0';
	h = h * 131 + count_matches(t, "ab") * 7 + count_matches(t, "ce");
	memcpy(copy, "Hello, RISC-V World", 20);
	rot13(copy);
	if (strcmp(copy, "Uryyb, EVFP-I Jbeyq"))
		*fail |= FAIL_STRING;
	rot13(copy);
	if (strcmp(copy, "Hello, RISC-V World"))
		*fail |= FAIL_STRING;
	rot13(t);
	h = h * 131 + fnv1a64((const u8 *)t, len);
	rot13(t);
	h = h * 131 + (u64)count_matches(t, "trace");
	return h;
}

/* ---------------------------------------------------------------- control
 * Indirect control flow: a bytecode interpreter (a switch the compiler
 * turns into a jump table), calls through a function-pointer table, and
 * backtracking recursion.  These stress an emulator's indirect-jump and
 * return paths rather than straight-line code.
 */
enum vm_op {
	VM_PUSH, VM_ADD, VM_SUB, VM_MUL, VM_MOD, VM_DUP, VM_SWAP, VM_OVER,
	VM_DROP, VM_JNZ, VM_JMP, VM_LT, VM_HALT, VM_LOAD, VM_STORE, VM_DEC,
};

struct vm_insn {
	u8 op;
	s32 arg;
};

/* Runs prog; returns the top of the stack at VM_HALT (0 on a bad program). */
static NOINLINE s64 vm_run(const struct vm_insn *prog, int len, s64 *regs)
{
	s64 stack[32];
	int sp = 0, pc = 0;
	u32 steps = 0;

	while (pc >= 0 && pc < len && steps++ < 200000) {
		const struct vm_insn *in = &prog[pc++];
		s64 a, b;

		if (sp > 28)
			return 0;
		switch (in->op) {
		case VM_PUSH: stack[sp++] = in->arg; break;
		case VM_ADD: b = stack[--sp]; stack[sp - 1] += b; break;
		case VM_SUB: b = stack[--sp]; stack[sp - 1] -= b; break;
		case VM_MUL: b = stack[--sp]; stack[sp - 1] *= b; break;
		case VM_MOD:
			b = stack[--sp];
			stack[sp - 1] = b ? stack[sp - 1] % b : 0;
			break;
		case VM_DUP: a = stack[sp - 1]; stack[sp++] = a; break;
		case VM_SWAP:
			a = stack[sp - 1];
			stack[sp - 1] = stack[sp - 2];
			stack[sp - 2] = a;
			break;
		case VM_OVER: a = stack[sp - 2]; stack[sp++] = a; break;
		case VM_DROP: sp--; break;
		case VM_JNZ:
			if (stack[--sp])
				pc = in->arg;
			break;
		case VM_JMP: pc = in->arg; break;
		case VM_LT: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] < b; break;
		case VM_HALT: return sp ? stack[sp - 1] : 0;
		case VM_LOAD: stack[sp++] = regs[in->arg & 7]; break;
		case VM_STORE: regs[in->arg & 7] = stack[--sp]; break;
		case VM_DEC: stack[sp - 1]--; break;
		default: return 0;
		}
		if (sp < 0)
			return 0;
	}
	return 0;
}

/*
 * r0 = n, r1 = acc: acc = sum over i = n..1 of (i * i * seed) mod 1000003,
 * then (acc * 31) mod 65537.
 */
static const struct vm_insn vm_prog[] = {
	/* 0 */ { VM_LOAD, 0 },  { VM_JNZ, 3 },    { VM_JMP, 16 },
	/* 3 */ { VM_LOAD, 0 },  { VM_DUP, 0 },    { VM_MUL, 0 },
	/* 6 */ { VM_LOAD, 2 },  { VM_MUL, 0 },    { VM_PUSH, 1000003 },
	/* 9 */ { VM_MOD, 0 },   { VM_LOAD, 1 },   { VM_ADD, 0 },
	/* 12 */ { VM_STORE, 1 }, { VM_LOAD, 0 },  { VM_DEC, 0 },
	/* 15 */ { VM_STORE, 0 }, /* falls into 16 via the loop head */
	/* 16 */ { VM_LOAD, 0 },  { VM_JNZ, 3 },   { VM_LOAD, 1 },
	/* 19 */ { VM_PUSH, 31 }, { VM_MUL, 0 },   { VM_PUSH, 65537 },
	/* 22 */ { VM_MOD, 0 },   { VM_HALT, 0 },
};

static s64 vm_reference(s64 n, s64 seed)
{
	s64 acc = 0;

	for (; n; n--)
		acc += n * n * seed % 1000003;
	return acc * 31 % 65537;
}

static NOINLINE u64 op_rotl(u64 x, u64 k) { return x << (k & 63) | x >> (-k & 63); }
static NOINLINE u64 op_mix(u64 x, u64 k) { return (x ^ k) * 0x9e3779b97f4a7c15ULL; }
static NOINLINE u64 op_div(u64 x, u64 k) { return x / (k | 1) + x % (k | 3); }
static NOINLINE u64 op_bswap(u64 x, u64 k)
{
	u64 r = 0;
	int i;

	for (i = 0; i < 8; i++, x >>= 8)
		r = r << 8 | (x & 0xff);
	return r + k;
}

static u64 (*const ops[])(u64, u64) = { op_rotl, op_mix, op_div, op_bswap };

/* count the placements of n queens, bitmask backtracking */
static NOINLINE int queens(u32 n, u32 cols, u32 diag1, u32 diag2)
{
	u32 full = (1u << n) - 1, free, count = 0;

	if (cols == full)
		return 1;
	free = full & ~(cols | diag1 | diag2);
	while (free) {
		u32 bit = free & -free;

		free -= bit;
		count += queens(n, cols | bit, (diag1 | bit) << 1,
				(diag2 | bit) >> 1);
	}
	return (int)count;
}

static u64 do_control(u64 seed, u32 *fail)
{
	s64 regs[8] = { 0 };
	u64 x = seed + 1, s = seed * 13 + 7;
	int i;

	regs[0] = 150 + (s64)seed * 10;
	regs[2] = (s64)seed + 3;
	if (vm_run(vm_prog, ARRAY_SIZE(vm_prog), regs) !=
	    vm_reference(150 + (s64)seed * 10, (s64)seed + 3))
		*fail |= FAIL_CONTROL;
	for (i = 0; i < 400; i++)
		x = ops[rng_next(&s) % ARRAY_SIZE(ops)](x, (u64)i);
	/* 6 queens: 4 solutions, 7: 40 */
	if (queens(6, 0, 0, 0) != 4 || queens(7, 0, 0, 0) != 40)
		*fail |= FAIL_CONTROL;
	return x ^ (u64)regs[1] << 32;
}

/*
 * Division corner cases the M extension defines exactly (and C leaves
 * undefined, hence asm): x / 0 = -1, x % 0 = x, INT64_MIN / -1 = INT64_MIN.
 */
#define RV_OP(op, a, b)                                                  \
	({                                                               \
		s64 __r;                                                 \
		__asm__ volatile(op " %0, %1, %2" : "=r"(__r) : "r"(a), "r"(b)); \
		__r;                                                     \
	})

static NOINLINE u32 check_div(s64 zero, s64 minus1)
{
	s64 min = (s64)(1ULL << 63), seven = 7;
	u32 bad = 0;

	bad |= RV_OP("div", seven, zero) != -1;
	bad |= RV_OP("rem", seven, zero) != 7;
	bad |= RV_OP("divu", seven, zero) != -1;
	bad |= RV_OP("remu", seven, zero) != 7;
	bad |= RV_OP("div", min, minus1) != min;
	bad |= RV_OP("rem", min, minus1) != 0;
	bad |= RV_OP("div", -seven, 2) != -3;
	bad |= RV_OP("rem", -seven, 2) != -1;
	bad |= RV_OP("divw", seven, zero) != -1;
	bad |= RV_OP("divw", (s64)(s32)0x80000000, minus1) != (s64)(s32)0x80000000;
	bad |= RV_OP("remuw", 0x100000007LL, 0x100000002LL) != 1;
	bad |= RV_OP("mulh", min, 2) != -1;
	bad |= RV_OP("mulhu", -1LL, -1LL) != -2;
	bad |= RV_OP("mulhsu", -1LL, -1LL) != -1;
	bad |= RV_OP("mulw", 0x7fffffffLL, 2) != -2;
	return bad ? FAIL_DIV : 0;
}

void kl_compute(u32 hartid, struct kl_results *r)
{
	u32 fail = 0;

	r->sort_sum = do_sort(hartid, &fail);
	r->hash = do_hash(hartid, &fail);
	r->matrix = do_matrix(hartid, &fail);
	r->string = do_string(hartid, &fail);
	r->control = do_control(hartid, &fail);
	fail |= check_div(0, -1);
	r->compute_fail = fail;
}
