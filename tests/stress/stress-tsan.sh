#!/usr/bin/env bash
# The two-process stress with producer and consumer built with TSan.
export BIN=${O:-build}/tsan STRESS_N=${STRESS_N_TSAN:-300000} STRESS_REPEAT=1
export TSAN_OPTIONS=halt_on_error=1:exitcode=66
exec bash "$(dirname "$0")/stress.sh"
