#!/usr/bin/env bash
# Scenario 4, hostile shared memory: tests/reliability/hostile-producer
# attacks a consumer through its 8 rings and its control socket (see the
# comment at the top of hostile-producer.c) while writing honest records
# into rings 0 and 4.
#   - the memfds resist: ftruncate (shrink, grow), a write past the end and
#     F_ADD_SEALS fail with EPERM (sealed), so no SIGBUS can be provoked;
#   - the consumer survives and exits 0 (the ASan variant, hostile-shm-asan.sh,
#     runs the consumer built with ASan+UBSan: any out-of-bounds access
#     aborts it);
#   - the rings with an impossible head (beyond tail + capacity, backwards,
#     UINT64_MAX, random) are rejected with a message naming them; bad nslots,
#     events_discarded beyond the drops and a drop count going back are
#     reported, once each;
#   - bad control messages are reported once, not once each;
#   - rings 0 and 4 (garbage geometry in the control page) arrive whole and
#     in order, and babeltrace2 reads them;
#   - nine malformed HELLOs: each consumer exits 1 with "no valid HELLO".
. "$(dirname "$0")/lib.sh"
HOSTILE=$O/tests/hostile-producer
[ -x "$HOSTILE" ] || skip "$HOSTILE is not built (make)"
K=${HOSTILE_RECORDS:-20000}
dir=$tmp/trace sock=$tmp/s.sock

start_consumer "$dir" "$sock" "$tmp/c.err"
timeout 60 "$HOSTILE" "$sock" $K >"$tmp/p.out" 2>&1
rc=$?
cat "$tmp/p.out"
[ $rc -eq 0 ] || fail "the hostile producer failed ($rc): a memfd check or a stalled honest ring"
wait_exit "$cons_pid" 20
rc=$?
cat "$tmp/c.err"
[ $rc -eq 0 ] || fail "the consumer exited with $rc under attack"
for want in "ring vcpu1 rejected: head" "ring vcpu2 rejected: head" \
	"ring vcpu6 rejected: head" "ring vcpu7 rejected: head" \
	"ring vcpu3: packet [0-9]* slot [0-9]*: bad nslots" \
	"ring vcpu5: packet events_discarded [0-9]* > dropped" \
	"ring vcpu5: dropped count [0-9]* went back" \
	"ignored [0-9]* bad control messages"; do
	grep -q "$want" "$tmp/c.err" || fail "the consumer did not say '$want'"
done
for r in 0 4; do
	if grep -q "ring vcpu$r rejected\|ring vcpu$r:" "$tmp/c.err"; then
		fail "the consumer complained about honest ring $r"
	fi
done
n=$(grep -c "ignoring a bad message\|ignoring message type" "$tmp/c.err")
[ "$n" -eq 1 ] || fail "bad control messages reported $n times (want once)"
for want in "ftruncate shrink: Operation not permitted" "ftruncate grow: Operation not permitted" \
	"write past the end: Operation not permitted" "F_ADD_SEALS: Operation not permitted"; do
	grep -q "memfd: $want" "$tmp/p.out" || fail "the memfd check '$want' did not run"
done
"$HOSTILE" --check "$dir/vcpu0" 0 $K || fail "honest ring 0 is damaged"
"$HOSTILE" --check "$dir/vcpu4" 4 $K || fail "ring 4 (garbage geometry) is damaged"
mkdir "$tmp/honest"
ln -s "$dir/metadata" "$dir/vcpu0" "$dir/vcpu4" "$tmp/honest/"
bt=$(bt_count "$tmp/honest") || fail "babeltrace2 cannot read the honest streams"
[ "$bt" -eq $((2 * K)) ] || fail "babeltrace2 read $bt events of the honest rings, want $((2 * K))"
echo "attack: 4 rings rejected, 3 kinds of bad values reported, honest rings whole ($bt events read by babeltrace2)"

kinds=$("$HOSTILE" --hello-kinds)
for ((k = 0; k < kinds; k++)); do
	start_consumer "$tmp/hello$k" "$sock" "$tmp/c.err"
	"$HOSTILE" --hello "$sock" $k || fail "hostile HELLO $k could not be sent"
	wait_exit "$cons_pid" 10
	rc=$?
	[ $rc -eq 1 ] || { cat "$tmp/c.err"; fail "bad HELLO $k: the consumer exited with $rc (want 1)"; }
	grep -q "no valid HELLO" "$tmp/c.err" || { cat "$tmp/c.err"; fail "bad HELLO $k: no message"; }
done
echo "bad HELLOs: $kinds refused with a message, exit 1"
RESULT_RUNS=$((1 + kinds))
RESULT_NOTE="memfd shrink/grow/write-past-end/reseal all EPERM; 4 bad rings rejected; bad nslots, inflated events_discarded, drops going back reported; honest rings whole; $kinds bad HELLOs refused${ASAN_NOTE:-}"
result
