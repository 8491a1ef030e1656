// SPDX-License-Identifier: MIT
/*
 * vtrace: the user tool.  `vtrace COMMAND [ARGS]`; each command lives in
 * its own file (dump.c, report.c, export.c, ctl.c) and is listed in the
 * table below.
 */
#include <stdio.h>
#include <string.h>

#include "tools/vtrace/vtrace.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(void *file);
	const char *summary;
};

static const struct command commands[] = {
	{ "dump", vt_cmd_dump, vt_dump_usage,
	  "print a trace as text, one line per event, streams merged" },
	{ "report", vt_cmd_report, vt_report_usage,
	  "where translation and execution time go, per vCPU; what was lost" },
	{ "export", vt_cmd_export, vt_export_usage,
	  "write a trace as Perfetto JSON or folded stacks" },
	{ "ctl", vt_cmd_ctl, vt_ctl_usage,
	  "send one command to the emulator's monitor socket" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: vtrace COMMAND [ARGS]\n\ncommands:\n");
	for (unsigned int i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "  %-8s %s\n", "help", "this text, or `help COMMAND`");
	fprintf(f, "  %-8s %s\n", "--version", "print the version and exit");
	fprintf(f, "\nexamples:\n"
		   "  vtrace dump trace-1234 | head\n"
		   "  vtrace report --elf build/kernel-lite.elf trace-1234\n");
}

static const struct command *find(const char *name)
{
	for (unsigned int i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		if (argc > 2) {
			cmd = find(argv[2]);
			if (!cmd) {
				fprintf(stderr, "vtrace: no command '%s'\n",
					argv[2]);
				return 2;
			}
			cmd->usage(stdout);
			return 0;
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-version")) {
		printf("vtrace version " VTRACE_VERSION "\n");
		return 0;
	}
	cmd = find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "vtrace: no command '%s' (try vtrace help)\n",
			argv[1]);
		return 2;
	}
	return cmd->run(argc - 1, argv + 1);
}
