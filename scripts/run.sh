#!/usr/bin/env bash
# make run: the main job end to end on an embedded default.
# Boots kernel-lite on 4 vCPUs with translate_block, the syscall events and
# the exception events on; vtrace-emu starts its own vtrace-consumer, which
# writes traces/run.  Then the head of `vtrace dump` and the trace summary.
set -eu
O=${O:-build}
dir=${RUN_DIR:-traces/run}
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
cmd=("$O/vtrace-emu" -smp 4 -nographic -kernel "$O/kernel-lite.elf"
     -trace translate_block -trace 'guest_syscall*' -trace 'cpu_exception'
     -trace 'cpu_interrupt' -trace load_file -trace "runstate_set,file=$dir")
echo "== ${cmd[*]}"
"${cmd[@]}"
echo
echo "== $O/vtrace dump $dir | head -n 15"
"$O/vtrace" dump "$dir" | head -n 15
echo
if "$O/vtrace" help report >/dev/null 2>&1; then
	echo "== $O/vtrace report --elf $O/kernel-lite.elf $dir"
	"$O/vtrace" report --elf "$O/kernel-lite.elf" "$dir"
else
	echo "== $O/vtrace dump --count $dir"
	"$O/vtrace" dump --count "$dir"
fi
if command -v babeltrace2 >/dev/null; then
	echo
	echo "== babeltrace2 $dir | wc -l"
	babeltrace2 "$dir" | wc -l
fi
