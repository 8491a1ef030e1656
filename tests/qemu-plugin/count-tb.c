// SPDX-License-Identifier: MIT
/*
 * The independent count for tests/qemu-plugin/: a plugin that only counts
 * QEMU's translation callbacks and, at exit, writes "translations N" to
 * the file named by its argument out=FILE (stderr without it).  Loaded
 * beside libvtrace-qemu.so in the same QEMU run, it sees the same
 * translations through QEMU's own plugin code, not through ours.
 */
#include <stdio.h>
#include <string.h>

#include "qemu-plugin/qemu-plugin-api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t translations;
static const char *out_path;

static void count_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	__atomic_fetch_add(&translations, 1, __ATOMIC_RELAXED);
}

static void report(qemu_plugin_id_t id, void *userdata)
{
	FILE *f = out_path ? fopen(out_path, "w") : stderr;

	if (!f) {
		perror(out_path);
		return;
	}
	fprintf(f, "translations %llu\n",
		(unsigned long long)__atomic_load_n(&translations,
						    __ATOMIC_RELAXED));
	if (f != stderr)
		fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "out=", 4) == 0) {
			out_path = argv[i] + 4;
		} else {
			fprintf(stderr, "count-tb: unknown argument '%s'\n",
				argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, count_tb);
	qemu_plugin_register_atexit_cb(id, report, NULL);
	return 0;
}
