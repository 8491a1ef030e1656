#!/usr/bin/env bash
# Tracing inside the emulator, end to end (vtrace-emu + vtrace-consumer):
#   A  auto-spawned consumer: the guest's output is unchanged, babeltrace2
#      and vtrace dump agree, load_file names the kernel, syscalls counted,
#      the default directory is trace-PID/
#   B  a consumer started by hand, side by side (-trace consumer=SOCKET)
#   C  the monitor over a socket while the guest runs:
#      - trace-event exec_tb on vcpu 1: exec_tb only on vCPU 1, only after
#        the command
#      - trace-event guest_mem_before on vcpu 1: only vCPU 1 translates
#        blocks with the trace op (info jit)
#      - trace-file flush: the trace on disk already holds the events
#        emitted before the command, while the emulator keeps running
#      - the translate_block events equal info jit's blocks translated
#   D  bad -trace values
#   E  record padding: with 16 KiB rings that wrap many times and events
#      of every size, no byte of an older record reaches the trace
set -euo pipefail
O=$(cd "${O:-build}" && pwd)
emu=$O/vtrace-emu
vt=$O/vtrace
kl=$O/kernel-lite.elf
klb=$O/kernel-lite-bench.elf
tmp=$(mktemp -d /tmp/vtrace-emu-trace.XXXXXX)
emu_pid=
cleanup() {
	[ -n "$emu_pid" ] && kill -9 "$emu_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "  ok    $*"; }
count() { { "$vt" dump --count "$1" 2>/dev/null || true; } | awk -v e="$2" '$1 == e {n = $2} END {print n + 0}'; }
btcount() { babeltrace2 "$1" 2>/dev/null | wc -l; }

# One monitor command over the socket: what `vtrace ctl SOCKET CMD` does.
ctl() {
	if [ -x "$O/vtrace" ] && "$O/vtrace" help ctl >/dev/null 2>&1; then
		"$O/vtrace" ctl "$@"
		return
	fi
	/usr/bin/python3 - "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
def until_prompt():
    buf = b""
    while not buf.endswith(b"(vtrace) "):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf[:-len(b"(vtrace) ")] if buf.endswith(b"(vtrace) ") else buf
until_prompt()
s.sendall((" ".join(sys.argv[2:]) + "\n").encode())
out = until_prompt().decode()
sys.stdout.write(out)
sys.exit(1 if out.startswith("error:") else 0)
PY
}

echo "== A: auto-spawned consumer"
"$emu" -smp 4 -nographic -kernel "$kl" >"$tmp/plain.out"
(cd "$tmp" && "$emu" -smp 4 -nographic -kernel "$kl" -trace translate_block \
	-trace 'guest_syscall*' -trace 'cpu_*' -trace load_file,file=a \
	>"$tmp/a.out" 2>"$tmp/a.err") || fail "traced run failed: $(cat "$tmp/a.err")"
cmp -s "$tmp/plain.out" "$tmp/a.out" || fail "tracing changed the guest's output"
ok "guest output unchanged by tracing"
"$emu" -vcpu-pin -smp 4 -nographic -kernel "$kl" >"$tmp/pin.out" || fail "-vcpu-pin run failed"
cmp -s "$tmp/plain.out" "$tmp/pin.out" || fail "-vcpu-pin changed the guest's output"
ok "-vcpu-pin: the same output"
grep -q "vtrace-consumer: .* events, .* bytes, 0 dropped, in a" "$tmp/a.err" ||
	fail "no consumer summary: $(cat "$tmp/a.err")"
"$vt" dump "$tmp/a" >"$tmp/a.dump"
n=$(wc -l <"$tmp/a.dump")
bt=$(btcount "$tmp/a")
[ "$n" -eq "$bt" ] && [ "$n" -gt 100 ] || fail "vtrace dump has $n events, babeltrace2 $bt"
ok "babeltrace2 and vtrace dump both read $n events"
grep -q "^load_file .* sys=0 name=kernel path=$kl$" "$tmp/a.dump" ||
	fail "no load_file for the kernel: $(grep load_file "$tmp/a.dump")"
ok "load_file names the kernel and its path"
sys=$(count "$tmp/a" guest_syscall)
ret=$(count "$tmp/a" guest_syscall_ret)
# kernel-lite: 6 U-mode tasks a hart (two of them FP tasks), 53 ecalls a
# hart; two tasks exit by a fault, the others' exit ecalls never return.
[ "$sys" -eq 212 ] || fail "expected 212 guest_syscall events on 4 harts, got $sys"
[ "$ret" -gt 0 ] && [ "$ret" -lt "$sys" ] || fail "guest_syscall_ret: $ret of $sys"
ok "guest_syscall=$sys guest_syscall_ret=$ret"
grep -q "^cpu_exception .* cause=2 " "$tmp/a.dump" || fail "no illegal-instruction exception"
ok "the killed task's illegal instruction is a cpu_exception cause=2"
for v in 0 1 2 3; do
	grep -q "^translate_block .* vcpu=$v " "$tmp/a.dump" ||
		fail "no translate_block on vCPU $v"
done
ok "every vCPU has its stream"
(cd "$tmp" && "$emu" -smp 1 -nographic -kernel "$kl" -trace cpu_exception \
	>/dev/null 2>"$tmp/d.err") || fail "run with the default directory failed"
ls -d "$tmp"/trace-* >/dev/null 2>&1 || fail "no trace-PID directory"
ok "default directory $(basename "$tmp"/trace-*)"

echo "== B: consumer started by hand, side by side"
"$O/vtrace-consumer" --listen "$tmp/c.sock" -o "$tmp/b" 2>"$tmp/b.err" &
cons=$!
for _ in $(seq 100); do [ -S "$tmp/c.sock" ] && break; sleep 0.05; done
"$emu" -smp 2 -nographic -kernel "$kl" \
	-trace "consumer=$tmp/c.sock,enable=translate_block" -trace load_file >/dev/null ||
	fail "emulator with consumer= failed"
wait "$cons" || fail "the consumer exited with $?"
n=$(count "$tmp/b" translate_block)
bt=$(btcount "$tmp/b")
[ "$bt" -eq $((n + 1)) ] || fail "babeltrace2 reads $bt events, expected $n + load_file"
ok "side by side: $bt events, the same in babeltrace2 and vtrace dump"

echo "== C: the monitor while the guest runs"
sock=$tmp/mon.sock
"$emu" -S -smp 2 -nographic -kernel "$klb" -monitor "unix:$sock,server,nowait" \
	-trace translate_block -trace monitor_command,file="$tmp/c" >"$tmp/c.out" 2>"$tmp/c.err" &
emu_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
# First only translate_block and the monitor's commands: nothing is
# dropped, so the trace and info jit must agree exactly.
ctl "$sock" cont >/dev/null
sleep 0.02
ctl "$sock" stop >/dev/null
jit=$(ctl "$sock" info jit)
ctl "$sock" trace-file flush >/dev/null || fail "trace-file flush failed"
blocks=$(echo "$jit" | awk '/^blocks translated/ {print $3}')
n=$(count "$tmp/c" translate_block)
[ "$n" = "$blocks" ] && [ "$n" -gt 0 ] || fail "trace has $n translate_block events, info jit says $blocks"
ok "translate_block events = info jit blocks translated = $n"
# Then the heavy events, on vCPU 1 only (it may drop, it is all memory
# accesses and blocks).
ctl "$sock" trace-event guest_mem_before on vcpu 1 >/dev/null
ctl "$sock" trace-event exec_tb on vcpu 1 >/dev/null
ctl "$sock" info trace-events exec_tb >"$tmp/c.info"
grep -q "^exec_tb : state 1 vcpus 1$" "$tmp/c.info" ||
	fail "info trace-events: $(cat "$tmp/c.info")"
ctl "$sock" cont >/dev/null
sleep 0.02
ctl "$sock" trace-file flush >/dev/null || fail "trace-file flush failed"
kill -0 "$emu_pid" || fail "the emulator is gone"
# The emulator keeps writing: packets still in flight read as zeros after
# the flushed part; dump knows the trace is live and skips them.
"$vt" dump -e monitor_command "$tmp/c" >"$tmp/c.live" 2>"$tmp/c.live.err" ||
	fail "vtrace dump on the live trace: $(cat "$tmp/c.live.err")"
grep -q "line=trace-file flush" "$tmp/c.live" ||
	fail "after trace-file flush, the trace lacks the event emitted just before it"
ok "trace-file flush while running: the trace on disk already ends with the command's own event"
ctl "$sock" stop >/dev/null
jit=$(ctl "$sock" info jit)
t0=$(echo "$jit" | sed -n 's/^cpu 0: .* traced \([0-9]*\).*/\1/p')
t1=$(echo "$jit" | sed -n 's/^cpu 1: .* traced \([0-9]*\).*/\1/p')
[ "$t0" = 0 ] && [ "${t1:-0}" -gt 0 ] || fail "blocks with trace ops: cpu0=$t0 cpu1=$t1: $jit"
ok "only vCPU 1 translated blocks with trace ops (cpu0 $t0, cpu1 $t1)"
ctl "$sock" cont >/dev/null
wait "$emu_pid" || fail "the emulator exited with $?"
emu_pid=
"$vt" dump -e 'exec_tb,guest_mem_before' "$tmp/c" >"$tmp/c.all" || true
grep -E '^(exec_tb|guest_mem_before) ' "$tmp/c.all" | grep -v -m3 " vcpu=1 " &&
	fail "exec_tb or guest_mem_before on a vCPU other than 1"
[ "$(count "$tmp/c" exec_tb)" -gt 0 ] || fail "no exec_tb at all"
"$vt" dump -e 'exec_tb,monitor_command' "$tmp/c" >"$tmp/c.dump" || true
first=$(grep -m1 -e '^exec_tb' -e 'line=trace-event exec_tb on vcpu 1' "$tmp/c.dump" | cut -d' ' -f1)
[ "$first" = monitor_command ] || fail "an exec_tb event precedes the command that enabled it"
ok "exec_tb only on vCPU 1 and only after the command ($(count "$tmp/c" exec_tb) events)"

echo "== D: bad -trace values"
out=$("$emu" -kernel "$kl" -trace frob=1 2>&1) && fail "a bad key was accepted"
echo "$out" | grep -q "unknown key 'frob'" || fail "bad key message: $out"
out=$("$emu" -kernel "$kl" -trace events=/nonexistent 2>&1) && fail "a missing events file was accepted"
echo "$out" | grep -q "events=/nonexistent" || fail "events file message: $out"
out=$("$emu" -nographic -kernel "$kl" -trace 'nomatch_*',file="$tmp/d" 2>&1 >/dev/null) ||
	fail "a glob matching nothing must only warn"
echo "$out" | grep -q "warning: -trace enable=nomatch_\*: matches no trace event" || fail "glob warning: $out"
out=$("$emu" -kernel "$kl" -trace ring=0 2>&1) && fail "ring=0 was accepted"
echo "$out" | grep -q "ring=0: expected KiB per ring" || fail "ring= message: $out"
ok "bad key exits 1, an unreadable events file is named, a glob matching nothing warns, ring=0 is refused"

echo "== E: record padding"
"$emu" -smp 4 -nographic -kernel "$kl" -trace "translate_block,ring=16,policy=block,file=$tmp/e" \
	-trace 'cpu_*' -trace 'guest_syscall*' -trace 'mmio_*' -trace 'tb_*' \
	-trace 'vcpu_*' -trace load_file >/dev/null 2>"$tmp/e.err" ||
	fail "the run with 16 KiB rings failed: $(cat "$tmp/e.err")"
/usr/bin/python3 "$(dirname "$0")/../vtrace/check-padding.py" "$tmp/e" >"$tmp/e.pad" ||
	fail "bytes of older records in the trace: $(grep -m5 FAIL "$tmp/e.pad")"
# A 16 KiB ring holds 4 packets of 63 record slots: a stream with more
# records than that reused its slots.
n=$(awk '/^vcpu[0-9]*: / && $2 > n {n = $2} END {print n + 0}' "$tmp/e.pad")
[ "$n" -gt 252 ] || fail "at most $n records a stream: the rings did not wrap"
ok "16 KiB rings, up to $n records a stream: $(tail -1 "$tmp/e.pad" | sed 's/^ok: //')"
echo "trace-emu: ok"
