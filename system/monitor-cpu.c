/* SPDX-License-Identifier: MIT */
/*
 * Monitor commands that show a vCPU's state, in QEMU 7.2's words and
 * layout (riscv, no H extension):
 *
 *	info registers [-a]	CPU #0's (or every CPU's) pc, machine and
 *				supervisor CSRs, x and f registers
 *	info mem		the virtual memory mapped by CPU #0's satp:
 *				vaddr paddr size attr, contiguous runs merged
 *
 * The monitor runs on its own thread: the commands stop the machine, wait
 * until every vCPU thread is parked (board_pause(), whose run_lock
 * handoff orders the vCPUs' last writes before these reads), read, and
 * let it run again if it was running.  A guest that is stopped already
 * (`stop`, -S) is read as it is.
 */
#include <inttypes.h>
#include <string.h>

#include "system/board.h"

/* CSRs, in the order QEMU prints them (their ISA numbers). */
static const struct {
	const char *name;
	unsigned csr;
} csrs[] = {
	{ "mhartid", 0xf14 }, { "mstatus", 0x300 }, { "mip", 0x344 },
	{ "mie", 0x304 },     { "mideleg", 0x303 }, { "medeleg", 0x302 },
	{ "mtvec", 0x305 },   { "stvec", 0x105 },   { "mepc", 0x341 },
	{ "sepc", 0x141 },    { "mcause", 0x342 },  { "scause", 0x142 },
	{ "mtval", 0x343 },   { "stval", 0x143 },   { "mscratch", 0x340 },
	{ "sscratch", 0x140 }, { "satp", 0x180 },
};

static const char *const xnames[32] = {
	"x0/zero", "x1/ra",   "x2/sp",   "x3/gp",   "x4/tp",   "x5/t0",
	"x6/t1",   "x7/t2",   "x8/s0",   "x9/s1",   "x10/a0",  "x11/a1",
	"x12/a2",  "x13/a3",  "x14/a4",  "x15/a5",  "x16/a6",  "x17/a7",
	"x18/s2",  "x19/s3",  "x20/s4",  "x21/s5",  "x22/s6",  "x23/s7",
	"x24/s8",  "x25/s9",  "x26/s10", "x27/s11", "x28/t3",  "x29/t4",
	"x30/t5",  "x31/t6",
};

static const char *const fnames[32] = {
	"f0/ft0",   "f1/ft1",   "f2/ft2",   "f3/ft3",   "f4/ft4",
	"f5/ft5",   "f6/ft6",   "f7/ft7",   "f8/fs0",   "f9/fs1",
	"f10/fa0",  "f11/fa1",  "f12/fa2",  "f13/fa3",  "f14/fa4",
	"f15/fa5",  "f16/fa6",  "f17/fa7",  "f18/fs2",  "f19/fs3",
	"f20/fs4",  "f21/fs5",  "f22/fs6",  "f23/fs7",  "f24/fs8",
	"f25/fs9",  "f26/fs10", "f27/fs11", "f28/ft8",  "f29/ft9",
	"f30/ft10", "f31/ft11",
};

static void dump_cpu(struct monitor *mon, struct board *b, unsigned h)
{
	struct tcg_cpu *cpu = b->cpus[h];
	uint64_t v;

	monitor_printf(mon, "\nCPU#%u\n", h);
	monitor_printf(mon, " %-8s %016" PRIx64 "\n", "pc", tcg_cpu_get_pc(cpu));
	for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++)
		if (!tcg_cpu_read_csr(cpu, csrs[i].csr, &v))
			monitor_printf(mon, " %-8s %016" PRIx64 "\n",
				       csrs[i].name, v);
	for (unsigned r = 0; r < 32; r++)
		monitor_printf(mon, " %-8s %016" PRIx64 "%s", xnames[r],
			       tcg_cpu_get_reg(cpu, r), (r & 3) == 3 ? "\n" : "");
	for (unsigned r = 0; r < 32; r++)
		monitor_printf(mon, " %-8s %016" PRIx64 "%s", fnames[r],
			       tcg_cpu_get_freg(cpu, r),
			       (r & 3) == 3 ? "\n" : "");
}

