#!/usr/bin/env bash
# The two-process stress with producer and consumer built with ASan+UBSan.
export BIN=${O:-build}/asan STRESS_N=${STRESS_N_ASAN:-1000000} STRESS_REPEAT=1
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
exec bash "$(dirname "$0")/stress.sh"
