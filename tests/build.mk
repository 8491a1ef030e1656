# Tests registered here are run by `make check` (tests/run-all.sh).
# Each folder's build.mk adds its own cmocka binaries to TESTS and its
# multi-process scripts to SCENARIOS.
