#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What a stopped consumer's rings hold: the published head of each ring.

    ring-heads.py PID [--mix]

Reads the control page of every vtrace ring memfd of process PID (through
/proc/PID/fd, so PID must be ours and is best stopped) and prints one line
per vCPU ring:

    vcpuN HEAD RECORDS

RECORDS is how many vtrace-stress records (thread N, seq 0, 1, ...) that
head covers, replaying the producer's packing (ring/producer.c): slot 0 of
each 64-slot packet is the header, a record that does not fit the rest of
a packet moves to the next one, and stress_wide / stress_string take 2
slots under --mix (tools/stress/stress.c: seq % 64 == 17 and seq % 16 == 5).
"""
import os
import struct
import sys

SLOTS = 64
HEAD_OFFSET = 64            # struct ring_ctl, line 1 (ring/ring-abi.h)


def nslots(seq, mix):
    if mix and (seq & 63) == 17:
        return 2
    if mix and (seq & 15) == 5:
        return 2
    return 1


def records_below(head, mix):
    """Records whose slots all lie below head, in producer order."""
    pos = n = 0
    while True:
        k = nslots(n, mix)
        p = pos
        if p % SLOTS == 0:
            p += 1                          # the packet header
        elif p % SLOTS + k > SLOTS:
            p += SLOTS - p % SLOTS + 1      # pad, next packet's header
        if p + k > head:
            return n
        pos = p + k
        n += 1


def main():
    pid = sys.argv[1]
    mix = "--mix" in sys.argv[2:]
    fddir = "/proc/%s/fd" % pid
    for fd in sorted(os.listdir(fddir), key=int):
        try:
            target = os.readlink(os.path.join(fddir, fd))
        except OSError:
            continue
        if not target.startswith("/memfd:vtrace-vcpu"):
            continue
        name = target[len("/memfd:vtrace-"):].split(" ")[0]
        with open(os.path.join(fddir, fd), "rb") as f:
            ctl = f.read(192)
        head = struct.unpack_from("<Q", ctl, HEAD_OFFSET)[0]
        print("%s %d %d" % (name, head, records_below(head, mix)))


if __name__ == "__main__":
    main()
