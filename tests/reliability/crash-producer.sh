#!/usr/bin/env bash
# Scenario 1, producer crash: under load, kill -9 the producer at RUNS
# random moments.  Each time:
#   - the consumer notices (hang-up or pidfd), writes every published record,
#     closes the partial packets and exits 0 within 20 s;
#   - babeltrace2 reads the trace, and counts exactly the records that the
#     byte-level checker finds;
#   - every ring's sequence numbers form a prefix with no hole
#     (check-seq --prefix 0: at least one record, no hole);
#   - vcpu0's prefix reaches at least the last sequence number the producer
#     reported over a pipe (--seq-fd) before it died.
# Load: 2 producer threads, block policy, 16 KiB rings (4 packets), so the
# producer waits on the consumer all the time and every kill lands with
# packets in flight, partial packets and a waiting producer; odd runs mix
# 1-, 2- and 3-slot records.  The kill comes 0..250 ms after the first seq
# report.  RUNS (default 20), BIN (default $O).
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-20}
N=100000000	# per thread: far more than a run emits before the kill
missing_total=0 events_total=0

for ((run = 1; run <= RUNS; run++)); do
	dir=$tmp/t$run sock=$tmp/s.sock fifo=$tmp/seq.fifo seqf=$tmp/seq.txt
	rm -f "$fifo" "$seqf"
	mkfifo "$fifo"
	mix=
	((run % 2)) && mix=--mix
	start_consumer "$dir" "$sock" "$tmp/c.err" --quiet
	cat "$fifo" >"$seqf" &
	cat_pid=$!
	"$BIN/vtrace-stress" -t 2 -n $N -p block --ring-kb 16 $mix \
		--consumer "$sock" --seq-fd 3 3>"$fifo" >/dev/null 2>"$tmp/p.err" &
	prod_pid=$!
	started+=("$prod_pid")
	wait_for -s "$seqf" 10 || { cat "$tmp/p.err"; fail "run $run: no seq report from the producer in 10 s"; }
	delay=$(rand_delay 0 250)
	sleep "$delay"
	kill -9 "$prod_pid"
	wait "$prod_pid" 2>/dev/null
	wait "$cat_pid"
	last=$(tail -n 1 "$seqf")
	wait_exit "$cons_pid" 20
	rc=$?
	[ $rc -eq 0 ] || { cat "$tmp/c.err"; fail "run $run: the consumer exited with $rc after the producer's death"; }
	if grep -q "rejected\|bad nslots\|cannot write" "$tmp/c.err"; then
		cat "$tmp/c.err"
		fail "run $run: the consumer complained about an honest producer"
	fi
	cons_events=$(sed -n 's/.*: \([0-9]*\) events, .*/\1/p' "$tmp/c.err")

	# Every stream: a prefix with no hole.
	"$CHECK_SEQ" "$dir" $N --prefix 0 >"$tmp/check" 2>&1 ||
		{ cat "$tmp/check"; fail "run $run: a stream is not a prefix without holes"; }
	# vcpu0 reaches the last reported seq.
	mkdir -p "$tmp/v0.$run"
	ln -s "$dir/vcpu0" "$tmp/v0.$run/vcpu0"
	"$CHECK_SEQ" "$tmp/v0.$run" $N --prefix "$last" >"$tmp/check0" 2>&1 || {
		cat "$tmp/check0"
		d0=$(seq_delivered "$tmp/check0" vcpu0)
		missing_total=$((missing_total + last + 1 - ${d0:-0}))
		RESULT_MISSING=$missing_total RESULT_RUNS=$run
		fail "run $run: vcpu0 does not reach seq $last, reported before the kill"
	}
	delivered=$(sed -n 's/^streams=.* delivered=\([0-9]*\) .*/\1/p' "$tmp/check")
	[ "$delivered" = "$cons_events" ] ||
		fail "run $run: the consumer says $cons_events events, the trace holds $delivered"
	bt=$(bt_count "$dir") || fail "run $run: babeltrace2 cannot read the trace"
	[ "$bt" = "$delivered" ] || fail "run $run: babeltrace2 read $bt events, the trace holds $delivered"
	d0=$(seq_delivered "$tmp/check0" vcpu0)
	printf 'run %2d: kill after %ss%s: last reported seq %s, vcpu0 holds 0..%s, %s events, babeltrace2 ok\n' \
		"$run" "$delay" "${mix:+ (mix)}" "$last" $((d0 - 1)) "$delivered"
	events_total=$((events_total + delivered))
	rm -rf "$dir" "$tmp/v0.$run"
	RESULT_RUNS=$run
done
RESULT_NOTE="$events_total events kept over $RUNS kills; every ring a prefix with no hole, each past the last reported seq; consumer exit 0 each time"
result
