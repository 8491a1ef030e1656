/* SPDX-License-Identifier: MIT */
/*
 * The virt-like board: RAM, ns16550a UART, CLINT, sifive_test finisher,
 * device tree, ELF loader, one host thread per hart.  Laid out like QEMU's
 * riscv `virt` (see docs in reference/qemu-trace.md §7).
 */
#ifndef VTRACE_SYSTEM_BOARD_H
#define VTRACE_SYSTEM_BOARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "generated/autoconf.h"
#include "tcg/cpu.h"

#define VIRT_TEST_BASE 0x100000ull
#define VIRT_TEST_SIZE 0x1000ull
#define VIRT_CLINT_BASE 0x2000000ull
#define VIRT_CLINT_SIZE 0x10000ull
#define VIRT_UART_BASE 0x10000000ull
#define VIRT_UART_SIZE 0x100ull
#define VIRT_DRAM_BASE 0x80000000ull
#define VIRT_TIMEBASE_FREQ 10000000ull
#define VIRT_FDT_MAX_SIZE 0x100000u	/* QEMU's FDT_MAX_SIZE */

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

	/* run state: vCPUs run while `running`; -S, stop, cont */
	pthread_mutex_t run_lock;
	pthread_cond_t run_cond;
	bool running;

	/* CLINT */
	pthread_mutex_t clint_lock;
	pthread_cond_t clint_cond;
	pthread_t clint_thread;
	uint64_t mtimecmp[CONFIG_MAX_VCPUS];
	int64_t mtime_offset;	/* ticks added to the host clock */
	uint64_t start_ns;

	/* UART registers (byte-wide, regshift 0) */
	pthread_mutex_t uart_lock;
	uint8_t uart_ier, uart_lcr, uart_mcr, uart_scr, uart_dll, uart_dlm;
	int uart_rx;		/* next byte from stdin or -1 */
	bool uart_stdin;	/* UART reads stdin (not the monitor) */
	int uart_out_fd;
};

/* RAM size and hart count must be valid (checked by main). */
int board_init(struct board *b, unsigned ncpus, uint64_t ram_size);
/* Load an RV64 ELF into RAM; on error print why and return -1. */
int board_load_elf(struct board *b, const char *path);
/* Build the device tree, place it like QEMU, set a0/a1/pc of each hart. */
int board_setup_boot(struct board *b);
/* Start the vCPU and timer threads; vCPUs run only if `running`. */
int board_start(struct board *b, bool running);
void board_set_running(struct board *b, bool running);
/* Power off: every vCPU thread ends, board_wait() returns code. */
void board_shutdown(struct board *b, int code);
/* Wait for the guest to shut down; returns the exit status. */
int board_wait(struct board *b);
uint64_t board_mtime(struct board *b);

/* system/fdt.c: the device tree blob, VIRT_FDT_MAX_SIZE bytes. */
int board_build_fdt(struct board *b, void *fdt, unsigned size);
/* QEMU's riscv_compute_fdt_addr/riscv_load_fdt placement. */
uint64_t board_fdt_addr(uint64_t dram_base, uint64_t dram_size,
			unsigned fdt_size);

/* system/loader.c */
int board_load_elf_image(const char *path, uint8_t *ram, uint64_t ram_base,
			 uint64_t ram_size);

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

#endif
