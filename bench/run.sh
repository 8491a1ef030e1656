#!/usr/bin/env bash
# make bench: print the figures of DESIGN.md §7 with their peers measured in
# the same run, and write them to build/bench.json (name -> value, unit).
# Lines "BENCH name value unit" are the figures; everything else is context.
# BENCH_DIR (default build/bench-data, on the build's disk) holds the traces.
set -uo pipefail
O=${O:-build}
B=$O/bench
DATA=${BENCH_DIR:-$O/bench-data}
RUNS=${BENCH_RUNS:-3}
mkdir -p "$DATA"
out=$O/bench.txt
: >"$out"
emit() { echo "BENCH $*" | tee -a "$out"; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
bash scripts/deps.sh bench || true

echo "== producer cost (bench-producer: medians of 9 runs of $((64 * 1024 * 1024 / 64 * 7 / 8)) events)"
"$B/bench-producer" | tee -a "$out"

if [ -x "$B/lttng-bench" ] && command -v lttng >/dev/null; then
	echo "== peer: LTTng-UST $(dpkg-query -W -f='${Version}' liblttng-ust-dev 2>/dev/null), same loop, recording session"
	pgrep -x lttng-sessiond >/dev/null || lttng-sessiond --daemonize >/dev/null 2>&1
	rm -rf "$DATA/lttng"
	if lttng create vtrace-bench --output="$DATA/lttng" >/dev/null &&
		lttng enable-event -u vtrace_bench:event >/dev/null && lttng start >/dev/null; then
		"$B/lttng-bench" 2000000 | tee -a "$out"
		lttng stop >/dev/null
		lttng destroy vtrace-bench >/dev/null
		# bytes on disk per event recorded (babeltrace2 counts them)
		n=$(babeltrace2 "$DATA/lttng" 2>/dev/null | wc -l)
		[ "$n" -gt 0 ] && emit lttng_ust_bytes_per_event "$(du -sb "$DATA/lttng" | awk -v n="$n" '{printf "%.1f", $1 / n}')" B
	fi
	rm -rf "$DATA/lttng"
	ours=$(awk '$2 == "producer_enabled_1t_ns" {print $3}' "$out")
	peer=$(awk '$2 == "lttng_ust_enabled_1t_ns" {print $3}' "$out")
	[ -n "$peer" ] && emit lttng_over_vtrace_enabled "$(awk -v a="$peer" -v b="$ours" 'BEGIN {printf "%.1f", a / b}')" ratio
else
	echo "== peer: LTTng-UST not installed (apt-get install lttng-tools liblttng-ust-dev)"
fi

# Disk: each round writes 2 GiB raw (io_uring, O_DIRECT, 256 KiB writes,
# QD 32) and then streams 20 M events through vtrace-stress and the
# consumer (block policy), at 1, 2 and 4 producer threads; sustained/raw is
# taken per round, so a slow moment of the shared disk hits one pair.
# stats FILE UNIT: "median UNIT min X max Y" of the numbers in FILE.
stats() { sort -g "$1" | awk -v u="$2" '{a[NR] = $1}
	END {printf "%s %s min %s max %s", a[int((NR + 1) / 2)], u, a[1], a[NR]}'; }
total=20000000
for t in 1 2 4; do
	echo "== disk: raw io_uring write of $DATA against vtrace-stress -t $t -n $((total / t)) -p block ($RUNS interleaved rounds)"
	: >"$DATA/raw" && : >"$DATA/mbps" && : >"$DATA/eps" && : >"$DATA/ratio"
	for i in $(seq "$RUNS"); do
		raw=$("$B/uring-write" "$DATA/raw.dat" 2048 256 32 | sed 's/MB\/s=\([0-9]*\).*/\1/')
		rm -f "$DATA/raw.dat"
		rm -rf "$DATA/stress"
		start=$(date +%s.%N)
		res=$("$O/vtrace-stress" -t "$t" -n $((total / t)) -p block -o "$DATA/stress" 2>"$DATA/stress.err")
		end=$(date +%s.%N)
		bytes=$(sed -n 's/.* events, \([0-9]*\) bytes.*/\1/p' "$DATA/stress.err")
		case $res in *"dropped=0") ;; *) echo "round $i lost events: $res" ;; esac
		mbps=$(awk -v a="$start" -v b="$end" -v n="$bytes" 'BEGIN {printf "%.0f", n / (b - a) / 1e6}')
		echo "round $i: raw $raw MB/s, vtrace $mbps MB/s ($res, $bytes bytes)"
		echo "$raw" >>"$DATA/raw"
		echo "$mbps" >>"$DATA/mbps"
		awk -v a="$start" -v b="$end" -v n=$total 'BEGIN {printf "%.0f\n", n / (b - a)}' >>"$DATA/eps"
		awk -v a="$mbps" -v b="$raw" 'BEGIN {printf "%.2f\n", a / b}' >>"$DATA/ratio"
	done
	emit "disk_raw_uring_MBps_t$t" "$(stats "$DATA/raw" MB/s)"
	emit "sustained_block_MBps_t$t" "$(stats "$DATA/mbps" MB/s)"
	emit "sustained_block_events_per_s_t$t" "$(stats "$DATA/eps" events/s)"
	emit "sustained_block_bytes_per_event_t$t" "$(awk -v b="$bytes" -v n=$total 'BEGIN {printf "%.1f", b / n}')" B
	emit "sustained_vs_raw_disk_t$t" "$(stats "$DATA/ratio" ratio)"
done
rm -rf "$DATA/stress" "$DATA/raw" "$DATA/mbps" "$DATA/eps" "$DATA/ratio"

for extra in bench/run-*.sh; do
	[ -f "$extra" ] && O=$O DATA=$DATA RUNS=$RUNS bash "$extra" | tee -a "$out"
done

/usr/bin/python3 - "$out" "$O/bench.json" <<'PY'
import json, sys
figures = {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) >= 3 and p[0] == "BENCH":
        try:
            fig = {"value": float(p[2]), "unit": p[3] if len(p) > 3 else ""}
            # "min X max Y" after the unit: the spread of the rounds
            for k, v in zip(p[4::2], p[5::2]):
                if k in ("min", "max"):
                    fig[k] = float(v)
            figures[p[1]] = fig
        except ValueError:
            pass
json.dump(figures, open(sys.argv[2], "w"), indent=1, sort_keys=True)
print("wrote %s (%d figures)" % (sys.argv[2], len(figures)))
PY
