#!/usr/bin/env bash
# vtrace-emu started as a background job of a terminal (as `timeout` or
# `cmd &` start it) must neither set that terminal raw nor read it: either
# stops it (SIGTTOU, SIGTTIN) and it would hang.  On a pseudo-terminal of
# its own session, with the foreground group another one, it must run
# kernel-lite to the end (exit 0, its output unchanged) and say once on
# stderr that the console gets no input; the same with -monitor stdio.
set -u
O=${O:-build}
EMU=$O/vtrace-emu
KL=$O/kernel-lite.elf
[ -x "$EMU" ] && [ -f "$KL" ] || { echo "no $EMU or $KL (build first)"; exit 1; }
python3 - "$EMU" "$KL" <<'PY'
import fcntl, os, select, signal, subprocess, sys, termios, time

emu, kl = sys.argv[1], sys.argv[2]

def run(extra):
    master, slave = os.openpty()
    r, w = os.pipe()
    leader = os.fork()
    if leader == 0:
        # a session whose controlling terminal is the pty; its foreground
        # group is the leader's, the emulator runs in a group of its own
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        job = os.fork()
        if job == 0:
            os.setpgid(0, 0)
            os.dup2(slave, 0)
            os.dup2(slave, 1)
            os.dup2(w, 2)
            os.execv(emu, [emu, "-nographic", "-smp", "2", "-kernel", kl]
                     + extra)
        os.setpgid(job, job)
        # report how the job ended: exit code, or the signal that stopped
        # or killed it
        end = time.time() + 120
        while time.time() < end:
            pid, st = os.waitpid(job, os.WUNTRACED | os.WNOHANG)
            if pid:
                if os.WIFSTOPPED(st):
                    os.kill(job, signal.SIGKILL)
                    os._exit(100 + os.WSTOPSIG(st))
                os._exit(os.waitstatus_to_exitcode(st) & 0xff)
            time.sleep(0.05)
        os.kill(job, signal.SIGKILL)
        os._exit(99)
    os.close(slave)
    os.close(w)
    out = b""
    err = b""
    while True:
        rl, _, _ = select.select([master, r], [], [], 1)
        if master in rl:
            try:
                d = os.read(master, 65536)
            except OSError:
                d = b""
            out += d
        if r in rl:
            d = os.read(r, 65536)
            if not d:
                break
            err += d
    while True:  # what the guest wrote after stderr closed
        rl, _, _ = select.select([master], [], [], 0.2)
        if not rl:
            break
        try:
            d = os.read(master, 65536)
        except OSError:
            break
        if not d:
            break
        out += d
    _, st = os.waitpid(leader, 0)
    return os.waitstatus_to_exitcode(st), out, err.decode()

# the reference: the same run with stdin not a terminal
ref = subprocess.run([emu, "-nographic", "-smp", "2", "-kernel", kl],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     timeout=120, check=True).stdout
fail = 0
for extra, who in (([], "the guest console"), (["-monitor", "stdio"],
                                                "the monitor")):
    code, out, err = run(extra)
    name = " ".join(extra) or "console on stdio"
    if code != 0:
        why = ("stopped by signal %d" % (code - 100)) if code > 100 else \
              ("hung" if code == 99 else "exit %d" % code)
        print("  FAIL  %s: vtrace-emu %s\n%s" % (name, why, err))
        fail = 1
        continue
    if out.replace(b"\r\n", b"\n") != ref:
        print("  FAIL  %s: the guest's output differs from a plain run's"
              % name)
        fail = 1
        continue
    want = "vtrace-emu: warning: stdin is a terminal this process does " \
           "not own (a background job?): %s gets no input\n" % who
    if err != want:
        print("  FAIL  %s: stderr is %r, not %r" % (name, err, want))
        fail = 1
        continue
    print("  ok    %s: a background job runs to exit 0 and says why "
          "%s gets no input" % (name, who))
sys.exit(fail)
PY
