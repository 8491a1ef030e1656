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
# BACKEND=native runs the guests on the native backend (tests/tcg/native.sh)
ACCEL="-accel tcg,backend=${BACKEND:-interp}"
P=tests/priv
W=$O/tests/priv
GUESTS="csr-probe counters deleg modes pmp"
mkdir -p "$W"
. "$(dirname "$0")/../guest-lib.sh"

for g in $GUESTS; do
	$CC -march=rv64imac_zicsr_zifencei -mabi=lp64 -O2 -mcmodel=medany \
		-ffreestanding -fno-pic -nostdlib -static -Wall -Wextra \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments -T $P/link.ld \
		$P/rt.S $P/rt.c $P/$g.c -o "$W/$g.elf" || { bad "build $g"; continue; }
	timeout 30 $EMU $ACCEL -smp 2 -bios none -nographic -kernel "$W/$g.elf" \
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

# OpenSBI (Debian's fw_jump) with an S-mode payload at 0x80200000, linked
# into one image; 1 and 4 harts.  Everything it prints must equal QEMU's
# -cpu rv64,h=false,sstc=false (we have neither) but the "Base ISA" line
# (F and D are the fpu's part) and the boot hart's id (the lottery
# winner, any hart).  Golden: sbi-1.expected, sbi-4.expected.
FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
if [ ! -f $FW ]; then
	echo "  (no $FW: OpenSBI not checked)"
else
	$CC -march=rv64imac_zicsr_zifencei -mabi=lp64 -O2 -mcmodel=medany \
		-ffreestanding -fno-pic -nostdlib -static -Wall -Wextra \
		-DFW_JUMP_BIN="\"$FW\"" -Wl,--build-id=none \
		-Wl,--no-warn-rwx-segments -T $P/sbi.ld $P/sbi-start.S \
		$P/sbi-payload.c -o "$W/sbi.elf" || bad "build sbi payload"
	for n in 1 4; do
		timeout 60 $EMU $ACCEL -smp $n -bios none -nographic \
			-kernel "$W/sbi.elf" </dev/null 2>&1 |
			grep -v "Base ISA\|Boot HART ID\|Domain0 Boot HART" >"$W/sbi-$n.out"
		if cmp -s "$W/sbi-$n.out" $P/sbi-$n.expected; then
			ok "OpenSBI + payload, $n hart(s) = golden"
		else
			bad "OpenSBI + payload, $n hart(s) differs from golden"
			diff "$W/sbi-$n.out" $P/sbi-$n.expected | head -20
		fi
		[ $have_qemu = 1 ] || continue
		timeout 60 $QEMU -M virt -cpu rv64,h=false,sstc=false -smp $n \
			-bios none -nographic -kernel "$W/sbi.elf" </dev/null \
			2>&1 | grep -v "Base ISA\|Boot HART ID\|Domain0 Boot HART" >"$W/sbi-$n.qemu"
		cmp -s "$W/sbi-$n.out" "$W/sbi-$n.qemu" &&
			ok "OpenSBI + payload, $n hart(s) = $QEMU" ||
			{ bad "OpenSBI, $n hart(s) differs from $QEMU"
			  diff "$W/sbi-$n.out" "$W/sbi-$n.qemu" | head -20; }
	done
fi
[ $have_qemu = 1 ] || echo "  (no $QEMU: compared with the golden files only)"
exit $fail
