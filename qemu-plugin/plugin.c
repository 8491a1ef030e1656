/* SPDX-License-Identifier: MIT */
/*
 * libvtrace-qemu.so: vtrace inside a real QEMU, as a TCG plugin.
 *
 * QEMU calls qemu_plugin_install() once, before the machine exists.  We
 * check the API version, parse our arguments with trace/options.c (the
 * words of vtrace-emu's -trace), register one trace_vcpu per possible vCPU
 * (cpu_id = QEMU's vCPU index) and start the session through
 * trace/backend.c, which spawns vtrace-consumer from the folder this
 * library lives in, or attaches to consumer=SOCKET.  The callbacks below
 * fire the events of qemu-plugin/trace-events.  Any refusal (bad argument,
 * other API version, no consumer) is one line on stderr; install then
 * returns 0 with no callback registered, so QEMU runs on untraced.
 *
 * One writer per ring: a vCPU's ring is written only on that vCPU's
 * thread.  QEMU passes the vCPU index to most callbacks, but not to the
 * translation callback, and calls vcpu_init from the thread that creates
 * the vCPU.  So each thread learns its vCPU from the callbacks that name
 * it and run on it (idle, resume, syscall, block execution; in user mode
 * the main thread is vCPU 0 from the start) and keeps it in cur_vcpu;
 * the first such callback also emits vcpu_start.  A thread that translates
 * before any of those (in user mode, a new thread runs code before its
 * first syscall) takes the one vCPU that was created and that no thread
 * has claimed yet: threads and vCPUs pair one to one, so when one vCPU is
 * unclaimed, the one thread that has not claimed is its thread.  When
 * several are unclaimed, the translation is counted and reported at exit,
 * not written.
 *
 * exec_tb is decided at translation time: a block gets its execution
 * callback only when some vCPU has exec_tb on while it is translated.
 * QEMU shares translated blocks between vCPUs, so the callback still tests
 * the running vCPU's own mask before it writes.  A change of exec_tb
 * (control=PATH, `trace-event exec_tb on`) takes effect through QEMU's
 * plugin reset, the only way a plugin has to flush translated code: the
 * control thread may not call it (QEMU flushes on the calling vCPU), so
 * the change is noted (trace_vcpu.kick) and the next callback on a vCPU
 * thread calls qemu_plugin_reset(), whose completion registers our
 * callbacks again.  Events of the reset's short window are not traced.
 */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-plugin/control.h"
#include "qemu-plugin/qemu-plugin-api.h"
#include "trace.h"
#include "trace/backend.h"
#include "trace/control.h"
#include "trace/options.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

struct plugin_vcpu {
	struct trace_vcpu tv;
	bool started;		/* vcpu_start written (on its own thread) */
};

static struct plugin_vcpu vcpus[CONFIG_MAX_VCPUS];
static unsigned nvcpus;
/* vCPUs created (vcpu_init), and claimed by their own thread. */
static uint64_t created, claimed;
_Static_assert(CONFIG_MAX_VCPUS <= 64, "vCPU sets are 64-bit masks");
static bool system_mode;
static struct trace_cmdline cmdline = {
	.backend.policy =
#ifdef CONFIG_RING_POLICY_BLOCK
		RING_POLICY_BLOCK,
#else
		RING_POLICY_DISCARD,
#endif
};
static char consumer_bin[PATH_MAX];
static const char *control_path;
static qemu_plugin_id_t plugin_id;
/* A translation-time event changed (reset_wanted); a reset runs until
 * QEMU calls on_reset_done (reset_running). */
static bool reset_wanted, reset_running;
/* The vCPU this thread runs, once a callback on it said; -1 before. */
static __thread int cur_vcpu = -1;
static uint64_t unattributed;	/* translations not written: vCPU unknown */

#define PREFIX "vtrace-qemu: "

