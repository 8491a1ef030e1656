#!/usr/bin/env bash
# A guest that pokes the PLIC and the UART with 20000 nonsense accesses
# (tests/system/guests/nonsense.c: every size, aligned or not, reads and
# writes of random values at random offsets) survives them, takes the
# same access faults with the same mcause and mtval as on QEMU (golden
# nonsense.expected, and QEMU live), then prints and exits 9.
set -u
O=${O:-build}
EMU=$O/vtrace-emu
G=tests/system/guests
W=$O/tests/nonsense
mkdir -p "$W"
. "$(dirname "$0")/../guest-lib.sh"

$CC -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2 \
	-ffreestanding -fno-pic -nostdlib -static -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments -T $G/link.ld $G/nonsense.c \
	-o $W/nonsense.elf || exit 1
run() { # output-file emulator
	timeout 60 "$2" -M virt -bios none -nographic -m 128M -smp 2 \
		-kernel $W/nonsense.elf </dev/null 2>&1 | tr -d '\r' >"$1"
	return "${PIPESTATUS[0]}"
}
run $W/emu.out $EMU
rc=$?
[ $rc -eq 9 ] && ok "survives, exit status 9" || bad "exit status $rc"
cmp -s $W/emu.out $G/nonsense.expected &&
	ok "faults, causes and tvals = golden (from qemu)" ||
	{ bad "differs from golden"; diff $W/emu.out $G/nonsense.expected; }
if [ $have_qemu = 1 ]; then
	run $W/qemu.out $QEMU
	cmp -s $W/emu.out $W/qemu.out && ok "= qemu-system-riscv64" ||
		{ bad "differs from qemu"; diff $W/emu.out $W/qemu.out; }
fi
exit $fail
