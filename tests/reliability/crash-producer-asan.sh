#!/usr/bin/env bash
# crash-producer.sh (5 kills) with producer and consumer built with
# ASan+UBSan: the consumer's final drain after a death runs under ASan.
export BIN=${O:-build}/asan RUNS=${RUNS_ASAN:-5}
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
exec bash "$(dirname "$0")/crash-producer.sh"
