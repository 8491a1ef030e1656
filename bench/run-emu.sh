#!/usr/bin/env bash
# Emulator figures for make bench (run by bench/run.sh with O, DATA, RUNS):
#  - guest MIPS of kernel-lite-bench (ALU, load/store, call/return and FP
#    loops, and the load/store loop through Sv39) on 1 and 2 harts, and
#    qemu-system-riscv64 on the same image in the same run;
#  - the cost of tracing on the same workload, 2 harts:
#      (a) tracing compiled out (nop_defconfig build in $O/nop)
#      (b) compiled in, every event off
#      (c) translate_block on
#      (d) every event on, exec_tb and guest_mem_before included, under
#          discard and under block: events/s, MB/s to disk, losses.
# Each figure is the median of RUNS runs (the MIPS ones with min and max);
# ratios are taken in this run.
set -uo pipefail
O=${O:-build}
DATA=${DATA:-$O/bench-data}
RUNS=${RUNS:-5}
[ "$RUNS" -lt 7 ] && RUNS=7
klb=$O/kernel-lite-bench.elf
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
emit() { echo "BENCH $*"; }

echo "== building the nop (tracing compiled out) emulator in $O/nop" >&2
make --no-print-directory O="$O/nop" nop_defconfig >/dev/null &&
	make --no-print-directory -j2 O="$O/nop" "$O/nop/vtrace-emu" >/dev/null ||
	{ echo "cannot build $O/nop/vtrace-emu" >&2; exit 1; }

# mips EMU SMP WORKLOAD [args...]: hart 0's guest MIPS for one workload.
mips_of() { sed -n "s/^bench $1: .* mips=\([0-9.]*\)$/\1/p" "$2"; }
# walltime EMU ARGS...: seconds for one run, output in $DATA/run.out
walltime() {
	local s e
	s=$(date +%s.%N)
	"$@" >"$DATA/run.out" 2>"$DATA/run.err" || { echo "run failed: $*" >&2; cat "$DATA/run.err" >&2; }
	e=$(date +%s.%N)
	awk -v a="$s" -v b="$e" 'BEGIN {printf "%.4f", b - a}'
}

