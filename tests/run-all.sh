#!/usr/bin/env bash
# Run every test binary and scenario that the build.mk files registered,
# each bounded in time, and end with the line CI reads: "N passed, N failed".
#   TESTS      cmocka binaries (exit 0 pass, 77 skip, else fail)
#   SCENARIOS  shell or C drivers for multi-process scenarios
# A test that prints "SKIP: reason" and exits 77 is counted as skipped.
set -u
O=${O:-build}
export O
pass=0 fail=0 skip=0
failed=()
log_dir=$O/test-logs
mkdir -p "$log_dir"

run_one() {
	local name=$1; shift
	local log="$log_dir/$(basename "$name").log"
	local start=$SECONDS
	timeout -k 10 "${TEST_TIMEOUT:-600}" "$@" >"$log" 2>&1
	local rc=$?
	local t=$((SECONDS - start))
	case $rc in
	0) pass=$((pass + 1)); printf '  PASS     %s (%ss)\n' "$name" "$t" ;;
	77) skip=$((skip + 1)); printf '  SKIP     %s: %s\n' "$name" "$(grep -m1 '^SKIP' "$log")" ;;
	*) fail=$((fail + 1)); failed+=("$name")
	   printf '  FAIL     %s (rc=%s, %ss), last lines of %s:\n' "$name" "$rc" "$t" "$log"
	   tail -n 15 "$log" | sed 's/^/    | /' ;;
	esac
}

for t in ${TESTS:-}; do
	run_one "$t" "$t"
done
for s in ${SCENARIOS:-}; do
	run_one "$s" bash "$s"
done

echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
