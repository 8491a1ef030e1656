/* SPDX-License-Identifier: MIT */
/*
 * vtrace-emu: command line (QEMU's option words), board setup, run.
 *
 *   vtrace-emu [-M virt] [-bios default|none|FILE] [-smp N] [-m SIZE]
 *              -kernel ELF|Image [-initrd FILE] [-append CMDLINE]
 *              [-no-reboot] [-nographic] [-monitor stdio|unix:PATH,server,nowait] [-S]
 *              [-d ITEMS] [-D LOGFILE] [-accel tcg[,backend=interp|native]]
 *              [-trace [enable=]GLOB[,events=FILE][,file=DIR]
 *                      [,consumer=SOCKET][,policy=discard|block][,ring=KB]
 *                      [,block-timeout=MS]]
 *
 * The exit status is the guest's, from the finisher at 0x100000.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "system/board.h"
#include "system/tracing.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vtrace-emu [options] -kernel ELF|Image\n"
		"  -M|-machine virt[,dumpdtb=FILE]\n"
		"                      the only board (QEMU's riscv virt layout);"
		" dumpdtb writes\n"
		"                      its device tree to FILE and exits\n"
		"  -bios FW            default (OpenSBI fw_dynamic), none, or an "
		"ELF or raw file;\n"
		"                      without -bios an ELF kernel loading at "
		"0x80000000 runs bare\n"
		"  -smp N              harts, 1 to %d (also cpus=N)\n"
		"  -m SIZE             RAM, e.g. 128M, 1G; plain number = MiB "
		"(default 512M)\n"
		"  -kernel FILE        RV64 ELF at its p_paddr, or a RISC-V Linux "
		"Image\n"
		"  -initrd FILE        initial ramdisk for the kernel\n"
		"  -append CMDLINE     kernel command line (/chosen/bootargs)\n"
		"  -no-reboot          a guest reset exits instead of rebooting\n"
		"  -nographic          UART on stdio (always the case)\n"
		"  -monitor DEV        stdio or unix:PATH,server,nowait; with "
		"stdio the monitor\n"
		"                      reads stdin and the UART gets no input\n"
		"  -S                  start with all vCPUs stopped (cont starts "
		"them)\n"
		"  -vcpu-pin           pin vCPU thread N to host CPU N (mod the "
		"CPU count)\n"
		"  -accel tcg[,backend=interp|native]\n"
		"                      the translator's backend: the threaded "
		"interpreter\n"
		"                      (default) or x86-64 machine code\n"
		"  -d ITEMS            log items, comma separated (-d help)\n"
		"  -D FILE             log to FILE instead of stderr\n"
		"  -trace [enable=]GLOB[,events=FILE][,file=DIR][,consumer=SOCKET]"
		"[,policy=discard|block]\n"
		"                      [,ring=KB][,block-timeout=MS]\n"
		"                      trace events (may repeat; -trace help lists "
		"them); without\n"
		"                      consumer= a vtrace-consumer is started, "
		"writing trace-PID/\n"
		"  -version            print the version and exit\n"
		"\nexamples:\n"
		"  vtrace-emu -nographic -smp 4 -kernel build/kernel-lite.elf "
		"-trace 'cpu_*'\n"
		"  vtrace-emu -nographic -kernel Image -initrd initramfs.cpio.gz "
		"\\\n"
		"      -append console=ttyS0 -trace translate_block,file=boot "
		"-monitor stdio\n",
		CONFIG_MAX_VCPUS);
}

/* -accel tcg[,backend=NAME]: *backend points into arg.  0 or -1 (said). */
static int parse_accel(const char *arg, const char **backend)
{
	const char *p;

	if (strncmp(arg, "tcg", 3) || (arg[3] && arg[3] != ',')) {
		fprintf(stderr, "vtrace-emu: -accel %s: only 'tcg' is "
				"supported\n", arg);
		return -1;
	}
	for (p = arg + 3; *p == ','; p += strcspn(p + 1, ",") + 1) {
		if (strncmp(p + 1, "backend=", 8)) {
			fprintf(stderr, "vtrace-emu: -accel: unknown property "
					"'%.*s' (backend=interp|native)\n",
				(int)strcspn(p + 1, ","), p + 1);
			return -1;
		}
		*backend = p + 9;
	}
	if (*backend) {
		static char name[32];
		size_t n = strcspn(*backend, ",");

		snprintf(name, sizeof(name), "%.*s", (int)n, *backend);
		if (n >= sizeof(name) || !tcg_backend_exists(name)) {
			fprintf(stderr, "vtrace-emu: -accel: no backend '%.*s' "
					"on this host (interp, native on "
					"x86-64)\n", (int)n, *backend);
			return -1;
		}
		*backend = name;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct board board;
	const char *monitor = NULL, *logfile = NULL, *dumpdtb = NULL;
	const char *backend = NULL;
	struct boot_config boot = { 0 };
	uint64_t ram_size = VIRT_DEFAULT_RAM;
	unsigned ncpus = 1, logmask = 0;
	bool start_stopped = false;
	int code;

	/* A monitor client or a stdout reader that hangs up must not kill the
	 * VM (QEMU ignores SIGPIPE too): the write fails with EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;

		if (o[0] == '-' && o[1] == '-')
			o++;
#define NEED_ARG                                                               \
	do {                                                                   \
		if (!arg) {                                                    \
			fprintf(stderr, "vtrace-emu: %s needs an argument\n", o); \
			return 1;                                              \
		}                                                              \
		i++;                                                           \
	} while (0)
		if (!strcmp(o, "-h") || !strcmp(o, "-help") ||
		    !strcmp(o, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(o, "-version") || !strcmp(o, "--version")) {
			printf("vtrace-emu version " VTRACE_VERSION
			       " (riscv64 virt, QEMU 7.2's option words)\n");
			return 0;
		} else if (!strcmp(o, "-smp")) {
			NEED_ARG;
			if (system_parse_smp(arg, CONFIG_MAX_VCPUS, &ncpus)) {
				fprintf(stderr, "vtrace-emu: -smp %s: need a "
						"number from 1 to %d\n", arg,
					CONFIG_MAX_VCPUS);
				return 1;
			}
		} else if (!strcmp(o, "-m")) {
			NEED_ARG;
			if (system_parse_size(arg, &ram_size) || ram_size < (4u << 20) ||
			    ram_size > (64ull << 30) || ram_size % 4096) {
				fprintf(stderr, "vtrace-emu: -m %s: need a size "
						"from 4M to 64G, e.g. 128M\n", arg);
				return 1;
			}
		} else if (!strcmp(o, "-kernel")) {
			NEED_ARG;
			boot.kernel = arg;
		} else if (!strcmp(o, "-initrd")) {
			NEED_ARG;
			boot.initrd = arg;
		} else if (!strcmp(o, "-append")) {
			NEED_ARG;
			boot.append = arg;
		} else if (!strcmp(o, "-no-reboot")) {
			boot.no_reboot = true;
		} else if (!strcmp(o, "-nographic")) {
		} else if (!strcmp(o, "-S")) {
			start_stopped = true;
		} else if (!strcmp(o, "-vcpu-pin")) {
			board.pin_vcpus = true;
		} else if (!strcmp(o, "-bios")) {
			NEED_ARG;
			boot.bios = arg;
		} else if (!strcmp(o, "-M") || !strcmp(o, "-machine")) {
			const char *d;

			NEED_ARG;
			if (strcmp(arg, "virt") && strncmp(arg, "virt,", 5) &&
			    strcmp(arg, "type=virt")) {
				fprintf(stderr, "vtrace-emu: -machine %s: only "
						"'virt' is supported\n", arg);
				return 1;
			}
			d = strstr(arg, ",dumpdtb=");
			if (d)
				dumpdtb = d + strlen(",dumpdtb=");
		} else if (!strcmp(o, "-monitor")) {
			NEED_ARG;
			monitor = arg;
		} else if (!strcmp(o, "-d")) {
			const char *bad;

			NEED_ARG;
			if (!strcmp(arg, "help")) {
				printf("Log items (comma separated):\n");
				tcg_log_print_items(stdout);
				return 0;
			}
			if (tcg_log_parse(arg, &logmask, &bad)) {
				fprintf(stderr, "vtrace-emu: -d: unknown log "
						"item in '%s' (try -d help)\n", bad);
				return 1;
			}
		} else if (!strcmp(o, "-accel")) {
			NEED_ARG;
			if (parse_accel(arg, &backend))
				return 1;
		} else if (!strcmp(o, "-D")) {
			NEED_ARG;
			logfile = arg;
		} else if (!strcmp(o, "-trace")) {
			int r;

			NEED_ARG;
			r = system_trace_option(arg);
			if (r)
				return r < 0 ? 1 : 0;
		} else {
			fprintf(stderr, "vtrace-emu: unknown option '%s' "
					"(try -help)\n", argv[i]);
			return 1;
		}
	}
	if (!boot.kernel && !dumpdtb && !boot.initrd && !boot.append &&
	    (!boot.bios || !strcmp(boot.bios, "none"))) {
		fprintf(stderr, "vtrace-emu: no -kernel given (try -help)\n");
		return 1;
	}
	if (logfile) {
		FILE *f = fopen(logfile, "w");

		if (!f) {
			fprintf(stderr, "vtrace-emu: -D %s: %s\n", logfile,
				strerror(errno));
			return 1;
		}
		setvbuf(f, NULL, _IOLBF, 0);
		tcg_log_set_file(f);
	}
	tcg_log_mask = logmask;

	if (board_init(&board, ncpus, ram_size, backend) ||
	    board_boot(&board, &boot))
		return 1;
	if (dumpdtb)
		return board_dump_fdt(&board, dumpdtb) ? 1 : 0;
	/* The guest image is good: now start tracing, so a bad image starts
	 * nothing, and the load shows in the trace. */
	system_trace_init(&board);
	if (boot.kernel)
		trace_load_file("kernel", boot.kernel);
	if (boot.initrd)
		trace_load_file("initrd", boot.initrd);
	board.uart_stdin = !(monitor && !strcmp(monitor, "stdio"));
	/* A background job that reads its terminal, or sets it up raw, is
	 * stopped by SIGTTIN or SIGTTOU and would hang there: leave a
	 * terminal that another process group owns alone. */
	if (isatty(0) && tcgetpgrp(0) != getpgrp()) {
		fprintf(stderr, "vtrace-emu: warning: stdin is a terminal this "
			"process does not own (a background job?): %s gets no "
			"input\n", board.uart_stdin ? "the guest console" :
			"the monitor");
		if (!board.uart_stdin)
			monitor = NULL;
		board.uart_stdin = false;
	}
	/* The monitor serves only once the board runs (or is stopped, -S):
	 * a `cont` before board_start() would race with it and be lost. */
	if (board_start(&board, !start_stopped)) {
		fprintf(stderr, "vtrace-emu: cannot start threads\n");
		return 1;
	}
	if (monitor && (monitor_cpu_register() ||
			monitor_start(&board, monitor))) {
		board_shutdown(&board, 1);
		board_wait(&board);
		return 1;
	}
	system_runstate_set(start_stopped ? "paused" : "running");
	code = board_wait(&board);
	system_runstate_set("shutdown");
	fflush(stdout);
	system_trace_exit();
	return code;
}
