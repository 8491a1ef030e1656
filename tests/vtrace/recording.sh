#!/usr/bin/env bash
# Scenario: report and export on a real recording of kernel-lite.
# Records `vtrace-emu -smp 2 -kernel kernel-lite.elf` with the TCG, trap,
# syscall and MMIO events on and the lossless block policy (or takes VTRACE_RECORDING=DIR, with
# VTRACE_RECORDING_ELF=FILE, to check a recording made elsewhere), then:
#  - check-trace.py: report vs dump --count, the TCG figures against the
#    event counts, SVG, Perfetto JSON schema and slice nesting, folded sums;
#  - what a real boot must show: translations and executions, a hottest
#    block named by the ELF's symbols, syscalls and traps, nothing lost.
# Skipped (77) when the emulator or the kernel is not built.
set -u
O=${O:-build}
export O
PY=/usr/bin/python3
VTRACE=$O/vtrace
[ -x "$VTRACE" ] || { echo "FAIL: $VTRACE not built"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if [ -n "${VTRACE_RECORDING:-}" ]; then
	DIR=$VTRACE_RECORDING
	ELF=${VTRACE_RECORDING_ELF:-}
else
	ELF=$O/kernel-lite.elf
	if [ ! -x "$O/vtrace-emu" ] || [ ! -f "$ELF" ] ||
		! "$O/vtrace-emu" -help 2>&1 | grep -q -- '-trace'; then
		echo "SKIP: no $O/vtrace-emu with -trace or no $ELF"
		exit 77
	fi
	DIR=$T/rec
	# every event but guest_mem_before (half the volume, not used here)
	ev=(translate_block exec_tb 'tb_*' 'cpu_*' 'guest_syscall*' 'mmio_*'
	    'vcpu_*' load_file runstate_set)
	args=()
	for e in "${ev[@]}"; do args+=(-trace "enable=$e"); done
	if ! PATH=$O:$PATH timeout 60 "$O/vtrace-emu" -smp 2 -nographic -kernel "$ELF" \
		"${args[@]}" -trace "file=$DIR,policy=block" >"$T/emu.log" 2>&1; then
		echo "FAIL: the recording run failed:"
		tail -n 20 "$T/emu.log" | sed 's/^/    /'
		exit 1
	fi
	echo "ok: recorded $(du -sh "$DIR" | cut -f1) in $DIR"
fi

# exec_tb is most of the events: left out of the Perfetto JSON checked here
# (the slices are translate_block), still counted everywhere else
if $PY tests/vtrace/check-trace.py "$DIR" ${ELF:+--elf "$ELF"} --out "$T" \
	--perfetto-skip exec_tb >"$T/check.log" 2>&1; then
	echo "ok: $(grep -c '^ok' "$T/check.log") cross-checks on the recording"
else
	fail "cross-checks on the recording"
	grep -v '^ok' "$T/check.log" | sed 's/^/    /'
fi

"$VTRACE" report --json ${ELF:+--elf "$ELF"} "$DIR" >"$T/r.json" 2>"$T/err" || fail "report exit $?: $(cat "$T/err")"
if $PY - "$T/r.json" "${VTRACE_RECORDING:-}" >"$T/j.log" 2>&1 <<'PY'; then
import json, sys
r = json.load(open(sys.argv[1]))
t = r["tcg"]
recorded_here = not sys.argv[2]
assert r["events"] > 0 and r["problems"] == 0, (r["events"], r["problems"])
assert t["translations"] > 0 and t["blocks"] > 0, "no translate_block events"
if recorded_here:
    assert r["dropped"] == 0 and r["lost_packets"] == 0, "losses under policy=block"
    assert t["execs"] > 0, "no exec_tb events"
    assert t["hot_by_execs"][0].get("function"), "hottest block has no symbol"
    assert t["translate_ns"] > 0 and r["syscalls"] and r["exceptions"]
    assert len([s for s in r["streams"] if not s["sys"]]) == 2
print("%d events, %d translations of %d blocks, %d executions, hottest %s"
      % (r["events"], t["translations"], t["blocks"], t["execs"],
         (t["hot_by_execs"] or t["hot_by_translations"])[0].get(
             "symbol", "?")))
PY
	echo "ok: the recording shows a real run: $(tail -n 1 "$T/j.log")"
else
	fail "the recording's report"
	sed 's/^/    /' "$T/j.log"
fi

echo
if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all recording checks passed"