/* On vCPU @idx's own thread: remember it, and say it started. */
static void claim_vcpu(unsigned idx)
{
	struct plugin_vcpu *pv = &vcpus[idx];

	cur_vcpu = (int)idx;
	__atomic_fetch_or(&claimed, 1ull << idx, __ATOMIC_RELAXED);
	if (!pv->started) {
		pv->started = true;
		trace_vcpu_start(&pv->tv);
	}
}

static inline struct trace_vcpu *own_vcpu(unsigned idx)
{
	if (idx >= nvcpus)
		return NULL;
	if (__builtin_expect(cur_vcpu != (int)idx, 0))
		claim_vcpu(idx);
	return &vcpus[idx].tv;
}

/* ---------------------------------------------------------------- callbacks */

static void register_callbacks(qemu_plugin_id_t id);

static void on_reset_done(qemu_plugin_id_t id)
{
	register_callbacks(id);
	/* Pairs with the acquire exchange in maybe_reset(). */
	__atomic_store_n(&reset_running, false, __ATOMIC_RELEASE);
}

/* On a vCPU thread: start the plugin reset that a translation-time change
 * asked for, unless one runs. */
static inline void maybe_reset(void)
{
	if (__builtin_expect(!__atomic_load_n(&reset_wanted, __ATOMIC_RELAXED),
			     1))
		return;
	if (__atomic_exchange_n(&reset_running, true, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&reset_wanted, false, __ATOMIC_RELAXED);
	qemu_plugin_reset(plugin_id, on_reset_done);
}

/* trace_vcpu.kick: a tcg bit of a vCPU's mask changed (called by control
 * with its lock held, on any thread). */
static void kick_reset(void *opaque)
{
	__atomic_store_n(&reset_wanted, true, __ATOMIC_RELAXED);
}

static void on_exec_tb(unsigned int vcpu_index, void *userdata)
{
	struct trace_vcpu *tv = own_vcpu(vcpu_index);

	if (tv)
		trace_exec_tb(tv, (uint64_t)(uintptr_t)userdata);
	maybe_reset();
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t pc = qemu_plugin_tb_vaddr(tb);
	size_t n = qemu_plugin_tb_n_insns(tb);

	if (__atomic_load_n(&_TRACE_TRANSLATE_BLOCK_DSTATE, __ATOMIC_RELAXED)) {
		int idx = cur_vcpu;
		uint32_t bytes = 0;

		if (idx < 0) {
			uint64_t m = __atomic_load_n(&created, __ATOMIC_ACQUIRE) &
				     ~__atomic_load_n(&claimed, __ATOMIC_RELAXED);

			if (m && !(m & (m - 1))) {
				claim_vcpu((unsigned)__builtin_ctzll(m));
				idx = cur_vcpu;
			}
		}
		if (idx < 0) {
			__atomic_fetch_add(&unattributed, 1, __ATOMIC_RELAXED);
		} else {
			for (size_t i = 0; i < n; i++)
				bytes += (uint32_t)qemu_plugin_insn_size(
					qemu_plugin_tb_get_insn(tb, i));
			trace_translate_block(&vcpus[idx].tv, pc, (uint32_t)n,
					      bytes);
		}
	}
	if (__atomic_load_n(&_TRACE_EXEC_TB_DSTATE, __ATOMIC_RELAXED))
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec_tb,
						     QEMU_PLUGIN_CB_NO_REGS,
						     (void *)(uintptr_t)pc);
	maybe_reset();
}

static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu_index,
		       int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7,
		       uint64_t a8)
{
	struct trace_vcpu *tv = own_vcpu(vcpu_index);

	if (tv)
		trace_guest_syscall(tv, (uint64_t)num, a1, a2, a3, a4, a5, a6);
	maybe_reset();
}

static void on_syscall_ret(qemu_plugin_id_t id, unsigned int vcpu_index,
			   int64_t num, int64_t ret)
{
	struct trace_vcpu *tv = own_vcpu(vcpu_index);

	if (tv)
		trace_guest_syscall_ret(tv, (uint64_t)num, (uint64_t)ret);
	maybe_reset();
}

