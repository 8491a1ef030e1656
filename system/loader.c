/* SPDX-License-Identifier: MIT */
/*
 * -kernel: load an RV64 ELF's PT_LOAD segments at their p_paddr, as QEMU's
 * load_elf_ram_sym does for riscv virt.  Everything is checked before the
 * first byte is copied, so a bad file starts nothing: not ELFCLASS64
 * little-endian EM_RISCV, truncated headers or segments, p_filesz >
 * p_memsz, or a segment that does not fit in RAM.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "system/board.h"

static int bad(const char *path, const char *why)
{
	fprintf(stderr, "vtrace-emu: %s: %s\n", path, why);
	return -1;
}

int board_file_is_elf(const char *path)
{
	unsigned char magic[SELFMAG];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return n == SELFMAG && !memcmp(magic, ELFMAG, SELFMAG);
}

int board_load_elf_image(const char *path, uint8_t *ram, uint64_t ram_base,
			 uint64_t ram_size, struct elf_info *info)
{
	uint64_t low = UINT64_MAX, high = 0;
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	int ret = -1, loads = 0;

	if (!f) {
		fprintf(stderr, "vtrace-emu: cannot open %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		bad(path, "cannot read");
		goto out_close;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		bad(path, "cannot read");
		goto out_free;
	}
	if ((size_t)len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG)) {
		bad(path, "not an ELF file");
		goto out_free;
	}
	if (buf[EI_CLASS] != ELFCLASS64 || buf[EI_DATA] != ELFDATA2LSB) {
		bad(path, "not a 64-bit little-endian ELF (need RV64)");
		goto out_free;
	}
	if ((size_t)len < sizeof(Elf64_Ehdr)) {
		bad(path, "truncated ELF header");
		goto out_free;
	}
	eh = (const Elf64_Ehdr *)buf;
	if (eh->e_machine != EM_RISCV) {
		bad(path, "not a RISC-V ELF (e_machine is not EM_RISCV)");
		goto out_free;
	}
	if (eh->e_phnum == 0 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > (uint64_t)len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) >
		    (uint64_t)len - eh->e_phoff) {
		bad(path, "truncated or missing program headers");
		goto out_free;
	}
	ph = (const Elf64_Phdr *)(buf + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		if (ph[i].p_offset > (uint64_t)len ||
		    ph[i].p_filesz > (uint64_t)len - ph[i].p_offset) {
			fprintf(stderr, "vtrace-emu: %s: segment %u is "
					"truncated\n", path, i);
			goto out_free;
		}
		if (ph[i].p_filesz > ph[i].p_memsz) {
			fprintf(stderr, "vtrace-emu: %s: segment %u has "
					"p_filesz > p_memsz\n", path, i);
			goto out_free;
		}
		if (ph[i].p_paddr < ram_base ||
		    ph[i].p_paddr - ram_base > ram_size ||
		    ph[i].p_memsz > ram_size - (ph[i].p_paddr - ram_base)) {
			fprintf(stderr, "vtrace-emu: %s: segment %u "
					"[0x%llx, 0x%llx) is outside RAM "
					"[0x%llx, 0x%llx)\n", path, i,
				(unsigned long long)ph[i].p_paddr,
				(unsigned long long)(ph[i].p_paddr +
						     ph[i].p_memsz),
				(unsigned long long)ram_base,
				(unsigned long long)(ram_base + ram_size));
			goto out_free;
		}
		loads++;
		if (ph[i].p_paddr < low)
			low = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_memsz > high)
			high = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (!loads) {
		bad(path, "no loadable segments");
		goto out_free;
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		uint8_t *dst;

		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		dst = ram + (ph[i].p_paddr - ram_base);
		memcpy(dst, buf + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	if (info) {
		info->entry = eh->e_entry;
		info->low = low;
		info->high = high;
	}
	ret = 0;
out_free:
	free(buf);
out_close:
	fclose(f);
	return ret;
}
