#!/usr/bin/env bash
# make fuzz: run every libFuzzer target of tests/fuzz for FUZZ_SECONDS,
# then the tracetool fuzzer as long.  Each target starts from the committed
# inputs (tests/fuzz/corpus/NAME, tests/fuzz/regressions/NAME) and grows a
# working corpus in $O/fuzz/corpus/NAME; a crash lands in
# $O/fuzz/artifacts/NAME/ and fails the run.  Once the bug is fixed, copy
# the crash file to tests/fuzz/regressions/NAME/ so make check replays it.
set -uo pipefail
O=${O:-build}
SECONDS_EACH=${FUZZ_SECONDS:-30}
TARGETS=${FUZZ_TARGETS:-events hmp options metadata packet drain ring tracetool}
failed=()
for t in $TARGETS; do
	if [ "$t" = tracetool ]; then
		echo "== tracetool (Python) for ${SECONDS_EACH}s"
		/usr/bin/python3 tests/fuzz/fuzz-tracetool.py --seconds "$SECONDS_EACH" \
			--out "$O/fuzz/artifacts/tracetool" | tail -n 20 || failed+=(tracetool)
		continue
	fi
	bin=$O/fuzz/fuzz-$t
	work=$O/fuzz/corpus/$t art=$O/fuzz/artifacts/$t
	mkdir -p "$work" "$art"
	# Absolute paths: a target may chdir (fuzz-options does).
	work=$(realpath "$work") art=$(realpath "$art")
	echo "== $t for ${SECONDS_EACH}s"
	dirs=("$work")
	for d in tests/fuzz/corpus/$t tests/fuzz/regressions/$t; do
		[ -d "$d" ] && dirs+=("$(realpath "$d")")
	done
	"$bin" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$art/" -close_fd_mask=2 \
		-print_final_stats=1 "${dirs[@]}" >"$O/fuzz/$t.log" 2>&1
	rc=$?
	grep -E "^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::new_units_added|SUMMARY|ERROR" \
		"$O/fuzz/$t.log" | tail -n 4
	if [ $rc -ne 0 ]; then
		failed+=("$t")
		echo "   FAILED (rc=$rc): see $O/fuzz/$t.log and $art/"
	fi
done
echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: crashes in: ${failed[*]}"
	exit 1
fi
echo "fuzz: no crash in ${SECONDS_EACH}s each ($TARGETS)"
