#!/usr/bin/env bash
# libvtrace-qemu.so refuses bad input in one line and QEMU goes on:
#   A  an unknown argument, a bad value, a consumer that is not there: one
#      line on stderr, the guest runs to its end, no trace is written
#   B  a QEMU whose plugin API is another version (tests/qemu-plugin/
#      other-api.c stands in for it): one line, install returns 0
#   C  the consumer killed before the guest runs (QEMU started with -S,
#      policy=block): QEMU does not stop or hang, the guest runs to its
#      end, and the plugin counts the events it dropped
set -euo pipefail
O=$(cd "${O:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
plugin=$O/libvtrace-qemu.so
other=$O/tests/qemu-plugin-other-api
kl=$O/kernel-lite.elf
QEMU=qemu-system-riscv64
command -v $QEMU >/dev/null || { echo "SKIP: $QEMU not installed"; exit 77; }
for f in "$plugin" "$other" "$kl" "$O/vtrace-consumer"; do
	[ -e "$f" ] || { echo "FAIL: no $f (build it first)"; exit 1; }
done
tmp=$(mktemp -d /tmp/vtrace-qemu-bad.XXXXXX)
cons_pid=
cleanup() {
	[ -n "$cons_pid" ] && kill -9 "$cons_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "  ok    $*"; }
cd "$tmp"

# A: $1 the plugin's arguments, $2 what the one line must say.
refused() {
	timeout 60 $QEMU -machine virt -bios none -nographic -smp 2 -kernel "$kl" \
		-plugin "$plugin,$1" >out 2>err || fail "$1: QEMU failed: $(cat err)"
	grep -q "all checks passed" out || fail "$1: the guest did not finish"
	[ "$(wc -l <err)" = 1 ] || fail "$1: expected one line, got: $(cat err)"
	grep -q -- "$2" err || fail "$1: '$(cat err)' does not say '$2'"
	[ -z "$(ls -d trace-* 2>/dev/null)" ] || fail "$1: a trace was written"
	ok "$1: $(cat err)"
}
refused "bogus=1,enable=translate_block" "unknown argument 'bogus=1'"
refused "enable=translate_block,policy=sometimes" "policy=sometimes"
refused "enable=translate_block,ring=12X" "ring=12X"
refused "events=$tmp/none,enable=translate_block" "cannot read"
refused "enable=translate_block,consumer=$tmp/none.sock" "cannot attach to the consumer"

# B
"$other" "$plugin" 2 2 enable=translate_block >out 2>err || fail "other-api: $(cat err)"
grep -q "install returned 0" out || fail "other-api: $(cat out)"
[ "$(wc -l <err)" = 1 ] && grep -q "API is version 2" err ||
	fail "another API version: $(cat err)"
ok "another API version: $(cat err)"

# C: QEMU's monitor answers only once QEMU's set-up, the plugin's install
# and its session with the consumer included, is over.
monitor() { /usr/bin/python3 "$here/hmp.py" "$tmp/mon.sock" "$1" >/dev/null; }
"$O/vtrace-consumer" --listen "$tmp/cons.sock" -o "$tmp/killed" >cons.out 2>&1 &
cons_pid=$!
for _ in $(seq 100); do [ -S "$tmp/cons.sock" ] && break; sleep 0.1; done
timeout 120 $QEMU -machine virt -bios none -nographic -smp 4 -kernel "$kl" -S \
	-monitor "unix:$tmp/mon.sock,server,nowait" -serial file:"$tmp/guest.out" \
	-plugin "$plugin,enable=exec_tb,consumer=$tmp/cons.sock,policy=block" \
	>qemu.out 2>qemu.err &
qemu_pid=$!
monitor "info status"
kill -9 "$cons_pid"
wait "$cons_pid" 2>/dev/null || true
cons_pid=
monitor "cont"
wait "$qemu_pid" || fail "QEMU exited with $? after the consumer was killed: $(cat qemu.err)"
grep -q "all checks passed" guest.out || fail "the guest did not finish: $(tail -3 guest.out)"
dropped=$(sed -n 's/^vtrace-qemu: \([0-9]*\) trace events dropped.*/\1/p' qemu.err)
[ -n "$dropped" ] && [ "$dropped" -gt 0 ] || fail "no drops counted: $(cat qemu.err)"
ok "consumer killed: the guest ran to its end, $dropped events dropped and counted"
