// SPDX-License-Identifier: MIT
/*
 * A stand-in for a QEMU whose plugin API is another version, which this
 * machine does not have: load PLUGIN as QEMU does (dlopen, check
 * qemu_plugin_version, call qemu_plugin_install) and pass version
 * {min, cur} = {MIN, CUR} in qemu_info_t.  Prints what install returned;
 * the plugin must refuse in one line and return 0 without calling QEMU
 * (none of QEMU's functions exist here: lazy binding would fail on the
 * first call).
 *
 *	other-api PLUGIN MIN CUR [ARG...]
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "qemu-plugin/qemu-plugin-api.h"

typedef int (*install_fn)(qemu_plugin_id_t, const qemu_info_t *, int,
			  char **);

int main(int argc, char **argv)
{
	qemu_info_t info = {
		.target_name = "riscv64",
		.system_emulation = true,
		.system = { .smp_vcpus = 1, .max_vcpus = 1 },
	};
	void *handle;
	install_fn install;
	int *version;

	if (argc < 4) {
		fprintf(stderr, "usage: other-api PLUGIN MIN CUR [ARG...]\n");
		return 2;
	}
	info.version.min = atoi(argv[2]);
	info.version.cur = atoi(argv[3]);
	handle = dlopen(argv[1], RTLD_LAZY | RTLD_LOCAL);
	if (!handle) {
		fprintf(stderr, "other-api: %s\n", dlerror());
		return 1;
	}
	version = dlsym(handle, "qemu_plugin_version");
	install = (install_fn)dlsym(handle, "qemu_plugin_install");
	if (!version || !install) {
		fprintf(stderr, "other-api: not a QEMU plugin\n");
		return 1;
	}
	printf("plugin version %d\n", *version);
	printf("install returned %d\n", install(1, &info, argc - 4, argv + 4));
	return 0;
}
