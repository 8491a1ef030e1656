// SPDX-License-Identifier: MIT
/*
 * A small static x86_64 program for tests/qemu-plugin/user-mode.sh: a
 * fixed list of system calls on two threads (two vCPUs under qemu-x86_64),
 * run natively under strace -f and under qemu-x86_64 with the plugin; the
 * two lists of syscall numbers must be the same.
 *
 * So that the list does not depend on the emulator or on timing: no call a
 * vDSO could answer (clock_gettime, time, getcpu); the second thread comes
 * from clone(2), not pthread_create (glibc tries clone3 first, which QEMU
 * 7.2 does not have: it would add a clone3 failing with ENOSYS and then a
 * clone), uses raw syscall(2) only (it shares the first thread's TLS), and
 * the first thread waits for its end by spinning on the CLONE_CHILD_CLEARTID
 * word, not in futex(2) (which it would enter or not, depending on timing).
 */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char stack[64 * 1024] __attribute__((aligned(16)));
static volatile pid_t child_tid;

static int worker(void *arg)
{
	char buf[64];
	long fd = syscall(SYS_openat, AT_FDCWD, (const char *)arg, O_RDONLY);

	if (fd >= 0) {
		while (syscall(SYS_read, fd, buf, sizeof(buf)) > 0)
			;
		syscall(SYS_close, fd);
	}
	syscall(SYS_gettid);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/etc/hostname";
	static const char msg[] = "syscalls: hello\n";
	struct stat st;

	if (write(1, msg, sizeof(msg) - 1) < 0)
		return 1;
	getpid();
	getppid();
	stat(path, &st);
	for (int i = 0; i < 3; i++)
		getuid();
	if (clone(worker, stack + sizeof(stack),
		  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		  CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
		  CLONE_CHILD_CLEARTID, (void *)path, &child_tid, NULL,
		  &child_tid) < 0)
		return 1;
	/* The kernel (or QEMU) zeroes child_tid when the thread is gone. */
	while (__atomic_load_n(&child_tid, __ATOMIC_ACQUIRE) != 0)
		;
	if (write(1, "syscalls: done\n", 15) < 0)
		return 1;
	return 0;
}
