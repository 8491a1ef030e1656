#!/usr/bin/env bash
# make check's share of the tracetool fuzzer: every committed input
# (tests/fuzz/corpus/tracetool, tests/fuzz/regressions/tracetool) is
# either rejected with file:line or generates C that compiles, and 3 s of
# fixed-seed mutation raise nothing but TraceError.
exec /usr/bin/python3 "$(dirname "$0")/fuzz-tracetool.py" --replay --seconds "${FUZZ_REPLAY_SECONDS:-3}"
