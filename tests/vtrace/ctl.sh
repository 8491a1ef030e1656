#!/usr/bin/env bash
# Scenario: `vtrace ctl SOCKET COMMAND...` against a fake monitor
# (fake-monitor.py, the HMP-style protocol of system/monitor.c):
#  - the reply is printed without banner, echo or prompt, exit 0;
#  - a reply starting with "error:" exits 1;
#  - the words are sent joined by spaces, one line;
#  - an echoing monitor, a slow one (replies in 3-byte pieces), a long
#    reply, a monitor that closes after the reply (quit);
#  - a missing socket is one line and exit 1; a monitor that never
#    answers is given up on at the timeout, never a hang.
set -u
O=${O:-build}
VTRACE=$O/vtrace
PY=/usr/bin/python3
FAKE=tests/vtrace/fake-monitor.py
[ -x "$VTRACE" ] || { echo "FAIL: $VTRACE not built"; exit 1; }

T=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# start NAME ARGS...: a fake monitor on $T/NAME.sock, wait until it listens
start() {
	local name=$1
	shift
	$PY $FAKE "$T/$name.sock" --log "$T/$name.log" "$@" >"$T/$name.ready" &
	pids+=($!)
	for _ in $(seq 100); do
		[ -s "$T/$name.ready" ] && return 0
		sleep 0.05
	done
	fail "fake monitor $name did not start"
}

# run NAME WANT_RC ARGS...: stdout to $T/out, stderr to $T/err
run() {
	local name=$1 want_rc=$2 rc
	shift 2
	timeout 20 "$VTRACE" ctl "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq "$want_rc" ] || fail "$name: exit $rc, want $want_rc ($(cat "$T/err"))"
}

expect_out() {
	if printf '%s' "$2" | cmp -s - "$T/out"; then
		ok "$1"
	else
		fail "$1"
		printf '%s' "$2" | diff -u - "$T/out" | sed 's/^/    /'
	fi
}

start plain
run "info cpus" 0 "$T/plain.sock" info cpus
expect_out "reply printed without banner or prompt" \
	"* CPU #0: pc=0x80000000 running
  CPU #1: pc=0x80000104 halted
"
run "trace-event" 0 "$T/plain.sock" trace-event exec_tb on vcpu 2
expect_out "empty reply: nothing printed, exit 0" ""
tail -n 1 "$T/plain.log" | grep -qx 'trace-event exec_tb on vcpu 2' &&
	ok "words sent joined by spaces, one line" ||
	fail "monitor got: $(tail -n 1 "$T/plain.log")"
run "error" 1 "$T/plain.sock" frobnicate now
expect_out "error reply printed, exit 1" "error: unknown command: 'frobnicate'
"
run "long reply" 0 "$T/plain.sock" help
[ "$(wc -l <"$T/out")" -eq 3000 ] && tail -n 1 "$T/out" | grep -qx 'cmd2999 -- does thing 2999' &&
	ok "3000-line reply complete" || fail "long reply: $(wc -l <"$T/out") lines"
run "quit" 0 "$T/plain.sock" quit
expect_out "quit: the monitor closes, exit 0" ""

start echo --echo
run "echo" 0 "$T/echo.sock" info cpus
expect_out "an echoing monitor: the echo is dropped" \
	"* CPU #0: pc=0x80000000 running
  CPU #1: pc=0x80000104 halted
"

start slow --slow
run "slow" 1 "$T/slow.sock" bogus
expect_out "a reply in 3-byte pieces is read whole" "error: unknown command: 'bogus'
"

start closing --no-prompt-after
run "closing" 0 "$T/closing.sock" info cpus
grep -q 'CPU #1' "$T/out" && ok "reply then close, no prompt: printed" ||
	fail "reply then close: $(cat "$T/out")"

run "missing socket" 1 "$T/nope.sock" info cpus
if [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "$T/nope.sock" "$T/err"; then
	ok "missing socket: one line naming it ($(cat "$T/err"))"
else
	fail "missing socket: stderr $(cat "$T/err")"
fi

start silent --silent
start_s=$SECONDS
run "silent" 1 --timeout 1 "$T/silent.sock" info cpus
if [ $((SECONDS - start_s)) -le 5 ] && grep -q 'no answer' "$T/err"; then
	ok "a monitor that never answers: given up at the timeout"
else
	fail "silent monitor: $((SECONDS - start_s)) s, stderr $(cat "$T/err")"
fi

run "usage" 2 "$T/plain.sock"
run "usage" 2
"$VTRACE" help ctl | grep -q '^usage: vtrace ctl' && ok "help ctl" || fail "help ctl"

echo
if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all vtrace ctl checks passed"