echo "== guest MIPS, kernel-lite-bench (hart 0's figure; median, min and max of $RUNS rounds)"
echo "   qemu-system-riscv64: $(qemu-system-riscv64 --version 2>/dev/null | head -1)"
# A round runs vtrace-emu then QEMU on the same image; every ratio is
# taken per round (emu/QEMU of the same round, Sv39/Bare of the same run),
# then its median, min and max are printed, so a slow moment of the shared
# machine hits one pair, not one side.
# stats FILE: "median unit min X max Y" of the numbers in FILE.
stats() { sort -g "$1" | awk -v u="$2" '{a[NR] = $1}
	END {printf "%s %s min %s max %s", a[int((NR + 1) / 2)], u, a[1], a[NR]}'; }
# ratios A B: line by line A / B of two files of one number per line.
ratios() { paste "$1" "$2" | awk '$1 != "" && $2 > 0 {printf "%.3f\n", $1 / $2}'; }
for smp in 1 2; do
	for w in alu ldst call fp ldst_sv39; do : >"$DATA/mips.$w"; : >"$DATA/qmips.$w"; done
	for i in $(seq "$RUNS"); do
		"$O/vtrace-emu" -smp $smp -nographic -kernel "$klb" >"$DATA/emu.out"
		for w in alu ldst call fp ldst_sv39; do mips_of $w "$DATA/emu.out" >>"$DATA/mips.$w"; done
		if command -v qemu-system-riscv64 >/dev/null; then
			qemu-system-riscv64 -machine virt -bios none -nographic -smp $smp \
				-kernel "$klb" >"$DATA/qemu.out"
			for w in alu ldst call fp ldst_sv39; do mips_of $w "$DATA/qemu.out" >>"$DATA/qmips.$w"; done
		fi
	done
	for w in alu ldst call fp ldst_sv39; do
		emit "emu_mips_${w}_smp$smp" "$(stats "$DATA/mips.$w" MIPS)"
		if [ -s "$DATA/qmips.$w" ]; then
			emit "qemu_mips_${w}_smp$smp" "$(stats "$DATA/qmips.$w" MIPS)"
			ratios "$DATA/mips.$w" "$DATA/qmips.$w" >"$DATA/ratio"
			emit "emu_vs_qemu_${w}_smp$smp" "$(stats "$DATA/ratio" ratio)"
		fi
	done
	# Sv39 on vs paging off, same loop, same run (target: >= 0.70)
	ratios "$DATA/mips.ldst_sv39" "$DATA/mips.ldst" >"$DATA/ratio"
	emit "emu_sv39_vs_bare_ldst_smp$smp" "$(stats "$DATA/ratio" ratio)"
	if [ -s "$DATA/qmips.ldst" ]; then
		ratios "$DATA/qmips.ldst_sv39" "$DATA/qmips.ldst" >"$DATA/ratio"
		emit "qemu_sv39_vs_bare_ldst_smp$smp" "$(stats "$DATA/ratio" ratio)"
	fi
done

echo "== tracing overhead, kernel-lite-bench on 2 harts (median of $RUNS)"
# The run time is the guest's own: the sum of hart 0's ticks (mtime, 10 MHz)
# over its three loops, so the consumer's start-up and final drain, which
# a longer run amortizes, do not count; the wall time is shown beside it.
guest_s() { awk '/^bench [a-z]*: .* ticks=/ && !/hart=/ {sub(/.*ticks=/, ""); t += $1} END {printf "%.4f", t / 1e7}' "$DATA/run.out"; }
declare -A G W M MW
variant() {
	local v=$1; shift
	W[$v]+="$(walltime "$@") "
	G[$v]+="$(guest_s) "
}
for i in $(seq "$RUNS"); do
	# interleave the variants so drift hits them alike
	variant a "$O/nop/vtrace-emu" -smp 2 -nographic -kernel "$klb"
	variant b "$O/vtrace-emu" -smp 2 -nographic -kernel "$klb"
	rm -rf "$DATA/c"
	variant c "$O/vtrace-emu" -smp 2 -nographic -kernel "$klb" -trace translate_block,file="$DATA/c"
done
for v in a b c; do
	M[$v]=$(echo "${G[$v]}" | tr ' ' '\n' | grep . | median)
	MW[$v]=$(echo "${W[$v]}" | tr ' ' '\n' | grep . | median)
done
emit emu_time_a_compiled_out_s "${M[a]}" s
emit emu_time_b_all_off_s "${M[b]}" s
emit emu_time_c_translate_block_s "${M[c]}" s
emit emu_overhead_b_vs_a_pct "$(awk -v a="${M[a]}" -v b="${M[b]}" 'BEGIN {printf "%.2f", (b / a - 1) * 100}')" %
emit emu_overhead_c_vs_a_pct "$(awk -v a="${M[a]}" -v c="${M[c]}" 'BEGIN {printf "%.2f", (c / a - 1) * 100}')" %
echo "wall time with start-up and exit: (a) ${MW[a]} s (b) ${MW[b]} s (c) ${MW[c]} s (c starts and stops a consumer)"

for policy in discard block; do
	rm -rf "$DATA/d"
	t=$(walltime "$O/vtrace-emu" -smp 2 -nographic -kernel "$klb" -trace "*,policy=$policy,file=$DATA/d")
	sum=$(grep "vtrace-consumer: .* events, .* bytes" "$DATA/run.err")
	ev=$(echo "$sum" | sed -n 's/.*: \([0-9]*\) events, .*/\1/p')
	bytes=$(echo "$sum" | sed -n 's/.* events, \([0-9]*\) bytes.*/\1/p')
	drop=$(echo "$sum" | sed -n 's/.* bytes, \([0-9]*\) dropped.*/\1/p')
	echo "(d) every event on, $policy: $ev events, $bytes bytes, $drop dropped in $t s"
	emit "emu_all_events_${policy}_events_per_s" "$(awk -v n="$ev" -v t="$t" 'BEGIN {printf "%.0f", n / t}')" events/s
	emit "emu_all_events_${policy}_MBps" "$(awk -v n="$bytes" -v t="$t" 'BEGIN {printf "%.0f", n / t / 1e6}')" MB/s
	emit "emu_all_events_${policy}_dropped" "$drop" events
	emit "emu_all_events_${policy}_time_s" "$t" s
done
rm -rf "$DATA/c" "$DATA/d"
