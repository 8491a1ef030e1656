/* SPDX-License-Identifier: MIT */
/*
 * The boot flow of QEMU 7.2's riscv virt board (hw/riscv/boot.c), with
 * QEMU's option words:
 *
 *  -bios none     no firmware: the reset code jumps to the RAM base.
 *  -bios default  OpenSBI fw_dynamic (Debian's opensbi package) at the RAM
 *                 base; -bios FILE: an RV64 ELF at its addresses, or a raw
 *                 binary at the RAM base.
 *  (no -bios)     as default, except that an ELF kernel loading at the RAM
 *                 base runs bare-metal as with -bios none (QEMU refuses
 *                 that combination, so nothing QEMU accepts changes).
 *  -kernel        an RV64 ELF at its addresses (entered at its lowest
 *                 address, as QEMU 7.2 does, not at e_entry), or a
 *                 RISC-V Linux Image at the first 2 MiB boundary after the
 *                 firmware (its header checked; text_offset ignored, as
 *                 QEMU 7.2 does: the kernel relocates itself).
 *  -initrd        at kernel entry + min(RAM / 2, 128 MiB), described by
 *                 /chosen/linux,initrd-start and -end.
 *  -append        /chosen/bootargs (with -kernel only, as in QEMU).
 *
 * Then the device tree at the top of RAM (fdt.c) and the MROM at 0x1000:
 * QEMU's reset code (auipc t0; addi a2, t0, 40; csrr a0, mhartid; ld a1,
 * 32(t0); ld t0, 24(t0); jr t0; start address; fdt address) followed by
 * fw_dynamic_info {magic "OSBI", version 2, next_addr = kernel entry,
 * next_mode = S, options 0, boot_hart 0}.  Our tcg runs code from RAM
 * only, so every hart starts with the registers that code leaves (a0 =
 * hart id, a1 = fdt, a2 = &fw_dynamic_info, t0 = pc = start address); the
 * MROM is there for the guest to read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "system/board.h"

#define FW_DYNAMIC_INFO_MAGIC 0x4942534full	/* "OSBI" */
#define FW_DYNAMIC_INFO_VERSION 2
#define FW_DYNAMIC_INFO_NEXT_MODE_S 1
#define RESET_CODE_SIZE 40			/* 6 insns + 2 dwords */
#define KERNEL_ALIGN (2ull << 20)		/* rv64: 2 MiB */

/* The RISC-V Linux Image header (Documentation/arch/riscv/boot-image-header). */
struct linux_image_header {
	uint32_t code0, code1;
	uint64_t text_offset;
	uint64_t image_size;
	uint64_t flags;
	uint32_t version, res1;
	uint64_t res2;
	uint64_t magic;		/* "RISCV\0\0\0", deprecated */
	uint32_t magic2;	/* "RSC\x05" */
	uint32_t res3;
};
_Static_assert(sizeof(struct linux_image_header) == 64, "Image header");

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void boot_write_mrom(uint8_t *mrom, uint64_t start_addr, uint64_t fdt_addr,
		     uint64_t kernel_entry)
{
	static const uint32_t code[6] = {
		0x00000297,	/* auipc t0, 0 */
		0x02828613,	/* addi a2, t0, 40: &fw_dynamic_info */
		0xf1402573,	/* csrr a0, mhartid */
		0x0202b583,	/* ld a1, 32(t0): fdt address */
		0x0182b283,	/* ld t0, 24(t0): start address */
		0x00028067,	/* jr t0 */
	};
	uint8_t *info = mrom + RESET_CODE_SIZE;

	memset(mrom, 0, VIRT_MROM_SIZE);
	for (int i = 0; i < 6; i++)
		put32(mrom + 4 * i, code[i]);
	put64(mrom + 24, start_addr);
	put64(mrom + 32, fdt_addr);
	put64(info + 0, FW_DYNAMIC_INFO_MAGIC);
	put64(info + 8, FW_DYNAMIC_INFO_VERSION);
	put64(info + 16, kernel_entry);
	put64(info + 24, FW_DYNAMIC_INFO_NEXT_MODE_S);
	put64(info + 32, 0);	/* options */
	put64(info + 40, 0);	/* boot_hart */
}

