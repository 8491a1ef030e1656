#!/usr/bin/env bash
# Every binary explains itself: --help (vtrace-emu also QEMU's -help)
# exits 0 on stdout with every option it takes and an example, --version
# (vtrace-emu also QEMU's -version) prints "NAME version X", and `make
# help` lists the main targets.
set -u
O=${O:-build}
fail=0
bad() { printf '  FAIL  %s\n' "$1"; fail=1; }
check() { # binary help-flag version-flag option...
	local b=$1 h=$2 v=$3 out; shift 3
	out=$("$O/$b" "$h" 2>/dev/null) || { bad "$b $h exits $?"; return; }
	grep -q '^example' <<<"$out" || bad "$b $h shows no example"
	for o in "$@"; do
		grep -q -- "$o" <<<"$out" || bad "$b $h does not explain $o"
	done
	out=$("$O/$b" "$v") || { bad "$b $v exits $?"; return; }
	grep -q "^$b version [0-9]" <<<"$out" || bad "$b $v printed '$out'"
	printf '  ok    %s %s, %s\n' "$b" "$h" "$v"
}
check vtrace-emu -help -version -M -bios -smp -m -kernel -initrd -append \
	-no-reboot -nographic -monitor -S -vcpu-pin -d -D -trace -version
check vtrace-emu --help --version
check vtrace-consumer --help --version --output --listen --fd --quiet
check vtrace-stress --help --version -t -n -p -o --ring-kb --mix \
	--consumer --seq-fd
check vtrace --help --version dump report export ctl
out=$(make -s --no-print-directory help) || bad "make help exits $?"
for t in run check bench linux-guest diff-long; do
	grep -q "make $t" <<<"$out" || bad "make help does not name make $t"
done
[ $fail = 0 ] && echo "  ok    make help names the main targets"
exit $fail
