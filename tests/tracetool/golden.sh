#!/usr/bin/env bash
# Golden-file test of tools/tracetool.  Every tests/tracetool/NAME.trace-events
# must generate exactly NAME.h and NAME.c; every bad-NAME.trace-events must
# fail with an error that contains the line in bad-NAME.err (file:line and
# reason).  REGENERATE=1 rewrites the expected .h/.c (make tracetool-golden).
set -u
cd "$(dirname "$0")/../.."
dir=tests/tracetool
tool=tools/tracetool/tracetool.py
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

for input in "$dir"/*.trace-events; do
	name=$(basename "$input" .trace-events)
	case $name in bad-*) continue ;; esac
	for fmt in h c; do
		if ! $py $tool --format=$fmt -o "$tmp/$name.$fmt" "$input"; then
			echo "FAIL: $input did not generate .$fmt"; fail=1; continue
		fi
		if [ "${REGENERATE:-0}" = 1 ]; then
			cp "$tmp/$name.$fmt" "$dir/$name.$fmt"
			echo "regenerated $dir/$name.$fmt"
		elif ! diff -u "$dir/$name.$fmt" "$tmp/$name.$fmt"; then
			echo "FAIL: $dir/$name.$fmt differs from what tracetool generates"
			fail=1
		fi
	done
done

for input in "$dir"/bad-*.trace-events; do
	name=$(basename "$input" .trace-events)
	want=$(cat "$dir/$name.err")
	if (cd "$dir" && $py ../../$tool --format=h -o "$tmp/out.h" "$name.trace-events") \
		2>"$tmp/err"; then
		echo "FAIL: $input was accepted"; fail=1; continue
	fi
	if ! grep -qF -- "$want" "$tmp/err"; then
		echo "FAIL: $input: expected '$want', got:"; cat "$tmp/err"; fail=1
	elif ! grep -q "^tracetool: error: $name.trace-events:[0-9]*: " "$tmp/err"; then
		echo "FAIL: $input: the error does not name file:line:"; cat "$tmp/err"; fail=1
	fi
done

# The generated header compiles, warning-free, with every kind of event.
if [ "${REGENERATE:-0}" != 1 ]; then
	cp "$dir/basic.h" "$tmp/trace.h"
	printf '#include "trace.h"\nvoid use(struct trace_vcpu *v);\nvoid use(struct trace_vcpu *v)\n{\n\ttrace_plain_event(1, -2);\n\ttrace_compiled_out(3);\n\ttrace_vcpu_event(v, 4, true);\n\ttrace_mem_event(v, 5, 6);\n\ttrace_mem_event_exec(v, 5, 6);\n\ttrace_strings(v, "n", "p", 7);\n\ttrace_no_args();\n}\n' >"$tmp/use.c"
	mkdir -p "${O:-build}"
	if ! gcc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I. -I"${O:-build}/include" \
		-I"$tmp" -c -o "$tmp/use.o" "$tmp/use.c"; then
		echo "FAIL: the generated header does not compile cleanly"; fail=1
	fi
fi
[ $fail = 0 ] && echo "tracetool golden: ok"
exit $fail
