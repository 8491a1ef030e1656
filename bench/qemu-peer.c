// SPDX-License-Identifier: MIT
/*
 * The peers of libvtrace-qemu.so for make bench (bench/run-qemu-plugin.sh),
 * one small TCG plugin with three modes, all on every block execution:
 *
 *   mode=text      one text line per executed block ("vcpu, 0xpc"), written
 *                  with stdio to out=FILE, the way QEMU's execlog plugin
 *                  logs: the text peer of exec_tb
 *   mode=callback  a callback per executed block that adds one to a
 *                  counter: the cost of a callback that does nothing
 *   mode=inline    QEMU's inline add (qemu_plugin_register_vcpu_tb_exec_inline)
 *                  on one counter: no call at all
 *
 * At exit it writes "blocks N" to out=FILE (callback, inline) or to stderr
 * (text).  API version 1 has no per-vCPU inline counter: the inline add is
 * a plain add that vCPUs running at the same time may lose.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "qemu-plugin/qemu-plugin-api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum mode { MODE_TEXT, MODE_CALLBACK, MODE_INLINE };

static enum mode mode;
static FILE *out;
static uint64_t blocks;

static void exec_text(unsigned int vcpu_index, void *userdata)
{
	fprintf(out, "%u, 0x%" PRIx64 "\n", vcpu_index,
		(uint64_t)(uintptr_t)userdata);
}

static void exec_count(unsigned int vcpu_index, void *userdata)
{
	__atomic_fetch_add(&blocks, 1, __ATOMIC_RELAXED);
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	void *pc = (void *)(uintptr_t)qemu_plugin_tb_vaddr(tb);

	switch (mode) {
	case MODE_TEXT:
		qemu_plugin_register_vcpu_tb_exec_cb(tb, exec_text,
						     QEMU_PLUGIN_CB_NO_REGS, pc);
		break;
	case MODE_CALLBACK:
		qemu_plugin_register_vcpu_tb_exec_cb(tb, exec_count,
						     QEMU_PLUGIN_CB_NO_REGS, pc);
		break;
	case MODE_INLINE:
		qemu_plugin_register_vcpu_tb_exec_inline(
			tb, QEMU_PLUGIN_INLINE_ADD_U64, &blocks, 1);
		break;
	}
}

static void on_exit_cb(qemu_plugin_id_t id, void *userdata)
{
	if (mode == MODE_TEXT) {
		fclose(out);
		return;
	}
	fprintf(out, "blocks %" PRIu64 "\n", blocks);
	fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	const char *path = NULL;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "mode=text"))
			mode = MODE_TEXT;
		else if (!strcmp(argv[i], "mode=callback"))
			mode = MODE_CALLBACK;
		else if (!strcmp(argv[i], "mode=inline"))
			mode = MODE_INLINE;
		else if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
		else {
			fprintf(stderr, "qemu-peer: unknown argument '%s'\n",
				argv[i]);
			return -1;
		}
	}
	out = path ? fopen(path, "w") : NULL;
	if (!out) {
		fprintf(stderr, "qemu-peer: out=FILE is needed\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
	qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
	return 0;
}
