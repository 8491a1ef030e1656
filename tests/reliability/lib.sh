# Shared by the reliability scenarios (tests/reliability/*.sh); sourced.
#
# Each scenario starts vtrace-consumer and its producer by hand, so it knows
# both pids and the consumer's exit status, bounds every wait, and ends with
# one line that scripts/reliability-table.sh copies into docs/RELIABILITY.md:
#
#   RESULT: runs=R losses=L missing=M note=free text to the end of the line
#
#   losses   events the tracer lost and said so (drops, write errors)
#   missing  events that were expected in the trace and are not there,
#            unreported: any value but 0 fails the scenario
#
# Exit 0 pass, 1 fail, 77 skip ("SKIP: reason" first).
# Environment: O (build tree, default build), BIN (where vtrace-consumer and
# vtrace-stress come from, default $O; the ASan variants use $O/asan).
set -uo pipefail
O=${O:-build}
BIN=${BIN:-$O}
CHECK_SEQ=$O/tests/check-seq
[ -x "$CHECK_SEQ" ] || CHECK_SEQ=build/tests/check-seq
tmp=$(mktemp -d /tmp/vtrace-rel.XXXXXX)
chmod 0700 "$tmp"
started=()

cleanup() {
	local p live
	# Only our children that were not reaped yet: a pid of ours that was
	# waited for may belong to someone else by now.
	live=" $(jobs -p | tr '\n' ' ') "
	for p in "${started[@]}"; do
		case $live in *" $p "*) ;; *) continue ;; esac
		kill -9 "$p" 2>/dev/null
		kill -CONT "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for m in "${mounts[@]:-}"; do
		[ -n "$m" ] && umount -l "$m" 2>/dev/null
	done
	rm -rf "$tmp"
}
mounts=()
trap cleanup EXIT

RESULT_RUNS=0 RESULT_LOSSES=0 RESULT_MISSING=0 RESULT_NOTE=
result() {
	echo "RESULT: runs=$RESULT_RUNS losses=$RESULT_LOSSES missing=$RESULT_MISSING note=$RESULT_NOTE"
}
fail() {
	echo "FAIL: $*"
	RESULT_NOTE="FAIL: $*"
	result
	exit 1
}
skip() {
	echo "SKIP: $*"
	exit 77
}

for b in "$BIN/vtrace-consumer" "$BIN/vtrace-stress" "$CHECK_SEQ"; do
	[ -x "$b" ] || skip "$b is not built (make)"
done
command -v babeltrace2 >/dev/null || skip "babeltrace2 is not installed"

# A random delay of MIN..MAX milliseconds, printed as seconds for sleep.
rand_delay() {
	local ms=$(($1 + RANDOM % ($2 - $1 + 1)))
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# wait_for_file PATH TIMEOUT_S TEST: poll until [ TEST PATH ] holds.
wait_for() {
	local test=$1 path=$2 limit=$(($3 * 100)) i
	for ((i = 0; i < limit; i++)); do
		[ "$test" "$path" ] && return 0
		sleep 0.01
	done
	return 1
}

# wait_exit PID TIMEOUT_S: the exit status of our child PID, or 124 after
# killing it when it did not exit in time.
wait_exit() {
	local pid=$1 limit=$(($2 * 100)) i
	for ((i = 0; i < limit; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			return $?
		fi
		sleep 0.01
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 124
}

# start_consumer DIR SOCKET ERRFILE [extra args]: sets $cons_pid.
start_consumer() {
	local dir=$1 sock=$2 errf=$3
	shift 3
	"$BIN/vtrace-consumer" -o "$dir" --listen "$sock" "$@" 2>"$errf" &
	cons_pid=$!
	started+=("$cons_pid")
	wait_for -S "$sock" 5 || fail "the consumer did not create $sock"
}

# bt_count DIR: events babeltrace2 reads (exit status of babeltrace2 kept).
bt_count() {
	local out
	out=$(babeltrace2 "$1" -c sink.utils.counter 2>"$tmp/bt.err") || {
		sed 's/^/  babeltrace2: /' "$tmp/bt.err" | head -5
		return 1
	}
	echo "$out" | sed -n 's/^ *\([0-9]*\) event messages.*/\1/Ip' | tail -n 1
}

# seq_delivered CHECK_SEQ_OUTPUT_FILE STREAM: delivered= of that stream.
seq_delivered() {
	sed -n "s|.*/$2: delivered=\([0-9]*\) .*|\1|p" "$1"
}
