// SPDX-License-Identifier: MIT
/*
 * kl_vsnprintf: the small printf both the kernel and U-mode tasks use.
 * It is pure (no CSR, no device, no global state), so U-mode code may call
 * it.  Supports %% %c %s %d %i %u %x %X %p with the l, ll and z length
 * modifiers, a field width and the '0' and '-' flags.  Output is always
 * NUL-terminated when size > 0; the return value is the length it would
 * have had, like C99.
 */
#include "kl.h"

struct out {
	char *buf;
	size_t size, len;
};

static void out_c(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_field(struct out *o, const char *s, size_t n, int width,
		      int left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	/* a zero-padded negative number keeps its sign in front */
	if (!left && pad == '0' && n && *s == '-') {
		out_c(o, *s++);
		n--;
	}
	if (!left)
		while (fill-- > 0)
			out_c(o, pad);
	while (n--)
		out_c(o, *s++);
	if (left)
		while (fill-- > 0)
			out_c(o, ' ');
}

int kl_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		char tmp[24], *p;
		int width = 0, left = 0, lng = 0;
		char pad = ' ';
		u64 v;
		int neg = 0;
		unsigned base = 10;
		const char *digits = "0123456789abcdef";

		if (*fmt != '%') {
			out_c(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case '\0':
			fmt--;
			continue;
		case '%':
			out_c(&o, '%');
			continue;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			out_field(&o, tmp, 1, width, left, ' ');
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			out_field(&o, s, strlen(s), width, left, ' ');
			continue;
		}
		case 'd':
		case 'i': {
			s64 sv = lng ? va_arg(ap, long) : va_arg(ap, int);

			neg = sv < 0;
			v = neg ? -(u64)sv : (u64)sv;
			break;
		}
		case 'u':
			v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			break;
		case 'X':
			digits = "0123456789ABCDEF";
			/* fall through */
		case 'x':
			v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			base = 16;
			break;
		case 'p':
			v = (u64)va_arg(ap, void *);
			base = 16;
			out_c(&o, '0');
			out_c(&o, 'x');
			break;
		default:
			out_c(&o, '%');
			out_c(&o, *fmt);
			continue;
		}
		p = tmp + sizeof(tmp);
		do {
			*--p = digits[v % base];
			v /= base;
		} while (v);
		if (neg)
			*--p = '-';
		out_field(&o, p, tmp + sizeof(tmp) - p, width, left, pad);
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int kl_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kl_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
