#!/usr/bin/env bash
# The differential tester: one random guest program, run on vtrace-emu and
# on qemu-system-riscv64, outputs compared bit for bit.
#
#   O=build bash tests/diff/run-diff.sh GEN SEED CASES
#
# GEN names tests/diff/gen-GEN.py (fp, mmu, ...), which writes the program
# (linked with tests/diff/rt.S) and one description line per case; see
# tests/diff/README.md.  On a mismatch it prints the first differing case
# with its description and inputs.  Exit 77 (SKIP) when qemu or the cross
# compiler is missing; a missing build/vtrace-emu is a failure.  BACKEND
# (default interp) is vtrace-emu's translator backend.
set -u
O=${O:-build}
GEN=${1:?usage: run-diff.sh GEN SEED CASES}
SEED=${2:?seed}
CASES=${3:?cases}
DIR=$(dirname "$0")
EMU=$O/vtrace-emu
QEMU=qemu-system-riscv64
CC=riscv64-linux-gnu-gcc
TIMEOUT=${DIFF_TIMEOUT:-300}

for tool in "$QEMU" "$CC"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not installed"
		exit 77
	fi
done
if [ ! -x "$EMU" ]; then
	echo "FAIL: $EMU not built"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prog=$tmp/$GEN-$SEED

python3 "$DIR/gen-$GEN.py" --seed "$SEED" --cases "$CASES" --out "$prog" ||
	{ echo "FAIL: gen-$GEN.py"; exit 1; }
"$CC" -march=rv64gc -mabi=lp64d -mcmodel=medany -fno-pie -no-pie \
	-nostdlib -nostartfiles -static -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments -T "$DIR/diff.lds" -o "$prog.elf" \
	"$DIR/rt.S" "$prog.S" || { echo "FAIL: cross-compiling $GEN"; exit 1; }

run() {
	local name=$1
	shift
	timeout -k 5 "$TIMEOUT" "$@" -nographic -bios none -kernel "$prog.elf" \
		</dev/null >"$prog.$name" 2>"$prog.$name.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $name exited $rc$( [ $rc -eq 124 ] && echo ' (timeout)')"
		tail -n 5 "$prog.$name" "$prog.$name.err" | sed 's/^/    | /'
		return 1
	fi
	if [ "$(tail -n 1 "$prog.$name")" != "end" ]; then
		echo "FAIL: $name did not reach the end of the program"
		return 1
	fi
}
# The same RAM on both (QEMU's default; vtrace-emu's is larger), so that
# an address outside RAM is outside on both.
run qemu "$QEMU" -machine virt -m 128M || exit 1
run emu "$EMU" -accel tcg,backend="${BACKEND:-interp}" -m 128M || exit 1

ran=$(($(wc -l <"$prog.qemu") - 1))
if [ "$ran" -ne "$CASES" ]; then
	echo "FAIL: qemu reported $ran cases of $CASES"
	exit 1
fi
if cmp -s "$prog.qemu" "$prog.emu"; then
	echo "diff $GEN seed $SEED: $ran cases, same on qemu and vtrace-emu"
	exit 0
fi
# The first differing line, and the case it belongs to.
line=$(cmp "$prog.qemu" "$prog.emu" | sed -n 's/.* line \([0-9]*\).*/\1/p')
q=$(sed -n "${line}p" "$prog.qemu")
e=$(sed -n "${line}p" "$prog.emu")
case_no=$((16#${q%% *}))
echo "FAIL: diff $GEN seed $SEED: vtrace-emu differs from qemu at case $case_no"
echo "  case: $(grep -m1 "^$case_no " "$prog.cases")"
echo "  qemu: $q"
echo "  emu:  $e"
echo "  (report: case result fflags [trap cause tval epc]; reproduce with"
echo "   tests/diff/run-diff.sh $GEN $SEED $CASES)"
exit 1
