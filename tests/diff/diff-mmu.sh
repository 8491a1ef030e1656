#!/usr/bin/env bash
# make check's differential run of the Sv39 generator: fixed seeds, 3000
# cases, within 60 seconds.  make diff-long runs more.
set -u
DIR=$(dirname "$0")
for seed in 1 2; do
	bash "$DIR/run-diff.sh" mmu "$seed" 1500 || exit $?
done