static int info_registers(struct monitor *mon, int argc, char **argv)
{
	struct board *b = monitor_board(mon);
	bool all = argc == 2, was_running;

	if (argc == 2 && strcmp(argv[1], "-a")) {
		monitor_printf(mon, "error: info registers: usage: info "
				    "registers [-a]\n");
		return -1;
	}
	was_running = board_pause(b);
	for (unsigned h = 0; h < (all ? b->ncpus : 1); h++)
		dump_cpu(mon, b, h);
	if (was_running)
		board_set_running(b, true);
	return 0;
}

/* ------------------------------------------------------------ info mem */

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_ATTR_BITS 0xfeull	/* R W X U G A D */
#define SV39_LEVELS 3

/* One run of contiguous mappings with the same attributes. */
struct mem_run {
	uint64_t va, pa, size, attr;
	bool valid;
};

static void print_run(struct monitor *mon, const struct mem_run *r)
{
	static const char letters[] = "rwxugad";
	char attr[8];

	if (!r->valid)
		return;
	for (int i = 0; i < 7; i++)
		attr[i] = (r->attr >> (i + 1)) & 1 ? letters[i] : '-';
	attr[7] = 0;
	monitor_printf(mon, "%016" PRIx64 " %016" PRIx64 " %016" PRIx64
			    " %s\n", r->va, r->pa, r->size, attr);
}

static void add_mapping(struct monitor *mon, struct mem_run *r, uint64_t va,
			uint64_t pa, uint64_t size, uint64_t attr)
{
	if (r->valid && r->attr == attr && r->va + r->size == va &&
	    r->pa + r->size == pa) {
		r->size += size;
		return;
	}
	print_run(mon, r);
	*r = (struct mem_run){ va, pa, size, attr, true };
}

/* Walk the table at physical table (level: 2 is the root) for va_base. */
static void walk(struct monitor *mon, struct board *b, struct mem_run *r,
		 uint64_t table, int level, uint64_t va_base)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t off = table - VIRT_DRAM_BASE + i * 8, pte;
		uint64_t va = va_base | i << (12 + 9 * level), pa;

		if (table < VIRT_DRAM_BASE || off + 8 > b->ram_size)
			return;	/* outside RAM: the walker faults there */
		memcpy(&pte, b->ram + off, 8);
		if (!(pte & PTE_V))
			continue;
		pa = (pte >> 10 & ((1ull << 44) - 1)) << 12;
		if (!(pte & (PTE_R | PTE_W | PTE_X))) {
			if (level > 0)
				walk(mon, b, r, pa, level - 1, va);
			continue;
		}
		/* Sv39: bit 38 extends to 63 */
		if (va & (1ull << 38))
			va |= ~((1ull << 39) - 1);
		add_mapping(mon, r, va, pa, 1ull << (12 + 9 * level),
			    pte & PTE_ATTR_BITS);
	}
}

static int info_mem(struct monitor *mon, int argc, char **argv)
{
	struct board *b = monitor_board(mon);
	struct mem_run run = { 0 };
	bool was_running;
	uint64_t satp = 0;

	was_running = board_pause(b);
	tcg_cpu_read_csr(b->cpus[0], 0x180, &satp);
	if (!(satp >> 60)) {
		monitor_printf(mon, "No translation or protection\n");
	} else {
		monitor_printf(mon, "vaddr            paddr            size "
				    "            attr\n---------------- "
				    "---------------- ---------------- "
				    "-------\n");
		walk(mon, b, &run, (satp & ((1ull << 44) - 1)) << 12,
		     SV39_LEVELS - 1, 0);
		print_run(mon, &run);
	}
	if (was_running)
		board_set_running(b, true);
	return 0;
}

static const struct monitor_cmd cpu_info_cmds[] = {
	{ "registers", "[-a]", "show the cpu registers (-a: all CPUs)", 0, 1,
	  info_registers },
	{ "mem", "", "show the active virtual memory mappings", 0, 0,
	  info_mem },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

int monitor_cpu_register(void)
{
	return monitor_register_info(cpu_info_cmds);
}
