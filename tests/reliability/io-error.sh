#!/usr/bin/env bash
# Scenario 3b, I/O errors without root: a file size limit (ulimit -f) makes
# the consumer's writes fail with EFBIG part way.
#   - stream files stop at 4 MiB with "cannot write: File too large", the
#     consumer exits 0, the producer is unaffected (block, 0 dropped);
#   - the trace decodes, and delivered + the consumer's LOST count = emitted;
#   - a limit below the ring size fails the memfd itself: the consumer says
#     "cannot create the rings" and exits 1 (it used to die of SIGXFSZ).
. "$(dirname "$0")/lib.sh"
N=1000000
dir=$tmp/trace sock=$tmp/s.sock
(ulimit -f 4096 && exec "$BIN/vtrace-consumer" -o "$dir" --listen "$sock") 2>"$tmp/c.err" &
cons_pid=$!
started+=("$cons_pid")
wait_for -S "$sock" 5 || fail "the consumer did not create $sock"
"$BIN/vtrace-stress" -t 2 -n $N -p block --ring-kb 64 --consumer "$sock" \
	>"$tmp/p.out" 2>"$tmp/p.err" &
prod_pid=$!
started+=("$prod_pid")
wait_exit "$prod_pid" 60
rc=$?
cat "$tmp/p.err"
[ $rc -eq 0 ] || fail "the producer exited with $rc"
out=$(tail -n 1 "$tmp/p.out")
[ "$out" = "emitted=$((2 * N)) dropped=0" ] || fail "the producer was affected: '$out'"
wait_exit "$cons_pid" 20
rc=$?
cat "$tmp/c.err"
[ $rc -eq 0 ] || fail "the consumer exited with $rc under a file size limit"
grep -q "cannot write: File too large" "$tmp/c.err" || fail "no clear EFBIG message"
lost=$(sed -n 's/.*LOST \([0-9]*\) events in .*/\1/p' "$tmp/c.err")
[ -n "$lost" ] || fail "the consumer did not count the events it could not write"
"$CHECK_SEQ" "$dir" $N --prefix 0 >"$tmp/check" 2>&1 ||
	{ cat "$tmp/check"; fail "not a hole-free prefix per stream"; }
delivered=$(sed -n 's/^streams=.* delivered=\([0-9]*\) .*/\1/p' "$tmp/check")
[ $((delivered + lost)) -eq $((2 * N)) ] ||
	fail "delivered $delivered + lost $lost != emitted $((2 * N))"
bt=$(bt_count "$dir") || fail "babeltrace2 cannot read the trace"
[ "$bt" = "$delivered" ] || fail "babeltrace2 read $bt events, the trace holds $delivered"
echo "EFBIG: delivered=$delivered lost=$lost emitted=$((2 * N)); babeltrace2 reads $bt"

# A limit smaller than one ring: an error message and exit 1, no signal.
(ulimit -f 1024 && exec "$BIN/vtrace-consumer" -o "$tmp/small" --listen "$sock") 2>"$tmp/c2.err" &
cons_pid=$!
started+=("$cons_pid")
wait_for -S "$sock" 5 || fail "the consumer did not create $sock"
"$BIN/vtrace-stress" -t 1 -n 1000 -p block --consumer "$sock" >/dev/null 2>"$tmp/p2.err"
wait_exit "$cons_pid" 20
rc=$?
cat "$tmp/c2.err"
[ $rc -eq 1 ] || fail "the consumer exited with $rc when the ring memfd is over the size limit (want 1)"
grep -q "cannot create the rings: File too large" "$tmp/c2.err" || fail "no clear message for the ring memfd"
RESULT_RUNS=2 RESULT_LOSSES=$lost
RESULT_NOTE="ulimit -f 4096: EFBIG reported per stream, producer untouched, delivered + lost = emitted, trace decodes; a limit below the ring size: message and exit 1"
result
