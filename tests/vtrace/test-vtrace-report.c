// SPDX-License-Identifier: MIT
/*
 * Unit tests of the pieces under `vtrace report` and `export`: the ELF
 * symbol lookup (against ELF files built here, byte by byte, and damaged
 * copies of them), kallsyms files, the syscall names and the option
 * parsers.  The aggregation itself is
 * checked end to end on traces of known content by tests/vtrace/report.sh.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/vtrace/elf.h"
#include "tools/vtrace/syscalls.h"
#include "tools/vtrace/vtrace.h"

/* ------------------------------------------------------------ ELF */

#define TEXT	0x80000000ull

struct image {
	uint8_t buf[4096];
	size_t len;
};

static size_t put(struct image *im, const void *p, size_t n)
{
	size_t at = (im->len + 7) & ~(size_t)7;

	memcpy(im->buf + at, p, n);
	im->len = at + n;
	return at;
}

/*
 * An ELF64 with .text (NOBITS, AX) at TEXT, 0x3000 bytes, .data (WA) after
 * it, and the symbols: main FUNC [TEXT, +0x100), loop FUNC at +0x100 size
 * 0x40, dup NOTYPE and dup_func FUNC both at +0x200 (FUNC wins), label
 * NOTYPE size 0 at +0x1000, "$x" at +0x1000 (a mapping symbol, ignored),
 * table OBJECT at +0x2000 (ignored), var FUNC in .data (not executable,
 * ignored).
 */
static void build_elf(struct image *im)
{
	static const char shstr[] = "\0.text\0.data\0.symtab\0.strtab\0.shstrtab";
	static const char str[] = "\0main\0loop\0dup\0dup_func\0label\0$x\0"
				  "table\0var";
	Elf64_Sym syms[10] = { { 0 } };
	Elf64_Shdr sh[6] = { { 0 } };
	Elf64_Ehdr eh = { 0 };
	size_t sym_off, str_off, shstr_off, n = 1;

#define SYM(name, type, sec, value, size) \
	syms[n++] = (Elf64_Sym){ .st_name = (name), \
				 .st_info = ELF64_ST_INFO(STB_GLOBAL, type), \
				 .st_shndx = (sec), .st_value = (value), \
				 .st_size = (size) }
	SYM(1, STT_FUNC, 1, TEXT, 0x100);		/* main */
	SYM(6, STT_FUNC, 1, TEXT + 0x100, 0x40);	/* loop */
	SYM(11, STT_NOTYPE, 1, TEXT + 0x200, 0);	/* dup */
	SYM(15, STT_FUNC, 1, TEXT + 0x200, 0x10);	/* dup_func */
	SYM(24, STT_NOTYPE, 1, TEXT + 0x1000, 0);	/* label */
	SYM(30, STT_NOTYPE, 1, TEXT + 0x1000, 0);	/* $x */
	SYM(33, STT_OBJECT, 1, TEXT + 0x2000, 8);	/* table */
	SYM(39, STT_FUNC, 2, TEXT + 0x3000, 4);		/* var */
#undef SYM
	memset(im, 0, sizeof(*im));
	im->len = sizeof(eh);
	sym_off = put(im, syms, n * sizeof(Elf64_Sym));
	str_off = put(im, str, sizeof(str));
	shstr_off = put(im, shstr, sizeof(shstr));
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_NOBITS,
			      .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
			      .sh_addr = TEXT, .sh_size = 0x3000 };
	sh[2] = (Elf64_Shdr){ .sh_name = 7, .sh_type = SHT_NOBITS,
			      .sh_flags = SHF_ALLOC | SHF_WRITE,
			      .sh_addr = TEXT + 0x3000, .sh_size = 0x1000 };
	sh[3] = (Elf64_Shdr){ .sh_name = 13, .sh_type = SHT_SYMTAB,
			      .sh_offset = sym_off,
			      .sh_size = n * sizeof(Elf64_Sym), .sh_link = 4,
			      .sh_entsize = sizeof(Elf64_Sym) };
	sh[4] = (Elf64_Shdr){ .sh_name = 21, .sh_type = SHT_STRTAB,
			      .sh_offset = str_off, .sh_size = sizeof(str) };
	sh[5] = (Elf64_Shdr){ .sh_name = 29, .sh_type = SHT_STRTAB,
			      .sh_offset = shstr_off,
			      .sh_size = sizeof(shstr) };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_RISCV;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 6;
	eh.e_shstrndx = 5;
	eh.e_shoff = put(im, sh, sizeof(sh));
	memcpy(im->buf, &eh, sizeof(eh));
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static struct vt_elf *open_image(const struct image *im, size_t len,
				 char *err, size_t errlen)
{
	char path[] = "/tmp/test-vtrace-elf-XXXXXX";
	int fd = mkstemp(path);
	struct vt_elf *e;

	assert_true(fd >= 0);
	close(fd);
	write_file(path, im->buf, len);
	e = vt_elf_open(path, err, errlen);
	unlink(path);
	return e;
}

