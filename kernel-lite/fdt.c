// SPDX-License-Identifier: MIT
/*
 * A minimal flattened-device-tree reader: just enough to count the harts
 * (/cpus/cpu@N nodes) and read /cpus/timebase-frequency.  It walks the
 * structure block once and trusts nothing: every offset is checked
 * against the sizes in the header, so a bad a1 gives an error, not a fault
 * (as long as a1 points at readable memory at all, which the caller
 * checks).
 */
#include "kl.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static u32 be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static int name_is(const char *name, const char *want, int prefix_only)
{
	while (*want) {
		if (*name++ != *want++)
			return 0;
	}
	return prefix_only || *name == '\0' || *name == '@';
}

static u32 parse_hex(const char *s)
{
	u32 v = 0;

	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			v = v * 16 + (u32)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			v = v * 16 + (u32)(*s - 'a' + 10);
		else
			return v;
	}
}

/*
 * Returns 0 and fills m->ncpus, m->dt_harts (from each cpu node's reg, or
 * its unit address if it has none) and m->timebase, or -1.
 */
int kl_fdt_parse(const void *fdt, struct kl_machine *m)
{
	const u8 *base = fdt;
	u32 totalsize, off_struct, off_strings, size_struct, size_strings;
	u32 pos, end;
	int depth = 0, in_cpus = 0, in_cpu = 0;
	u32 cpu_id = 0;

	if (!fdt || ((unsigned long)fdt & 3) || be32(base) != FDT_MAGIC)
		return -1;
	totalsize = be32(base + 4);
	off_struct = be32(base + 8);
	off_strings = be32(base + 12);
	size_strings = be32(base + 32);
	size_struct = be32(base + 36);
	if (be32(base + 20) < 17 || off_struct > totalsize ||
	    size_struct > totalsize - off_struct || off_strings > totalsize ||
	    size_strings > totalsize - off_strings)
		return -1;

	m->ncpus = 0;
	m->dt_harts = 0;
	m->timebase = 0;
	pos = off_struct;
	end = off_struct + size_struct;
	while (pos + 4 <= end) {
		u32 token = be32(base + pos);

		pos += 4;
		switch (token) {
		case FDT_BEGIN_NODE: {
			const char *name = (const char *)base + pos;
			u32 len = 0;

			while (pos + len < end && name[len])
				len++;
			if (pos + len >= end)
				return -1;
			pos = (pos + len + 1 + 3) & ~3u;
			depth++;
			if (depth == 2)
				in_cpus = name_is(name, "cpus", 0);
			else if (depth == 3 && in_cpus &&
				 name_is(name, "cpu@", 1)) {
				m->ncpus++;
				in_cpu = 1;
				cpu_id = parse_hex(name + 4);
			}
			break;
		}
		case FDT_END_NODE:
			if (depth == 3 && in_cpu) {
				if (cpu_id < 64)
					m->dt_harts |= 1ULL << cpu_id;
				in_cpu = 0;
			}
			if (depth == 2)
				in_cpus = 0;
			if (--depth < 0)
				return -1;
			break;
		case FDT_PROP: {
			u32 len, nameoff;

			if (pos + 8 > end)
				return -1;
			len = be32(base + pos);
			nameoff = be32(base + pos + 4);
			pos += 8;
			if (len > end - pos || nameoff >= size_strings)
				return -1;
			if (depth == 2 && in_cpus && len == 4 &&
			    name_is((const char *)base + off_strings + nameoff,
				    "timebase-frequency", 0))
				m->timebase = be32(base + pos);
			/* reg = <hartid> or <0 hartid> */
			if (depth == 3 && in_cpu && (len == 4 || len == 8) &&
			    name_is((const char *)base + off_strings + nameoff,
				    "reg", 0))
				cpu_id = be32(base + pos + len - 4);
			pos = (pos + len + 3) & ~3u;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return m->ncpus ? 0 : -1;
		default:
			return -1;
		}
	}
	return -1;
}