/* A whole file in memory; -1 after one line. */
static int read_file(const char *what, const char *path, uint8_t **buf,
		     size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f) {
		fprintf(stderr, "vtrace-emu: %s %s: %s\n", what, path,
			strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "vtrace-emu: %s %s: cannot read\n", what,
			path);
		fclose(f);
		return -1;
	}
	*buf = malloc(n ? (size_t)n : 1);
	if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "vtrace-emu: %s %s: cannot read\n", what,
			path);
		free(*buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

static bool fits(struct board *b, uint64_t addr, uint64_t size)
{
	return addr >= VIRT_DRAM_BASE && addr - VIRT_DRAM_BASE <= b->ram_size &&
	       size <= b->ram_size - (addr - VIRT_DRAM_BASE);
}

static bool is_linux_image(const uint8_t *buf, size_t len)
{
	return len >= 64 && (!memcmp(buf + 48, "RISCV\0\0\0", 8) ||
			     !memcmp(buf + 56, "RSC\x05", 4));
}

/* -bios FILE or default: ELF at its addresses, raw at the RAM base. */
static int load_firmware(struct board *b, const char *path, uint64_t *end)
{
	struct elf_info ei;
	uint8_t *buf;
	size_t len;
	int r = board_file_is_elf(path);

	if (r < 0) {
		fprintf(stderr, "vtrace-emu: -bios %s: %s%s\n", path,
			strerror(errno),
			strcmp(path, BOOT_DEFAULT_BIOS)
				? "" : " (as root: apt-get install -y opensbi)");
		return -1;
	}
	if (r) {
		if (board_load_elf_image(path, b->ram, VIRT_DRAM_BASE,
					 b->ram_size, &ei))
			return -1;
		*end = ei.high;
		return 0;
	}
	if (read_file("-bios", path, &buf, &len))
		return -1;
	r = -1;
	if (len < 4)
		fprintf(stderr, "vtrace-emu: -bios %s: not a firmware (%zu "
				"bytes)\n", path, len);
	else if (is_linux_image(buf, len))
		fprintf(stderr, "vtrace-emu: -bios %s: a Linux Image, not a "
				"firmware (give it to -kernel)\n", path);
	else if (!fits(b, VIRT_DRAM_BASE, len))
		fprintf(stderr, "vtrace-emu: -bios %s: %zu bytes do not fit "
				"in RAM (-m)\n", path, len);
	else
		r = 0;
	if (!r) {
		memcpy(b->ram, buf, len);
		*end = VIRT_DRAM_BASE + len;
	}
	free(buf);
	return r;
}

/* A RISC-V Linux Image at start; -1 after one line. */
static int load_image(struct board *b, const char *path, uint64_t start,
		      uint64_t *entry)
{
	struct linux_image_header h;
	uint8_t *buf;
	size_t len;
	uint64_t at, size;
	int r = -1;

	if (read_file("-kernel", path, &buf, &len))
		return -1;
	if (len < sizeof(h)) {
		fprintf(stderr, "vtrace-emu: -kernel %s: neither an ELF nor a "
				"RISC-V Linux Image (%zu bytes)\n", path, len);
		goto out_free;
	}
	memcpy(&h, buf, sizeof(h));
	if (!is_linux_image(buf, len)) {
		fprintf(stderr, "vtrace-emu: -kernel %s: neither an ELF nor a "
				"RISC-V Linux Image (no RISCV/RSC\\x05 magic at "
				"0x30)\n", path);
		goto out_free;
	}
	size = h.image_size > len ? h.image_size : len;	/* with its bss */
	if (h.text_offset % 4096 || h.text_offset >= b->ram_size) {
		fprintf(stderr, "vtrace-emu: -kernel %s: bad Image header "
				"(text_offset 0x%llx, image_size 0x%llx, file "
				"0x%zx bytes)\n", path,
			(unsigned long long)h.text_offset,
			(unsigned long long)h.image_size, len);
		goto out_free;
	}
	at = start;	/* QEMU 7.2 ignores text_offset (Linux relocates) */
	if (!fits(b, at, size)) {
		fprintf(stderr, "vtrace-emu: -kernel %s: Image of 0x%llx bytes "
				"at 0x%llx does not fit in RAM (-m)\n", path,
			(unsigned long long)size, (unsigned long long)at);
		goto out_free;
	}
	memcpy(b->ram + (at - VIRT_DRAM_BASE), buf, len);
	*entry = at;
	r = 0;
out_free:
	free(buf);
	return r;
}

static int load_initrd(struct board *b, const char *path, uint64_t entry)
{
	uint64_t ram_end = VIRT_DRAM_BASE + b->ram_size;
	uint64_t start = entry + (b->ram_size / 2 < (128ull << 20)
					  ? b->ram_size / 2 : 128ull << 20);
	uint64_t limit = board_fdt_addr(VIRT_DRAM_BASE, b->ram_size,
					VIRT_FDT_MAX_SIZE);
	uint8_t *buf;
	size_t len;

	if (read_file("-initrd", path, &buf, &len))
		return -1;
	if (limit > ram_end || start > limit || len > limit - start) {
		fprintf(stderr, "vtrace-emu: -initrd %s: %zu bytes at 0x%llx "
				"do not fit in RAM below the device tree "
				"(-m)\n", path, len, (unsigned long long)start);
		free(buf);
		return -1;
	}
	memcpy(b->ram + (start - VIRT_DRAM_BASE), buf, len);
	free(buf);
	b->boot.initrd_start = start;
	b->boot.initrd_end = start + len;
	return 0;
}

int board_boot(struct board *b, const struct boot_config *cfg)
{
	static uint8_t fdt[VIRT_FDT_MAX_SIZE];
	uint64_t fw_end = VIRT_DRAM_BASE, entry = 0, addr;
	const char *bios = cfg->bios;
	struct elf_info ei = { 0 };
	int kernel_elf = 0;

	if (cfg->initrd && !cfg->kernel) {
		fprintf(stderr, "vtrace-emu: -initrd only allowed with "
				"-kernel option\n");
		return -1;
	}
	if (cfg->append && !cfg->kernel) {
		fprintf(stderr, "vtrace-emu: -append only allowed with "
				"-kernel option\n");
		return -1;
	}
	if (cfg->append && strlen(cfg->append) >= VIRT_CMDLINE_MAX) {
		fprintf(stderr, "vtrace-emu: -append: %zu bytes, the device "
				"tree's bootargs take at most %u (Linux's "
				"COMMAND_LINE_SIZE)\n", strlen(cfg->append),
			VIRT_CMDLINE_MAX - 1);
		return -1;
	}
	if (cfg->kernel) {
		kernel_elf = board_file_is_elf(cfg->kernel);
		if (kernel_elf < 0) {
			fprintf(stderr, "vtrace-emu: cannot open %s: %s\n",
				cfg->kernel, strerror(errno));
			return -1;
		}
		/* Checked and placed now (to know where it loads), loaded
		 * again after the firmware, as QEMU orders them. */
		if (kernel_elf && board_load_elf_image(cfg->kernel, b->ram,
						       VIRT_DRAM_BASE,
						       b->ram_size, &ei))
			return -1;
	}
	if (!bios)
		bios = kernel_elf && ei.low == VIRT_DRAM_BASE ? "none"
							      : "default";
	if (!strcmp(bios, "default"))
		bios = BOOT_DEFAULT_BIOS;
	if (strcmp(bios, "none") && load_firmware(b, bios, &fw_end))
		return -1;

	if (cfg->kernel) {
		uint64_t start = (fw_end + KERNEL_ALIGN - 1) &
				 ~(KERNEL_ALIGN - 1);

		if (kernel_elf) {
			if (board_load_elf_image(cfg->kernel, b->ram,
						 VIRT_DRAM_BASE, b->ram_size,
						 &ei))
				return -1;
			entry = ei.low;	/* QEMU 7.2: the lowest address */
		} else if (load_image(b, cfg->kernel, start, &entry)) {
			return -1;
		}
		if (cfg->initrd && load_initrd(b, cfg->initrd, entry))
			return -1;
	}
	b->boot.start_addr = VIRT_DRAM_BASE;
	b->boot.kernel_entry = entry;
	b->boot.cmdline = cfg->append;
	b->boot.no_reboot = cfg->no_reboot;

	if (board_build_fdt(b, fdt, sizeof(fdt)))
		return -1;
	addr = board_fdt_addr(VIRT_DRAM_BASE, b->ram_size, VIRT_FDT_MAX_SIZE);
	if (addr < VIRT_DRAM_BASE ||
	    addr + VIRT_FDT_MAX_SIZE > VIRT_DRAM_BASE + b->ram_size) {
		fprintf(stderr, "vtrace-emu: no room for the device tree\n");
		return -1;
	}
	/* QEMU copies the packed blob; the rest of the 1 MiB stays. */
	memcpy(b->ram + (addr - VIRT_DRAM_BASE), fdt, fdt_totalsize(fdt));
	b->fdt_addr = addr;
	boot_write_mrom(b->mrom, b->boot.start_addr, addr, entry);
	for (unsigned h = 0; h < b->ncpus; h++) {
		tcg_cpu_set_pc(b->cpus[h], b->boot.start_addr);
		tcg_cpu_set_reg(b->cpus[h], 5, b->boot.start_addr);	/* t0 */
		tcg_cpu_set_reg(b->cpus[h], 10, h);			/* a0 */
		tcg_cpu_set_reg(b->cpus[h], 11, addr);			/* a1 */
		tcg_cpu_set_reg(b->cpus[h], 12,
				VIRT_MROM_BASE + RESET_CODE_SIZE);	/* a2 */
	}
	return 0;
}
