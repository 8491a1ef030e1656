#!/usr/bin/env bash
# make run: the main job end to end on an embedded default.
# Until the emulator joins the pipeline, the producer is vtrace-stress:
# two threads, one million events each, block policy, into traces/run,
# then the head of `vtrace dump`, the per-event counts and babeltrace2's
# count of the same trace.
set -eu
O=${O:-build}
dir=${RUN_DIR:-traces/run}
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
echo "== $O/vtrace-stress -t 2 -n 1000000 -p block --mix -o $dir"
"$O/vtrace-stress" -t 2 -n 1000000 -p block --mix -o "$dir"
echo
echo "== $O/vtrace dump $dir | head"
"$O/vtrace" dump "$dir" | head -n 12
echo
echo "== $O/vtrace dump --count $dir"
"$O/vtrace" dump --count "$dir"
if command -v babeltrace2 >/dev/null; then
	echo
	echo "== babeltrace2 $dir | wc -l"
	babeltrace2 "$dir" | wc -l
fi
