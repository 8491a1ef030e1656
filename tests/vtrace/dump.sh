#!/usr/bin/env bash
# Scenario: `vtrace dump` on traces written by make-trace.py.
#  - babeltrace2 reads the generated trace with the expected counts;
#  - the dump of the known trace is exactly the golden text below (merge
#    order, ties in stream order, drop and lost-packet lines, formats);
#  - filters (--events, --vcpu), --raw-time and --count;
#  - each kind of damage is reported on stderr with file and offset, the
#    rest of the trace is still printed and the exit status is 1;
#  - a missing or unreadable directory is one line and exit 1.
set -u
O=${O:-build}
VTRACE=$O/vtrace
PY=/usr/bin/python3
GEN=tests/vtrace/make-trace.py
[ -x "$VTRACE" ] || { echo "FAIL: $VTRACE not built"; exit 1; }

T=$(mktemp -d)
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect NAME WANT_FILE GOT_FILE
expect() {
	if cmp -s "$2" "$3"; then
		echo "ok: $1"
	else
		fail "$1"
		diff -u "$2" "$3" | sed 's/^/    /'
	fi
}

# run NAME WANT_RC ARGS...: stdout to $T/out, stderr to $T/err
run() {
	local name=$1 want_rc=$2 rc
	shift 2
	"$VTRACE" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq "$want_rc" ] || fail "$name: exit $rc, want $want_rc"
}

$PY $GEN "$T/good" || { echo "FAIL: make-trace.py"; exit 1; }

# ---------------------------------------------------------------- babeltrace2
if command -v babeltrace2 >/dev/null; then
	if $PY $GEN "$T/bt" --verify >"$T/bt.log" 2>&1; then
		echo "ok: babeltrace2 reads the trace: $(cat "$T/bt.log")"
	else
		fail "babeltrace2 does not read the generated trace"
		sed 's/^/    /' "$T/bt.log"
	fi
else
	echo "note: babeltrace2 not installed, not cross-checked"
fi

# ---------------------------------------------------------------- golden
# The long path of vcpu1's load_file, cut to 120 bytes with "...".
X100=$(printf 'x%.0s' {1..100})
cat >"$T/golden" <<'EOF'
dropped 2 events sys=0
runstate_set 0.000 pid=4242 sys=0 from=0 to=1 "%" done
stress_event 0.500 pid=4242 vcpu=0 thread=0 seq=1
stress_event 0.500 pid=4242 vcpu=1 thread=1 seq=1
load_file 0.500 pid=4242 vcpu=0 name=bios.bin path=/usr/share/vtrace/bios.bin
mmio_write 1.000 pid=4242 vcpu=0 addr=0x10000000 size=4 delta=   -3 value=0x00000041
stress_event 0.000 pid=4242 vcpu=1 thread=1 seq=2
dropped 5 events vcpu=0
stress_event 7.000 pid=4242 vcpu=0 thread=0 seq=7
cpu_exception 1.000 pid=4242 vcpu=0 cause=13 level=-2 code=0x1f ch=A off=-123456789012 ptr=0xffffffff80001234 tag=[ABCDEFGH]
cpu_exception 1.000 pid=4242 vcpu=0 cause=255 level=127 code=0 ch=\n off=0 ptr=(nil) tag=[ab    ]
runstate_set 0.500 pid=4242 sys=0 from=1 to=2 "%" done
lost 1 packets vcpu=1
load_file 2.500 pid=4242 vcpu=1 name=kernel-lite.elf path=/very/long/path/@X100@...
stress_event 1.000 pid=4242 vcpu=1 thread=1 seq=9
runstate_set 2000045.728 pid=4242 sys=0 from=2 to=0 "%" done
EOF
sed -i "s/@X100@/$X100/" "$T/golden"
run "dump" 0 dump "$T/good"
expect "dump output is the golden text" "$T/golden" "$T/out"
[ -s "$T/err" ] && fail "dump of a good trace wrote to stderr: $(cat "$T/err")"

