#!/usr/bin/env bash
# Scenario: `vtrace report` and `vtrace export` on traces of known content.
#  - make-trace.py --tcg (the emulator's events, figures chosen by hand):
#    the report's numbers exactly (counts, hottest blocks, retranslations
#    and why, translation-time sum and histogram, invalidations per page,
#    syscalls, exceptions, drops), in JSON and in the text; --elf names;
#    --vcpu and --from/--to windows; the folded stacks;
#  - vtrace-stress recordings, lossless and with drops: events + drops =
#    emitted, and the TCG sections say there are no translate_block events;
#  - check-trace.py's cross-checks (report vs dump, SVG, Perfetto JSON
#    schema and nesting, folded sums) on every trace, damaged ones too;
#  - bad input: each kind of damage names file and offset, exit 1, the
#    rest still reported; a missing directory is one line, exit 1.
# A real recording: tests/vtrace/recording.sh (or check-trace.py DIR).
set -u
O=${O:-build}
export O
VTRACE=$O/vtrace
PY=/usr/bin/python3
GEN=tests/vtrace/make-trace.py
CHECK=tests/vtrace/check-trace.py
[ -x "$VTRACE" ] || { echo "FAIL: $VTRACE not built"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# cross NAME DIR [ARGS]: check-trace.py on DIR
cross() {
	local name=$1
	shift
	if $PY $CHECK "$@" --out "$T" >"$T/check.log" 2>&1; then
		echo "ok: $name: $(grep -c '^ok' "$T/check.log") cross-checks"
	else
		fail "$name: cross-checks"
		grep -v '^ok' "$T/check.log" | sed 's/^/    /'
	fi
}

# jcheck NAME JSON_FILE PYTHON_ASSERTIONS (r is the report)
jcheck() {
	if $PY - "$2" "$3" >"$T/j.log" 2>&1 <<'PY'; then
import json, sys
r = json.load(open(sys.argv[1]))
t = r["tcg"]
exec(sys.argv[2])
PY
		echo "ok: $1"
	else
		fail "$1"
		sed 's/^/    /' "$T/j.log"
	fi
}

# ---------------------------------------------------------------- tcg
$PY $GEN "$T/tcg" --tcg --elf "$T/tcg.elf" || { echo "FAIL: make-trace --tcg"; exit 1; }
"$VTRACE" report --json "$T/tcg" >"$T/tcg.json" 2>"$T/err" || fail "report --json exit $?"
[ -s "$T/err" ] && fail "report of a good trace wrote to stderr: $(cat "$T/err")"

jcheck "counts: 247 events, per stream, drops and lost packets" "$T/tcg.json" '
assert r["events"] == 247, r["events"]
s = {x["name"]: x for x in r["streams"]}
assert [s[n]["events"] for n in ("vcpu0", "vcpu1", "sys0")] == [218, 28, 1]
assert r["dropped"] == 3 and s["vcpu1"]["dropped"] == 3
assert r["lost_packets"] == 1 and s["vcpu0"]["lost_packets"] == 1
assert r["event_counts"]["exec_tb"] == 210
assert s["vcpu0"]["counts"]["translate_block"] == 7
assert s["vcpu1"]["counts"]["guest_syscall"] == 3
assert r["problems"] == 0'

jcheck "hottest blocks by executions and by translations" "$T/tcg.json" '
assert t["execs"] == 210 and t["translations"] == 10 and t["blocks"] == 4
assert [(b["pc_hex"], b["execs"]) for b in t["hot_by_execs"]] == \
    [("0x80000000", 130), ("0x80000100", 70), ("0x80001000", 10)]
assert [(b["pc_hex"], b["translations"], b["translate_ns"])
        for b in t["hot_by_translations"]] == \
    [("0x80002000", 3, 10500), ("0x80000000", 3, 1000),
     ("0x80001000", 2, 3300), ("0x80000100", 2, 2200)]
s = {x["name"]: x for x in r["streams"]}
assert s["vcpu0"]["execs"] == 200 and s["vcpu1"]["execs"] == 10'

jcheck "retranslations and why: store 1, fence.i 1, flush 2, other-vcpu 1, unknown 1" "$T/tcg.json" '
rt = t["retranslated"]
assert rt["blocks"] == 4 and rt["retranslations"] == 6
assert rt["why"] == {"store": 1, "fence.i": 1, "invalidate": 0,
                     "flush": 2, "other-vcpu": 1, "unknown": 1}, rt["why"]
why = {b["pc_hex"]: b["why"] for b in rt["top"]}
assert why["0x80000000"]["fence.i"] == 1 and why["0x80000000"]["flush"] == 1
assert why["0x80000100"]["store"] == 1 and why["0x80001000"]["flush"] == 1
assert why["0x80002000"]["unknown"] == 1
assert why["0x80002000"]["other-vcpu"] == 1'

jcheck "translation time: sum 17000 ns, max 9000, share, histogram" "$T/tcg.json" '
assert t["translate_ns"] == 17000 and t["translate_max_ns"] == 9000
assert t["run_ns"] == 43500 and abs(t["translate_share"] - 17000 / 43500) < 1e-6
s = {x["name"]: x for x in r["streams"]}
assert (s["vcpu0"]["translate_ns"], s["vcpu0"]["run_ns"]) == (13200, 22000)
assert (s["vcpu1"]["translate_ns"], s["vcpu1"]["run_ns"]) == (3800, 21500)
h = {(b["lo"], b["hi"]): b["translations"] for b in t["translate_hist_ns"]}
assert h == {(128, 255): 1, (256, 511): 3, (512, 1023): 3, (1024, 2047): 1,
             (2048, 4095): 1, (4096, 8191): 0, (8192, 16383): 1}, h'

jcheck "invalidations per page, flushes, block sizes" "$T/tcg.json" '
inv = t["invalidations"]
assert (inv["total"], inv["store"], inv["fence.i"]) == (3, 2, 1)
assert [(p["page_hex"], p["count"], p["store"], p["fence.i"])
        for p in inv["pages"]] == [("0x80000000", 2, 1, 1),
                                   ("0x80001000", 1, 1, 0)]
assert t["flushes"] == {"count": 1, "blocks": 4, "reasons": {"monitor": 1}}
bs = {(b["lo"], b["hi"]): (b["translations"], b["blocks"])
      for b in t["block_sizes"]}
assert bs == {(1, 1): (2, 1), (2, 3): (0, 0), (4, 7): (3, 1), (8, 15): (2, 1),
              (16, 31): (0, 0), (32, 63): (3, 1)}, bs'

jcheck "syscalls, exceptions, interrupts, MMIO" "$T/tcg.json" '
sc = {x["num"]: x for x in r["syscalls"]}
assert (sc[64]["calls"], sc[64]["returns"], sc[64]["errors"]) == (2, 2, 1)
assert (sc[64]["latency_ticks"], sc[64]["latency_count"]) == (500, 2)
assert (sc[93]["calls"], sc[93]["returns"]) == (1, 0)
assert [(x["cause"], x["count"]) for x in r["exceptions"]] == [(8, 3), (2, 1)]
assert r["exceptions"][0]["name"] == "ecall from U-mode"
assert [(x["cause"], x["name"], x["count"]) for x in r["interrupts"]] == \
    [(7, "machine timer", 2)]
assert [(x["addr_hex"], x["reads"], x["writes"]) for x in r["mmio"]] == \
    [("0x10000000", 0, 5), ("0x10000005", 2, 0)]'

# the text shows the same figures
"$VTRACE" report "$T/tcg" >"$T/tcg.txt" 2>&1 || fail "report text exit $?"
for want in \
	'  247 events on 2 vCPUs and 1 sys ring' \
	'  lost: 3 events dropped, 1 packets lost, 0 damaged spots' \
	'  10 translations of 4 blocks, 210 executions' \
	'  why: store 1 fence.i 1 invalidate 0 flush 2 other-vcpu 1 unknown 1' \
	'  total 17000 ns (17.000 us), 39.08% of run time (43.500 us over the vCPUs)' \
	'Invalidations per page: 3 invalidations (store 2, fence.i 1) of 2 pages' \
	'  tb_flush: 1 flushes, 4 blocks thrown away; monitor 1'; do
	grep -qxF -e "$want" "$T/tcg.txt" || fail "text: no line '$want'"
done
grep -qE '^ +1 0x80000000 +- +130 +61\.90% +3 +4$' "$T/tcg.txt" &&
	grep -qE '^  vcpu0 +218 .* 0 +1 +60\.00%$' "$T/tcg.txt" &&
	grep -qE '^  8192-16383 ns +1 ' "$T/tcg.txt" &&
	echo "ok: text report shows the same figures" ||
	{ fail "text report rows"; cat "$T/tcg.txt"; }

# --elf: function names
"$VTRACE" report --json --elf "$T/tcg.elf" "$T/tcg" >"$T/elf.json" || fail "report --elf exit $?"
jcheck "--elf: pcs become function+offset" "$T/elf.json" '
assert [b["symbol"] for b in t["hot_by_translations"]] == \
    ["smc_stub", "_start", "trap_vector", "hot_loop"]'
"$VTRACE" report --elf "$T/tcg.elf" "$T/tcg" | grep -qE '^ +1 0x80000000 +_start +130 ' &&
	echo "ok: --elf names in the text" || fail "--elf names in the text"
"$VTRACE" export --elf "$T/tcg.elf" --folded "$T/folded" "$T/tcg" || fail "export --folded exit $?"
printf '%s\n' '_start;0x80000000 130' 'hot_loop;0x80000100 70' \
	'trap_vector;0x80001000 10' >"$T/want"
cmp -s "$T/want" "$T/folded" && echo "ok: folded stacks with --elf" ||
	{ fail "folded stacks"; diff -u "$T/want" "$T/folded"; }
"$VTRACE" report --elf "$T/nope.elf" "$T/tcg" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "nope.elf" "$T/err" && echo "ok: missing ELF: exit 1, named" ||
	fail "missing ELF: $(cat "$T/err")"

# --vcpu and a window
"$VTRACE" report --json --vcpu 1 "$T/tcg" >"$T/v1.json" || fail "--vcpu exit $?"
jcheck "--vcpu 1" "$T/v1.json" '
assert r["events"] == 28 and t["translations"] == 3 and r["dropped"] == 3
assert r["lost_packets"] == 0 and [s["name"] for s in r["streams"]] == ["vcpu1"]
assert t["retranslated"]["why"]["flush"] == 1'
"$VTRACE" report --json --from 10us --to 16us "$T/tcg" >"$T/w.json" || fail "window exit $?"
jcheck "--from 10us --to 16us" "$T/w.json" '
assert r["events"] == 27, r["events"]
assert t["translations"] == 4 and t["retranslated"]["retranslations"] == 1
assert r["dropped"] == 3 and r["lost_packets"] == 1'
"$VTRACE" report --from 2 --to 1 "$T/tcg" >/dev/null 2>&1
[ $? -eq 2 ] && echo "ok: --to before --from: usage error" || fail "--to before --from"

cross "tcg trace" "$T/tcg" --elf "$T/tcg.elf"

# ---------------------------------------------------------------- stress
# stress_event etc.: no TCG events; drops with a 16 KiB ring.
if [ -x "$O/vtrace-stress" ] && [ -x "$O/vtrace-consumer" ]; then
	for policy in block discard; do
		args=(-t 2 -n 20000 -p "$policy" -o "$T/st-$policy")
		[ "$policy" = discard ] && args+=(--ring-kb 16)
		last=$(PATH=$O:$PATH "$O/vtrace-stress" "${args[@]}" 2>"$T/st.err" | tail -n 1)
		emitted=${last#emitted=}
		emitted=${emitted%% *}
		dropped=${last##*dropped=}
		"$VTRACE" report --json "$T/st-$policy" >"$T/st.json" || fail "stress report exit $?"
		jcheck "stress $policy: events + drops = emitted ($last)" "$T/st.json" "
assert r['events'] + r['dropped'] == $emitted, (r['events'], r['dropped'])
assert r['dropped'] == $dropped
assert '$policy' == 'discard' or r['dropped'] == 0
assert '$policy' == 'block' or r['dropped'] > 0
assert t['translations'] == 0 and t['hot_by_execs'] == []"
		"$VTRACE" report "$T/st-$policy" | grep -q '^  no translate_block events' &&
			echo "ok: stress $policy: 'no translate_block events'" ||
			fail "stress $policy: no 'no translate_block events' line"
		cross "stress $policy" "$T/st-$policy"
	done
else
	echo "note: vtrace-stress not built, stress traces not checked"
fi

# ---------------------------------------------------------------- known small
$PY $GEN "$T/small"
"$VTRACE" report --json "$T/small" >"$T/small.json" || fail "small exit $?"
jcheck "dump's known trace: 13 events, 7 dropped, 1 lost packet" "$T/small.json" '
assert (r["events"], r["dropped"], r["lost_packets"]) == (13, 7, 1)
assert r["event_counts"] == {"stress_event": 5, "load_file": 2,
    "mmio_write": 1, "cpu_exception": 2, "runstate_set": 3}'
cross "small trace" "$T/small"

# ---------------------------------------------------------------- damage
# each damage: one error line naming file and offset, exit 1, the rest
# of the trace still counted
while read -r kind file off lost; do
	$PY $GEN "$T/bad-$kind" --tcg --corrupt "$kind"
	for cmd in "report" "report --json" "export --perfetto $T/p.json"; do
		$VTRACE $cmd "$T/bad-$kind" >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -eq 1 ] && grep -q "^vtrace: $T/bad-$kind/$file: offset $off: " "$T/err" &&
			tail -n 1 "$T/err" | grep -qx "vtrace: $T/bad-$kind: 1 problem found, see above"; then
			:
		else
			fail "$kind: $cmd: exit $rc, stderr: $(cat "$T/err")"
		fi
	done
	"$VTRACE" report --json "$T/bad-$kind" 2>/dev/null >"$T/bad.json"
	jcheck "$kind: named with its offset, exit 1, the rest reported" "$T/bad.json" "
assert r['problems'] == 1
assert 0 < r['events'] <= 247 - $lost, r['events']"
	cross "$kind" "$T/bad-$kind" --damaged
done <<'EOF2'
truncated vcpu1 4096 1
bad-magic vcpu0 4096 1
content-size vcpu0 0 1
unknown-id vcpu0 128 1
bad-uuid vcpu1 0 1
EOF2

for cmd in report "export --folded -"; do
	$VTRACE $cmd "$T/nope" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 1 ] && [ "$(cat "$T/err")" = "vtrace: $T/nope: No such file or directory" ] &&
		echo "ok: $cmd: missing directory: one line, exit 1" ||
		fail "$cmd missing directory: exit $rc, $(cat "$T/err")"
done
# options after the directory, as in DESIGN.md's `report DIR --svg FILE`
"$VTRACE" report "$T/tcg" --json --svg "$T/after.svg" >"$T/after.json" 2>"$T/err" &&
	cmp -s "$T/tcg.json" "$T/after.json" && [ -s "$T/after.svg" ] &&
	echo "ok: options after the directory" || fail "options after DIR: $(cat "$T/err")"

# an unreadable directory: as root, drop to nobody to see the EACCES
cp -r "$T/tcg" "$T/locked"
chmod 000 "$T/locked"
if [ "$(id -u)" -eq 0 ] && chmod 711 "$T" &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$VTRACE" help >/dev/null 2>&1; then
	for cmd in report "export --folded /dev/null"; do
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			$VTRACE $cmd "$T/locked" >/dev/null 2>"$T/err"
		rc=$?
		[ $rc -eq 1 ] && [ "$(cat "$T/err")" = "vtrace: $T/locked: Permission denied" ] &&
			echo "ok: $cmd: unreadable directory: one line, exit 1" ||
			fail "$cmd unreadable directory: exit $rc, $(cat "$T/err")"
	done
else
	echo "note: cannot run as another user, unreadable directory not checked"
fi
chmod 700 "$T" "$T/locked"

"$VTRACE" export "$T/tcg" >/dev/null 2>&1
[ $? -eq 2 ] && echo "ok: export without an output: usage error" || fail "export usage"
"$VTRACE" help report | grep -q '^usage: vtrace report' || fail "help report"
"$VTRACE" help export | grep -q '^usage: vtrace export' || fail "help export"

echo
if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all vtrace report/export checks passed"
