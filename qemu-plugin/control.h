/* SPDX-License-Identifier: MIT */
/*
 * The plugin's control socket: vtrace-emu's monitor words for tracing
 * (trace/hmp.c) on a Unix socket that `vtrace ctl` speaks to.
 */
#ifndef VTRACE_QEMU_PLUGIN_CONTROL_H
#define VTRACE_QEMU_PLUGIN_CONTROL_H

/* Listen on @path (a socket there is replaced) and serve from a thread of
 * our own until the process exits.  0 or -errno. */
int qplugin_control_start(const char *path);

#endif /* VTRACE_QEMU_PLUGIN_CONTROL_H */