# ---------------------------------------------------------------- options
run "raw-time" 0 dump --raw-time "$T/good"
printf '%s\n' 'dropped 2 events sys=0' \
	'runstate_set 1764150000000062228 pid=4242 sys=0 from=0 to=1 "%" done' \
	'stress_event 1764150000000062728 pid=4242 vcpu=0 thread=0 seq=1' >"$T/want"
head -3 "$T/out" >"$T/got"
expect "--raw-time prints ns since the epoch (clock offsets applied)" \
	"$T/want" "$T/got"

# Same events, same order, same times as babeltrace2 (--clock-seconds is
# SEC.NS from the epoch: join the digits).
if command -v babeltrace2 >/dev/null; then
	grep -v -e '^dropped ' -e '^lost ' "$T/out" | cut -d' ' -f1,2 >"$T/got"
	TZ=UTC babeltrace2 --clock-seconds "$T/good" 2>/dev/null |
		sed -E 's/^\[([0-9]+)\.([0-9]+)\] \([^)]*\) [^ ]+ ([a-z_]+):.*/\3 \1\2/' \
		>"$T/want"
	expect "merge order and times equal babeltrace2's" "$T/want" "$T/got"
fi

run "events" 0 dump --events 'stress*' "$T/good"
cat >"$T/want" <<'EOF'
dropped 2 events sys=0
stress_event 0.000 pid=4242 vcpu=0 thread=0 seq=1
stress_event 0.500 pid=4242 vcpu=1 thread=1 seq=1
stress_event 1.500 pid=4242 vcpu=1 thread=1 seq=2
dropped 5 events vcpu=0
stress_event 7.000 pid=4242 vcpu=0 thread=0 seq=7
lost 1 packets vcpu=1
stress_event 6.000 pid=4242 vcpu=1 thread=1 seq=9
EOF
expect "--events GLOB keeps matching events and loss lines" "$T/want" "$T/out"

run "events exclude" 0 dump --events '-stress*' -e '-runstate_set,-cpu_*' \
	"$T/good"
grep -v -e '^stress_event' -e '^runstate_set' -e '^cpu_exception' \
	"$T/golden" | cut -d' ' -f1 >"$T/want"
cut -d' ' -f1 "$T/out" >"$T/got"
expect "--events -GLOB excludes" "$T/want" "$T/got"

run "events include+exclude" 0 dump -e '*_*' -e '-*_event' -e -cpu_exception \
	"$T/good"
grep -c -e '^load_file' -e '^mmio_write' -e '^runstate_set' "$T/out" \
	>"$T/got"
echo 6 >"$T/want"
expect "--events includes then excludes" "$T/want" "$T/got"
grep -q -e '^stress_event' -e '^cpu_exception' "$T/out" &&
	fail "--events: excluded events printed"

run "vcpu" 0 dump --vcpu 1 "$T/good"
cat >"$T/want" <<'EOF'
stress_event 0.000 pid=4242 vcpu=1 thread=1 seq=1
stress_event 1.500 pid=4242 vcpu=1 thread=1 seq=2
lost 1 packets vcpu=1
load_file 12.000 pid=4242 vcpu=1 name=kernel-lite.elf path=/very/long/path/@X100@...
stress_event 1.000 pid=4242 vcpu=1 thread=1 seq=9
EOF
sed -i "s/@X100@/$X100/" "$T/want"
expect "--vcpu N" "$T/want" "$T/out"

run "vcpu sys" 0 dump --vcpu sys0 "$T/good"
grep -c 'sys=0' "$T/out" >"$T/got"
echo 4 >"$T/want"
expect "--vcpu sysN" "$T/want" "$T/got"

run "count" 0 dump --count "$T/good"
cat >"$T/want" <<'EOF'
stress_event     5
runstate_set     3
cpu_exception    2
load_file        2
mmio_write       1
(dropped events) 7
(lost packets)   1
EOF
expect "--count" "$T/want" "$T/out"

run "usage" 2 dump
run "usage" 2 dump --vcpu x "$T/good"
run "usage" 2 frobnicate
run "help" 0 help dump
grep -q '^usage: vtrace dump' "$T/out" || fail "help dump: no usage"

