#!/usr/bin/env bash
# make bench (bench/run.sh runs every bench/run-*.sh): reading a >= 1 GB
# trace.  One vtrace-stress recording (2 threads x 9 M events, block
# policy, ~1.15 GB), page cache warmed first, then in the same run:
#   babeltrace2 DIR > /dev/null     (the peer, once: ~30 s)
#   vtrace dump DIR > /dev/null     (median of RUNS)
#   vtrace report DIR > /dev/null   (median of RUNS)
# each under /usr/bin/time for the peak RSS.  Then a trace of the
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

# measure NAME CMD...: sets SECS and RSS_KB (medians over RUNS; once for
# babeltrace2)
measure() {
	local runs=$1 i
	shift
	local secs=() rss=()
	for i in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$DATA/time.out" "$@" >/dev/null 2>"$DATA/cmd.err"
		local rc=$?
		[ $rc -ne 0 ] && echo "note: $* exited $rc: $(tail -n 2 "$DATA/cmd.err")"
		read -r s k <"$DATA/time.out"
		secs+=("$s")
		rss+=("$k")
	done
	SECS=$(printf '%s\n' "${secs[@]}" | median)
	RSS_KB=$(printf '%s\n' "${rss[@]}" | median)
}

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
cat "$TRACE"/* >/dev/null	# page cache warm for every reader alike

bt_eps=
if command -v babeltrace2 >/dev/null; then
	measure 1 babeltrace2 "$TRACE"
	bt_eps=$(awk -v n="$events" -v s="$SECS" 'BEGIN {printf "%.0f", n / s}')
	echo "babeltrace2: $SECS s, peak RSS $((RSS_KB / 1024)) MB"
	emit babeltrace2_read_events_per_s "$bt_eps" events/s
	emit babeltrace2_read_peak_rss_MB "$(awk -v k="$RSS_KB" 'BEGIN {printf "%.1f", k / 1024}')" MB
else
	echo "note: babeltrace2 not installed, no peer figure"
fi

for cmd in dump report; do
	measure "$RUNS" "$O/vtrace" "$cmd" "$TRACE"
	eps=$(awk -v n="$events" -v s="$SECS" 'BEGIN {printf "%.0f", n / s}')
	echo "vtrace $cmd: $SECS s (median of $RUNS), peak RSS $((RSS_KB / 1024)) MB"
	emit "vtrace_${cmd}_events_per_s" "$eps" events/s
	emit "vtrace_${cmd}_MB_per_s" "$(awk -v b="$bytes" -v s="$SECS" 'BEGIN {printf "%.0f", b / s / 1e6}')" MB/s
	emit "vtrace_${cmd}_peak_rss_MB" "$(awk -v k="$RSS_KB" 'BEGIN {printf "%.1f", k / 1024}')" MB
	[ -n "$bt_eps" ] && emit "vtrace_${cmd}_vs_babeltrace2" \
		"$(awk -v a="$eps" -v b="$bt_eps" 'BEGIN {printf "%.1f", a / b}')" ratio
done
rm -rf "$TRACE"

echo "== report on the emulator's TCG events (exec_tb + translate_block, 4096 blocks)"
rm -rf "$TCG"
if /usr/bin/python3 tests/vtrace/make-trace.py "$TCG" --bench-tcg $((2 * N)) >"$DATA/gen.out" 2>&1; then
	tbytes=$(du -sb "$TCG" | cut -f1)
	measure "$RUNS" "$O/vtrace" report "$TCG"
	echo "vtrace report (tcg): $((2 * N)) events, $((tbytes / 1000000)) MB, $SECS s, peak RSS $((RSS_KB / 1024)) MB"
	emit vtrace_report_tcg_events_per_s "$(awk -v n=$((2 * N)) -v s="$SECS" 'BEGIN {printf "%.0f", n / s}')" events/s
	emit vtrace_report_tcg_peak_rss_MB "$(awk -v k="$RSS_KB" 'BEGIN {printf "%.1f", k / 1024}')" MB
else
	echo "note: make-trace.py --bench-tcg failed: $(tail -n 2 "$DATA/gen.out")"
fi
rm -rf "$TCG"
