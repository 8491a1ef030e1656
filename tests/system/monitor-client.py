#!/usr/bin/python3
"""Drive the vtrace-emu monitor over its Unix socket: send each argument as
a command line (a number means sleep that many seconds) and print what comes
back, prompts included."""
import socket
import sys
import time

path = sys.argv[1]
for _ in range(100):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("cannot connect to " + path)
s.settimeout(0.3)


def drain():
    out = b""
    while True:
        try:
            data = s.recv(65536)
        except socket.timeout:
            return out
        if not data:
            return out
        out += data


sys.stdout.write(drain().decode())
for cmd in sys.argv[2:]:
    try:
        time.sleep(float(cmd))
        continue
    except ValueError:
        pass
    s.sendall((cmd + "\n").encode())
    sys.stdout.write(drain().decode())
