#!/usr/bin/env bash
# make check's differential run of the F/D generator: fixed seeds, a few
# thousand cases, well under 90 seconds.  make diff-long runs more.
set -u
DIR=$(dirname "$0")
for seed in 1 2; do
	bash "$DIR/run-diff.sh" fp "$seed" 4000 || exit $?
done
