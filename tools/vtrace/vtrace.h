/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of the vtrace user tool.  Each takes the arguments after
 * its name (argv[0] is the subcommand) and returns the exit status:
 * 0 success, 1 the trace could not be read or was damaged, 2 bad usage.
 */
#ifndef VTRACE_VTRACE_H
#define VTRACE_VTRACE_H

#include <stdbool.h>
#include <stdint.h>

struct vt_trace;

int vt_cmd_dump(int argc, char **argv);
void vt_dump_usage(void *file);
int vt_cmd_report(int argc, char **argv);
void vt_report_usage(void *file);
int vt_cmd_export(int argc, char **argv);
void vt_export_usage(void *file);
int vt_cmd_ctl(int argc, char **argv);
void vt_ctl_usage(void *file);

/* Shared option parsers: 0 or -EINVAL.  A time is seconds, or a number
 * with ns, us, ms or s; a cpu is N, vcpuN or sysN. */
int vt_parse_time(const char *arg, uint64_t *ns);
int vt_parse_cpu(const char *arg, uint32_t *cpu_id);

/* --events GLOB[,GLOB...]: an event is selected when it matches an
 * including glob (or there is none) and no -GLOB. */
struct vt_filter {
	char **patterns;
	unsigned int n;
};
int vt_filter_add(struct vt_filter *f, const char *arg);	/* 0 or -ENOMEM */
bool vt_filter_match(const struct vt_filter *f, const char *name);
void vt_filter_free(struct vt_filter *f);

/* After a pass: if the reader found problems, say how many on stderr
 * (naming dir) and return 1, else 0. */
int vt_trace_problems(struct vt_trace *t, const char *dir);

#endif /* VTRACE_VTRACE_H */
