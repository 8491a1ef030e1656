// SPDX-License-Identifier: MIT
/*
 * Symbol tables for `vtrace report` and `export`: an ELF file's (--elf)
 * and a Linux kernel's /proc/kallsyms (--kallsyms), alone or together.
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

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The first address in sorted[0..n) above a, or a + 4096 if none. */
static uint64_t next_above(const uint64_t *sorted, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sorted[mid] <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? sorted[lo] : a + 4096;
}

/*
 * kallsyms lines are "ADDRESS TYPE NAME [MODULE]".  Text symbols (t, T,
 * w, W) are kept; each one's "section" ends at the next symbol of any
 * type above it, so a pc in data between functions names nothing.
 */
int vt_elf_add_kallsyms(struct vt_elf **ep, const char *path, char *err,
			size_t errlen)
{
	struct vt_elf *e = *ep;
	uint64_t size = 0, *addrs = NULL;
	size_t naddrs = 0, nlines = 1, first = 0, cap;
	char *buf, *line, *next;
	int ret = -EINVAL;

	errno = 0;
	buf = slurp(path, &size, err, errlen);
	if (!buf)
		return errno ? -errno : -EIO;
	buf[size] = 0;
	for (line = buf; (line = strchr(line, '\n')); line++)
		nlines++;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			goto out_nomem;
	}
	first = e->nsyms;
	cap = e->nsyms;
	addrs = malloc(nlines * sizeof(*addrs));
	if (!addrs)
		goto out_nomem;
	for (line = buf; *line; line = next) {
		char type, name[256];
		unsigned long long addr;
		struct sym *sy;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3) {
			snprintf(err, errlen, "%s: line %zu is not "
				 "\"ADDRESS TYPE NAME\": not a kallsyms file",
				 path, naddrs + 1);
			goto out_free;
		}
		addrs[naddrs++] = addr;
		if (!strchr("tTwW", type) || !addr)
			continue;
		if (e->nsyms == cap) {
			struct sym *bigger;

			cap = cap ? 2 * cap : 4096;
			bigger = realloc(e->syms, cap * sizeof(*bigger));
			if (!bigger)
				goto out_nomem;
			e->syms = bigger;
		}
		sy = &e->syms[e->nsyms];
		*sy = (struct sym){ addr, 0, addr, 0, true, strdup(name) };
		if (!sy->name)
			goto out_nomem;
		e->nsyms++;
	}
	if (e->nsyms == first) {
		snprintf(err, errlen, "%s: no text symbols with an address "
			 "(saved by a reader that may not see them?)", path);
		goto out_free;
	}
	qsort(addrs, naddrs, sizeof(*addrs), compare_u64);
	for (size_t i = first; i < e->nsyms; i++)
		e->syms[i].sec_hi = next_above(addrs, naddrs,
					       e->syms[i].addr);
	qsort(e->syms, e->nsyms, sizeof(*e->syms), compare_syms);
	ret = 0;
	goto out_free;

out_nomem:
	snprintf(err, errlen, "%s: out of memory", path);
	ret = -ENOMEM;
out_free:
	if (ret && !*ep) {
		vt_elf_close(e);	/* ours: NULL or partly filled */
	} else if (ret) {
		for (size_t i = first; i < e->nsyms; i++)
			free(e->syms[i].name);
		e->nsyms = first;
	} else {
		*ep = e;
	}
	free(addrs);
	free(buf);
	return ret;
}

int vt_elf_load(struct vt_elf **e, const char *elf_path,
		const char *kallsyms_path, char *err, size_t errlen)
{
	int ret;

	*e = NULL;
	if (elf_path) {
		*e = vt_elf_open(elf_path, err, errlen);
		if (!*e)
			return -EINVAL;
	}
	if (!kallsyms_path)
		return 0;
	ret = vt_elf_add_kallsyms(e, kallsyms_path, err, errlen);
	if (ret) {
		vt_elf_close(*e);
		*e = NULL;
	}
	return ret;
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
