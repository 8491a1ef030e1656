#!/usr/bin/env bash
# libvtrace-qemu.so in Debian's qemu-x86_64 (user mode), on a small static
# program of two threads (tests/qemu-plugin/syscalls.c):
#   A  the program's output is the same natively and under QEMU
#   B  the trace decodes in babeltrace2, nothing dropped
#   C  guest_syscall: the same syscall numbers, in the same order, per
#      thread (vCPU 0 and 1 under QEMU, the two threads natively) as
#      strace -f of the same program run natively; every syscall but exit
#      and exit_group has its guest_syscall_ret
#   D  translate_block events = the count of tests/qemu-plugin/count-tb.c
#      loaded in the same run, including the second thread's translations
#      before its first syscall
set -euo pipefail
O=$(cd "${O:-build}" && pwd)
plugin=$O/libvtrace-qemu.so
counter=$O/tests/libcount-tb.so
prog=$O/tests/qemu-plugin-syscalls
vt=$O/vtrace
[ "$(uname -m)" = x86_64 ] || { echo "SKIP: not an x86_64 host"; exit 77; }
command -v qemu-x86_64 >/dev/null || { echo "SKIP: qemu-x86_64 not installed"; exit 77; }
command -v strace >/dev/null || { echo "SKIP: strace not installed"; exit 77; }
command -v babeltrace2 >/dev/null || { echo "SKIP: babeltrace2 not installed"; exit 77; }
for f in "$plugin" "$counter" "$prog" "$vt" "$O/vtrace-consumer"; do
	[ -e "$f" ] || { echo "FAIL: no $f (build it first)"; exit 1; }
done
tmp=$(mktemp -d /tmp/vtrace-qemu-user.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "  ok    $*"; }
echo "a file for the second thread to read" >"$tmp/input"

strace -f -n -o "$tmp/strace" "$prog" "$tmp/input" >"$tmp/native.out" 2>"$tmp/strace.err" ||
	{ echo "SKIP: strace cannot trace here: $(head -1 "$tmp/strace.err")"; exit 77; }
timeout 120 qemu-x86_64 \
	-plugin "$plugin,enable=guest_syscall*,enable=translate_block,enable=vcpu_*,dir=$tmp/q,policy=block" \
	-plugin "$counter,out=$tmp/count" "$prog" "$tmp/input" >"$tmp/qemu.out" 2>"$tmp/qemu.err" ||
	fail "the program under qemu-x86_64 with the plugin: $(cat "$tmp/qemu.err")"
grep "^vtrace-qemu:" "$tmp/qemu.err" && fail "the plugin complained"

# A
cmp -s "$tmp/native.out" "$tmp/qemu.out" || fail "output differs: $(diff "$tmp/native.out" "$tmp/qemu.out")"
ok "same output natively and under QEMU"

# B
babeltrace2 "$tmp/q" >"$tmp/bt" 2>"$tmp/bt.err" || fail "babeltrace2: $(head -3 "$tmp/bt.err")"
[ -s "$tmp/bt.err" ] && fail "babeltrace2 warns: $(head -3 "$tmp/bt.err")"
ok "babeltrace2 decodes $(wc -l <"$tmp/bt") events"

# C: "PID [ NR] name(...)" lines; the first is strace's own execve of the
# program, which QEMU runs without a guest syscall; "<... resumed>" lines
# continue a call already listed; "+++ exited" and "--- SIG" lines are no
# calls.
awk '/resumed>|\+\+\+ |--- / { next } $2 == "[" { $2 = "[" $3 } $2 ~ /^\[[0-9]+\]$/ {
	n++; if (n == 1) next
	gsub(/[][]/, "", $2)
	if (!($1 in idx)) idx[$1] = t++
	print idx[$1], $2 }' "$tmp/strace" >"$tmp/native.sys"
"$vt" dump -e guest_syscall "$tmp/q" |
	sed -n 's/^guest_syscall .* vcpu=\([0-9]*\) num=\([0-9]*\) .*/\1 \2/p' >"$tmp/qemu.sys"
for t in 0 1; do
	awk -v t=$t '$1 == t {print $2}' "$tmp/native.sys" >"$tmp/native.$t"
	awk -v t=$t '$1 == t {print $2}' "$tmp/qemu.sys" >"$tmp/qemu.$t"
	[ -s "$tmp/native.$t" ] || fail "strace shows no thread $t"
	cmp -s "$tmp/native.$t" "$tmp/qemu.$t" || {
		diff "$tmp/native.$t" "$tmp/qemu.$t" | head
		fail "thread $t: syscall numbers differ from strace's"
	}
done
nsys=$(wc -l <"$tmp/qemu.sys")
[ "$nsys" = "$(wc -l <"$tmp/native.sys")" ] || fail "syscall counts differ"
[ "$(awk '$1 >= 2' "$tmp/qemu.sys" | wc -l)" = 0 ] || fail "syscalls on a third vCPU"
nret=$("$vt" dump -e guest_syscall_ret "$tmp/q" | wc -l)
[ "$nret" = $((nsys - 2)) ] || fail "$nret guest_syscall_ret for $nsys syscalls (2 never return)"
ok "guest_syscall = strace -f: $nsys syscalls, same numbers in the same order per thread"

# D
tb=$(grep -c " translate_block: " "$tmp/bt" || true)
counted=$(awk '$1 == "translations" {print $2}' "$tmp/count")
[ "$tb" -gt 0 ] && [ "$tb" = "$counted" ] ||
	fail "translate_block events $tb, the counting plugin saw $counted translations"
grep -q " vcpu_start: { cpu_id = 1 }" "$tmp/bt" || fail "no vcpu_start on vCPU 1"
ok "translate_block events = independent count ($tb), on vCPUs 0 and 1"
