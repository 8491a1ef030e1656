#!/usr/bin/env bash
# Scenario 2b, consumer crash under the emulator: vtrace-emu runs
# kernel-lite-bench on 2 vCPUs with exec_tb traced under the block policy
# into the consumer it started; the test kills that consumer with -9.
#   - the emulator keeps running: its monitor answers, the guest finishes
#     with its normal output and exit status 0, no hang;
#   - it reports the loss once ("the consumer is gone", with the block
#     policy's fallback to discard), and counts the drops (at exit);
#   - `trace-file on` from the monitor starts a new consumer, which
#     continues into a new trace directory that babeltrace2 reads.
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-2}
emu=$BIN/vtrace-emu
klb=$O/kernel-lite-bench.elf
[ -x "$emu" ] && [ -f "$klb" ] || skip "vtrace-emu or kernel-lite-bench.elf is not built"
total_dropped=0

for ((run = 1; run <= RUNS; run++)); do
	dir=$tmp/t$run mon=$tmp/m.sock
	rm -f "$mon"
	"$emu" -S -smp 2 -nographic -kernel "$klb" -monitor "unix:$mon,server,nowait" \
		-trace "exec_tb,policy=block,file=$dir" -trace monitor_command \
		>"$tmp/e.out" 2>"$tmp/e.err" &
	emu_pid=$!
	started+=("$emu_pid")
	wait_for -S "$mon" 5 || fail "run $run: no monitor socket"
	cons=$("$O/vtrace" ctl "$mon" trace-file | sed -n 's/.*consumer pid \([0-9]*\).*/\1/p')
	[ -n "$cons" ] || fail "run $run: no consumer pid from trace-file"
	"$O/vtrace" ctl "$mon" cont >/dev/null
	sleep "$(rand_delay 5 30)"
	kill -9 "$cons"
	sleep 0.05
	"$O/vtrace" ctl --timeout 5 "$mon" info cpus >/dev/null ||
		fail "run $run: the monitor does not answer after the consumer died"
	# The new trace: a little exec_tb, then only the monitor's own
	# commands (keeps babeltrace2's reading short).
	"$O/vtrace" ctl "$mon" trace-file on >/dev/null ||
		fail "run $run: trace-file on failed: $(tail -2 "$tmp/e.err")"
	"$O/vtrace" ctl "$mon" trace-event exec_tb off >/dev/null
	"$O/vtrace" ctl "$mon" info jit >/dev/null
	"$O/vtrace" ctl "$mon" trace-file flush >/dev/null ||
		fail "run $run: trace-file flush on the new consumer failed"
	wait_exit "$emu_pid" 60
	rc=$?
	[ $rc = 0 ] || fail "run $run: the emulator exited with $rc: $(tail -3 "$tmp/e.err")"
	grep -q '^kernel-lite-bench: ok$' "$tmp/e.out" || fail "run $run: the guest did not finish"
	gone=$(grep -c "the consumer is gone" "$tmp/e.err")
	[ "$gone" = 1 ] || fail "run $run: the loss was reported $gone times: $(cat "$tmp/e.err")"
	grep -q "the consumer is gone.*block policy falls back to discard" "$tmp/e.err" ||
		fail "run $run: the fallback to discard is not said"
	dropped=$(sed -n 's/^vtrace-emu: \([0-9]*\) trace events dropped.*/\1/p' "$tmp/e.err")
	[ "${dropped:-0}" -gt 0 ] || fail "run $run: no drops counted: $(cat "$tmp/e.err")"
	grep -q "holds a trace already; tracing into $dir.1" "$tmp/e.err" ||
		fail "run $run: no new directory: $(cat "$tmp/e.err")"
	bt=$(bt_count "$dir.1") || fail "run $run: babeltrace2 cannot read $dir.1"
	"$O/vtrace" dump -e monitor_command "$dir.1" >"$tmp/d1" || fail "run $run: vtrace dump $dir.1"
	grep -q "line=info jit" "$tmp/d1" || fail "run $run: the new trace lacks the commands sent after trace-file on"
	echo "run $run: dropped=$dropped after the kill; $dir.1: $bt events"
	total_dropped=$((total_dropped + dropped))
	RESULT_RUNS=$run
	rm -rf "$dir" "$dir.1"
done
RESULT_LOSSES=$total_dropped
RESULT_NOTE="consumer killed -9 under the emulator (block policy): the guest ran on, the loss was said once and counted, trace-file on continued into DIR.1"
result