static void on_vcpu_idle(qemu_plugin_id_t id, unsigned int vcpu_index)
{
	struct trace_vcpu *tv = own_vcpu(vcpu_index);

	if (tv)
		trace_vcpu_idle(tv);
	maybe_reset();
}

static void on_vcpu_resume(qemu_plugin_id_t id, unsigned int vcpu_index)
{
	struct trace_vcpu *tv = own_vcpu(vcpu_index);

	if (tv)
		trace_vcpu_resume(tv);
	maybe_reset();
}

/* Called on the thread that creates the vCPU, before the vCPU's thread
 * runs guest code (the release pairs with the acquire in on_tb_trans()).
 * In user mode, vCPU 0 is created by the main thread, which then runs it. */
static void on_vcpu_init(qemu_plugin_id_t id, unsigned int vcpu_index)
{
	if (vcpu_index >= nvcpus)
		return;
	__atomic_fetch_or(&created, 1ull << vcpu_index, __ATOMIC_RELEASE);
	if (!system_mode && vcpu_index == 0 && cur_vcpu < 0)
		own_vcpu(0);
}

/* On the vCPU's own thread when it ends (user mode: the thread exits, and
 * QEMU may give the index to a later thread). */
static void on_vcpu_exit(qemu_plugin_id_t id, unsigned int vcpu_index)
{
	if (vcpu_index >= nvcpus || cur_vcpu != (int)vcpu_index)
		return;
	trace_vcpu_stop(&vcpus[vcpu_index].tv);
	vcpus[vcpu_index].started = false;
	cur_vcpu = -1;
	__atomic_fetch_and(&created, ~(1ull << vcpu_index), __ATOMIC_RELAXED);
	__atomic_fetch_and(&claimed, ~(1ull << vcpu_index), __ATOMIC_RELAXED);
}

static void on_qemu_exit(qemu_plugin_id_t id, void *userdata)
{
	uint64_t dropped = trace_backend_dropped();
	uint64_t lost = __atomic_load_n(&unattributed, __ATOMIC_RELAXED);
	int status;

	if (dropped)
		fprintf(stderr, PREFIX "%llu trace events dropped (full rings "
			"or no consumer)\n", (unsigned long long)dropped);
	if (lost)
		fprintf(stderr, PREFIX "%llu translate_block events not "
			"written: translated on a thread whose vCPU was not "
			"known yet\n", (unsigned long long)lost);
	if (!trace_backend_session())
		return;
	status = trace_backend_stop();
	if (status != 0)
		fprintf(stderr, PREFIX "the trace consumer exited with status "
			"%d\n", status);
}

/* ---------------------------------------------------------------- install */

static const char *const plugin_keys[] = {
	"enable", "events", "dir", "consumer", "policy", "ring", "control",
	NULL,
};

/* One key=value argument from QEMU.  0, or -1 after one line on stderr. */
static int parse_arg(const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0;
	char *text = NULL, *line;
	size_t len = 0;
	FILE *err;
	int ret;

	for (unsigned i = 0; eq && plugin_keys[i]; i++) {
		if (strlen(plugin_keys[i]) != klen ||
		    strncmp(arg, plugin_keys[i], klen) != 0)
			continue;
		if (strcmp(plugin_keys[i], "control") == 0) {
			control_path = eq + 1;	/* QEMU keeps argv */
			return 0;
		}
		err = open_memstream(&text, &len);
		if (!err)
			return -1;
		if (strcmp(plugin_keys[i], "dir") == 0) {
			/* QEMU keeps file= for the plugin's own path. */
			char *copy;

			if (asprintf(&copy, "file=%s", eq + 1) < 0) {
				fclose(err);
				free(text);
				return -1;
			}
			ret = trace_cmdline_parse(&cmdline, copy, err);
			free(copy);
		} else {
			ret = trace_cmdline_parse(&cmdline, arg, err);
		}
		fclose(err);
		/* Its lines (errors, warnings), with our name in front
		 * instead of the option's. */
		for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			char *opt = strstr(line, "-trace ");

			if (opt)
				memmove(opt, opt + 7, strlen(opt + 7) + 1);
			fprintf(stderr, PREFIX "%s%s\n", line,
				ret < 0 ? "; tracing is off" : "");
		}
		free(text);
		return ret;
	}
	fprintf(stderr, PREFIX "unknown argument '%s' (enable=GLOB, "
		"events=FILE, dir=DIR, consumer=SOCKET, "
		"policy=discard|block, ring=KB, control=PATH); tracing is off\n",
		arg);
	return -1;
}

