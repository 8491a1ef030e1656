#!/usr/bin/env bash
# libvtrace-qemu.so figures for make bench (run by bench/run.sh with O, DATA,
# RUNS): kernel-lite-bench on 1 hart under qemu-system-riscv64 (its loops
# run a fixed number of blocks, so every variant executes the same 33
# million or so), wall time, median of RUNS (at most 3: the exec_tb runs
# write GBs), the variants interleaved:
#   a  QEMU without a plugin
#   b  the plugin, a session, every event off
#   c  translate_block on
#   d  exec_tb on, discard        e  exec_tb on, block (nothing lost)
#   f  the text peer: one line per executed block, as QEMU's execlog logs
#   g  a callback per executed block that only counts
#   h  QEMU's inline add per executed block (no call)
# ns per event = (variant - a) / events, where the events of d are the
# executed blocks (written + dropped: each one paid its callback);
# events/s = events written (lines for f, counted blocks for g, h) / time.
set -uo pipefail
O=${O:-build}
DATA=${DATA:-$O/bench-data}
RUNS=${RUNS:-3}
[ "$RUNS" -gt 3 ] && RUNS=3
klb=$O/kernel-lite-bench.elf
plugin=$O/libvtrace-qemu.so
peer=$O/bench/libqemu-peer.so
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
emit() { echo "BENCH $*"; }
command -v qemu-system-riscv64 >/dev/null || { echo "== qemu plugin: qemu-system-riscv64 not installed"; exit 0; }
echo "== libvtrace-qemu.so in $(qemu-system-riscv64 --version | head -1), kernel-lite-bench, 1 hart (median of $RUNS)"

declare -A T E
run() {
	local v=$1 s e; shift
	rm -rf "$DATA/qp"
	s=$(date +%s.%N)
	qemu-system-riscv64 -machine virt -bios none -nographic -smp 1 -kernel "$klb" "$@" \
		>"$DATA/qp.out" 2>"$DATA/qp.err" || { echo "variant $v failed: $(tail -2 "$DATA/qp.err")"; return; }
	e=$(date +%s.%N)
	grep -q "kernel-lite-bench: ok" "$DATA/qp.out" || echo "variant $v: the guest did not finish"
	T[$v]+="$(awk -v a="$s" -v b="$e" 'BEGIN {printf "%.4f", b - a}') "
}
# written + dropped events of the last run, from the consumer's summary
events_of() { sed -n 's/^vtrace-consumer: \([0-9]*\) events, [0-9]* bytes, \([0-9]*\) dropped.*/\1 \2/p' "$DATA/qp.err"; }
for i in $(seq "$RUNS"); do
	run a
	run b -plugin "$plugin,dir=$DATA/qp"
	run c -plugin "$plugin,enable=translate_block,dir=$DATA/qp"
	run d -plugin "$plugin,enable=exec_tb,policy=discard,dir=$DATA/qp"
	E[d]+="$(events_of | awk '{print $1}') "; E[dd]+="$(events_of | awk '{print $2}') "
	E[dn]+="$(events_of | awk '{print $1 + $2}') "
	run e -plugin "$plugin,enable=exec_tb,policy=block,dir=$DATA/qp"
	E[e]+="$(events_of | awk '{print $1 + $2}') "; E[ed]+="$(events_of | awk '{print $2}') "
	run f -plugin "$peer,mode=text,out=$DATA/qp.txt"
	E[f]+="$(wc -l <"$DATA/qp.txt") "
	rm -f "$DATA/qp.txt"
	run g -plugin "$peer,mode=callback,out=$DATA/qp.n"
	E[g]+="$(awk '{print $2}' "$DATA/qp.n") "
	run h -plugin "$peer,mode=inline,out=$DATA/qp.n"
	E[h]+="$(awk '{print $2}' "$DATA/qp.n") "
done
rm -rf "$DATA/qp" "$DATA/qp.n" "$DATA/qp.out" "$DATA/qp.err"
med() { echo "$1" | tr ' ' '\n' | grep . | median; }
declare -A M
for v in a b c d e f g h; do M[$v]=$(med "${T[$v]}"); done
emit qemu_plugin_time_a_plain_s "${M[a]}" s
emit qemu_plugin_time_b_all_off_s "${M[b]}" s
emit qemu_plugin_time_c_translate_block_s "${M[c]}" s
emit qemu_plugin_all_off_vs_plain "$(awk -v a="${M[b]}" -v b="${M[a]}" 'BEGIN {printf "%.3f", a / b}')" ratio
emit qemu_plugin_translate_block_vs_plain "$(awk -v a="${M[c]}" -v b="${M[a]}" 'BEGIN {printf "%.3f", a / b}')" ratio
# per-event figures: $1 name, $2 variant, $3 events written (median),
# $4 events paid for (default $3)
per_event() {
	emit "qemu_${1}_events_per_s" "$(awk -v n="$3" -v t="${M[$2]}" 'BEGIN {printf "%.0f", n / t}')" events/s
	emit "qemu_${1}_ns_per_event" "$(awk -v n="${4:-$3}" -v t="${M[$2]}" -v b="${M[a]}" 'BEGIN {printf "%.1f", (t - b) * 1e9 / n}')" ns
}
per_event exec_tb_discard d "$(med "${E[d]}")" "$(med "${E[dn]}")"
emit qemu_exec_tb_discard_dropped "$(med "${E[dd]}")" events
per_event exec_tb_block e "$(med "${E[e]}")"
emit qemu_exec_tb_block_dropped "$(med "${E[ed]}")" events
per_event text_peer f "$(med "${E[f]}")"
per_event callback_count g "$(med "${E[g]}")"
per_event inline_count h "$(med "${E[h]}")"
echo "   far anchor (published, not measured here): Cannoli, with a patched QEMU in user mode, traces about 2 billion guest instructions/s"
