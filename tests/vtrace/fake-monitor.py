#!/usr/bin/python3
"""A fake emulator monitor on a Unix socket, speaking the HMP-style
protocol of system/monitor.c: on connect a banner line and the prompt
"(vtrace) "; after each command line the reply lines and a new prompt.

Usage: fake-monitor.py SOCKET [--echo] [--silent] [--no-prompt-after]
                              [--slow] [--log FILE]
  --echo             echo each command line back before the reply
  --silent           accept connections and never say anything
  --no-prompt-after  close the connection after a reply, no new prompt
  --slow             send the banner and replies in small delayed pieces
  --log FILE         append every command line received to FILE

Replies: "info cpus" -> two lines; "trace-event NAME on|off [vcpu N]" ->
nothing; "quit" -> closes the connection; "help" -> 3000 lines; anything
else -> "error: unknown command: 'WORD'".  Serves until killed.
"""
import argparse
import os
import socket
import sys
import time

PROMPT = b"(vtrace) "


def reply_for(line):
    words = line.split()
    if not words:
        return b""
    if words[:2] == ["info", "cpus"]:
        return b"* CPU #0: pc=0x80000000 running\n  CPU #1: pc=0x80000104 halted\n"
    if words[0] == "trace-event" and len(words) >= 3:
        return b""
    if words[0] == "help":
        return b"".join(b"cmd%d -- does thing %d\n" % (i, i)
                        for i in range(3000))
    return ("error: unknown command: '%s'\n" % words[0]).encode()


def send(conn, data, slow):
    if not slow:
        conn.sendall(data)
        return
    for i in range(0, len(data), 3):
        conn.sendall(data[i:i + 3])
        time.sleep(0.002)


def serve(conn, args):
    if args.silent:
        time.sleep(3600)
        return
    send(conn, b"vtrace monitor - type 'help' for more information\n",
         args.slow)
    send(conn, PROMPT, args.slow)
    f = conn.makefile("rb")
    for raw in f:
        line = raw.decode(errors="replace").rstrip("\n")
        if args.log:
            with open(args.log, "a") as log:
                log.write(line + "\n")
        if args.echo:
            send(conn, raw, args.slow)
        if line.split()[:1] == ["quit"]:
            return
        send(conn, reply_for(line), args.slow and len(line) < 100)
        if args.no_prompt_after:
            return
        send(conn, PROMPT, args.slow)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--echo", action="store_true")
    ap.add_argument("--silent", action="store_true")
    ap.add_argument("--no-prompt-after", action="store_true")
    ap.add_argument("--slow", action="store_true")
    ap.add_argument("--log")
    args = ap.parse_args()
    try:
        os.unlink(args.socket)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(args.socket)
    srv.listen(4)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        try:
            serve(conn, args)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    sys.exit(main())
