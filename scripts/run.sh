#!/usr/bin/env bash
# make run: the main job end to end.
# Boots Debian's riscv64 Linux (make linux-guest, cached in
# ~/.cache/vtrace/linux) on $RUN_SMP vCPUs (default 4) with translate_block,
# the syscall events, the trap events, load_file and runstate_set on, runs
# the standard workload and powers off; vtrace-emu starts its own vtrace-consumer, which
# writes traces/run.  Then the head of `vtrace dump`, the workload's
# execve calls and the report, kernel blocks named from the saved kallsyms.
# Without the Linux guest (no cache and no network) it says so in one line
# and traces kernel-lite instead.
set -eu
O=${O:-build}
dir=${RUN_DIR:-traces/run}
smp=${RUN_SMP:-4}
rm -rf "$dir"
mkdir -p "$dir" && rmdir "$dir"
events=(-trace translate_block -trace 'guest_syscall*' -trace cpu_exception
	-trace cpu_interrupt -trace load_file -trace "runstate_set,file=$dir")

err=$(mktemp)
trap 'rm -f "$err"' EXIT
if out=$(bash guests/linux/linux-guest.sh 2>"$err") &&
   cache=${out##*$'\n'} && [ -s "$cache/Image" ]; then
	cmd=("$O/vtrace-emu" -smp "$smp" -nographic -no-reboot
	     -kernel "$cache/Image" -initrd "$cache/initramfs.cpio.gz"
	     -append "console=ttyS0 quiet panic=-1 vtrace.workload=standard"
	     "${events[@]}")
	syms=(--kallsyms "$cache/kallsyms")
else
	echo "make run: no Linux guest ($(tail -n 1 "$err")): tracing kernel-lite instead"
	cmd=("$O/vtrace-emu" -smp 4 -nographic -kernel "$O/kernel-lite.elf"
	     "${events[@]}")
	syms=(--elf "$O/kernel-lite.elf")
fi
echo "== $(printf '%q ' "${cmd[@]}")"
"${cmd[@]}" </dev/null
echo
echo "== $O/vtrace dump $dir | head -n 15"
"$O/vtrace" dump "$dir" | head -n 15
echo
echo "== $O/vtrace dump --events guest_syscall $dir | grep name=execve | head -n 5"
"$O/vtrace" dump --events guest_syscall "$dir" | grep name=execve | head -n 5 || true
echo
echo "== $O/vtrace report ${syms[*]} $dir"
"$O/vtrace" report "${syms[@]}" "$dir"
if command -v babeltrace2 >/dev/null; then
	echo
	echo "== babeltrace2 $dir | wc -l"
	babeltrace2 "$dir" | wc -l
fi
