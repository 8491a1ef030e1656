#!/usr/bin/env bash
# The Linux guest's interactive shell on vtrace-emu (2 harts): commands
# typed on the console get their answers (UART receive interrupts), and
# `poweroff -f` ends the run with status 0.  The driver is shell.py.
set -u
. tests/linux/linux-lib.sh
python3 tests/linux/shell.py 2 "$EMU" -M virt -m 512M -smp 2 -nographic \
	-no-reboot "${K[@]}" -append "console=ttyS0 quiet panic=-1" ||
	fail=1
exit $fail
