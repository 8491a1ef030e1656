/* SPDX-License-Identifier: MIT */
/*
 * Guest PCs to function names, from the symbol table of an ELF file (the
 * guest kernel).  Only what a report needs: function and code-label
 * symbols of executable sections, sorted by address, looked up by binary
 * search.
 *
 *	char err[256];
 *	struct vt_elf *e = vt_elf_open("kernel.elf", err, sizeof(err));
 *	uint64_t off;
 *	const char *fn = vt_elf_lookup(e, pc, &off);	// NULL: unknown
 *	vt_elf_close(e);
 *
 * A pc maps to the nearest symbol at or below it inside the same
 * executable section; FUNC symbols win over plain labels at the same
 * address.  ELF32 and ELF64, little-endian.
 */
#ifndef VTRACE_ELF_H
#define VTRACE_ELF_H

#include <stddef.h>
#include <stdint.h>

struct vt_elf;

/* NULL with "path: reason" in err. */
struct vt_elf *vt_elf_open(const char *path, char *err, size_t errlen);
void vt_elf_close(struct vt_elf *e);

/*
 * Add the text symbols of a Linux /proc/kallsyms file to *e (a new table
 * when *e is NULL), so that --elf and --kallsyms can name user and kernel
 * pcs from one table.  0 or -errno with "path: reason" in err; on error
 * *e is unchanged.
 */
int vt_elf_add_kallsyms(struct vt_elf **e, const char *path, char *err,
			size_t errlen);

/* What --elf and --kallsyms ask for (either may be NULL): *e is the
 * table, NULL when both are.  0 or -errno with "path: reason" in err. */
int vt_elf_load(struct vt_elf **e, const char *elf_path,
		const char *kallsyms_path, char *err, size_t errlen);

/* The function holding pc and the offset into it, or NULL. */
const char *vt_elf_lookup(const struct vt_elf *e, uint64_t pc,
			  uint64_t *offset);

/* "name+0xoff" (or "name" at offset 0) or "0xpc" when unknown or e is
 * NULL; returns buf. */
char *vt_elf_describe(const struct vt_elf *e, uint64_t pc, char *buf,
		      size_t len);

/* Symbols kept. */
size_t vt_elf_nsyms(const struct vt_elf *e);

#endif /* VTRACE_ELF_H */
