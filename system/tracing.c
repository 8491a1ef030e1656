/* SPDX-License-Identifier: MIT */
/*
 * The emulator's events and their control.
 *
 * tcg/ knows nothing about events: it calls the hooks below, and each hook
 * fires the trace-events event of the same name on the vCPU that caused it.
 * The tcg events (exec_tb, guest_mem_before) are decided when a block is
 * translated: a vCPU's tcg mask bits are its block-cache key, and a change
 * reaches tcg through trace_vcpu.kick -> tcg_cpu_set_trace_mask(), which
 * takes effect at that vCPU's next block boundary and flushes only its jump
 * cache.  The other vCPUs keep running their blocks untouched.
 *
 * Built without CONFIG_TRACE (the nop backend), no hook is installed.
 */
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "system/tracing.h"
#include "trace/backend.h"
#include "trace/control.h"
#include "trace/hmp.h"
#include "trace/options.h"

static struct trace_vcpu vcpu_trace[CONFIG_MAX_VCPUS];
static struct trace_cmdline cmdline = {
	.backend.policy =
#ifdef CONFIG_RING_POLICY_BLOCK
		RING_POLICY_BLOCK,
#else
		RING_POLICY_DISCARD,
#endif
};
static const char *runstate = "prelaunch";

struct trace_vcpu *system_trace_vcpu(struct tcg_cpu *cpu)
{
	return &vcpu_trace[tcg_cpu_hartid(cpu)];
}

