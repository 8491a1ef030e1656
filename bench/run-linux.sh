#!/usr/bin/env bash
# Linux figures for make bench (run by bench/run.sh with O, DATA, RUNS), all
# on the same cached image (make linux-guest) in the same run:
#  - boot to init (start to the workload's begin marker) and the standard
#    workload (begin to end marker), vtrace-emu next to qemu-system-riscv64;
#  - the cost of tracing on that boot + workload, vtrace-emu only:
#      (a) tracing compiled out (nop_defconfig build in $O/nop)
#      (b) compiled in, every event off
#      (c) translate_block on (the consumer writing the trace)
# The variants are interleaved, RUNS times (at least 3); each figure is
# printed with its median, min and max.  Times are the wall clock at
# which the console shows the markers (the console is read line by line).
# Without the Linux guest (no cache, no network) it says so and stops.
set -uo pipefail
O=${O:-build}
DATA=${DATA:-$O/bench-data}
RUNS=${RUNS:-3}
[ "$RUNS" -lt 3 ] && RUNS=3
smp=${BENCH_LINUX_SMP:-1}
emit() { echo "BENCH $*"; }

echo "== Debian's Linux, standard workload, -smp $smp (median, min, max of $RUNS, interleaved)"
cache=$(bash guests/linux/linux-guest.sh 2>"$DATA/linux-guest.err") || {
	echo "no Linux guest: $(tail -n 1 "$DATA/linux-guest.err"); Linux figures skipped"
	exit 0
}
cache=${cache##*$'\n'}
make --no-print-directory O="$O/nop" nop_defconfig >/dev/null &&
	make --no-print-directory -j2 O="$O/nop" "$O/nop/vtrace-emu" >/dev/null ||
	{ echo "cannot build $O/nop/vtrace-emu" >&2; exit 1; }
boot=(-smp "$smp" -nographic -no-reboot -kernel "$cache/Image"
      -initrd "$cache/initramfs.cpio.gz"
      -append "console=ttyS0 quiet panic=-1 vtrace.workload=standard")

# timed CMD...: "boot_s workload_s total_s" from the console's markers.
timed() {
	local t0
	t0=$(date +%s.%N)
	"$@" </dev/null 2>"$DATA/linux.err" | python3 -c '
import sys, time
t0 = float(sys.argv[1])
begin = end = None
for line in sys.stdin.buffer:
    now = time.time()
    if begin is None and b"vtrace workload standard begin" in line:
        begin = now
    elif b"vtrace workload standard end: status 0" in line:
        end = now
done = time.time()
if begin is None or end is None:
    print("failed")
else:
    print("%.3f %.3f %.3f" % (begin - t0, end - begin, done - t0))
' "$t0"
}

# RES[variant.round] = "boot work total"; a failed run leaves no entry.
declare -A RES
variants=(qemu a b c)
for i in $(seq "$RUNS"); do
	for v in "${variants[@]}"; do
		rm -rf "$DATA/linux-trace"
		case $v in
		qemu) r=$(timed qemu-system-riscv64 -M virt -m 512M "${boot[@]}") ;;
		a) r=$(timed "$O/nop/vtrace-emu" "${boot[@]}") ;;
		b) r=$(timed "$O/vtrace-emu" "${boot[@]}") ;;
		c) r=$(timed "$O/vtrace-emu" "${boot[@]}" \
			-trace "translate_block,file=$DATA/linux-trace") ;;
		esac
		[ "$r" = failed ] && { echo "run $i ($v) failed: $(tail -n 2 "$DATA/linux.err")"; continue; }
		RES[$v.$i]=$r
	done
done
rm -rf "$DATA/linux-trace"

# column VARIANT K: field K (1 boot, 2 work, 3 total) of every round, one
# per line, "-" for a failed run, so two columns pair up by round.
column() {
	for i in $(seq "$RUNS"); do
		if [ -n "${RES[$1.$i]:-}" ]; then
			echo "${RES[$1.$i]}" | awk -v k="$2" '{print $k}'
		else
			echo -
		fi
	done
}
# figure NAME UNIT: median, min and max of the numbers on stdin.
figure() {
	grep -v '^-$' | sort -g | awk -v n="$1" -v u="$2" '{a[NR] = $1}
		END {if (NR) printf "BENCH %s %s %s min %s max %s\n", n, a[int((NR + 1) / 2)], u, a[1], a[NR]}'
}
# per_round X Y SCALE: X / Y per round (times SCALE, minus 100 for %).
per_round() { paste <(column "$1" "$3") <(column "$2" "$3") |
	awk -v p="$4" '$1 != "-" && $2 != "-" && $2 > 0 {
		if (p) printf "%.2f\n", ($1 / $2 - 1) * 100; else printf "%.3f\n", $1 / $2 }'; }

declare -A names=([qemu]="qemu-system-riscv64" [a]="(a) compiled out" [b]="(b) every event off" [c]="(c) translate_block on")
k=0
for key in boot work total; do
	k=$((k + 1))
	for v in "${variants[@]}"; do
		column "$v" "$k" | figure "linux_${key}_s_$v" s
	done
done
for v in "${variants[@]}"; do
	echo "   ${names[$v]}: boot to init, workload, total (s) per round:" \
		"$(for i in $(seq "$RUNS"); do printf '[%s] ' "${RES[$v.$i]:-failed}"; done)"
done
# Per round, vtrace-emu (b) against QEMU: a time ratio, below 1 is faster.
per_round b qemu 1 0 | figure linux_boot_emu_vs_qemu ratio
per_round b qemu 2 0 | figure linux_workload_emu_vs_qemu ratio
# Per round, the cost of (b) and (c) against (a), boot + workload.
per_round b a 3 1 | figure linux_overhead_b_vs_a_pct %
per_round c a 3 1 | figure linux_overhead_c_vs_a_pct %