/* At install, and again when a plugin reset is over. */
static void register_callbacks(qemu_plugin_id_t id)
{
	qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init);
	qemu_plugin_register_vcpu_exit_cb(id, on_vcpu_exit);
	qemu_plugin_register_vcpu_idle_cb(id, on_vcpu_idle);
	qemu_plugin_register_vcpu_resume_cb(id, on_vcpu_resume);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
	qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
	qemu_plugin_register_vcpu_syscall_ret_cb(id, on_syscall_ret);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
}

/* vtrace-consumer next to this library (build/). */
static void find_consumer(void)
{
	Dl_info dl;
	char self[PATH_MAX];

	if (!dladdr((void *)find_consumer, &dl) || !dl.dli_fname) {
		snprintf(consumer_bin, sizeof(consumer_bin), "vtrace-consumer");
		return;
	}
	snprintf(self, sizeof(self), "%s", dl.dli_fname);
	snprintf(consumer_bin, sizeof(consumer_bin), "%s/vtrace-consumer",
		 dirname(self));
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	unsigned want;

	if (info->version.cur != QEMU_PLUGIN_VERSION) {
		fprintf(stderr, PREFIX "QEMU's plugin API is version %d, this "
			"plugin is built for version %d only; tracing is off\n",
			info->version.cur, QEMU_PLUGIN_VERSION);
		return 0;
	}
	system_mode = info->system_emulation;
	want = system_mode ? (unsigned)info->system.max_vcpus :
			     CONFIG_MAX_VCPUS;
	nvcpus = want < CONFIG_MAX_VCPUS ? want : CONFIG_MAX_VCPUS;
	if (want > nvcpus)
		fprintf(stderr, PREFIX "tracing vCPUs 0 to %u of %u (this "
			"build's CONFIG_MAX_VCPUS)\n", nvcpus - 1, want);
	for (unsigned i = 0; i < nvcpus; i++)
		trace_vcpu_register(&vcpus[i].tv, i);
	for (int i = 0; i < argc; i++)
		if (parse_arg(argv[i]) < 0)
			return 0;
	/* From now on (nothing is translated yet), a change of a
	 * translation-time event needs a plugin reset. */
	for (unsigned i = 0; i < nvcpus; i++)
		vcpus[i].tv.kick = kick_reset;

	find_consumer();
	cmdline.backend.consumer_bin = consumer_bin;
	cmdline.backend.procname = program_invocation_short_name;
	cmdline.backend.nvcpus = nvcpus;
	cmdline.backend.nsys = 0;
	trace_backend_configure(&cmdline.backend);
	/* On failure the backend said why in one line. */
	if (cmdline.requested && trace_backend_on() < 0)
		return 0;
	if (control_path) {
		int err = qplugin_control_start(control_path);

		if (err) {
			fprintf(stderr, PREFIX "control=%s: %s; tracing is off\n",
				control_path, strerror(-err));
			if (trace_backend_session())
				trace_backend_stop();
			return 0;
		}
	}

	plugin_id = id;
	register_callbacks(id);
	return 0;
}