# ---------------------------------------------------------------- damage
# corrupt KIND WANT_STDERR_LINE LINES_LOST...: the dump prints the golden
# text minus LINES_LOST, the one error line, and exits 1.
corrupt() {
	local kind=$1 want_err=$2 line
	shift 2
	$PY $GEN "$T/$kind" --corrupt "$kind" || { fail "make-trace $kind"; return; }
	run "$kind" 1 dump "$T/$kind"
	printf '%s\n' "vtrace: $T/$kind/$want_err" \
		"vtrace: $T/$kind: 1 problem found, see above" >"$T/want"
	expect "$kind: error names file and offset" "$T/want" "$T/err"
	cp "$T/golden" "$T/want"
	for line in "$@"; do
		grep -v -F -x -e "$line" "$T/want" >"$T/want.new"
		mv "$T/want.new" "$T/want"
	done
	# deltas change when lines go away: compare without them
	sed -E 's/^([a-z_]+) [0-9.]+ /\1 D /' "$T/want" >"$T/want.n"
	sed -E 's/^([a-z_]+) [0-9.]+ /\1 D /' "$T/out" >"$T/got.n"
	expect "$kind: the rest of the trace is printed" "$T/want.n" "$T/got.n"
}

L_LOST='lost 1 packets vcpu=1'
L_LOAD1=$(grep '^load_file .* vcpu=1 ' "$T/golden")
L_SEQ9=$(grep 'seq=9$' "$T/golden")
corrupt truncated "vcpu1: offset 4096: truncated packet: 1000 of 4096 bytes" \
	"$L_LOST" "$L_LOAD1" "$L_SEQ9"

mapfile -t P1 < <(grep -e 'seq=7$' -e '^cpu_exception' "$T/golden")
corrupt bad-magic \
	"vcpu0: offset 4096: bad packet magic 0xdeadbeef (want 0xc1fc1fc1)" \
	"dropped 5 events vcpu=0" "${P1[@]}"

mapfile -t P0 < <(grep -e 'seq=1$' -e '^load_file .* vcpu=0' -e '^mmio_write' \
	"$T/golden" | grep -v 'vcpu=1')
corrupt content-size \
	"vcpu0: offset 0: content_size 40000 bits is larger than packet_size 32768 bits" \
	"${P0[@]}"

mapfile -t P0REST < <(grep -e '^load_file .* vcpu=0' -e '^mmio_write' "$T/golden")
corrupt unknown-id "vcpu0: offset 128: record id 99 is not in the metadata" \
	"${P0REST[@]}"

mapfile -t V1P0 < <(grep -e 'vcpu=1 thread=1 seq=[12]$' "$T/golden")
corrupt bad-uuid \
	"vcpu1: offset 0: packet uuid does not match the metadata's trace uuid" \
	"$L_LOST" "${V1P0[@]}"

# Damage that leaves every packet readable: said with file and offset, the
# dump exits 1 (babeltrace2 refuses or warns too).
for c in "ts-back|vcpu1: offset 128: timestamp goes back from 3000 to 2000 in the stream" \
	 "seq-back|vcpu1: offset 4096: packet_seq_num went back from 5 to 2"; do
	kind=${c%%|*}
	$PY $GEN "$T/$kind" --corrupt "$kind" || { fail "make-trace $kind"; continue; }
	run "$kind" 1 dump "$T/$kind"
	grep -qxF "vtrace: $T/$kind/${c#*|}" "$T/err" && echo "ok: $kind reported" ||
		fail "$kind: $(head -3 "$T/err")"
done

# A stream that is a FIFO or a link to a device is not read, and said so.
cp -r "$T/good" "$T/odd-files"
mkfifo "$T/odd-files/vcpu7"
ln -s /dev/zero "$T/odd-files/vcpu8"
run "odd-files" 1 dump "$T/odd-files"
grep -qxF "vtrace: $T/odd-files: vcpu7: not a regular file (a FIFO); skipped" "$T/err" &&
	grep -qxF "vtrace: $T/odd-files: vcpu8: not a regular file (a character device); skipped" "$T/err" &&
	expect "odd-files: the streams are printed whole" "$T/golden" "$T/out" ||
	fail "odd-files: $(cat "$T/err")"

