#!/usr/bin/env bash
# hostile-shm.sh with the consumer built with ASan+UBSan (build/asan, made
# by `make check` before the scenarios run): any read or write outside its
# mappings or heap blocks aborts it and fails the scenario.
export BIN=${O:-build}/asan ASAN_NOTE=", consumer under ASan+UBSan"
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
exec bash "$(dirname "$0")/hostile-shm.sh"
