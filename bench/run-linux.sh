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
stats() { sort -g | awk '{a[NR] = $1} END {printf "%s %s %s", a[int((NR + 1) / 2)], a[1], a[NR]}'; }

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

declare -A R
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
		R[$v.boot]+="${r%% *} "
		r=${r#* }
		R[$v.work]+="${r%% *} "
		R[$v.total]+="${r#* } "
	done
done
rm -rf "$DATA/linux-trace"

names=([qemu]="qemu-system-riscv64" [a]="(a) compiled out" [b]="(b) every event off" [c]="(c) translate_block on")
declare -A MED
for v in "${variants[@]}"; do
	for k in boot work total; do
		[ -n "${R[$v.$k]:-}" ] || continue
		read -r med lo hi <<<"$(echo "${R[$v.$k]}" | tr ' ' '\n' | grep . | stats)"
		MED[$v.$k]=$med
		emit "linux_${k}_s_$v" "$med" s min "$lo" max "$hi"
	done
	echo "   ${names[$v]}: boot to init ${MED[$v.boot]:-?} s, workload ${MED[$v.work]:-?} s, total ${MED[$v.total]:-?} s"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b / a - 1) * 100}'; }
if [ -n "${MED[qemu.total]:-}" ] && [ -n "${MED[b.total]:-}" ]; then
	# times: below 1 is faster than QEMU
	emit linux_boot_emu_vs_qemu "$(ratio "${MED[b.boot]}" "${MED[qemu.boot]}")" ratio
	emit linux_workload_emu_vs_qemu "$(ratio "${MED[b.work]}" "${MED[qemu.work]}")" ratio
fi
if [ -n "${MED[a.total]:-}" ]; then
	for v in b c; do
		[ -n "${MED[$v.total]:-}" ] &&
			emit "linux_overhead_${v}_vs_a_pct" "$(pct "${MED[a.total]}" "${MED[$v.total]}")" %
	done
fi
