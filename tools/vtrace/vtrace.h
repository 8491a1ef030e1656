/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of the vtrace user tool.  Each takes the arguments after
 * its name (argv[0] is the subcommand) and returns the exit status:
 * 0 success, 1 the trace could not be read or was damaged, 2 bad usage.
 */
#ifndef VTRACE_VTRACE_H
#define VTRACE_VTRACE_H

int vt_cmd_dump(int argc, char **argv);
void vt_dump_usage(void *file);

#endif /* VTRACE_VTRACE_H */