# A zero-filled tail (preallocated file): one line for the first bad
# packet, one summary for the rest, the trace before it intact.
cp -r "$T/good" "$T/zero-tail"
head -c $((5 * 4096)) /dev/zero >>"$T/zero-tail/vcpu0"
run "zero-tail" 1 dump "$T/zero-tail"
printf '%s\n' \
	"vtrace: $T/zero-tail/vcpu0: offset 8192: bad packet magic 0x00000000 (want 0xc1fc1fc1)" \
	"vtrace: $T/zero-tail/vcpu0: offset 12288: 4 more bad packets, up to offset 24576, skipped" \
	"vtrace: $T/zero-tail: 2 problems found, see above" >"$T/want"
expect "zero-tail: a run of bad packets is reported once" "$T/want" "$T/err"
expect "zero-tail: the trace is printed whole" "$T/golden" "$T/out"

# ---------------------------------------------------------------- at scale
# 20000 events over 4 streams of many packets: babeltrace2 agrees on the
# count, every event is printed once, and times never go backwards.
if $PY $GEN "$T/scale" --bench 20000 $(command -v babeltrace2 >/dev/null &&
					echo --verify) >"$T/scale.log" 2>&1; then
	echo "ok: bench trace generated: $(cat "$T/scale.log")"
else
	fail "bench trace: $(cat "$T/scale.log")"
fi
run "scale" 0 dump --raw-time "$T/scale"
[ "$(wc -l <"$T/out")" -eq 20000 ] || fail "scale: $(wc -l <"$T/out") lines"
cut -d' ' -f2 "$T/out" | sort -c -n && echo "ok: scale: merged in time order" ||
	fail "scale: not in time order"
cut -d' ' -f4 "$T/out" | sort | uniq -c | awk '{ print $2, $1 }' >"$T/got"
printf '%s\n' "vcpu=0 5000" "vcpu=1 5000" "vcpu=2 5000" "vcpu=3 5000" >"$T/want"
expect "scale: every stream complete" "$T/want" "$T/got"

# ---------------------------------------------------------------- bad dirs
run "missing dir" 1 dump "$T/nope"
echo "vtrace: $T/nope: No such file or directory" >"$T/want"
expect "missing directory: one line, exit 1" "$T/want" "$T/err"

mkdir "$T/empty"
run "no metadata" 1 dump "$T/empty"
echo "vtrace: $T/empty/metadata: No such file or directory" >"$T/want"
expect "directory without metadata" "$T/want" "$T/err"

mkdir "$T/badmeta"
printf '/* CTF 1.8 */\ntrace {\n\tmajor = 1;\n\tminor = 8;\n\tbyte_order = be;\n};\n' \
	>"$T/badmeta/metadata"
run "bad metadata" 1 dump "$T/badmeta"
echo "vtrace: $T/badmeta/metadata:5: byte_order: only le is supported" >"$T/want"
expect "bad metadata: file:line and reason" "$T/want" "$T/err"

# An unreadable directory: as root, drop to nobody to see the EACCES.
cp -r "$T/good" "$T/locked"
chmod 000 "$T/locked"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	chmod 711 "$T"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	"${as_user[@]}" "$VTRACE" help >/dev/null 2>&1 || as_user=(skip)
fi
if [ "${as_user[0]:-}" = skip ]; then
	echo "note: cannot run as another user, unreadable directory not checked"
else
	"${as_user[@]}" "$VTRACE" dump "$T/locked" >"$T/out" 2>"$T/err"
	rc=$?
	echo "vtrace: $T/locked: Permission denied" >"$T/want"
	[ "$rc" -eq 1 ] || fail "unreadable directory: exit $rc, want 1"
	expect "unreadable directory: one line, exit 1" "$T/want" "$T/err"
fi
chmod 700 "$T"

echo
if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all vtrace dump checks passed"
