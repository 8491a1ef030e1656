// SPDX-License-Identifier: MIT
/*
 * ELF symbol tables for `vtrace report --elf` and `export --elf`.
 *
 * The file is read whole into memory (a guest kernel is small), the
 * section headers are bounds-checked against its size before any use,
 * and the kept symbols are copied out (address, size, section, name
 * duplicated), so nothing points into the file afterwards.  A hostile or
 * truncated file gives an error, never a crash.
 */
#include "tools/vtrace/elf.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sym {
	uint64_t addr, size;
	uint64_t sec_lo, sec_hi;	/* its executable section */
	bool func;
	char *name;
};

struct vt_elf {
	struct sym *syms;
	size_t nsyms;
};

/* A section header, whatever the class. */
struct shdr {
	uint32_t type;
	uint64_t flags, addr, offset, size, link, entsize;
};

static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int read_shdr(const uint8_t *buf, uint64_t size, bool is64,
		     uint64_t shoff, uint32_t shentsize, uint32_t i,
		     struct shdr *sh)
{
	uint64_t off = shoff + (uint64_t)i * shentsize;

	if (is64) {
		Elf64_Shdr s;

		if (shentsize < sizeof(s) || !in_file(off, sizeof(s), size))
			return -1;
		memcpy(&s, buf + off, sizeof(s));
		*sh = (struct shdr){ s.sh_type, s.sh_flags, s.sh_addr,
				     s.sh_offset, s.sh_size, s.sh_link,
				     s.sh_entsize };
	} else {
		Elf32_Shdr s;

		if (shentsize < sizeof(s) || !in_file(off, sizeof(s), size))
			return -1;
		memcpy(&s, buf + off, sizeof(s));
		*sh = (struct shdr){ s.sh_type, s.sh_flags, s.sh_addr,
				     s.sh_offset, s.sh_size, s.sh_link,
				     s.sh_entsize };
	}
	return 0;
}

static int compare_syms(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->func != y->func)
		return x->func ? -1 : 1;	/* FUNC first */
	return strcmp(x->name, y->name);
}

static char *slurp(const char *path, uint64_t *size, char *err,
		   size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: cannot seek: %s", path,
			 strerror(errno));
		goto out_close;
	}
	buf = malloc((size_t)n + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out_close;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		buf = NULL;
		goto out_close;
	}
	*size = (uint64_t)n;
out_close:
	fclose(f);
	return buf;
}

struct vt_elf *vt_elf_open(const char *path, char *err, size_t errlen)
{
	struct vt_elf *e = NULL;
	uint64_t size = 0, shoff;
	uint32_t shnum, shentsize;
	struct shdr symtab = { 0 }, strtab;
	size_t cap = 0;
	uint8_t *buf;
	bool is64, found = false;

