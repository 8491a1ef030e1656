# guests/: what runs inside the emulator besides kernel-lite.
# make linux-guest: Debian trixie's riscv64 kernel + a busybox initramfs
# and the kernel's symbols, cached in ${XDG_CACHE_HOME:-~/.cache}/vtrace/.
linux-guest:
	$(Q)bash guests/linux/linux-guest.sh >/dev/null

.PHONY: linux-guest

# Debian's Linux traced on vtrace-emu: execve per vCPU, babeltrace2,
# report --kallsyms (skips without the registry).
SCENARIOS += tests/linux/trace.sh
