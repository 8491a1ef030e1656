#!/usr/bin/env bash
# The monitor against clients that misbehave, and trace-file cycles:
#   1  a client that hangs up before reading its reply (SIGPIPE) leaves
#      the VM running
#   2  a line over 1023 bytes is refused whole: its tail does not run
#   3  trace-file off/on cycles: directories DIR, DIR.1, DIR.2 ... from the
#      base name; exited consumers reaped (at most the 5 retired sessions
#      that may wait are not yet)
#   4  trace-file set refuses what is not a directory it may create
#   4b trace-file off/on cycles while 4 vCPUs write exec_tb events: old
#      sessions are freed (fds, ring mappings, consumers) after their grace
#      period; after 40 more cycles, no more fds or mappings than the few
#      retired sessions still waiting, and no more exited consumers unreaped
#   5  masks flipped from the monitor while 4 vCPUs run: each vCPU ends
#      with the mask of the last command
set -u
O=$(cd "${O:-build}" && pwd)
EMU=$O/vtrace-emu
G=tests/system/guests
. "$(dirname "$0")/../guest-lib.sh"
W=$(mktemp -d /tmp/vtrace-mon.XXXXXX)
emu_pid=
cleanup() {
	[ -n "$emu_pid" ] && kill -9 "$emu_pid" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
$CC -march=rv64imac_zicsr_zifencei -mabi=lp64 -nostdlib -static \
	-Wl,--build-id=none -Wl,--no-warn-rwx-segments -T $G/link.ld \
	$G/spin.S -o "$W/spin.elf" || exit 1

# mon SOCKET CMD...: run each command on one connection, print the replies.
mon() {
	/usr/bin/python3 - "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(60)
for _ in range(200):
    try:
        s.connect(sys.argv[1])
        break
    except OSError:
        time.sleep(0.05)
def until_prompt():
    buf = b""
    while not buf.endswith(b"(vtrace) "):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf[:-len(b"(vtrace) ")] if buf.endswith(b"(vtrace) ") else buf
until_prompt()
for cmd in sys.argv[2:]:
    s.sendall((cmd + "\n").encode())
    sys.stdout.write(until_prompt().decode())
PY
}

start_emu() { # extra args...
	rm -f "$W/mon.sock"
	"$EMU" -smp 4 -monitor "unix:$W/mon.sock,server,nowait" \
		-kernel "$W/spin.elf" "$@" </dev/null >"$W/emu.out" 2>"$W/emu.err" &
	emu_pid=$!
}
stop_emu() {
	mon "$W/mon.sock" quit >/dev/null 2>&1
	wait "$emu_pid"
	local rc=$?
	emu_pid=
	return $rc
}

# 1, 2: no tracing
start_emu -S
/usr/bin/python3 - "$W/mon.sock" <<'PY'
import socket, sys, time
for i in range(50):
    for _ in range(200):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            break
        except OSError:
            time.sleep(0.05)
    s.sendall(b"help\ninfo jit\ninfo trace-events\n")
    s.close()
PY
sleep 0.5
out=$(mon "$W/mon.sock" "info cpus")
if kill -0 "$emu_pid" 2>/dev/null && grep -q "CPU #3" <<<"$out"; then
	ok "50 clients that hang up early: the VM runs on"
else
	bad "a client that hung up killed the VM: $(cat "$W/emu.err")"
	emu_pid=
fi
long="info trace-events $(printf 'x%.0s' $(seq 1005))quit"
out=$(mon "$W/mon.sock" "$long" "info cpus" 2>&1)
if kill -0 "$emu_pid" 2>/dev/null && grep -q "^error: line too long" <<<"$out" &&
   grep -q "CPU #0" <<<"$out"; then
	ok "an over-long line is refused whole, its tail does not run"
else
	bad "over-long line: $(head -c 300 <<<"$out")"
fi
[ -n "$emu_pid" ] && stop_emu

# 3, 4: trace-file cycles and bad directories
cycles=${MON_CYCLES:-20}
devnull_before=$(ls -d /dev/null.* 2>/dev/null)
start_emu -S -trace "enable=vcpu_*,file=$W/tog"
cmds=()
for i in $(seq "$cycles"); do cmds+=("trace-file off" "trace-file on"); done
mon "$W/mon.sock" "${cmds[@]}" "trace-file set /dev/null" \
	"trace-file set $W/no/such/dir" "trace-file" >"$W/cycles.out"
want=$(for i in $(seq "$cycles"); do echo "tog.$i"; done; echo tog)
got=$(ls "$W" | grep '^tog' | sort)
if [ "$(sort <<<"$want")" = "$got" ]; then
	ok "$cycles trace-file cycles: tog, tog.1 .. tog.$cycles"
else
	bad "trace-file cycle names: $(tr '\n' ' ' <<<"$got")"
fi
zombies=$(ps --ppid "$emu_pid" -o stat= | grep -c '^Z')
# bounded by the retired sessions that may wait (see 4b), not by timing
[ "$zombies" -le 5 ] && ok "exited consumers reaped ($zombies left)" ||
	bad "$zombies exited consumers left unreaped"
if grep -q "^error: trace-file set /dev/null: Not a directory" "$W/cycles.out" &&
   [ "$(ls -d /dev/null.* 2>/dev/null)" = "$devnull_before" ] &&
   grep -q "^error: trace-file set $W/no/such/dir: No such file" "$W/cycles.out" &&
   grep -q "Trace file \"$W/tog.$cycles\" on" "$W/cycles.out"; then
	ok "trace-file set refuses a non-directory and a missing parent"
else
	bad "trace-file set: $(grep -v '^vtrace' "$W/cycles.out" | tail -4)"
fi
stop_emu || bad "emulator exit after the cycles: $(tail -3 "$W/emu.err")"

# 4b: cycles while the vCPUs write
start_emu -trace "enable=exec_tb,ring=16,file=$W/busy"
cyc=()
for i in $(seq 5); do cyc+=("trace-file off" "trace-file on"); done
mon "$W/mon.sock" "${cyc[@]}" >/dev/null
sleep 0.5
fds0=$(ls "/proc/$emu_pid/fd" | wc -l)
maps0=$(grep -c memfd "/proc/$emu_pid/maps")
cyc=()
for i in $(seq 40); do cyc+=("trace-file off" "trace-file on"); done
mon "$W/mon.sock" "${cyc[@]}" >/dev/null
sleep 0.5
fds1=$(ls "/proc/$emu_pid/fd" | wc -l)
maps1=$(grep -c memfd "/proc/$emu_pid/maps")
zombies=$(ps --ppid "$emu_pid" -o stat= | grep -c '^Z')
# A retired session holds an eventfd, a socket and 4 + 4 ring mappings
# until it is freed; at most 4 (+ the newest) wait at a time, and so at
# most 5 exited consumers wait to be reaped (at the next cycle: how many
# have exited since the last one depends on the machine's load).
if [ "$fds1" -le $((fds0 + 10)) ] && [ "$maps1" -le $((maps0 + 40)) ] &&
   [ "$zombies" -le 5 ] && [ -d "$W/busy.45" ]; then
	ok "45 cycles with 4 vCPUs writing: fds $fds0 -> $fds1, ring mappings $maps0 -> $maps1, $zombies unreaped"
else
	bad "45 cycles with 4 vCPUs writing: fds $fds0 -> $fds1, ring mappings $maps0 -> $maps1, $zombies unreaped; $(ls -d "$W"/busy* | wc -l) directories"
fi
stop_emu || bad "emulator exit after the busy cycles: $(tail -3 "$W/emu.err")"

# 5: mask flips while the vCPUs run
start_emu -trace "enable=vcpu_start,file=$W/flip"
cmds=()
for i in $(seq 100); do
	cmds+=("trace-event * on" "trace-event exec_tb off vcpu $((i % 4))"
	       "trace-event * off")
done
cmds+=("trace-event guest_mem_before on" "trace-event exec_tb on vcpu 2")
mon "$W/mon.sock" "${cmds[@]}" >/dev/null
want_bits=$(mon "$W/mon.sock" "info trace-events exec_tb" \
	"info trace-events guest_mem_before" | tr -d '\r')
good=0
for try in $(seq 100); do
	masks=$(mon "$W/mon.sock" "info jit" | sed -n 's/.*trace_mask \(0x[0-9a-f]*\).*/\1/p' | tr '\n' ' ')
	set -- $masks
	# every vCPU traces guest_mem_before, vCPU 2 also exec_tb
	if [ $# -eq 4 ] && [ "$1" = "$2" ] && [ "$1" = "$4" ] && [ "$1" != "$3" ] &&
	   [ "$1" != 0x0 ] && [ $(( $3 & ~$1 )) -ne 0 ]; then
		good=1
		break
	fi
	sleep 0.1
done
[ $good = 1 ] && ok "300 mask flips on running vCPUs: masks $masks" ||
	bad "masks after the flips: $masks ($want_bits)"
stop_emu || bad "emulator exit after the flips"
exit $fail