static void test_elf_names_functions_and_labels(void **state)
{
	struct image im;
	char err[256] = "", buf[64];
	struct vt_elf *e;
	uint64_t off = 99;

	(void)state;
	build_elf(&im);
	e = open_image(&im, im.len, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(vt_elf_nsyms(e), 5);	/* not $x, table, var */
	assert_string_equal(vt_elf_lookup(e, TEXT, &off), "main");
	assert_int_equal(off, 0);
	assert_string_equal(vt_elf_lookup(e, TEXT + 0xfe, &off), "main");
	assert_int_equal(off, 0xfe);
	assert_string_equal(vt_elf_lookup(e, TEXT + 0x104, &off), "loop");
	assert_int_equal(off, 4);
	/* FUNC over NOTYPE at one address */
	assert_string_equal(vt_elf_lookup(e, TEXT + 0x208, &off), "dup_func");
	/* a label without size reaches up to the next symbol */
	assert_string_equal(vt_elf_lookup(e, TEXT + 0x1ffe, &off), "label");
	assert_int_equal(off, 0xffe);
	/* below the first symbol, past .text, in .data: unknown */
	assert_null(vt_elf_lookup(e, TEXT - 2, &off));
	assert_null(vt_elf_lookup(e, TEXT + 0x3000, &off));
	assert_null(vt_elf_lookup(e, 0, &off));
	assert_string_equal(vt_elf_describe(e, TEXT + 0x100, buf, sizeof(buf)),
			    "loop");
	assert_string_equal(vt_elf_describe(e, TEXT + 0x11c, buf, sizeof(buf)),
			    "loop+0x1c");
	assert_string_equal(vt_elf_describe(e, 0x1234, buf, sizeof(buf)),
			    "0x1234");
	assert_string_equal(vt_elf_describe(NULL, TEXT, buf, sizeof(buf)),
			    "0x80000000");
	vt_elf_close(e);
}

static void test_elf_rejects_damage_with_the_file_name(void **state)
{
	struct image im, bad;
	char err[256];
	struct vt_elf *e;

	(void)state;
	build_elf(&im);
	/* every truncation is an error, never a crash (up to the header of
	 * .shstrtab, which the lookup does not need) */
	for (size_t len = 0; len < im.len - sizeof(Elf64_Shdr); len += 7) {
		err[0] = 0;
		e = open_image(&im, len, err, sizeof(err));
		assert_null(e);
		assert_non_null(strstr(err, "/tmp/test-vtrace-elf-"));
	}
	bad = im;
	bad.buf[0] = 'X';
	assert_null(open_image(&bad, bad.len, err, sizeof(err)));
	assert_non_null(strstr(err, "not an ELF file"));
	bad = im;
	bad.buf[EI_DATA] = ELFDATA2MSB;
	assert_null(open_image(&bad, bad.len, err, sizeof(err)));
	assert_non_null(strstr(err, "little-endian"));
	/* a symbol table pointing past the end of the file */
	bad = im;
	{
		Elf64_Ehdr eh;
		Elf64_Shdr sh;

		memcpy(&eh, bad.buf, sizeof(eh));
		memcpy(&sh, bad.buf + eh.e_shoff + 3 * sizeof(sh), sizeof(sh));
		sh.sh_size = 1u << 30;
		memcpy(bad.buf + eh.e_shoff + 3 * sizeof(sh), &sh, sizeof(sh));
	}
	assert_null(open_image(&bad, bad.len, err, sizeof(err)));
	assert_non_null(strstr(err, "truncated or damaged"));
	e = vt_elf_open("/nonexistent/kernel.elf", err, sizeof(err));
	assert_null(e);
	assert_string_equal(err, "/nonexistent/kernel.elf: No such file or "
				 "directory");
}

/* ------------------------------------------------------------ kallsyms */

static int add_kallsyms(struct vt_elf **e, const char *text, char *err,
			size_t errlen)
{
	char path[] = "/tmp/test-vtrace-kallsyms-XXXXXX";
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	close(fd);
	write_file(path, text, strlen(text));
	ret = vt_elf_add_kallsyms(e, path, err, errlen);
	unlink(path);
	return ret;
}

static void test_kallsyms_names_kernel_text(void **state)
{
	static const char text[] =
		"ffffffff80000000 T _start\n"
		"ffffffff80001000 t do_one\n"
		"ffffffff80001040 W weak_one\n"
		"ffffffff80001080 d some_data\n"
		"ffffffff80002000 T do_two\t[vfat]\n"
		"0000000000000000 A fixed_percpu_data\n";
	struct image im;
	struct vt_elf *e = NULL;
	char err[256] = "";
	uint64_t off = 99;

	(void)state;
	assert_int_equal(add_kallsyms(&e, text, err, sizeof(err)), 0);
	assert_int_equal(vt_elf_nsyms(e), 4);
	assert_string_equal(vt_elf_lookup(e, 0xffffffff80001010ull, &off),
			    "do_one");
	assert_int_equal(off, 0x10);
	assert_string_equal(vt_elf_lookup(e, 0xffffffff80001044ull, &off),
			    "weak_one");
	/* data between functions, and past the last one: unknown */
	assert_null(vt_elf_lookup(e, 0xffffffff80001100ull, &off));
	assert_string_equal(vt_elf_lookup(e, 0xffffffff80002ffcull, &off),
			    "do_two");
	assert_null(vt_elf_lookup(e, 0xffffffff80003000ull, &off));
	/* with an ELF in the same table: both name their pcs */
	build_elf(&im);
	vt_elf_close(e);
	e = open_image(&im, im.len, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(add_kallsyms(&e, text, err, sizeof(err)), 0);
	assert_int_equal(vt_elf_nsyms(e), 5 + 4);
	assert_string_equal(vt_elf_lookup(e, TEXT + 0x104, &off), "loop");
	assert_string_equal(vt_elf_lookup(e, 0xffffffff80000004ull, &off),
			    "_start");
	vt_elf_close(e);
}

static void test_kallsyms_rejects_other_files(void **state)
{
	struct vt_elf *e = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(add_kallsyms(&e, "hello world\n", err, sizeof(err)),
			 -EINVAL);
	assert_null(e);
	assert_non_null(strstr(err, "line 1"));
	/* read without privileges: every address is 0 */
	assert_int_equal(add_kallsyms(&e, "0000000000000000 T _start\n", err,
				      sizeof(err)), -EINVAL);
	assert_null(e);
	assert_non_null(strstr(err, "no text symbols"));
	assert_int_equal(vt_elf_load(&e, NULL, "/nonexistent/kallsyms", err,
				     sizeof(err)), -ENOENT);
	assert_null(e);
}

static void test_syscall_names_riscv64(void **state)
{
	(void)state;
	assert_string_equal(vt_syscall_name(221), "execve");
	assert_string_equal(vt_syscall_name(220), "clone");
	assert_string_equal(vt_syscall_name(93), "exit");
	assert_string_equal(vt_syscall_name(0), "io_setup");
	assert_string_equal(vt_syscall_name(258), "riscv_hwprobe");
	assert_string_equal(vt_syscall_name(435), "clone3");
	assert_null(vt_syscall_name(300));	/* a hole: 295..402 unused */
	assert_null(vt_syscall_name(100000));
}

/* ------------------------------------------------------------ options */

static void test_parse_time_units(void **state)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} good[] = {
		{ "0", 0 }, { "1.5", 1500000000 }, { "2s", 2000000000 },
		{ "200ms", 200000000 }, { "30us", 30000 }, { "10ns", 10 },
		{ "0.25us", 250 }, { "1e-3", 1000000 },
	};
	static const char *const bad[] = { "", "x", "-1", "5m", "1.5 s",
					   "ms", "nan", "1e30" };
	uint64_t ns;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(vt_parse_time(good[i].text, &ns), 0);
		assert_int_equal(ns, good[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(vt_parse_time(bad[i], &ns), 0);
}

static void test_parse_cpu_names(void **state)
{
	uint32_t cpu;

	(void)state;
	assert_int_equal(vt_parse_cpu("3", &cpu), 0);
	assert_int_equal(cpu, 3);
	assert_int_equal(vt_parse_cpu("vcpu7", &cpu), 0);
	assert_int_equal(cpu, 7);
	assert_int_equal(vt_parse_cpu("sys1", &cpu), 0);
	assert_int_equal(cpu, 0x10001);
	assert_int_not_equal(vt_parse_cpu("", &cpu), 0);
	assert_int_not_equal(vt_parse_cpu("sys", &cpu), 0);
	assert_int_not_equal(vt_parse_cpu("1x", &cpu), 0);
	assert_int_not_equal(vt_parse_cpu("-1", &cpu), 0);
	assert_int_not_equal(vt_parse_cpu("65536", &cpu), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_names_functions_and_labels),
		cmocka_unit_test(test_elf_rejects_damage_with_the_file_name),
		cmocka_unit_test(test_kallsyms_names_kernel_text),
		cmocka_unit_test(test_kallsyms_rejects_other_files),
		cmocka_unit_test(test_syscall_names_riscv64),
		cmocka_unit_test(test_parse_time_units),
		cmocka_unit_test(test_parse_cpu_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
