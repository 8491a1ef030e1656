#!/usr/bin/env bash
# Scenario 1b, producer crash, the emulator: kill -9 vtrace-emu at RUNS
# random moments while it runs kernel-lite-bench on 2 vCPUs with
# translate_block and exec_tb traced into a consumer started by hand.
# Before each kill the test sends the monitor a random number of `info jit`
# commands: each command line is published as a monitor_command event
# before it runs, and each translated block as translate_block before info
# jit counts it.  So each time
#   - the consumer notices, writes every published record, closes the
#     partial packets and exits 0;
#   - babeltrace2 reads the trace, with as many events as vtrace dump;
#   - the trace holds at least as many monitor_command events as replies
#     the test got, and as many translate_block events as the last info jit
#     counted (the emulator's "last reported sequence numbers"), and each
#     stream's timestamps never go back.
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-20}
emu=$BIN/vtrace-emu
klb=$O/kernel-lite-bench.elf
[ -x "$emu" ] && [ -f "$klb" ] || skip "vtrace-emu or kernel-lite-bench.elf is not built"

for ((run = 1; run <= RUNS; run++)); do
	dir=$tmp/t$run sock=$tmp/c.sock mon=$tmp/m.sock
	rm -f "$sock" "$mon"
	start_consumer "$dir" "$sock" "$tmp/c.err" --quiet
	"$emu" -smp 2 -nographic -kernel "$klb" -monitor "unix:$mon,server,nowait" \
		-trace "consumer=$sock,enable=translate_block,policy=block" -trace exec_tb \
		-trace monitor_command \
		>/dev/null 2>"$tmp/e.err" &
	emu_pid=$!
	started+=("$emu_pid")
	wait_for -S "$mon" 5 || fail "run $run: no monitor socket"
	replies=0 jit=
	for ((k = RANDOM % 3 + 1; k > 0; k--)); do
		sleep "$(rand_delay 1 8)"
		out=$("$O/vtrace" ctl "$mon" info jit 2>/dev/null) || break
		jit=$out
		replies=$((replies + 1))
	done
	kill -9 "$emu_pid" 2>/dev/null
	wait "$emu_pid" 2>/dev/null
	wait_exit "$cons_pid" 20
	rc=$?
	[ $rc = 0 ] || fail "run $run: the consumer exited with $rc: $(tail -3 "$tmp/c.err")"
	reported=$(echo "$jit" | awk '/^blocks translated/ {print $3}')
	[ -n "$reported" ] || reported=0	# the guest had finished: nothing reported
	bt=$(bt_count "$dir") || fail "run $run: babeltrace2 cannot read the trace"
	"$O/vtrace" dump "$dir" >"$tmp/dump" 2>"$tmp/dump.err" ||
		fail "run $run: vtrace dump: $(head -3 "$tmp/dump.err")"
	n=$(wc -l <"$tmp/dump")
	[ "$bt" = "$n" ] || fail "run $run: babeltrace2 reads $bt events, vtrace dump $n"
	tb=$(grep -c '^translate_block ' "$tmp/dump")
	mc=$(grep -c '^monitor_command .*line=info jit' "$tmp/dump")
	[ "$tb" -ge "$reported" ] ||
		fail "run $run: $tb translate_block events, but info jit counted $reported before the kill"
	[ "$mc" -ge "$replies" ] ||
		fail "run $run: $mc monitor_command events, but the monitor answered $replies commands"
	"$O/vtrace" dump --raw-time "$dir" | awk '{split($0, f, " "); for (i = 3; i <= NF; i++) if ($i ~ /^(vcpu|sys)=/) s = $i; if (s in last && $2 < last[s]) bad++; last[s] = $2} END {exit bad > 0}' ||
		fail "run $run: timestamps go back within a stream"
	echo "run $run: events=$n translate_block=$tb (info jit $reported) monitor_command=$mc (replies $replies)"
	RESULT_RUNS=$run
	rm -rf "$dir"
done
RESULT_NOTE="emulator killed -9 at $RUNS random moments; every trace read by babeltrace2; every monitor command answered and every block info jit counted before the kill is in the trace"
result