	buf = (uint8_t *)slurp(path, &size, err, errlen);
	if (!buf)
		return NULL;
	if (size < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG)) {
		snprintf(err, errlen, "%s: not an ELF file", path);
		goto out_free;
	}
	if (buf[EI_DATA] != ELFDATA2LSB ||
	    (buf[EI_CLASS] != ELFCLASS64 && buf[EI_CLASS] != ELFCLASS32)) {
		snprintf(err, errlen, "%s: only little-endian ELF32/ELF64 "
			 "is supported", path);
		goto out_free;
	}
	is64 = buf[EI_CLASS] == ELFCLASS64;
	if (is64) {
		Elf64_Ehdr h;

		if (size < sizeof(h))
			goto out_trunc;
		memcpy(&h, buf, sizeof(h));
		shoff = h.e_shoff;
		shnum = h.e_shnum;
		shentsize = h.e_shentsize;
	} else {
		Elf32_Ehdr h;

		if (size < sizeof(h))
			goto out_trunc;
		memcpy(&h, buf, sizeof(h));
		shoff = h.e_shoff;
		shnum = h.e_shnum;
		shentsize = h.e_shentsize;
	}
	/* .symtab, or .dynsym when stripped */
	for (int pass = 0; pass < 2 && !found; pass++) {
		for (uint32_t i = 0; i < shnum; i++) {
			struct shdr sh;

			if (read_shdr(buf, size, is64, shoff, shentsize, i,
				      &sh))
				goto out_trunc;
			if (sh.type == (pass ? SHT_DYNSYM : SHT_SYMTAB)) {
				symtab = sh;
				found = true;
				break;
			}
		}
	}
	if (!found) {
		snprintf(err, errlen, "%s: no symbol table", path);
		goto out_free;
	}
	if (symtab.link >= shnum ||
	    read_shdr(buf, size, is64, shoff, shentsize,
		      (uint32_t)symtab.link, &strtab) ||
	    !in_file(symtab.offset, symtab.size, size) ||
	    !in_file(strtab.offset, strtab.size, size))
		goto out_trunc;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto out_nomem;
	for (uint64_t off = 0, esz = is64 ? sizeof(Elf64_Sym) :
					    sizeof(Elf32_Sym);
	     off + esz <= symtab.size; off += esz) {
		uint64_t value, ssize, name;
		unsigned int type, shndx;
		struct shdr sec;
		const char *nm;
		struct sym *s;

		if (is64) {
			Elf64_Sym y;

			memcpy(&y, buf + symtab.offset + off, sizeof(y));
			value = y.st_value;
			ssize = y.st_size;
			name = y.st_name;
			type = ELF64_ST_TYPE(y.st_info);
			shndx = y.st_shndx;
		} else {
			Elf32_Sym y;

			memcpy(&y, buf + symtab.offset + off, sizeof(y));
			value = y.st_value;
			ssize = y.st_size;
			name = y.st_name;
			type = ELF32_ST_TYPE(y.st_info);
			shndx = y.st_shndx;
		}
		if ((type != STT_FUNC && type != STT_NOTYPE) ||
		    shndx == SHN_UNDEF || shndx >= SHN_LORESERVE ||
		    shndx >= shnum || name >= strtab.size)
			continue;
		nm = (const char *)buf + strtab.offset + name;
		if (!memchr(nm, 0, strtab.size - name) || !*nm ||
		    *nm == '$' || !strncmp(nm, ".L", 2))
			continue;
		if (read_shdr(buf, size, is64, shoff, shentsize, shndx, &sec))
			goto out_trunc;
		if (!(sec.flags & SHF_EXECINSTR))
			continue;
		if (e->nsyms == cap) {
			struct sym *bigger;

			cap = cap ? 2 * cap : 256;
			bigger = realloc(e->syms, cap * sizeof(*bigger));
			if (!bigger)
				goto out_nomem;
			e->syms = bigger;
		}
		s = &e->syms[e->nsyms];
		*s = (struct sym){ value, ssize, sec.addr, sec.addr + sec.size,
				   type == STT_FUNC, strdup(nm) };
		if (!s->name)
			goto out_nomem;
		e->nsyms++;
	}
	qsort(e->syms, e->nsyms, sizeof(*e->syms), compare_syms);
	free(buf);
	return e;

out_trunc:
	snprintf(err, errlen, "%s: truncated or damaged ELF file", path);
	goto out_free;
out_nomem:
	snprintf(err, errlen, "%s: out of memory", path);
out_free:
	vt_elf_close(e);
	free(buf);
	return NULL;
}

void vt_elf_close(struct vt_elf *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nsyms; i++)
		free(e->syms[i].name);
	free(e->syms);
	free(e);
}

size_t vt_elf_nsyms(const struct vt_elf *e)
{
	return e ? e->nsyms : 0;
}

const char *vt_elf_lookup(const struct vt_elf *e, uint64_t pc,
			  uint64_t *offset)
{
	size_t lo = 0, hi;
	const struct sym *s;

	if (!e || !e->nsyms)
		return NULL;
	hi = e->nsyms;
	/* last symbol with addr <= pc */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->syms[mid].addr <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &e->syms[lo - 1];
	/* several symbols at one address: the first (a FUNC) */
	while (s > e->syms && (s - 1)->addr == s->addr)
		s--;
	if (pc < s->sec_lo || pc >= s->sec_hi)
		return NULL;
	*offset = pc - s->addr;
	return s->name;
}

char *vt_elf_describe(const struct vt_elf *e, uint64_t pc, char *buf,
		      size_t len)
{
	uint64_t off;
	const char *fn = vt_elf_lookup(e, pc, &off);

	if (!fn)
		snprintf(buf, len, "0x%" PRIx64, pc);
	else if (!off)
		snprintf(buf, len, "%s", fn);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, fn, off);
	return buf;
}
