#!/usr/bin/env bash
# The privileged-architecture guests (tests/priv/*.c on rt.S/rt.c): each
# runs on vtrace-emu -smp 2 and must print exactly its .expected file,
# taken from qemu-system-riscv64 7.2 -cpu rv64,h=false (we have no H;
# QEMU's H bits are masked in the guests); where qemu is installed the
# same run on it is compared live too.  Hart 1 only parks: with one hart
# QEMU runs AMOs as load+store and reports a misaligned AMO as a load.
set -u
O=${O:-build}
EMU=$O/vtrace-emu
P=tests/priv
W=$O/tests/priv
CC=riscv64-linux-gnu-gcc
QEMU=qemu-system-riscv64
GUESTS="csr-probe counters deleg modes pmp"
mkdir -p "$W"
fail=0
ok() { printf '  ok    %s\n' "$1"; }
bad() { printf '  FAIL  %s\n' "$1"; fail=1; }

if ! command -v $CC >/dev/null; then
	echo "SKIP: $CC not installed"
	exit 77
fi
[ -x "$EMU" ] || { echo "no $EMU (build it first)"; exit 1; }
have_qemu=0
command -v $QEMU >/dev/null && have_qemu=1

for g in $GUESTS; do
	$CC -march=rv64imac_zicsr_zifencei -mabi=lp64 -O2 -mcmodel=medany \
		-ffreestanding -fno-pic -nostdlib -static -Wall -Wextra \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments -T $P/link.ld \
		$P/rt.S $P/rt.c $P/$g.c -o "$W/$g.elf" || { bad "build $g"; continue; }
	timeout 30 $EMU -smp 2 -bios none -nographic -kernel "$W/$g.elf" \
		>"$W/$g.out" 2>"$W/$g.err" </dev/null
	rc=$?
	if [ $rc -eq 0 ] && cmp -s "$W/$g.out" $P/$g.expected; then
		ok "$g = golden ($(wc -l <"$W/$g.out") lines)"
	else
		bad "$g (rc $rc) differs from golden"
		diff "$W/$g.out" $P/$g.expected | head -20
	fi
	[ $have_qemu = 1 ] || continue
	timeout 30 $QEMU -M virt -cpu rv64,h=false -smp 2 -bios none \
		-nographic -kernel "$W/$g.elf" >"$W/$g.qemu" 2>/dev/null </dev/null
	qrc=$?
	if [ $qrc -eq $rc ] && cmp -s "$W/$g.out" "$W/$g.qemu"; then
		ok "$g = $QEMU"
	else
		bad "$g differs from $QEMU (rc $qrc)"
		diff "$W/$g.out" "$W/$g.qemu" | head -20
	fi
done
[ $have_qemu = 1 ] || echo "  (no $QEMU: compared with the golden files only)"
exit $fail