int system_trace_option(const char *arg)
{
	if (trace_cmdline_parse(&cmdline, arg, stderr) < 0)
		return -1;
	if (cmdline.help) {
		trace_cmdline_list(stdout);
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- hooks */

#ifdef CONFIG_TRACE
static void hook_translated(void *opaque, struct tcg_cpu *cpu, uint64_t pc,
			    unsigned ninsns, uint64_t host_ns)
{
	trace_translate_block(system_trace_vcpu(cpu), pc, ninsns, host_ns);
}

/* The translate-time flags of a block translated under @mask. */
static uint32_t hook_tb_flags(void *opaque, uint64_t mask)
{
	uint32_t flags = 0;

	if (mask & TRACE_EXEC_TB_VCPU_BIT)
		flags |= TCG_TF_EXEC_HOOK;
	if (mask & TRACE_GUEST_MEM_BEFORE_VCPU_BIT)
		flags |= TCG_TF_MEM_HOOK;
	return flags;
}

/* The vCPU holds no writer between blocks, nor while it sleeps: a
 * retired session's grace period waits for nothing else (ring.h). */
static void hook_boundary(void *opaque, struct tcg_cpu *cpu)
{
	ring_quiescent();
}

static void hook_idle(void *opaque, struct tcg_cpu *cpu, bool idle)
{
	if (idle)
		ring_thread_offline();
	else
		ring_thread_online();
}

static void hook_exec_tb(void *opaque, struct tcg_cpu *cpu, uint64_t pc)
{
	trace_exec_tb_exec(system_trace_vcpu(cpu), pc);
}

static void hook_mem(void *opaque, struct tcg_cpu *cpu, uint64_t vaddr,
		     unsigned info)
{
	trace_guest_mem_before_exec(system_trace_vcpu(cpu), vaddr, info);
}

static void hook_tb_invalidate(void *opaque, struct tcg_cpu *cpu, uint64_t pc,
			       uint64_t page, const char *reason)
{
	if (cpu)
		trace_tb_invalidate(system_trace_vcpu(cpu), pc, page, reason);
}

static void hook_tb_flush(void *opaque, struct tcg_cpu *cpu, unsigned blocks,
			  const char *reason)
{
	if (cpu)
		trace_tb_flush(system_trace_vcpu(cpu), blocks, reason);
}

static void hook_exception(void *opaque, struct tcg_cpu *cpu, uint64_t cause,
			   uint64_t epc, uint64_t tval)
{
	trace_cpu_exception(system_trace_vcpu(cpu), cause, epc, tval);
}

static void hook_interrupt(void *opaque, struct tcg_cpu *cpu, uint64_t cause,
			   uint64_t epc)
{
	trace_cpu_interrupt(system_trace_vcpu(cpu), cause, epc);
}

static void hook_syscall(void *opaque, struct tcg_cpu *cpu, const uint64_t *a)
{
	trace_guest_syscall(system_trace_vcpu(cpu), a[0], a[1], a[2], a[3], a[4],
			    a[5], a[6]);
}

static void hook_syscall_ret(void *opaque, struct tcg_cpu *cpu, uint64_t num,
			     uint64_t ret)
{
	trace_guest_syscall_ret(system_trace_vcpu(cpu), num, ret);
}

static void hook_tlb_flush(void *opaque, struct tcg_cpu *cpu,
			   const char *reason, uint64_t addr, uint64_t asid)
{
	trace_tlb_flush(system_trace_vcpu(cpu), reason, addr, asid);
}

static const struct tcg_hooks trace_hooks = {
	.translated = hook_translated,
	.tb_flags = hook_tb_flags,
	.exec_tb = hook_exec_tb,
	.mem = hook_mem,
	.tb_invalidate = hook_tb_invalidate,
	.tb_flush = hook_tb_flush,
	.exception = hook_exception,
	.interrupt = hook_interrupt,
	.syscall = hook_syscall,
	.syscall_ret = hook_syscall_ret,
	.tlb_flush = hook_tlb_flush,
	.boundary = hook_boundary,
	.idle = hook_idle,
};
#endif

/* Control changed a tcg bit of this vCPU's mask: the new key applies at
 * its next block boundary (called with control's lock held). */
static void kick_vcpu(void *opaque)
{
	struct tcg_cpu *cpu = opaque;

	tcg_cpu_set_trace_mask(cpu, system_trace_vcpu(cpu)->mask & TRACE_TCG_MASK);
}

/* A retired session waits for the vCPU's next block boundary. */
static void boundary_vcpu(void *opaque)
{
	tcg_kick(opaque);
}

/* ---------------------------------------------------------------- monitor */

/* Run a trace/hmp.c command and hand its output to the monitor. */
static int run_hmp(struct monitor *mon, int (*fn)(int, char **, FILE *),
		   int argc, char **argv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int ret;

	if (!out) {
		monitor_printf(mon, "error: out of memory\n");
		return -1;
	}
	ret = fn(argc - 1, argv + 1, out);
	fclose(out);
	monitor_printf(mon, "%s", text);
	free(text);
	return ret;
}

static int cmd_info_trace_events(struct monitor *mon, int argc, char **argv)
{
	return run_hmp(mon, trace_hmp_info_events, argc, argv);
}

static int cmd_trace_event(struct monitor *mon, int argc, char **argv)
{
	return run_hmp(mon, trace_hmp_trace_event, argc, argv);
}

static int cmd_trace_file(struct monitor *mon, int argc, char **argv)
{
	return run_hmp(mon, trace_hmp_trace_file, argc, argv);
}

static const struct monitor_cmd trace_cmds[] = {
	{ "trace-event", "NAME|GLOB on|off [vcpu N]",
	  "change the state of trace events (vcpu: only on that vCPU)", 2, 4,
	  cmd_trace_event },
	{ "trace-file", "[on|off|flush|set DIR]",
	  "show or change the trace output (flush: everything emitted so far "
	  "reaches the disk)", 0, 2, cmd_trace_file },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

static const struct monitor_cmd trace_info_cmds[] = {
	{ "trace-events", "[GLOB] [vcpu N]",
	  "show the state of trace events (name : state 0|1)", 0, 3,
	  cmd_info_trace_events },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

/* ---------------------------------------------------------------- setup */

void system_trace_init(struct board *b)
{
	for (unsigned h = 0; h < b->ncpus; h++) {
		struct trace_vcpu *tv = &vcpu_trace[h];

		tv->kick = kick_vcpu;
		tv->boundary = boundary_vcpu;
		tv->kick_opaque = b->cpus[h];
		trace_vcpu_register(tv, h);
		/* Events enabled by -trace before the vCPU existed. */
		tcg_cpu_set_trace_mask(b->cpus[h], tv->mask & TRACE_TCG_MASK);
	}
	monitor_register(trace_cmds);
	monitor_register_info(trace_info_cmds);
#ifdef CONFIG_TRACE
	tcg_machine_set_hooks(b->m, &trace_hooks, b);
	cmdline.backend.procname = "vtrace-emu";
	cmdline.backend.nvcpus = b->ncpus;
	cmdline.backend.nsys = CONFIG_SYS_RINGS;
	trace_backend_configure(&cmdline.backend);
	if (cmdline.requested) {
		/* On failure the backend said why; we run untraced. */
		trace_backend_on();
	}
#else
	if (cmdline.requested)
		fprintf(stderr, "vtrace-emu: warning: tracing is compiled out "
				"(CONFIG_TRACE is off); -trace has no effect\n");
#endif
}

void system_trace_vcpu_thread_start(struct tcg_cpu *cpu)
{
	struct trace_vcpu *tv = system_trace_vcpu(cpu);

	ring_thread_set_home(&tv->ring);
	ring_writer_bind_local_node(tv->ring);
	trace_vcpu_start(tv, tcg_cpu_get_pc(cpu));
	/* Until tcg_cpu_exec() runs: it may wait, stopped (hook_idle). */
	ring_thread_offline();
}

void system_trace_vcpu_thread_stop(struct tcg_cpu *cpu)
{
	struct tcg_cpu_stats st;

	tcg_cpu_get_stats(cpu, &st);
	ring_thread_online();	/* offline since tcg_cpu_exec() returned */
	trace_vcpu_stop(system_trace_vcpu(cpu), st.instret);
}

/* From main and from the monitor thread: one change at a time, so each
 * runstate_set event names the state it leaves. */
void system_runstate_set(const char *state)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	bool running = strcmp(state, "running") == 0;

	pthread_mutex_lock(&lock);
	if (strcmp(state, runstate) != 0) {
		trace_runstate_set(runstate, state);
		if (running || strcmp(runstate, "running") == 0)
			trace_vm_state_notify(running, state);
		runstate = state;
	}
	pthread_mutex_unlock(&lock);
}

void system_trace_exit(void)
{
#ifdef CONFIG_TRACE
	uint64_t dropped = trace_backend_dropped();
	int status;

	if (dropped)
		fprintf(stderr, "vtrace-emu: %llu trace events dropped (full "
				"rings or no consumer)\n", (unsigned long long)dropped);
	if (!trace_backend_session())
		return;
	status = trace_backend_stop();
	if (status != 0)
		fprintf(stderr, "vtrace-emu: the trace consumer exited with "
				"status %d\n", status);
#endif
}
