# system/ tests: board-level scenario against golden output and qemu.
SCENARIOS += tests/system/run-guests.sh
