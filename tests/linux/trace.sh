#!/usr/bin/env bash
# Debian's riscv64 Linux traced: boot the cached kernel (make linux-guest)
# on vtrace-emu with translate_block, the syscall and trap events on, run
# a workload and check the trace:
#  - every execve the workload made is a guest_syscall num=221 on the vCPU
#    that made it: the workload pins each of its own execs to a known CPU
#    with taskset (the execve runs there) and prints which; each vCPU's
#    stream must hold at least that many execve entries, and as many
#    execve returns with 0 (the new program back in U on the same vCPU);
#  - the standard workload runs to its end marker with status 0;
#  - babeltrace2 reads the trace, as many events as vtrace counts;
#  - `vtrace report --kallsyms` names kernel functions among the hottest
#    blocks.
# The workload runs from a private initramfs built in $O (the cached
# busybox and /init, the standard workload and this test's), so the shared
# cache is never rewritten.  SMP=N sets the harts (default 1).
set -u
O=${O:-build}
EMU=${EMU:-$O/vtrace-emu}
W=$O/tests/linux-trace
smp=${SMP:-1}
fail=0
ok() { printf '  ok    %s\n' "$1"; }
bad() { printf '  FAIL  %s\n' "$1"; fail=1; }

rm -rf "$W" && mkdir -p "$W/workloads"
cache=$(bash guests/linux/linux-guest.sh 2>$W/linux-guest.err)
case $? in
0) cache=${cache##*$'\n'} ;;
2) echo "SKIP: no Linux guest: $(tail -n 1 $W/linux-guest.err)"; exit 77 ;;
*) echo "make linux-guest failed: $(tail -n 1 $W/linux-guest.err)"; exit 1 ;;
esac
[ -x "$EMU" ] || { echo "no $EMU (build it first)"; exit 1; }
command -v babeltrace2 >/dev/null || { echo "SKIP: babeltrace2 not installed"; exit 77; }

cp guests/linux/workloads/standard "$W/workloads/"
cat >"$W/workloads/traced" <<'EOS'
# Execs pinned to each CPU in turn, then the standard workload.
n=$(nproc)
i=0
while [ $i -lt 8 ]; do
	c=$((i % n))
	taskset -c $c /bin/busybox true && echo "pinned exec cpu $c"
	i=$((i + 1))
done
sh /workloads/standard
EOS
python3 guests/linux/mkinitramfs.py "$cache/busybox" guests/linux/init \
	"$W/workloads" "$W/initramfs.cpio.gz" ||
	{ echo "cannot build the test's initramfs"; exit 1; }

timeout 300 "$EMU" -smp "$smp" -nographic -no-reboot \
	-kernel "$cache/Image" -initrd "$W/initramfs.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 vtrace.workload=traced" \
	-trace translate_block -trace 'guest_syscall*' -trace cpu_exception \
	-trace cpu_interrupt -trace "runstate_set,file=$W/trace" \
	</dev/null >$W/console 2>&1
rc=$?
tr -d '\r' <$W/console >$W/console.txt
[ $rc = 0 ] && ok "-smp $smp: Linux boots traced, powers off with 0" ||
	bad "-smp $smp: status $rc, console: $(tail -c 300 $W/console.txt)"
grep -q '^==== vtrace workload traced end: status 0 ====' $W/console.txt &&
	grep -q '^parts 8002000$' $W/console.txt &&
	ok "the workload ran to its end with status 0" ||
	bad "the workload did not run to its end"

"$O/vtrace" dump --events 'guest_syscall*' "$W/trace" >$W/syscalls.txt ||
	bad "vtrace dump failed"
for c in $(seq 0 $((smp - 1))); do
	want=$(grep -c "^pinned exec cpu $c\$" $W/console.txt)
	got=$(grep -c "^guest_syscall .* vcpu=$c num=221 .* name=execve\$" $W/syscalls.txt)
	back=$(grep -c "^guest_syscall_ret .* vcpu=$c num=221 ret=0x0 name=execve\$" $W/syscalls.txt)
	[ "$want" -ge 1 ] && [ "$got" -ge "$want" ] && [ "$back" -ge "$want" ] &&
		ok "vCPU $c: $want pinned execs, $got execve entries, $back returns" ||
		bad "vCPU $c: $want pinned execs, but $got execve entries and $back returns"
done
total=$(grep -c '^guest_syscall .* num=221 ' $W/syscalls.txt)
[ "$total" -gt 8 ] && ok "$total execve calls in all" ||
	bad "only $total execve calls in the trace"

n_vt=$("$O/vtrace" dump "$W/trace" | wc -l)
n_bt=$(babeltrace2 "$W/trace" 2>$W/babeltrace2.err | wc -l)
[ "$n_vt" -gt 1000 ] && [ "$n_bt" = "$n_vt" ] &&
	ok "babeltrace2 reads the trace: $n_bt events" ||
	bad "babeltrace2 read $n_bt events, vtrace $n_vt: $(head -3 $W/babeltrace2.err)"

"$O/vtrace" report --kallsyms "$cache/kallsyms" --json "$W/trace" >$W/report.json ||
	bad "vtrace report --kallsyms failed"
cat >$W/check-report.py <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
hot = r["tcg"]["hot_by_translations"]
kernel = [b for b in hot if b["pc"] >= 0xffffffff80000000]
named = [b for b in kernel if "function" in b]
print("  hottest kernel blocks:", ", ".join(b["symbol"] for b in named))
names = {s.get("name") for s in r["syscalls"]}
sys.exit(0 if len(kernel) >= 3 and len(named) == len(kernel) and
         "execve" in names else 1)
EOP
python3 $W/check-report.py $W/report.json &&
	ok "report --kallsyms names the hottest kernel blocks" ||
	bad "report --kallsyms: kernel blocks without names (see $W/report.json)"
exit $fail
