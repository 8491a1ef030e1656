/* SPDX-License-Identifier: MIT */
/*
 * The monitor's trace commands, QEMU's HMP words:
 *   info trace-events [GLOB] [vcpu N]     name : state 0|1
 *   trace-event GLOB on|off [vcpu N]
 *   trace-file [on|off|flush|set DIR]
 * Each takes the words after the command name and writes its reply to
 * @out.  A bad argument gets one line starting "error: " and changes
 * nothing; the return value is then -1, else 0.
 */
#ifndef VTRACE_TRACE_HMP_H
#define VTRACE_TRACE_HMP_H

#include <stdio.h>

int trace_hmp_info_events(int argc, char **argv, FILE *out);
int trace_hmp_trace_event(int argc, char **argv, FILE *out);
int trace_hmp_trace_file(int argc, char **argv, FILE *out);

#endif /* VTRACE_TRACE_HMP_H */
