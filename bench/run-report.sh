#!/usr/bin/env bash
# make bench (bench/run.sh runs every bench/run-*.sh): reading a >= 1 GB
# trace.  One vtrace-stress recording (2 threads x 9 M events, block
# policy, ~1.15 GB), page cache warmed first, then RUNS interleaved rounds
# of:
#   babeltrace2 DIR > /dev/null           (the peer, text output: ~30 s)
#   babeltrace2 DIR -o dummy              (the peer decoding, no output)
#   vtrace dump DIR > /dev/null
#   vtrace report DIR > /dev/null
# each under /usr/bin/time for the peak RSS; every figure is the median
# with min and max, every ratio taken within a round.  Then a trace of the
# emulator's TCG events (make-trace.py --bench-tcg: exec_tb and
# translate_block over 4096 blocks), where report does a hash probe per
# event.  Prints "BENCH name value unit" lines.
# Env: O (build dir), DATA (where the traces go), RUNS, EVENTS_PER_THREAD.
set -uo pipefail
O=${O:-build}
DATA=${DATA:-$O/bench-data}
RUNS=${RUNS:-3}
N=${EVENTS_PER_THREAD:-9000000}
TRACE=$DATA/report-trace
TCG=$DATA/report-tcg
mkdir -p "$DATA"

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
emit() { echo "BENCH $*"; }

# timed NAME CMD...: one run; appends its seconds to $DATA/t.NAME and its
# peak RSS (KiB) to $DATA/rss.NAME.
timed() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$DATA/time.out" "$@" >/dev/null 2>"$DATA/cmd.err"
	local rc=$?
	[ $rc -ne 0 ] && echo "note: $* exited $rc: $(tail -n 2 "$DATA/cmd.err")"
	read -r s k <"$DATA/time.out"
	echo "$s" >>"$DATA/t.$name"
	echo "$k" >>"$DATA/rss.$name"
}
# stats FILE UNIT: "median UNIT min X max Y"
stats() { sort -g "$1" | awk -v u="$2" '{a[NR] = $1}
	END {printf "%s %s min %s max %s", a[int((NR + 1) / 2)], u, a[1], a[NR]}'; }
# speedup A B: per round, B's time / A's time (how many times faster A is)
speedup() { paste "$DATA/t.$2" "$DATA/t.$1" | awk '$2 > 0 {printf "%.1f\n", $1 / $2}' >"$DATA/ratio"; stats "$DATA/ratio" ratio; }

echo "== reading a trace: vtrace-stress -t 2 -n $N -p block"
rm -rf "$TRACE"
"$O/vtrace-stress" -t 2 -n "$N" -p block -o "$TRACE" >"$DATA/stress.out" 2>&1 ||
	{ echo "vtrace-stress failed: $(tail -n 3 "$DATA/stress.out")"; exit 0; }
bytes=$(du -sb "$TRACE" | cut -f1)
events=$(sed -n 's/^emitted=\([0-9]*\) dropped=0$/\1/p' "$DATA/stress.out")
[ -n "$events" ] || events=$("$O/vtrace" dump --count "$TRACE" | awk '{n += $NF} END {print n}')
mb=$(awk -v b="$bytes" 'BEGIN {printf "%.0f", b / 1e6}')
echo "trace: $events events, $mb MB in $TRACE"
emit report_trace_MB "$mb" MB
emit report_trace_bytes_per_event "$(awk -v b="$bytes" -v n="$events" 'BEGIN {printf "%.1f", b / n}')" B
cat "$TRACE"/* >/dev/null	# page cache warm for every reader alike

# Interleaved rounds: babeltrace2's text output, babeltrace2 into its
# dummy sink (decoding without formatting), vtrace dump, vtrace report.
readers=(dump report)
command -v babeltrace2 >/dev/null && readers=(bt_text bt_dummy dump report) ||
	echo "note: babeltrace2 not installed, no peer figure"
rm -f "$DATA"/t.* "$DATA"/rss.*
echo "== $RUNS interleaved rounds of: ${readers[*]}"
for i in $(seq "$RUNS"); do
	for r in "${readers[@]}"; do
		case $r in
		bt_text) timed $r babeltrace2 "$TRACE" ;;
		bt_dummy) timed $r babeltrace2 "$TRACE" -o dummy ;;
		*) timed $r "$O/vtrace" $r "$TRACE" ;;
		esac
	done
done
for r in "${readers[@]}"; do
	awk -v n="$events" '{printf "%.0f\n", n / $1}' "$DATA/t.$r" >"$DATA/eps"
	awk '{printf "%.1f\n", $1 / 1024}' "$DATA/rss.$r" >"$DATA/mb"
	case $r in
	bt_text) name=babeltrace2_read ;;
	bt_dummy) name=babeltrace2_dummy ;;
	*) name=vtrace_$r ;;
	esac
	echo "$r: seconds per round $(tr '\n' ' ' <"$DATA/t.$r")"
	emit "${name}_events_per_s" "$(stats "$DATA/eps" events/s)"
	emit "${name}_peak_rss_MB" "$(stats "$DATA/mb" MB)"
done
for r in dump report; do
	[ -s "$DATA/t.bt_text" ] || break
	emit "vtrace_${r}_vs_babeltrace2" "$(speedup $r bt_text)"
	emit "vtrace_${r}_vs_babeltrace2_dummy" "$(speedup $r bt_dummy)"
done
rm -f "$DATA"/t.* "$DATA"/rss.* "$DATA/eps" "$DATA/mb" "$DATA/ratio"
rm -rf "$TRACE"

echo "== report on the emulator's TCG events (exec_tb + translate_block, 4096 blocks)"
rm -rf "$TCG"
if /usr/bin/python3 tests/vtrace/make-trace.py "$TCG" --bench-tcg $((2 * N)) >"$DATA/gen.out" 2>&1; then
	tbytes=$(du -sb "$TCG" | cut -f1)
	for i in $(seq "$RUNS"); do timed tcg "$O/vtrace" report "$TCG"; done
	echo "vtrace report (tcg): $((2 * N)) events, $((tbytes / 1000000)) MB, seconds per run $(tr '\n' ' ' <"$DATA/t.tcg")"
	awk -v n=$((2 * N)) '{printf "%.0f\n", n / $1}' "$DATA/t.tcg" >"$DATA/eps"
	awk '{printf "%.1f\n", $1 / 1024}' "$DATA/rss.tcg" >"$DATA/mb"
	emit vtrace_report_tcg_events_per_s "$(stats "$DATA/eps" events/s)"
	emit vtrace_report_tcg_peak_rss_MB "$(stats "$DATA/mb" MB)"
	rm -f "$DATA/t.tcg" "$DATA/rss.tcg" "$DATA/eps" "$DATA/mb"
else
	echo "note: make-trace.py --bench-tcg failed: $(tail -n 2 "$DATA/gen.out")"
fi
rm -rf "$TCG"
