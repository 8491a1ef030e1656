#!/usr/bin/env bash
# bench-runs: kernel-lite-bench runs to completion on qemu-system-riscv64
# and on our emulator, on 1 and 2 harts, and reports every workload with
# its exact instruction count.  Timings are never compared (tests never
# assert speed); with ticks and mips masked the outputs must be identical.
#
#   O=build bash tests/kernel-lite/bench-runs.sh
#
# Without qemu only the emulator is checked; a missing build/vtrace-emu
# is a failure.
set -u
O=${O:-build}
KERNEL=$O/kernel-lite-bench.elf
EMU=$O/vtrace-emu
QEMU=qemu-system-riscv64
TIMEOUT=${KL_TIMEOUT:-60}

[ -f "$KERNEL" ] || { echo "FAIL: $KERNEL not built"; exit 1; }
[ -x "$EMU" ] || { echo "FAIL: $EMU does not exist yet"; exit 1; }
runners=(emu)
if command -v "$QEMU" >/dev/null 2>&1; then
	runners=(qemu emu)
else
	echo "note: $QEMU not installed, checking the emulator alone"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# alu: 3 + 10 * 10M + 2; ldst and ldst_sv39: 1 + 10 * 5M + 2; call:
# fib(30), 3 * F(31) + 18 * (F(31) - 1); fp: 10 + 10 * 5M + 2
expected_insns=(alu=100000005 ldst=50000003 call=28271631 fp=50000012
	ldst_sv39=50000003)

for smp in 1 2; do
	for r in "${runners[@]}"; do
		out=$tmp/$r.$smp
		if [ "$r" = qemu ]; then
			cmd=("$QEMU" -machine virt -bios none -nographic)
		else
			cmd=("$EMU" -nographic)
		fi
		timeout -k 5 "$TIMEOUT" "${cmd[@]}" -smp "$smp" -kernel "$KERNEL" \
			</dev/null >"$out" 2>"$out.err"
		rc=$?
		[ $rc -eq 0 ] || fail "$r -smp $smp exited $rc"
		grep -qFx "kernel-lite-bench: ok" "$out" ||
			fail "$r -smp $smp: no 'kernel-lite-bench: ok'"
		for e in "${expected_insns[@]}"; do
			name=${e%%=*} insns=${e#*=}
			n=$(grep -cE "^bench $name: insns=$insns ticks=[0-9]+ mips=[0-9]+\.[0-9]( hart=[0-9]+)?$" "$out")
			[ "$n" -eq "$smp" ] ||
				fail "$r -smp $smp: $n of $smp 'bench $name: insns=$insns ...' lines"
		done
		sed -E 's/ticks=[0-9]+ mips=[0-9.]+/ticks=T mips=M/' "$out" >"$out.masked"
		echo "$r -smp $smp:"
		sed 's/^/    /' "$out"
	done
	if [ ${#runners[@]} -eq 2 ] &&
	   ! cmp -s "$tmp/qemu.$smp.masked" "$tmp/emu.$smp.masked"; then
		fail "-smp $smp: outputs differ beyond timings"
		diff -u "$tmp/qemu.$smp.masked" "$tmp/emu.$smp.masked" | sed 's/^/    | /'
	fi
done

[ $failures -eq 0 ] && echo "PASS" || echo "$failures failure(s)"
[ $failures -eq 0 ]
