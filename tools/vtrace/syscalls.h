/* SPDX-License-Identifier: MIT */
/*
 * Names of Linux syscalls on riscv64 (the generic numbers), for
 * guest_syscall and guest_syscall_ret in dump and report.
 */
#ifndef VTRACE_SYSCALLS_H
#define VTRACE_SYSCALLS_H

#include <stdint.h>

/* "execve" for 221; NULL for a number no kernel assigns. */
const char *vt_syscall_name(uint64_t num);

#endif /* VTRACE_SYSCALLS_H */
