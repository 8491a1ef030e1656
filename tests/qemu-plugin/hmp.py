#!/usr/bin/env python3
# hmp.py SOCKET COMMAND: one command to QEMU's human monitor
# (-monitor unix:SOCKET,server,nowait) and its reply on stdout, once QEMU
# has answered it: the prompt "(qemu) " comes after the banner and again
# after the command's reply.  QEMU answers only from its main loop, so an
# answer also means that QEMU's set-up is over.  Waits up to 60 s.
import socket
import sys
import time

PROMPT = b"(qemu) "
path, command = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
deadline = time.time() + 60
while True:
    try:
        s.connect(path)
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("hmp.py: cannot connect to %s" % path)
        time.sleep(0.1)
s.settimeout(60)


def read_to_prompt(buf):
    while PROMPT not in buf:
        data = s.recv(4096)
        if not data:
            sys.exit("hmp.py: QEMU closed the monitor")
        buf += data
    return buf[buf.index(PROMPT) + len(PROMPT):]


rest = read_to_prompt(b"")
s.sendall(command.encode() + b"\n")
buf = rest
while PROMPT not in buf:
    data = s.recv(4096)
    if not data:
        break
    buf += data
sys.stdout.write(buf.split(PROMPT)[0].decode(errors="replace"))
