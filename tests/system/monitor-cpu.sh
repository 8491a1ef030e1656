#!/usr/bin/env bash
# The monitor's CPU views, in QEMU's words and layout:
#  1  `info registers` at reset (-S, kernel-lite, -bios none) against
#     qemu-system-riscv64's on the same image: every register we print,
#     QEMU prints too, with the same value, except where the two reset
#     flows differ today: vtrace-emu stops at the ELF's entry with the
#     reset code's pc, t0, a1 and a2 already set, QEMU at 0x1000 in its
#     MROM, and QEMU's mip has MTIP (mtimecmp 0) pending
#  2  `info registers -a` gives one CPU#N block per hart; a bad argument
#     is one error line
#  3  `info mem` before paging is on: "No translation or protection", as
#     QEMU says (with Linux at its shell it lists the kernel's mappings,
#     text at 0xffffffff80000000 r-x: checked by hand, a Linux boot to a
#     shell costs too much for make check)
set -u
O=${O:-build}
EMU=${EMU:-$O/vtrace-emu}
V=$O/vtrace
KL=$O/kernel-lite.elf
fail=0
ok() { printf '  ok    %s\n' "$1"; }
bad() { printf '  FAIL  %s\n' "$1"; fail=1; }
command -v qemu-system-riscv64 >/dev/null || { echo "SKIP: no qemu-system-riscv64"; exit 77; }
W=$(mktemp -d /tmp/vtrace-moncpu.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT

# qmon SOCKET CMD: one command to QEMU's monitor, its reply on stdout.
qmon() {
	python3 - "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(30)
for _ in range(200):
    try:
        s.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.05)
def until_prompt():
    buf = b""
    while not buf.endswith(b"(qemu) "):
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return buf
until_prompt()
s.sendall(sys.argv[2].encode() + b"\n")
sys.stdout.write(until_prompt().decode(errors="replace"))
PY
}
# regs FILE: "name value" per register of an `info registers` reply.
regs() {
	tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' |
		grep -E '^ [a-z0-9/]+ +[0-9a-f]{16}' |
		awk '{ for (i = 1; i < NF; i += 2) print $i, $(i + 1) }' | sort
}

# 1, 2: at reset, against QEMU
"$EMU" -S -smp 2 -nographic -kernel "$KL" \
	-monitor unix:$W/emu.sock,server,nowait </dev/null >$W/emu.out 2>&1 &
pids+=($!)
qemu-system-riscv64 -S -machine virt -bios none -smp 2 -nographic \
	-kernel "$KL" -monitor unix:$W/qemu.sock,server,nowait \
	</dev/null >$W/qemu.out 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S $W/emu.sock ] && [ -S $W/qemu.sock ] && break; sleep 0.1; done
"$V" ctl $W/emu.sock info registers >$W/emu.regs
qmon $W/qemu.sock "info registers" >$W/qemu.regs
regs $W/emu.regs >$W/emu.list
regs $W/qemu.regs >$W/qemu.list
n=$(join $W/emu.list $W/qemu.list | wc -l)
diffs=$(join $W/emu.list $W/qemu.list | awk '$2 != $3' |
	grep -Ev '^(pc|x5/t0|x11/a1|x12/a2|mip) ')
[ "$n" -ge 80 ] && [ -z "$diffs" ] && [ "$(wc -l <$W/emu.list)" = "$n" ] &&
	ok "info registers at reset = QEMU's on $n registers (reset flows aside)" ||
	bad "info registers at reset: $n in common, differences: $diffs; ours only: $(join -v1 $W/emu.list $W/qemu.list | tr '\n' ' ')"
grep -Eq '^ x8/s0    [0-9a-f]{16} x9/s1    [0-9a-f]{16} x10/a0   [0-9a-f]{16} x11/a1   [0-9a-f]{16}$' $W/emu.regs &&
	ok "QEMU's layout: four registers a line" || bad "layout: $(grep x8/s0 $W/emu.regs)"
"$V" ctl $W/emu.sock info registers -a >$W/emu.all
[ "$(grep -c '^CPU#[01]$' $W/emu.all)" = 2 ] &&
	ok "info registers -a: one block per hart" || bad "info registers -a: $(head -3 $W/emu.all)"
"$V" ctl $W/emu.sock info registers 7 >$W/emu.bad 2>&1
[ "$(wc -l <$W/emu.bad)" = 1 ] && grep -q '^error: info registers' $W/emu.bad &&
	ok "info registers 7: one error line" || bad "info registers 7: $(cat $W/emu.bad)"
"$V" ctl $W/emu.sock info mem >$W/emu.mem0
qmon $W/qemu.sock "info mem" | tr -d '\r' >$W/qemu.mem0
grep -qx 'No translation or protection' $W/emu.mem0 &&
	grep -q 'No translation or protection' $W/qemu.mem0 &&
	ok "info mem, paging off: as QEMU" || bad "info mem, paging off: $(cat $W/emu.mem0)"
"$V" ctl $W/emu.sock quit >/dev/null
qmon $W/qemu.sock quit >/dev/null 2>&1

exit $fail
