#!/usr/bin/env bash
# vtrace-emu built with ASan+UBSan (build/asan) or TSan (build/tsan), as
# EMU_SAN says (emu-asan.sh, emu-tsan.sh): it boots kernel-lite on 4 harts with tracing on (its own consumer)
# while a monitor client flips trace masks ('trace-event * on/off', one
# vCPU's exec_tb) until the guest powers off.  The guest's output must be
# the plain build's, the exit status 0, and no sanitizer may report.
# kernel-lite races on purpose (plain loads and stores to one word from
# several harts, which RVWMO allows): tcg/ accesses guest RAM with relaxed
# atomics (tcg/guest-ram.h), so TSan must see no race in them either.
set -u
O=$(cd "${O:-build}" && pwd)
fail=0
ok() { printf '  ok    %s\n' "$1"; }
bad() { printf '  FAIL  %s\n' "$1"; fail=1; }
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=66
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=66
export TSAN_OPTIONS=halt_on_error=0:exitcode=66:second_deadlock_stack=1
W=$(mktemp -d /tmp/vtrace-emusan.XXXXXX)
trap 'rm -rf "$W"' EXIT
[ -x "$O/vtrace-emu" ] || { echo "no $O/vtrace-emu (build it first)"; exit 1; }
"$O/vtrace-emu" -smp 4 -nographic -kernel "$O/kernel-lite.elf" \
	</dev/null >"$W/plain.out" 2>/dev/null
san=${EMU_SAN:?asan or tsan}
emu=$O/$san/vtrace-emu
[ -x "$emu" ] || { echo "SKIP: no $emu"; exit 77; }
{
	sock=$W/$san.sock
	timeout 300 "$emu" -S -smp 4 -nographic -kernel "$O/kernel-lite.elf" \
		-monitor "unix:$sock,server,nowait" \
		-trace "enable=guest_syscall*,file=$W/$san-trace" \
		</dev/null >"$W/$san.out" 2>"$W/$san.err" &
	pid=$!
	/usr/bin/python3 - "$sock" >"$W/$san.mon" 2>&1 <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
for _ in range(600):
    try:
        s.connect(sys.argv[1])
        break
    except OSError:
        time.sleep(0.05)
s.settimeout(30)
def cmd(line):
    s.sendall((line + "\n").encode())
    buf = b""
    while not buf.endswith(b"(vtrace) "):
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError
        buf += chunk
    return buf
flips = 0
try:
    cmd("")
    cmd("cont")
    while True:
        cmd("trace-event * on")
        cmd("trace-event exec_tb off vcpu %d" % (flips % 4))
        cmd("trace-event * off")
        cmd("trace-event guest_syscall* on")
        flips += 1
except (EOFError, OSError):
    pass
print("flips", flips)
PY
	wait "$pid"
	rc=$?
	flips=$(awk '/^flips/ {print $2}' "$W/$san.mon")
	if [ $rc -eq 0 ] && cmp -s "$W/plain.out" "$W/$san.out" &&
	   ! grep -q "Sanitizer\|runtime error" "$W/$san.err"; then
		ok "$san vtrace-emu: kernel-lite on 4 harts, traced, $flips mask flip rounds"
	else
		bad "$san vtrace-emu (rc $rc, ${flips:-0} flip rounds):"
		grep "^SUMMARY" "$W/$san.err" | sort | uniq -c
		grep -v "^vtrace: " "$W/$san.err" | head -40
		cmp "$W/plain.out" "$W/$san.out" | head -2
	fi
	if ! "$O/vtrace" dump --count "$W/$san-trace" >"$W/$san.count" 2>&1; then
		bad "$san trace does not decode: $(tail -2 "$W/$san.count")"
	fi
}
exit $fail
