/* SPDX-License-Identifier: MIT */
/*
 * The virt-like board: RAM, MROM, the devices of system/hw/ (PLIC,
 * ns16550a UART, CLINT, sifive_test finisher, goldfish RTC), device tree,
 * boot flow, one host thread per hart.  Laid out like QEMU's
 * riscv `virt` (see docs in reference/qemu-trace.md §7).
 */
#ifndef VTRACE_SYSTEM_BOARD_H
#define VTRACE_SYSTEM_BOARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "generated/autoconf.h"
#include "tcg/cpu.h"

/* QEMU 7.2 virt's memory map, for the devices we emulate. */
#define VIRT_MROM_BASE 0x1000ull
#define VIRT_MROM_SIZE 0xf000ull
#define VIRT_TEST_BASE 0x100000ull
#define VIRT_TEST_SIZE 0x1000ull
#define VIRT_RTC_BASE 0x101000ull
#define VIRT_RTC_SIZE 0x1000ull
#define VIRT_CLINT_BASE 0x2000000ull
#define VIRT_CLINT_SIZE 0x10000ull
#define VIRT_PLIC_BASE 0xc000000ull
#define VIRT_PLIC_SIZE 0x600000ull	/* for QEMU's 512 harts */
#define VIRT_UART_BASE 0x10000000ull
#define VIRT_UART_SIZE 0x100ull
#define VIRT_DRAM_BASE 0x80000000ull
#define VIRT_TIMEBASE_FREQ 10000000ull
#define VIRT_FDT_MAX_SIZE 0x100000u	/* QEMU's FDT_MAX_SIZE */
#define VIRT_DEFAULT_RAM (512ull << 20)
/* Linux's riscv COMMAND_LINE_SIZE, NUL included: bootargs' limit. */
#define VIRT_CMDLINE_MAX 1024u

/* What the boot flow placed in RAM (system/boot.c); 0 when absent. */
struct board_boot {
	uint64_t start_addr;	/* where the reset code jumps */
	uint64_t kernel_entry;	/* fw_dynamic_info.next_addr */
	uint64_t initrd_start, initrd_end;
	const char *cmdline;	/* -append, NULL: none */
	bool no_reboot;		/* -no-reboot: a guest reset exits */
};

struct board {
	unsigned ncpus;
	uint64_t ram_size;
	uint8_t *ram;
	struct tcg_machine *m;
	struct tcg_cpu *cpus[CONFIG_MAX_VCPUS];
	pthread_t threads[CONFIG_MAX_VCPUS];
	int tids[CONFIG_MAX_VCPUS];
	bool pin_vcpus;		/* -vcpu-pin: vCPU h on host CPU h mod ncpus */
	uint64_t fdt_addr;
	struct board_boot boot;
	uint8_t mrom[VIRT_MROM_SIZE];	/* reset code + fw_dynamic_info */

	/* run state: vCPUs run while `running`; -S, stop, cont */
	pthread_mutex_t run_lock;
	pthread_cond_t run_cond;
	bool running;
	unsigned parked;	/* vCPU threads waiting for `running` */

	/* devices (system/hw/) */
	struct plic *plic;
	struct uart *uart;
	struct clint *clint;
	struct rtc *rtc;
	bool uart_stdin;	/* UART reads stdin (not the monitor) */
};

/* RAM size and hart count must be valid (checked by main). */
int board_init(struct board *b, unsigned ncpus, uint64_t ram_size,
	       const char *backend);
/* Start the vCPU and device threads; vCPUs run only if `running`. */
int board_start(struct board *b, bool running);
void board_set_running(struct board *b, bool running);
/*
 * Stop every vCPU and wait until each vCPU thread is parked: what a vCPU
 * wrote before it parked is then visible to the caller (it parks under
 * run_lock, which the caller takes after it).  Returns whether the
 * machine was running; board_set_running(b, true) resumes it.  Returns
 * at once when the machine shuts down.
 */
bool board_pause(struct board *b);
/* Power off: every vCPU thread ends, board_wait() returns code. */
void board_shutdown(struct board *b, int code);
/* Wait for the guest to shut down; returns the exit status. */
int board_wait(struct board *b);
uint64_t board_mtime(struct board *b);

/* system/boot.c: QEMU's boot flow (see there). */
struct boot_config {
	const char *bios;	/* NULL (not given), "none", "default", FILE */
	const char *kernel;	/* ELF or Linux Image, or NULL */
	const char *initrd;
	const char *append;
	bool no_reboot;
};
/* The OpenSBI that -bios default loads (Debian's opensbi package). */
#define BOOT_DEFAULT_BIOS \
	"/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
/*
 * Load firmware, kernel and initrd, build the device tree, write the reset
 * code and fw_dynamic_info into the MROM and point every hart at it.  On
 * bad input print one line and return -1.
 */
int board_boot(struct board *b, const struct boot_config *cfg);
/* The reset code and fw_dynamic_info (40 + 48 bytes) for these values. */
void boot_write_mrom(uint8_t *mrom, uint64_t start_addr, uint64_t fdt_addr,
		     uint64_t kernel_entry);

/* system/fdt.c: the device tree blob, VIRT_FDT_MAX_SIZE bytes. */
int board_build_fdt(struct board *b, void *fdt, unsigned size);
/* -M virt,dumpdtb=FILE: write the blob board_boot() placed; 0 or -1. */
int board_dump_fdt(struct board *b, const char *path);
/* QEMU's riscv_compute_fdt_addr/riscv_load_fdt placement. */
uint64_t board_fdt_addr(uint64_t dram_base, uint64_t dram_size,
			unsigned fdt_size);

/* system/loader.c */
struct elf_info {
	uint64_t entry;
	uint64_t low, high;	/* loaded physical range [low, high) */
};
/*
 * Load an RV64 ELF's segments into RAM; info may be NULL.  -1 after one
 * line on stderr.
 */
int board_load_elf_image(const char *path, uint8_t *ram, uint64_t ram_base,
			 uint64_t ram_size, struct elf_info *info);
/* 1 if the file starts with the ELF magic, 0 if not, -1 if unreadable. */
int board_file_is_elf(const char *path);

/* system/options.c: QEMU's syntax; 0 or -1. */
/* -m: a number with an optional K/M/G/T suffix (none = MiB), or size=... */
int system_parse_size(const char *s, uint64_t *out);
/* -smp: N or cpus=N[,...], 1 to max */
int system_parse_smp(const char *s, unsigned max, unsigned *out);

/* system/monitor.c */
struct monitor;
struct monitor_cmd {
	const char *name;
	const char *args;	/* help text for the arguments */
	const char *help;
	int min_args, max_args;	/* not counting argv[0]; checked for you */
	/* argv[0] is the command name; return 0 or -1 (already reported). */
	int (*handler)(struct monitor *mon, int argc, char **argv);
};
/* Register extra commands (a NULL-name-terminated table). */
int monitor_register(const struct monitor_cmd *table);
/* Register extra `info` subcommands (same shape; argv[0] is the item). */
int monitor_register_info(const struct monitor_cmd *table);
void monitor_printf(struct monitor *mon, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct board *monitor_board(struct monitor *mon);
/* spec: "stdio" or "unix:PATH,server,nowait"; starts a thread. */
int monitor_start(struct board *b, const char *spec);
/* Run one command line (for tests); output to fd. */
int monitor_run_line(struct board *b, int fd, const char *line);
/* `info registers` and `info mem` (system/monitor-cpu.c). */
int monitor_cpu_register(void);

#endif
