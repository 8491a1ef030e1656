/* SPDX-License-Identifier: MIT */
/*
 * Board pieces without running a guest: option parsing, the device tree
 * and its address, the ELF loader's checks, and the monitor's command
 * table (built-ins, errors, an extension table).
 */
#include <elf.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "system/board.h"

static void test_options_size_and_smp(void **state)
{
	uint64_t v;
	unsigned n;

	assert_int_equal(system_parse_size("128M", &v), 0);
	assert_int_equal(v, 128ull << 20);
	assert_int_equal(system_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(system_parse_size("256", &v), 0); /* MiB */
	assert_int_equal(v, 256ull << 20);
	assert_int_equal(system_parse_size("size=64M", &v), 0);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(system_parse_size("2048k", &v), 0);
	assert_int_equal(v, 2ull << 20);
	assert_int_equal(system_parse_size("12Q", &v), -1);
	assert_int_equal(system_parse_size("", &v), -1);
	assert_int_equal(system_parse_size("-1G", &v), -1);
	assert_int_equal(system_parse_size("99999999999999999999", &v), -1);
	assert_int_equal(system_parse_smp("4", 8, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(system_parse_smp("cpus=2,sockets=1", 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(system_parse_smp("0", 8, &n), -1);
	assert_int_equal(system_parse_smp("9", 8, &n), -1);
	assert_int_equal(system_parse_smp("two", 8, &n), -1);
}

/* hw/riscv/boot.c: top of RAM below 3 GiB, minus 1 MiB, 2 MiB aligned. */
static void test_fdt_address_like_qemu(void **state)
{
	assert_int_equal(board_fdt_addr(0x80000000, 128ull << 20, 1 << 20),
			 0x87e00000);
	assert_int_equal(board_fdt_addr(0x80000000, 1ull << 30, 1 << 20),
			 0xbfe00000);
	assert_int_equal(board_fdt_addr(0x80000000, 4ull << 30, 1 << 20),
			 0xbfe00000); /* capped at 3 GiB */
	assert_int_equal(board_fdt_addr(0x80000000, 5ull << 20, 1 << 20),
			 0x80400000);
}

static const void *prop(const void *fdt, const char *path, const char *name,
			int *len)
{
	int node = fdt_path_offset(fdt, path);

	assert_true(node >= 0);
	return fdt_getprop(fdt, node, name, len);
}

static void test_fdt_describes_the_board(void **state)
{
	static uint8_t fdt[VIRT_FDT_MAX_SIZE];
	struct board b = { .ncpus = 4, .ram_size = 128ull << 20 };
	const fdt32_t *p32;
	const void *p64;
	fdt64_t reg[2];
	const char *str;
	int len;

	assert_int_equal(board_build_fdt(&b, fdt, sizeof(fdt)), 0);
	assert_int_equal(fdt_check_header(fdt), 0);
	str = prop(fdt, "/cpus/cpu@3", "riscv,isa", &len);
	assert_string_equal(str, "rv64imafdc_zicsr_zifencei");
	str = prop(fdt, "/cpus/cpu@0", "mmu-type", &len);
	assert_string_equal(str, "riscv,sv39");
	/* QEMU's numbering: the last hart first, then the PLIC (9) */
	p32 = prop(fdt, "/cpus/cpu@3", "phandle", &len);
	assert_int_equal(fdt32_to_cpu(*p32), 1);
	p32 = prop(fdt, "/soc/plic@c000000", "phandle", &len);
	assert_int_equal(fdt32_to_cpu(*p32), 9);
	p32 = prop(fdt, "/soc/serial@10000000", "interrupt-parent", &len);
	assert_int_equal(fdt32_to_cpu(*p32), 9);
	p32 = prop(fdt, "/soc/serial@10000000", "interrupts", &len);
	assert_int_equal(fdt32_to_cpu(*p32), 10);
	p32 = prop(fdt, "/soc/rtc@101000", "interrupts", &len);
	assert_int_equal(fdt32_to_cpu(*p32), 11);
	p32 = prop(fdt, "/soc/plic@c000000", "interrupts-extended", &len);
	assert_int_equal(len, 4 * 4 * 4); /* per hart: M ext, S ext */
	assert_int_equal(fdt32_to_cpu(p32[1]), 11);
	assert_int_equal(fdt32_to_cpu(p32[3]), 9);
	assert_null(prop(fdt, "/chosen", "bootargs", &len));
	assert_null(prop(fdt, "/chosen", "linux,initrd-start", &len));
	p32 = prop(fdt, "/cpus", "timebase-frequency", &len);
	assert_int_equal(fdt32_to_cpu(*p32), 10000000);
	p64 = prop(fdt, "/memory@80000000", "reg", &len);
	assert_int_equal(len, 16);
	memcpy(reg, p64, sizeof(reg)); /* properties are only 4-aligned */
	assert_int_equal(fdt64_to_cpu(reg[0]), 0x80000000);
	assert_int_equal(fdt64_to_cpu(reg[1]), 128ull << 20);
	str = prop(fdt, "/chosen", "stdout-path", &len);
	assert_string_equal(str, "/soc/serial@10000000");
	str = prop(fdt, "/soc/serial@10000000", "compatible", &len);
	assert_string_equal(str, "ns16550a");
	p32 = prop(fdt, "/soc/clint@2000000", "interrupts-extended", &len);
	assert_int_equal(len, 4 * 4 * 4); /* per hart: msip, mtip */
	assert_int_equal(fdt32_to_cpu(p32[1]), 3);
	assert_int_equal(fdt32_to_cpu(p32[3]), 7);
	/* the phandle points at cpu@0's interrupt controller */
	assert_int_equal(fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(p32[0])),
			 fdt_path_offset(fdt, "/cpus/cpu@0/interrupt-controller"));
	str = prop(fdt, "/soc/test@100000", "compatible", &len);
	assert_string_equal(str, "sifive,test1");
	p32 = prop(fdt, "/poweroff", "value", &len);
	assert_int_equal(fdt32_to_cpu(*p32), 0x5555);
	assert_true(fdt_path_offset(fdt, "/cpus/cpu@4") < 0);

	/* -append and -initrd land in /chosen */
	b.boot.cmdline = "console=ttyS0";
	b.boot.initrd_start = 0x88200000;
	b.boot.initrd_end = 0x88300000;
	assert_int_equal(board_build_fdt(&b, fdt, sizeof(fdt)), 0);
	str = prop(fdt, "/chosen", "bootargs", &len);
	assert_string_equal(str, "console=ttyS0");
	p32 = prop(fdt, "/chosen", "linux,initrd-start", &len);
	assert_int_equal(len, 4);
	assert_int_equal(fdt32_to_cpu(*p32), 0x88200000);
	p32 = prop(fdt, "/chosen", "linux,initrd-end", &len);
	assert_int_equal(fdt32_to_cpu(*p32), 0x88300000);
}

/* QEMU's reset code and fw_dynamic_info, word for word. */
static void test_mrom_reset_code(void **state)
{
	static uint8_t mrom[VIRT_MROM_SIZE];
	static const uint32_t words[] = {
		0x00000297, 0x02828613, 0xf1402573, 0x0202b583, 0x0182b283,
		0x00028067, 0x80000000, 0, 0x87e00000, 0,
		0x4942534f, 0, 2, 0, 0x80200000, 0, 1, 0, 0, 0, 0, 0,
	};
	uint32_t w;

	boot_write_mrom(mrom, 0x80000000, 0x87e00000, 0x80200000);
	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		memcpy(&w, mrom + 4 * i, 4);
		assert_int_equal(w, words[i]);
	}
	memcpy(&w, mrom + sizeof(words), 4);
	assert_int_equal(w, 0);
}

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)

/* A minimal RV64 ELF with one PT_LOAD (8 bytes of file, 16 of memory). */
static size_t make_elf(uint8_t *buf, uint64_t paddr)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	uint8_t *data = buf + sizeof(*eh) + sizeof(*ph);

	memset(buf, 0, 256);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_RISCV;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	eh->e_ehsize = sizeof(*eh);
	ph->p_type = PT_LOAD;
	ph->p_offset = data - buf;
	ph->p_paddr = ph->p_vaddr = paddr;
	ph->p_filesz = 8;
	ph->p_memsz = 16;
	memcpy(data, "ABCDEFGH", 8);
	return (size_t)(data - buf) + 8;
}

static int load(const uint8_t *buf, size_t len, uint8_t *ram)
{
	char path[] = "/tmp/vtrace-test-elf-XXXXXX";
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	ret = board_load_elf_image(path, ram, RAM_BASE, RAM_SIZE, NULL);
	unlink(path);
	return ret;
}

static void test_loader_checks_before_loading(void **state)
{
	static uint8_t buf[256], ram[RAM_SIZE];
	size_t len = make_elf(buf, RAM_BASE + 0x100);

	memset(ram, 0x55, sizeof(ram));
	assert_int_equal(load(buf, len, ram), 0);
	assert_memory_equal(ram + 0x100, "ABCDEFGH", 8);
	assert_int_equal(ram[0x108], 0);	/* bss zeroed */
	assert_int_equal(ram[0x10f], 0);
	assert_int_equal(ram[0x110], 0x55);

	memset(ram, 0x55, sizeof(ram));
	buf[EI_CLASS] = ELFCLASS32;
	assert_int_equal(load(buf, len, ram), -1);
	buf[EI_CLASS] = ELFCLASS64;
	((Elf64_Ehdr *)buf)->e_machine = EM_X86_64;
	assert_int_equal(load(buf, len, ram), -1);
	((Elf64_Ehdr *)buf)->e_machine = EM_RISCV;
	assert_int_equal(load(buf, len - 1, ram), -1);	/* segment cut */
	assert_int_equal(load(buf, 40, ram), -1);	/* header cut */
	len = make_elf(buf, RAM_BASE + RAM_SIZE - 8);	/* memsz 16 */
	assert_int_equal(load(buf, len, ram), -1);
	len = make_elf(buf, RAM_BASE - 16);
	assert_int_equal(load(buf, len, ram), -1);
	len = make_elf(buf, 0xffffffffffffff00ull);	/* wraps */
	assert_int_equal(load(buf, len, ram), -1);
	/* nothing was written by any rejected file */
	for (unsigned i = 0; i < sizeof(ram); i++)
		if (ram[i] != 0x55)
			fail_msg("ram[%u] written by a rejected ELF", i);
}

static char *run_monitor(struct board *b, const char *line, int *ret)
{
	static char out[8192];
	FILE *f = tmpfile();
	size_t n;

	*ret = monitor_run_line(b, fileno(f), line);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	fclose(f);
	return out;
}

static int hello_called;

static int cmd_hello(struct monitor *mon, int argc, char **argv)
{
	hello_called = 1;
	monitor_printf(mon, "hello %s\n", argv[1]);
	return 0;
}

static const struct monitor_cmd extra[] = {
	{ "hello", "NAME", "say hello", 1, 1, cmd_hello },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_monitor_commands_and_errors(void **state)
{
	static struct board b;
	char *out;
	int ret;

	assert_int_equal(board_init(&b, 2, 8u << 20, NULL), 0);
	out = run_monitor(&b, "info cpus", &ret);
	assert_int_equal(ret, 0);
	assert_non_null(strstr(out, "* CPU #0: pc=0x0000000080000000"));
	assert_non_null(strstr(out, "  CPU #1:"));
	out = run_monitor(&b, "info jit", &ret);
	assert_non_null(strstr(out, "blocks translated      0"));
	out = run_monitor(&b, "frobnicate", &ret);
	assert_int_equal(ret, -1);
	assert_int_equal(count_lines(out), 1);
	out = run_monitor(&b, "stop now", &ret);
	assert_int_equal(ret, -1);
	assert_int_equal(count_lines(out), 1);
	out = run_monitor(&b, "info nope", &ret);
	assert_int_equal(ret, -1);
	assert_int_equal(count_lines(out), 1);
	out = run_monitor(&b, "   ", &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(out, "");

	assert_int_equal(monitor_register(extra), 0);
	out = run_monitor(&b, "hello", &ret);	/* missing argument */
	assert_int_equal(ret, -1);
	assert_false(hello_called);
	assert_string_equal(out, "error: hello: usage: hello NAME\n");
	out = run_monitor(&b, "hello world", &ret);
	assert_int_equal(ret, 0);
	assert_true(hello_called);
	assert_string_equal(out, "hello world\n");
	out = run_monitor(&b, "help hello", &ret);
	assert_string_equal(out, "hello NAME -- say hello\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_size_and_smp),
		cmocka_unit_test(test_fdt_address_like_qemu),
		cmocka_unit_test(test_fdt_describes_the_board),
		cmocka_unit_test(test_mrom_reset_code),
		cmocka_unit_test(test_loader_checks_before_loading),
		cmocka_unit_test(test_monitor_commands_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
