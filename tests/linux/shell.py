#!/usr/bin/env python3
"""Drive the Linux guest's interactive shell through the emulated UART.

Usage: shell.py HARTS EMULATOR ARGS...  (the emulator's full command line)

Boots the guest without a workload, waits for busybox's prompt, types each
command on the emulator's stdin (UART receive interrupts in the guest) and
checks the answer line the guest prints, then types `poweroff -f` and wants
exit status 0.  Prints one ok/FAIL line per command; exits 1 on a failure.
"""
import os
import re
import select
import subprocess
import sys
import time

BOOT_TIMEOUT = 240
ANSWER_TIMEOUT = 60


class Console:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b""
        self.seen = b""

    def expect(self, pattern, timeout):
        """Read until pattern (bytes regex) matches; return the text before
        and including the match, or None on timeout or end of output."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                out, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return out
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                data = os.read(self.p.stdout.fileno(), 4096)
                if not data:
                    return None
                self.buf += data
                self.seen += data

    def type(self, line):
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()


# busybox's prompt ("~ # "), then its line editor's cursor query (ESC [6n).
ESC = rb"\x1b\[[0-9;?]*[A-Za-z]"
PROMPT = rb"(?m)^[^\n]*# (?:" + ESC + rb")*$"


def main():
    harts, argv = sys.argv[1], sys.argv[2:]
    checks = [
        ("echo $((6 * 7))", "42"),
        ("cat /proc/cpuinfo | grep -c processor", harts),
        ("uname -m", "riscv64"),
        ("seq 1 100 | awk '{ s += $1 } END { print \"sum\", s }'",
         "sum 5050"),
        ("echo abc > /tmp/f; tr a-c x-z < /tmp/f", "xyz"),
    ]
    con = Console(argv)
    fail = 0
    try:
        if con.expect(rb"interactive shell", BOOT_TIMEOUT) is None or \
                con.expect(PROMPT, ANSWER_TIMEOUT) is None:
            print("  FAIL  no shell prompt; console ends with: %r"
                  % con.seen[-300:])
            con.p.kill()
            return 1
        for cmd, want in checks:
            con.type(cmd)
            out = con.expect(PROMPT, ANSWER_TIMEOUT)
            lines = re.sub(ESC, b"", out or b"").decode(errors="replace")
            lines = [l.strip("\r") for l in lines.split("\n")]
            # The echo of the command line comes first, the prompt last.
            if want in lines[1:-1]:
                print("  ok    %s -> %s" % (cmd, want))
            else:
                print("  FAIL  %s: want %r, got %r" % (cmd, want, lines))
                fail = 1
        con.type("poweroff -f")
        try:
            rc = con.p.wait(ANSWER_TIMEOUT)
        except subprocess.TimeoutExpired:
            con.p.kill()
            rc = "timeout"
        if rc == 0:
            print("  ok    poweroff -f: status 0")
        else:
            print("  FAIL  poweroff -f: status %s" % rc)
            fail = 1
    finally:
        if con.p.poll() is None:
            con.p.kill()
            con.p.wait()
    return fail


if __name__ == "__main__":
    sys.exit(main())
