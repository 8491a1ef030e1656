#!/usr/bin/env bash
# Scenario 3a, disk full: the consumer writes into a 32 MB tmpfs and the
# producer emits 2 x 1M mixed records (128 MB) under the block policy.
#   - the consumer prints a clear error naming the file and ENOSPC, goes on
#     releasing the rings, and exits 0;
#   - the producer is unaffected: all its events, no drop, exit 0, in time;
#   - the trace written so far decodes: every stream a hole-free prefix,
#     babeltrace2 reads exactly those records;
#   - nothing vanishes silently: delivered + the consumer's LOST count =
#     emitted, and the trace itself records the loss: each stream ends
#     with a packet whose events_discarded counts its lost events and
#     whose number skips the lost packets, so babeltrace2's "discarded"
#     warnings and vtrace dump --count add up to LOST.
# Needs root for the mount (else SKIP); io-error.sh covers EFBIG for anyone.
. "$(dirname "$0")/lib.sh"
N=1000000
[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
mnt=$tmp/mnt
mkdir "$mnt"
mount -t tmpfs -o size=32m,mode=0700 vtrace-full "$mnt" 2>"$tmp/mount.err" ||
	skip "cannot mount a tmpfs: $(cat "$tmp/mount.err")"
mounts+=("$mnt")

dir=$mnt/trace sock=$tmp/s.sock
start_consumer "$dir" "$sock" "$tmp/c.err"
"$BIN/vtrace-stress" -t 2 -n $N -p block --mix --consumer "$sock" \
	>"$tmp/p.out" 2>"$tmp/p.err" &
prod_pid=$!
started+=("$prod_pid")
wait_exit "$prod_pid" 60
rc=$?
cat "$tmp/p.err"
[ $rc -ne 124 ] || fail "the producer hangs behind a full disk"
[ $rc -eq 0 ] || fail "the producer exited with $rc"
out=$(tail -n 1 "$tmp/p.out")
[ "$out" = "emitted=$((2 * N)) dropped=0" ] || fail "the producer was affected: '$out'"
wait_exit "$cons_pid" 20
rc=$?
cat "$tmp/c.err"
[ $rc -eq 0 ] || fail "the consumer exited with $rc on a full disk"
grep -q "cannot write: No space left on device" "$tmp/c.err" ||
	fail "no clear ENOSPC message from the consumer"
lost=$(sed -n 's/.*LOST \([0-9]*\) events in .*/\1/p' "$tmp/c.err")
[ -n "$lost" ] || fail "the consumer did not count the events it could not write"

"$CHECK_SEQ" "$dir" $N --prefix 0 >"$tmp/check" 2>&1 ||
	{ cat "$tmp/check"; fail "the trace on the full disk is not a hole-free prefix per stream"; }
cat "$tmp/check"
delivered=$(sed -n 's/^streams=.* delivered=\([0-9]*\) .*/\1/p' "$tmp/check")
[ $((delivered + lost)) -eq $((2 * N)) ] ||
	fail "delivered $delivered + lost $lost != emitted $((2 * N)): $((2 * N - delivered - lost)) events unaccounted for"
bt=$(bt_count "$dir") || fail "babeltrace2 cannot read the trace left on the full disk"
[ "$bt" = "$delivered" ] || fail "babeltrace2 read $bt events, the trace holds $delivered"
in_trace=$(awk '/ discarded=/ {sub(/.* discarded=/, ""); n += $1} END {print n + 0}' "$tmp/check")
[ "$in_trace" = "$lost" ] || fail "the trace's events_discarded add up to $in_trace, the consumer lost $lost"
bt_disc=$(babeltrace2 "$dir" 2>&1 >/dev/null |
	sed -n 's/.*Tracer discarded \([0-9]*\) event.*/\1/p' | awk '{n += $1} END {print n + 0}')
[ "$bt_disc" = "$lost" ] || fail "babeltrace2 reports $bt_disc discarded events, the consumer lost $lost"
dump_disc=$("$BIN/vtrace" dump --count "$dir" 2>/dev/null | awk '/^\(dropped events\)/ {print $NF}')
[ "${dump_disc:-0}" = "$lost" ] || fail "vtrace dump --count says ${dump_disc:-0} dropped, the consumer lost $lost"
[ -e "$dir/.vtrace-reserve" ] && fail "the consumer left its disk reserve behind"
echo "disk full: delivered=$delivered lost=$lost (counted, and in the trace: babeltrace2 $bt_disc, vtrace dump $dump_disc) emitted=$((2 * N)); babeltrace2 reads $bt"
RESULT_RUNS=1 RESULT_LOSSES=$lost
RESULT_NOTE="32 MB tmpfs, 128 MB emitted: ENOSPC reported per stream, producer untouched (0 dropped), delivered + lost = emitted, trace decodes"
result
