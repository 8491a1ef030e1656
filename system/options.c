/* SPDX-License-Identifier: MIT */
/* Parsers for QEMU's option values (-m, -smp), shared by main and tests. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "system/board.h"

/* QEMU's size syntax: number with optional K/M/G/T suffix; none = MiB. */
int system_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 20;

	if (!strncmp(s, "size=", 5))
		s += 5;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 0: break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	case 'b': case 'B': shift = 0; end++; break;
	default: return -1;
	}
	if ((*end == 'b' || *end == 'B') && shift)
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int system_parse_smp(const char *s, unsigned max, unsigned *out)
{
	char *end;
	long v;

	if (!strncmp(s, "cpus=", 5))
		s += 5;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || (*end && *end != ',') || v < 1 ||
	    (unsigned long)v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

