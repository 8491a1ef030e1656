#!/usr/bin/env bash
# The native backend (tcg/native-x86.c) against everything the interpreter
# passes: the tcg unit tests that run guest code, kernel-lite against QEMU
# on 1 to 4 harts, the privileged-architecture guests and the F/D, Sv39
# and trigger differential tests, each on -accel tcg,backend=native.
# Skips (77) on hosts without the backend.
set -u
O=${O:-build}
export O BACKEND=native TCG_BACKEND=native

case $(uname -m) in
x86_64) ;;
*) echo "SKIP: no native backend on $(uname -m)"; exit 77 ;;
esac
fail=0
step() {
	echo "== $*"
	"$@"
	local rc=$?
	# a part that cannot run here (77) is not a failure of the backend
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || { echo "FAIL: $* (rc $rc)"; fail=1; }
}

for t in insn priv tb smp interp mmu fpu trigger; do
	step "$O/tests/test-tcg-$t"
done
step bash tests/kernel-lite/same-output.sh
step bash tests/priv/run-priv.sh
step bash tests/diff/diff-fp.sh
step bash tests/diff/diff-mmu.sh
step bash tests/diff/diff-trig.sh
[ $fail -eq 0 ] && echo PASS
exit $fail
