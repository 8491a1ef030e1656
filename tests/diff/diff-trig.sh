#!/usr/bin/env bash
# make check's differential run of the Sdtrig generator: fixed seeds, 4000
# cases, well under 30 seconds.  make diff-long runs more.
set -u
DIR=$(dirname "$0")
for seed in 1 2; do
	bash "$DIR/run-diff.sh" trig "$seed" 2000 || exit $?
done
