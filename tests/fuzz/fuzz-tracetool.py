#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Mutation fuzzer for tools/tracetool/tracetool.py (stdlib only).

    fuzz-tracetool.py [--seconds S] [--seed N] [--compile-every S]
                      [--out DIR] [--replay] [--build O]

Feeds mutated and garbage trace-events files to tracetool's parser
(parse_file + assign_ids) and generators (gen_h, gen_c).  The contract:

  - a bad input raises TraceError (file:line: reason), never anything else;
  - an accepted input generates trace.h and trace.c without an exception,
    and a sample of them (one every --compile-every seconds, and every
    accepted replay input) compiles with the project's C compiler.

--replay runs the committed inputs only (tests/fuzz/corpus/tracetool and
tests/fuzz/regressions/tracetool) and then --seconds of fixed-seed mutation:
deterministic, what `make check` runs.  Without it the seed is random and
every failing input is saved under --out (default build/fuzz/tracetool) to
be copied into tests/fuzz/regressions/tracetool/.
"""
import argparse
import importlib.util
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HERE = os.path.join(ROOT, "tests", "fuzz")

spec = importlib.util.spec_from_file_location("tracetool", os.path.join(ROOT, "tools", "tracetool", "tracetool.py"))
tracetool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tracetool)

SEEDS = ["trace-events", "tools/stress/trace-events", "tests/trace/trace-events"]
TOKENS = [b"vcpu ", b"tcg ", b"disable ", b"(", b")", b'"', b"%", b"%s", b"%m", b"%*d", b"%ld",
          b"%\" PRIx64 \"", b"PRIu64", b"PRI", b'" PRIx32 "', b"const char *", b"uint64_t ",
          b"int8_t ", b"bool ", b"void *", b"unsigned long ", b", ", b",", b"\n", b"\r", b"#",
          b"\\n", b"\\", b"*", b"\t", b" ", b"\x00", b"\xff", b"\xc3\xa9", b"\xe2\x80\xae",
          b"a" * 300, b"x, ", b"uint64_t a, uint64_t b, uint64_t c, uint64_t d, ",
          b"const char *s, ", b'"a" "b"', b'"trans" "exec"', b"0name", b"name"]


def seeds():
    out = []
    for s in SEEDS:
        with open(os.path.join(ROOT, s), "rb") as f:
            out.append(f.read())
    d = os.path.join(ROOT, "tests", "tracetool")
    for n in sorted(os.listdir(d)):
        if n.endswith(".trace-events"):
            with open(os.path.join(d, n), "rb") as f:
                out.append(f.read())
    return out


def committed():
    out = []
    for sub in ("corpus", "regressions"):
        d = os.path.join(HERE, sub, "tracetool")
        if os.path.isdir(d):
            for n in sorted(os.listdir(d)):
                with open(os.path.join(d, n), "rb") as f:
                    out.append((os.path.join(sub, "tracetool", n), f.read()))
    return out


def mutate(rng, data, pool):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(10)
        pos = rng.randint(0, len(data))
        if op == 0 and data:                       # flip a byte
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif op == 1:                              # insert a token
            data[pos:pos] = rng.choice(TOKENS)
        elif op == 2 and data:                     # delete a range
            del data[pos:pos + rng.randint(1, 16)]
        elif op == 3:                              # random bytes
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 4:                              # splice a line of another input
            lines = rng.choice(pool).split(b"\n")
            data[pos:pos] = rng.choice(lines) + b"\n"
        elif op == 5 and data:                     # duplicate a line
            lines = bytes(data).split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
        elif op == 6 and data:                     # replace a byte with a delimiter
            data[rng.randrange(len(data))] = rng.choice(b'()", %*\n#')
        elif op == 7 and data:                     # change the case of a span
            end = min(len(data), pos + rng.randint(1, 12))
            data[pos:end] = bytes(data[pos:end]).swapcase()
        elif op == 8 and data:                     # append a suffix to a name
            i = bytes(data).find(b"(")
            if i > 0:
                data[i:i] = rng.choice([b"_exec", b"_trans", b"_enabled", b"_vcpu_bit", b"_count"])
        else:                                      # keep one line only
            lines = [l for l in bytes(data).split(b"\n") if l.strip()]
            if lines:
                data = bytearray(rng.choice(lines) + b"\n")
    return bytes(data[:8192])


class Failure(Exception):
    pass


def run_one(data, workdir):
    """Parse and generate; returns (accepted, h, c) or raises Failure."""
    path = os.path.join(workdir, "in.trace-events")
    with open(path, "wb") as f:
        f.write(data)
    events, seen = [], {}
    try:
        tracetool.parse_file(path, events, seen)
        nvcpu = tracetool.assign_ids(events)
    except tracetool.TraceError as e:
        msg = str(e)
        if not msg.startswith(path + ":"):
            raise Failure("TraceError without file:line: %s" % msg)
        return False, None, None
    except Exception:
        raise Failure("the parser raised something else than TraceError:\n" + traceback.format_exc())
    try:
        h, c = io.StringIO(), io.StringIO()
        tracetool.gen_h(events, [path], nvcpu, h)
        tracetool.gen_c(events, [path], c)
    except Exception:
        raise Failure("generating an accepted input raised:\n" + traceback.format_exc())
    return True, h.getvalue(), c.getvalue()


def compile_sample(h, c, workdir, build):
    """Compile the generated trace.c (which includes trace.h)."""
    with open(os.path.join(workdir, "trace.h"), "w") as f:
        f.write(h)
    with open(os.path.join(workdir, "trace.c"), "w") as f:
        f.write(c)
    cc = os.environ.get("CC", "gcc")
    if cc == "cc":
        cc = "gcc"
    cmd = [cc, "-std=gnu11", "-D_GNU_SOURCE", "-Wall", "-Werror=implicit-function-declaration",
           "-I", workdir, "-I", ROOT, "-I", os.path.join(build, "include"),
           "-c", os.path.join(workdir, "trace.c"), "-o", os.path.join(workdir, "trace.o")]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure("generated code does not compile:\n" + r.stderr[-3000:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--compile-every", type=float, default=1.0)
    ap.add_argument("--out", default=os.path.join(os.environ.get("O", "build"), "fuzz", "tracetool"))
    ap.add_argument("--replay", action="store_true")
    ap.add_argument("--build", default=os.environ.get("O", "build"))
    args = ap.parse_args()
    build = os.path.join(ROOT, args.build) if not os.path.isabs(args.build) else args.build
    if not os.path.exists(os.path.join(build, "include", "generated", "autoconf.h")):
        print("SKIP: %s/include/generated/autoconf.h missing (make)" % args.build)
        return 77
    seed = args.seed if args.seed is not None else (1 if args.replay else random.randrange(1 << 32))
    rng = random.Random(seed)
    pool = seeds()
    work = tempfile.mkdtemp(prefix="vtrace-fuzz-tt.")
    failures = 0
    runs = accepted = compiled = 0

    def failed(name, data, f):
        nonlocal failures
        failures += 1
        print("FAIL: %s: %s" % (name, f))
        if not args.replay:
            os.makedirs(args.out, exist_ok=True)
            p = os.path.join(args.out, "crash-%d-%d.trace-events" % (seed, runs))
            with open(p, "wb") as fh:
                fh.write(data)
            print("  input saved as %s" % p)

    try:
        # Committed inputs (replay) and the seeds: every accepted one compiles.
        fixed = committed() + [("seed", s) for s in pool] if args.replay else [("seed", s) for s in pool]
        for name, data in fixed:
            runs += 1
            try:
                ok, h, c = run_one(data, work)
                if ok:
                    accepted += 1
                    if args.replay:
                        compile_sample(h, c, work, build)
                        compiled += 1
            except Failure as f:
                failed(name, data, f)
        end = time.monotonic() + args.seconds
        next_compile = time.monotonic()
        while time.monotonic() < end and failures < 5:
            data = mutate(rng, rng.choice(pool), pool)
            runs += 1
            try:
                ok, h, c = run_one(data, work)
                if ok:
                    accepted += 1
                    if time.monotonic() >= next_compile:
                        compile_sample(h, c, work, build)
                        compiled += 1
                        next_compile = time.monotonic() + args.compile_every
            except Failure as f:
                failed("mutant %d" % runs, data, f)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("tracetool fuzz: seed %d, %d inputs, %d accepted, %d compiled, %d failures"
          % (seed, runs, accepted, compiled, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
