#!/usr/bin/env bash
# Board-level scenario for vtrace-emu:
#  1. assemble the guests in tests/system/guests/ with the cross gcc;
#  2. run probes.elf on 4 harts: output must equal probes.expected (taken
#     from qemu-system-riscv64 7.2) byte for byte and the exit status 42;
#     where qemu is installed, also compare against it live;
#  3. bad input (wrong ELF class or machine, truncated, outside RAM, bad
#     -smp/-m) must exit 1 with a one-line error and run nothing.
set -u
O=${O:-build}
EMU=$O/vtrace-emu
G=tests/system/guests
W=$O/tests/guests
mkdir -p "$W"
. "$(dirname "$0")/../guest-lib.sh"

guest() { # name [extra flags]
	local n=$1; shift
	$CC -march=rv64imac_zicsr_zifencei -mabi=lp64 -nostdlib -static \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		-T $G/link.ld "$@" -o "$W/$n.elf" || exit 1
}
guest probes $G/probes.S
guest alu $G/bench-alu.S
guest call $G/bench-call.S
guest mem $G/bench-mem.S
guest spin $G/spin.S
guest echo $G/echo.S

# 2. probes: golden output and exit status
timeout 20 $EMU -M virt -bios none -nographic -smp 4 -m 128M -kernel $W/probes.elf \
	>"$W/probes.out" 2>"$W/probes.err" </dev/null
rc=$?
[ $rc -eq 42 ] && ok "probes exit status 42" || bad "probes exit status $rc"
cmp -s "$W/probes.out" $G/probes.expected && ok "probes output = golden" ||
	{ bad "probes output differs"; diff "$W/probes.out" $G/probes.expected | head; }
if command -v qemu-system-riscv64 >/dev/null; then
	timeout 20 qemu-system-riscv64 -M virt -bios none -nographic -smp 4 \
		-m 128M -kernel $W/probes.elf >"$W/probes.qemu" 2>/dev/null </dev/null
	qrc=$?
	cmp -s "$W/probes.out" "$W/probes.qemu" && [ $qrc -eq $rc ] &&
		ok "probes output and status = qemu-system-riscv64" ||
		bad "probes differ from qemu (rc $qrc)"
fi
for g in alu call mem; do
	timeout 20 $EMU -kernel $W/$g.elf </dev/null && ok "$g guest exits 0" ||
		bad "$g guest"
done

# UART receive from stdin
out=$(printf 'hello, uart\n' | timeout 20 $EMU -nographic -kernel $W/echo.elf)
[ "$out" = "HELLO, UART" ] && ok "UART reads stdin" || bad "UART stdin: '$out'"

# monitor on a Unix socket: -S, info cpus, cont, stop, info jit, errors, quit
sock=$W/mon.sock
timeout 20 $EMU -S -smp 2 -monitor unix:$sock,server,nowait \
	-kernel $W/spin.elf </dev/null >/dev/null 2>&1 &
emu=$!
python3 tests/system/monitor-client.py $sock "info cpus" cont 0.2 "info cpus" \
	stop "info cpus" "info jit" bogus "stop now" "info nope" help quit \
	>"$W/monitor.out"
wait $emu
rc=$?
m=$W/monitor.out
[ $rc -eq 0 ] && ok "monitor quit exits 0" || bad "monitor quit: rc $rc"
[ "$(grep -c '(stopped)' $m)" -eq 4 ] && ok "monitor: -S, stop" ||
	bad "monitor: stopped count"
[ "$(grep -c '(running)\|(halted)' $m)" -eq 2 ] && ok "monitor: cont" ||
	bad "monitor: running count"
grep -q "blocks translated *[1-9]" $m && ok "monitor: info jit" ||
	bad "monitor: info jit"
grep -q "unknown command: 'bogus'" $m && grep -q "stop: takes no arguments" $m &&
	grep -q "info: unknown item 'nope'" $m && ok "monitor: errors are one line" ||
	bad "monitor: errors"
grep -q "^info \[subcommand\] -- " $m && ok "monitor: help" || bad "monitor: help"

# -d int -D FILE
timeout 20 $EMU -smp 4 -d int,guest_errors -D $W/int.log -kernel $W/probes.elf \
	</dev/null >/dev/null 2>&1
grep -q "riscv_cpu_do_interrupt: hart:0, async:0, cause:0000000000000002, epc:0x000000008000003c" $W/int.log &&
	grep -q "async:1, cause:0000000000000007" $W/int.log &&
	ok "-d int -D logs traps" || bad "-d int -D"

# 3. bad input
expect_error() { # what pattern args...
	local what=$1 pat=$2; shift 2
	timeout 10 $EMU "$@" >"$W/err.out" 2>"$W/err.txt" </dev/null
	local rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l <"$W/err.txt")" -eq 1 ] &&
	   grep -q -- "$pat" "$W/err.txt" && [ ! -s "$W/err.out" ]; then
		ok "$what: $(cat "$W/err.txt")"
	else
		bad "$what (rc $rc): $(cat "$W/err.txt")"
	fi
}
$CC -march=rv32imac_zicsr -mabi=ilp32 -nostdlib -static -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments -T $G/link.ld $G/bench-alu.S -o $W/rv32.elf
head -c 100 $W/probes.elf >$W/trunc-hdr.elf
head -c 300 $W/probes.elf >$W/trunc-seg.elf
guest high $G/bench-alu.S -Wl,--section-start=.text=0x90000000
expect_error "host ELF" "RISC-V" -kernel /bin/true
expect_error "RV32 ELF" "64-bit" -kernel $W/rv32.elf
expect_error "truncated header" "truncated" -kernel $W/trunc-hdr.elf
expect_error "truncated segment" "truncated" -kernel $W/trunc-seg.elf
expect_error "segment outside RAM" "outside RAM" -m 128M -kernel $W/high.elf
expect_error "not an ELF" "neither an ELF nor a RISC-V Linux Image" -kernel $G/link.ld
expect_error "missing file" "cannot open" -kernel $W/nope.elf
expect_error "-smp 0" "-smp" -smp 0 -kernel $W/alu.elf
expect_error "-smp 99" "-smp" -smp 99 -kernel $W/alu.elf
expect_error "-smp x" "-smp" -smp x -kernel $W/alu.elf
expect_error "-m 0" "-m" -m 0 -kernel $W/alu.elf
expect_error "-m 12Q" "-m" -m 12Q -kernel $W/alu.elf
expect_error "-bios foo" "-bios" -bios foo -kernel $W/alu.elf
expect_error "unknown option" "unknown option" -frobnicate
expect_error "-d bad item" "-d" -d int,nope -kernel $W/alu.elf

# -m syntax: plain number is MiB, G works (the DTB address shows it)
for m in "256:0x8fe00000" "1G:0xbfe00000" "128M:0x87e00000"; do
	timeout 20 $EMU -m ${m%%:*} -smp 4 -kernel $W/probes.elf </dev/null |
		head -1 | grep -q "$(printf '%016x' ${m##*:})" &&
		ok "-m ${m%%:*}: DTB at ${m##*:}" || bad "-m ${m%%:*}"
done
exit $fail
