# guests/: what runs inside the emulator besides kernel-lite.
# make linux-guest: Debian trixie's riscv64 kernel + a busybox initramfs
# and the kernel's symbols, cached in ${XDG_CACHE_HOME:-~/.cache}/vtrace/.
linux-guest:
	$(Q)bash guests/linux/linux-guest.sh >/dev/null

.PHONY: linux-guest

# Linux on 1, 2 and 4 harts against QEMU, its interactive shell, and
# Linux traced: execve per vCPU, babeltrace2, report --kallsyms (each
# skips without the registry).
SCENARIOS += tests/linux/boot.sh tests/linux/shell.sh tests/linux/trace.sh
