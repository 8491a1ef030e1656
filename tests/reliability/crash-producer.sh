#!/usr/bin/env bash
# Scenario 1, producer crash: under load, kill -9 the producer at RUNS
# random moments.  Each time:
#   - the consumer notices (hang-up or pidfd), writes every published record,
#     closes the partial packets and exits 0 within 20 s: at the kill the
#     consumer is stopped for an instant and ring-heads.py reads each ring's
#     published head from its memfd; each stream must then hold exactly the
#     records below that head, no fewer;
#   - babeltrace2 reads the trace, and counts exactly the records that the
#     byte-level checker finds;
#   - every ring's sequence numbers form a prefix with no hole
#     (check-seq --prefix 0: at least one record, no hole);
#   - vcpu0's prefix reaches at least the last sequence number the producer
#     reported over a pipe (--seq-fd) before it died.
# Load: 2 producer threads, block policy.  Half the runs use 16 KiB rings
# (4 packets): the consumer is busy, the producer waits on it all the time
# and dies waiting, 0..250 ms after its first seq report.  The other half
# use 16 MiB rings; right after the report the producer is frozen
# (SIGSTOP), the consumer empties the rings and is frozen, the producer
# runs for an instant and is frozen again, until a ring's head is seen in
# the middle of a packet (the first run) or 40 tries; then the kill: the
# final drain must close the partial packets (at least one run must show
# a head mid-packet, or the scenario fails).  Odd runs mix 1- and
# 2-slot records (padded packet ends).  RUNS (default 20), BIN (default $O).
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-20}
N=100000000	# per thread: far more than a run emits before the kill
missing_total=0 events_total=0 partial=0

for ((run = 1; run <= RUNS; run++)); do
	dir=$tmp/t$run sock=$tmp/s.sock fifo=$tmp/seq.fifo seqf=$tmp/seq.txt
	rm -f "$fifo" "$seqf"
	mkfifo "$fifo"
	mix= kb=16 window=250
	((run % 2)) && mix=--mix
	# Runs 3, 4, 7, 8, ...: 16 MiB rings, the producer dies in the middle
	# of a packet; the others: 16 KiB, it dies waiting for room (block),
	# at a packet boundary.
	((run % 4 >= 3 || run % 4 == 0)) && kb=16384 window=0
	start_consumer "$dir" "$sock" "$tmp/c.err" --quiet
	cat "$fifo" >"$seqf" &
	cat_pid=$!
	"$BIN/vtrace-stress" -t 2 -n $N -p block --ring-kb $kb $mix \
		--consumer "$sock" --seq-fd 3 3>"$fifo" >/dev/null 2>"$tmp/p.err" &
	prod_pid=$!
	started+=("$prod_pid")
	if [ "$kb" -gt 16 ]; then
		# The free-running producer makes 14 M events/s: catch its
		# first report without sleeping between looks.
		end=$((SECONDS + 10))
		until [ -s "$seqf" ] || [ $SECONDS -ge $end ]; do :; done
	fi
	wait_for -s "$seqf" 10 || { cat "$tmp/p.err"; fail "run $run: no seq report from the producer in 10 s"; }
	delay=$(rand_delay 0 $window)
	[ "$kb" -gt 16 ] || sleep "$delay"
	heads=ring-heads.py
	if [ "$kb" -gt 16 ]; then
		# Aim the kill at the middle of a packet: with the consumer
		# stopped and a ring far from full, let the frozen producer run
		# for an instant and freeze it again, until a head is seen
		# mid-packet.  On a loaded machine a CONT followed at once by a
		# STOP may give the producer no time on a core at all, so each
		# try lets it run for 1 ms (40 tries).  No longer: at 14 M
		# events/s a few ms fill the ring while the consumer is stopped,
		# and a producer blocked past the block timeout drops, which is
		# a hole in its stream.
		kill -STOP "$prod_pid"
		for ((try = 0; try < 40; try++)); do
			sleep 0.02	# the consumer catches up
			kill -STOP "$cons_pid"
			kill -CONT "$prod_pid"
			sleep 0.001
			kill -STOP "$prod_pid"
			sleep 0.01
			python3 "$(dirname "$0")/$heads" "$cons_pid" $mix >"$tmp/heads"
			awk '$2 % 64 { found = 1 } END { exit !found }' "$tmp/heads" && break
			kill -CONT "$cons_pid"
		done
	fi
	# The consumer is stopped for the instant of the kill, to read what
	# the producer published last: the head of each ring.
	kill -STOP "$cons_pid"
	kill -9 "$prod_pid"
	wait "$prod_pid" 2>/dev/null
	wait "$cat_pid"
	python3 "$(dirname "$0")/$heads" "$cons_pid" $mix >"$tmp/heads" ||
		fail "run $run: cannot read the rings' heads"
	kill -CONT "$cons_pid"
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
	# Every published record is on disk: exactly what each head covers.
	while read -r ring head want; do
		((head % 64)) && partial=$((partial + 1))
		got=$(seq_delivered "$tmp/check" "$ring")
		if [ "${got:-0}" -ne "$want" ]; then
			missing_total=$((missing_total + want - ${got:-0}))
			RESULT_MISSING=$missing_total RESULT_RUNS=$run
			fail "run $run: $ring holds ${got:-0} records, the producer published $want (head $head)"
		fi
	done <"$tmp/heads"
	delivered=$(sed -n 's/^streams=.* delivered=\([0-9]*\) .*/\1/p' "$tmp/check")
	[ "$delivered" = "$cons_events" ] ||
		fail "run $run: the consumer says $cons_events events, the trace holds $delivered"
	bt=$(bt_count "$dir") || fail "run $run: babeltrace2 cannot read the trace"
	[ "$bt" = "$delivered" ] || fail "run $run: babeltrace2 read $bt events, the trace holds $delivered"
	d0=$(seq_delivered "$tmp/check0" vcpu0)
	printf 'run %2d: %4s KiB rings%s, kill after %ss: last reported seq %s, vcpu0 holds 0..%s = all published (heads: %s); %s events, babeltrace2 ok\n' \
		"$run" "$kb" "${mix:+, mix}" "$delay" "$last" $((d0 - 1)) "$(awk '{ printf("%s%s %s", (NR == 1 ? "" : ", "), $1, ($2 % 64 ? "mid-packet" : "at a packet start")) }' "$tmp/heads")" "$delivered"
	events_total=$((events_total + delivered))
	rm -rf "$dir" "$tmp/v0.$run"
	RESULT_RUNS=$run
done
# The final drain of partial packets must have been tested.
[ "$RUNS" -lt 4 ] || [ "$partial" -gt 0 ] ||
	fail "no ring died in the middle of a packet: the partial-packet drain was not tested"
RESULT_NOTE="$events_total events kept over $RUNS kills = every record published before each kill; every ring a prefix with no hole past the last reported seq; consumer exit 0 each time"
result
