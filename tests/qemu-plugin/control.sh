#!/usr/bin/env bash
# The plugin's control socket (control=PATH) through `vtrace ctl`, on
# kernel-lite under qemu-system-riscv64 started with -S (the vCPUs wait
# for the QEMU monitor's cont, so the commands land before the guest runs):
#   - info trace-events lists the plugin's events and their state
#   - bad commands get one "error:" line and exit status 1
#   - trace-file flush: the trace on disk holds the events emitted so far
#     (a vcpu_start per vCPU) while QEMU runs
#   - trace-event exec_tb on vcpu 1: a translation-time event, applied by
#     QEMU's plugin reset: exec_tb events come, and only from vCPU 1
set -euo pipefail
O=$(cd "${O:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
plugin=$O/libvtrace-qemu.so
kl=$O/kernel-lite.elf
vt=$O/vtrace
QEMU=qemu-system-riscv64
command -v $QEMU >/dev/null || { echo "SKIP: $QEMU not installed"; exit 77; }
for f in "$plugin" "$kl" "$vt" "$O/vtrace-consumer"; do
	[ -e "$f" ] || { echo "FAIL: no $f (build it first)"; exit 1; }
done
tmp=$(mktemp -d /tmp/vtrace-qemu-ctl.XXXXXX)
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "  ok    $*"; }
ctl() { "$vt" ctl "$tmp/ctl.sock" "$@"; }

timeout 120 $QEMU -machine virt -bios none -nographic -smp 4 -kernel "$kl" -S \
	-monitor "unix:$tmp/mon.sock,server,nowait" -serial file:"$tmp/guest.out" \
	-plugin "$plugin,enable=translate_block,enable=vcpu_start,dir=$tmp/t,control=$tmp/ctl.sock" \
	>"$tmp/qemu.out" 2>"$tmp/qemu.err" &
qemu_pid=$!
for _ in $(seq 300); do [ -S "$tmp/ctl.sock" ] && break; sleep 0.1; done
[ -S "$tmp/ctl.sock" ] || fail "no control socket: $(cat "$tmp/qemu.err")"

ctl info trace-events >"$tmp/info" || fail "info trace-events: $(cat "$tmp/info")"
grep -q "^translate_block : state 1 vcpus 0 1 2 3$" "$tmp/info" &&
	grep -q "^exec_tb : state 0$" "$tmp/info" || fail "info trace-events: $(cat "$tmp/info")"
ok "info trace-events: $(wc -l <"$tmp/info") events, translate_block on"

for bad in "trace-event bogus on" "trace-event exec_tb on vcpu 9" "trace-file sideways" \
	   "trace-event exec_tb maybe" "stop"; do
	# shellcheck disable=SC2086
	if ctl $bad >"$tmp/bad"; then fail "'$bad' accepted: $(cat "$tmp/bad")"; fi
	[ "$(wc -l <"$tmp/bad")" = 1 ] && grep -q "^error: " "$tmp/bad" ||
		fail "'$bad': $(cat "$tmp/bad")"
done
ok "bad commands: one error line each"

ctl trace-file flush || fail "trace-file flush"
starts=$("$vt" dump -e vcpu_start "$tmp/t" | wc -l)
[ "$starts" = 4 ] || fail "after flush, $starts vcpu_start events on disk, expected 4"
ok "trace-file flush: the 4 vcpu_start events are on disk while QEMU runs"

ctl trace-event exec_tb on vcpu 1 || fail "trace-event exec_tb on vcpu 1"
ctl info trace-events exec_tb | grep -q "^exec_tb : state 1 vcpus 1$" || fail "exec_tb not on vCPU 1"
/usr/bin/python3 "$here/hmp.py" "$tmp/mon.sock" cont >/dev/null
wait "$qemu_pid" || fail "QEMU exited with $?: $(cat "$tmp/qemu.err")"
qemu_pid=
grep -q "all checks passed" "$tmp/guest.out" || fail "the guest did not finish"
"$vt" dump -e exec_tb "$tmp/t" | awk '{print $4}' | sort | uniq -c >"$tmp/exec"
[ "$(awk '{print $2}' "$tmp/exec")" = "vcpu=1" ] || fail "exec_tb per vCPU: $(cat "$tmp/exec")"
ok "exec_tb on vcpu 1 through QEMU's plugin reset: $(awk '{print $1}' "$tmp/exec") events, all on vCPU 1"
