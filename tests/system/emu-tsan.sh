#!/usr/bin/env bash
# vtrace-emu under TSan: see emu-sanitizers.sh.
EMU_SAN=tsan exec bash "$(dirname "$0")/emu-sanitizers.sh"
