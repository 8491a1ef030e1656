#!/usr/bin/env bash
# Debian's riscv64 Linux on vtrace-emu against QEMU, on 1, 2 and 4 harts
# (or those given: `bash tests/linux/boot.sh 4`).
#
# Each emulator boots the cached kernel and this tree's initramfs with
# vtrace.workload=standard; both must bring up every hart, power off with
# status 0 and print the same lines between the workload's two markers.
#
# QEMU's answer depends only on its version, the kernel, the initramfs,
# the command line and -smp: it is kept under $cache/qemu/, keyed by a hash
# of all five, so QEMU boots only when one of them changed (the whole test
# then takes about 3 minutes on 2 loaded cores instead of about 1).
set -u
. tests/linux/linux-lib.sh
APPEND="console=ttyS0 quiet panic=-1 vtrace.workload=standard"
section() {
	tr -d '\r' |
	sed -n '/^==== vtrace workload standard begin/,/^==== vtrace workload standard end/p'
}
harts() { tr -d '\r' | sed -n 's/^vtrace: \([0-9]*\) harts online$/\1/p'; }
# boot EMULATOR SMP PREFIX: PREFIX.console, .rc, .out (the section), .harts
boot() {
	timeout 300 "$1" -M virt -m 512M -smp $2 -nographic -no-reboot \
		"${K[@]}" -append "$APPEND" </dev/null >$3.console 2>&1
	echo $? >$3.rc
	section <$3.console >$3.out
	harts <$3.console >$3.harts
}

mkdir -p "$cache/qemu"
qkey=$({ $QEMU --version | head -1; sha256sum "$cache/Image" \
	"$W/initramfs.cpio.gz" | cut -c1-64; echo "$APPEND"; } | sha256sum |
	cut -c1-16)
for smp in ${*:-1 2 4}; do
	q=$cache/qemu/$qkey-$smp v=$W/vtrace-emu.$smp
	if ! [ -s $q.out ]; then
		boot $QEMU $smp $W/qemu.$smp
		if [ "$(cat $W/qemu.$smp.rc)" = 0 ] && [ -s $W/qemu.$smp.out ]; then
			for f in out harts; do
				cp $W/qemu.$smp.$f $q.$f.tmp && mv $q.$f.tmp $q.$f
			done
		else
			bad "-smp $smp: QEMU itself did not run the workload"
			continue
		fi
	fi
	boot "$EMU" $smp $v
	[ "$(cat $v.rc)" = 0 ] && ok "-smp $smp: powers off with status 0" ||
		bad "-smp $smp: status $(cat $v.rc), console: $(tail -c 300 $v.console)"
	[ "$(cat $v.harts)" = $smp ] && [ "$(cat $q.harts)" = $smp ] &&
		ok "-smp $smp: Linux brings up $smp harts, as on QEMU" ||
		bad "-smp $smp: harts online: $(cat $v.harts), QEMU: $(cat $q.harts)"
	[ -s $v.out ] && cmp -s $v.out $q.out &&
		ok "-smp $smp: workload output = QEMU's ($(wc -l <$v.out) lines)" ||
		{ bad "-smp $smp: workload output differs"; diff $v.out $q.out | head; }
done
exit $fail
