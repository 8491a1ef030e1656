/* SPDX-License-Identifier: MIT */
/*
 * The emulator's side of tracing: the -trace option, the per-vCPU trace
 * state, the tcg hooks that fire trace-events' events, the monitor's
 * trace commands, and the run state.
 */
#ifndef VTRACE_SYSTEM_TRACING_H
#define VTRACE_SYSTEM_TRACING_H

#include "system/board.h"
#include "trace.h"

/* -trace ARG: 0, 1 for "help" (events listed: exit 0), -1 error (printed). */
int system_trace_option(const char *arg);

/* After board_init: register the vCPUs, install the hooks and the monitor
 * commands, start the consumer session if -trace asked for tracing.  A
 * consumer that cannot be started is reported and the emulator goes on. */
void system_trace_init(struct board *b);

/* The trace state of the vCPU that runs @cpu. */
struct trace_vcpu *system_trace_vcpu(struct tcg_cpu *cpu);

/* On a vCPU thread, before it runs guest code, and when it ends. */
void system_trace_vcpu_thread_start(struct tcg_cpu *cpu);
void system_trace_vcpu_thread_stop(struct tcg_cpu *cpu);

/* QEMU's run states: "prelaunch", "running", "paused", "shutdown". */
void system_runstate_set(const char *state);

/* At exit: everything published reaches the disk, the consumer stops. */
void system_trace_exit(void);

#endif /* VTRACE_SYSTEM_TRACING_H */
