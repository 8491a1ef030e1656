#!/usr/bin/env bash
# Debian's riscv64 Linux on vtrace-emu against QEMU (not in make check yet:
# it needs the fpu, mmu and priv work; run it by hand with
# `bash tests/linux/boot.sh [HARTS...]`).
#
# For 1, 2 and 4 harts (or those given): boot the cached kernel and
# initramfs (make linux-guest) with vtrace.workload=standard on
# qemu-system-riscv64 and on vtrace-emu; both must power off with status
# 0 and print the same lines between the workload's two markers.  Then
# the interactive shell: commands typed on the console (UART receive
# interrupts) get their answers.
set -u
O=${O:-build}
EMU=${EMU:-$O/vtrace-emu}
W=$O/tests/linux
mkdir -p "$W"
fail=0
ok() { printf '  ok    %s\n' "$1"; }
bad() { printf '  FAIL  %s\n' "$1"; fail=1; }

cache=$(bash guests/linux/linux-guest.sh 2>$W/linux-guest.err) || {
	echo "SKIP: no Linux guest: $(tail -1 $W/linux-guest.err)"
	exit 77
}
[ -x "$EMU" ] || { echo "no $EMU (build it first)"; exit 1; }
K=(-kernel "$cache/Image" -initrd "$cache/initramfs.cpio.gz")
APPEND="console=ttyS0 quiet panic=-1 vtrace.workload=standard"
section() { tr -d '\r' | sed -n '/^==== vtrace workload standard begin/,/^==== vtrace workload standard end/p'; }

for smp in "${@:-1 2 4}"; do
	for e in qemu-system-riscv64 "$EMU"; do
		n=$(basename "$e")
		timeout 900 "$e" -M virt -m 512M -smp $smp -nographic \
			-no-reboot "${K[@]}" -append "$APPEND" </dev/null \
			>$W/$n.$smp.console 2>&1
		echo $? >$W/$n.$smp.rc
		section <$W/$n.$smp.console >$W/$n.$smp.out
	done
	q=$W/qemu-system-riscv64.$smp v=$W/vtrace-emu.$smp
	[ "$(cat $q.rc)" = 0 ] && [ -s $q.out ] ||
		bad "-smp $smp: QEMU itself did not run the workload"
	[ "$(cat $v.rc)" = 0 ] && ok "-smp $smp: powers off with status 0" ||
		bad "-smp $smp: status $(cat $v.rc), console: $(tail -c 300 $v.console)"
	[ -s $v.out ] && cmp -s $v.out $q.out &&
		ok "-smp $smp: workload output = QEMU's ($(wc -l <$v.out) lines)" ||
		{ bad "-smp $smp: workload output differs"; diff $v.out $q.out | head; }
done

# The interactive shell: type, read the answers.
in=$W/shell.in
rm -f $in.out
mkfifo $in.fifo 2>/dev/null || true
timeout 600 "$EMU" -M virt -m 512M -smp 2 -nographic -no-reboot "${K[@]}" \
	-append "console=ttyS0 quiet panic=-1" <$in.fifo >$in.out 2>&1 &
emu=$!
{
	for _ in $(seq 600); do
		grep -q 'interactive shell' $in.out 2>/dev/null && break
		sleep 0.5
	done
	sleep 1
	printf 'echo $((6 * 7))\n'
	sleep 2
	printf 'echo sum-$(seq 1 100 | awk "{ s += \\$1 } END { print s }")\n'
	sleep 2
	printf 'exit\n'
} >$in.fifo
wait $emu
rc=$?
tr -d '\r' <$in.out | grep -qx '42' && tr -d '\r' <$in.out | grep -qx 'sum-5050' &&
	[ $rc = 0 ] && ok "interactive shell answers on the console" ||
	bad "interactive shell (rc $rc): $(tail -c 300 $in.out)"
rm -f $in.fifo
exit $fail
