#!/usr/bin/env bash
# vtrace-emu under ASan+UBSan: see emu-sanitizers.sh.
EMU_SAN=asan exec bash "$(dirname "$0")/emu-sanitizers.sh"
