#!/usr/bin/env bash
# libvtrace-qemu.so in Debian's qemu-system-riscv64, kernel-lite on 4 harts:
#   A  the guest's console output is the same with and without the plugin
#   B  the trace decodes in babeltrace2, nothing dropped (policy=block),
#      a vcpu_start per vCPU, cpu_id = QEMU's vCPU index
#   C  translate_block events = the translations counted by
#      tests/qemu-plugin/count-tb.c, loaded in the same run (-plugin twice)
#   D  the hottest functions (instructions executed, from translate_block's
#      insns and exec_tb, `vtrace report --elf`) are those of vtrace-emu
#      on the same kernel-lite, top 5 as a set.  kernel-lite's wait loops
#      (kl_barrier, kl_main's wait for ticks, u_spin_until_tick) spin for
#      as long as the other harts or the timer take, which depends on the
#      host's timing and differs from run to run on either emulator: they
#      are printed but left out of the comparison.
set -euo pipefail
O=$(cd "${O:-build}" && pwd)
plugin=$O/libvtrace-qemu.so
counter=$O/tests/libcount-tb.so
kl=$O/kernel-lite.elf
vt=$O/vtrace
QEMU=qemu-system-riscv64
command -v $QEMU >/dev/null || { echo "SKIP: $QEMU not installed"; exit 77; }
command -v babeltrace2 >/dev/null || { echo "SKIP: babeltrace2 not installed"; exit 77; }
for f in "$plugin" "$counter" "$kl" "$vt" "$O/vtrace-emu" "$O/vtrace-consumer"; do
	[ -e "$f" ] || { echo "FAIL: no $f (build it first)"; exit 1; }
done
tmp=$(mktemp -d /tmp/vtrace-qemu-plugin.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "  ok    $*"; }
qemu() { timeout 120 $QEMU -machine virt -bios none -nographic -smp 4 -kernel "$kl" "$@"; }

qemu >"$tmp/plain.out" 2>&1 || fail "kernel-lite under QEMU without the plugin"
qemu -plugin "$plugin,enable=translate_block,enable=vcpu_*,dir=$tmp/q,policy=block" \
	-plugin "$counter,out=$tmp/count" >"$tmp/traced.out" 2>"$tmp/traced.err" ||
	fail "kernel-lite under QEMU with the plugin: $(cat "$tmp/traced.err")"

# A
grep -q "all checks passed" "$tmp/plain.out" || fail "kernel-lite failed under QEMU"
cmp -s "$tmp/plain.out" "$tmp/traced.out" || {
	diff "$tmp/plain.out" "$tmp/traced.out" | head
	fail "the guest's output changed with the plugin"
}
ok "guest output unchanged with the plugin"

# B
babeltrace2 "$tmp/q" >"$tmp/bt" 2>"$tmp/bt.err" || fail "babeltrace2: $(head -3 "$tmp/bt.err")"
[ -s "$tmp/bt.err" ] && fail "babeltrace2 warns: $(head -3 "$tmp/bt.err")"
grep "^vtrace-qemu:" "$tmp/traced.err" && fail "the plugin complained"
bt_count() { grep -c " $1: " "$tmp/bt" || true; }
starts=$(grep " vcpu_start: " "$tmp/bt" | sed -n 's/.*cpu_id = \([0-9]*\).*/\1/p' | sort -n | tr '\n' ' ')
[ "$starts" = "0 1 2 3 " ] || fail "vcpu_start on vCPUs '$starts', expected 0 1 2 3"
ok "babeltrace2 decodes $(wc -l <"$tmp/bt") events, none dropped, vcpu_start on vCPUs 0-3"

# C
tb=$(bt_count translate_block)
counted=$(awk '$1 == "translations" {print $2}' "$tmp/count")
[ "$tb" -gt 0 ] && [ "$tb" = "$counted" ] ||
	fail "translate_block events $tb, the counting plugin saw $counted translations"
ok "translate_block events = independent count ($tb)"

# D: instructions executed per function, from the hottest-blocks table
# (execs x insns per block, blocks summed by function).
hot() {
	"$vt" report --elf "$kl" -n 100000 "$1" 2>/dev/null |
		sed -n '/Hottest blocks by executions/,/^$/p' |
		awk 'NR > 2 && NF >= 7 { f = $3; sub(/\+0x[0-9a-f]+$/, "", f); s[f] += $4 * $7 }
		     END { for (k in s) print s[k], k }' | sort -rn
}
waits='^(kl_barrier|kl_main|u_spin_until_tick)$'
top5() { awk '{print $2}' "$1" | grep -Ev "$waits" | head -5 | sort | tr '\n' ' '; }
# A second QEMU run with exec_tb (millions of events: read by vtrace, not
# by babeltrace2), and vtrace-emu the same way.
qemu -plugin "$plugin,enable=translate_block,enable=exec_tb,dir=$tmp/qx,policy=block" \
	>/dev/null 2>"$tmp/qx.err" || fail "QEMU with exec_tb: $(cat "$tmp/qx.err")"
grep "^vtrace-qemu:" "$tmp/qx.err" && fail "the plugin complained"
timeout 120 "$O/vtrace-emu" -smp 4 -nographic -kernel "$kl" -trace translate_block \
	-trace "exec_tb,file=$tmp/e,policy=block" >"$tmp/emu.out" 2>&1 || fail "vtrace-emu run"
hot "$tmp/qx" >"$tmp/hot.q"
hot "$tmp/e" >"$tmp/hot.e"
echo "  top 5 with the wait loops, QEMU:      $(head -5 "$tmp/hot.q" | awk '{print $2}' | tr '\n' ' ')"
echo "  top 5 with the wait loops, vtrace-emu: $(head -5 "$tmp/hot.e" | awk '{print $2}' | tr '\n' ' ')"
q5=$(top5 "$tmp/hot.q")
e5=$(top5 "$tmp/hot.e")
[ -n "$q5" ] && [ "$q5" = "$e5" ] || fail "hottest functions differ: QEMU '$q5', vtrace-emu '$e5'"
ok "hottest functions (wait loops aside) match vtrace-emu: $q5"
