#!/usr/bin/python3
"""Check vtrace report and export on any trace directory, against each
other and against `vtrace dump --count` (stdlib only).

Usage: check-trace.py DIR [--vtrace build/vtrace] [--elf FILE]
                          [--damaged] [--out TMPDIR] [--perfetto-skip EVENT]

Works on any trace (the generated ones, vtrace-stress recordings, a
kernel-lite recording): it asserts what must hold whatever the content.
  report --json  parses; event counts, drops and lost packets equal dump's;
                 per-stream counts and rate bins add up; the TCG figures
                 agree with the event counts (translations, executions,
                 retranslations = translations - blocks, histograms, why)
  report         text runs and says "no translate_block events" when the
                 trace has none
  report --svg   is XML with the three charts' titles
  export --perfetto  every event has ph/ts/pid/tid; one X slice per
                 translate_block; the slices of each thread nest (never
                 overlap); every vCPU tid is named; loss markers add up
  export --folded    counts add up to exec_tb (else translate_block)
--damaged: the trace has bad packets: every command exits 1 and still
writes its output.  --perfetto-skip EVENT (may repeat) leaves EVENT out of
the Perfetto export (export -e -EVENT), to keep a big recording's JSON
quick to check.  Prints "ok: ..." lines, exit 1 on the first failure.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

failures = []


def check(cond, what):
    if cond:
        print("ok: " + what)
    else:
        print("FAIL: " + what)
        failures.append(what)
    return cond


def run(args, want_rc):
    res = subprocess.run(args, capture_output=True, text=True)
    check(res.returncode == want_rc, "%s: exit %d (want %d)%s" % (
        " ".join(args[1:3]), res.returncode, want_rc,
        "" if res.returncode == want_rc else ": " + res.stderr[-500:]))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--vtrace", default=os.path.join(
        os.environ.get("O", "build"), "vtrace"))
    ap.add_argument("--elf")
    ap.add_argument("--damaged", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--perfetto-skip", action="append", default=[])
    a = ap.parse_args()
    rc = 1 if a.damaged else 0
    out = a.out or tempfile.mkdtemp()
    elf = ["--elf", a.elf] if a.elf else []
    vt = a.vtrace

    # dump --count: the reference counts
    res = run([vt, "dump", "--count", a.dir], rc)
    counts, dropped, lost = {}, 0, 0
    for line in res.stdout.splitlines():
        name, n = line.rsplit(None, 1)
        if name == "(dropped events)":
            dropped = int(n)
        elif name == "(lost packets)":
            lost = int(n)
        else:
            counts[name] = int(n)
    total = sum(counts.values())

    # report --json
    res = run([vt, "report", "--json", "--top", "100000"] + elf + [a.dir],
              rc)
    try:
        r = json.loads(res.stdout)
    except ValueError as e:
        check(False, "report --json is JSON: %s" % e)
        return 1
    check(r["event_counts"] == counts, "report event counts = dump's")
    check(r["events"] == total, "report events = %d" % total)
    check(r["dropped"] == dropped and r["lost_packets"] == lost,
          "report drops %d, lost packets %d = dump's" % (dropped, lost))
    check(sum(s["events"] for s in r["streams"]) == total and
          sum(s["dropped"] for s in r["streams"]) == dropped and
          sum(s["lost_packets"] for s in r["streams"]) == lost,
          "per-stream events, drops and losses add up")
    check(all(sum(s["rate_bins"]) == s["events"] and
              sum(s["counts"].values()) == s["events"]
              for s in r["streams"]),
          "per-stream rate bins and event counts add up")
    t = r["tcg"]
    ntrans = counts.get("translate_block", 0)
    nexec = counts.get("exec_tb", 0)
    check(t["translations"] == ntrans and t["execs"] == nexec,
          "tcg: %d translations, %d executions = event counts" %
          (ntrans, nexec))
    check(sum(b["translations"] for b in t["translate_hist_ns"]) == ntrans
          and sum(b["translations"] for b in t["block_sizes"]) == ntrans
          and sum(b["blocks"] for b in t["block_sizes"]) == t["blocks"],
          "tcg: histograms add up")
    rt = t["retranslated"]
    check(rt["retranslations"] == ntrans - t["blocks"] and
          sum(rt["why"].values()) == rt["retranslations"],
          "tcg: retranslations = translations - blocks, reasons add up")
    check(sum(b["execs"] for b in t["hot_by_execs"]) == nexec and
          sum(b["translations"] for b in t["hot_by_translations"]) ==
          ntrans, "tcg: per-block counts add up (all blocks listed)")
    check(sum(s["translate_ns"] for s in r["streams"]) == t["translate_ns"],
          "tcg: per-stream translation time adds up")
    check(sum(x["calls"] for x in r["syscalls"]) ==
          counts.get("guest_syscall", 0) and
          sum(x["returns"] for x in r["syscalls"]) ==
          counts.get("guest_syscall_ret", 0) and
          sum(x["count"] for x in r["exceptions"]) ==
          counts.get("cpu_exception", 0) and
          sum(x["count"] for x in r["interrupts"]) ==
          counts.get("cpu_interrupt", 0) and
          sum(x["reads"] for x in r["mmio"]) == counts.get("mmio_read", 0)
          and sum(x["writes"] for x in r["mmio"]) ==
          counts.get("mmio_write", 0),
          "syscall, exception, interrupt and MMIO tables add up")

    # report text
    res = run([vt, "report"] + elf + [a.dir], rc)
    check(res.stdout.startswith("vtrace report: "), "report text header")
    if not ntrans:
        check("no translate_block events" in res.stdout,
              "report says: no translate_block events")

    # report --svg
    svg = os.path.join(out, "report.svg")
    run([vt, "report", "--svg", svg] + elf + [a.dir], rc)
    try:
        root = ET.parse(svg).getroot()
        texts = " | ".join("".join(e.itertext()) for e in root.iter()
                           if e.tag.endswith("text"))
        check(root.tag == "{http://www.w3.org/2000/svg}svg",
              "svg: valid XML, an <svg> root")
        for title in ("Event rate per vCPU over time",
                      "Hottest guest blocks",
                      "Translation time histogram"):
            check(title in texts, "svg: has the chart '%s'" % title)
    except ET.ParseError as e:
        check(False, "svg parses as XML: %s" % e)

    # export --perfetto
    pf = os.path.join(out, "trace.json")
    skip = [x for e in a.perfetto_skip for x in ("-e", "-" + e)]
    run([vt, "export", "--perfetto", pf] + skip + elf + [a.dir], rc)
    try:
        events = json.load(open(pf))["traceEvents"]
    except ValueError as e:
        check(False, "perfetto: JSON: %s" % e)
        return 1
    check(all(all(k in e for k in ("ph", "ts", "pid", "tid"))
              for e in events), "perfetto: every event has ph/ts/pid/tid")
    xs = [e for e in events if e["ph"] == "X"]
    check(len(xs) == (0 if "translate_block" in a.perfetto_skip else ntrans),
          "perfetto: %d X slices = translate_block" % len(xs))
    inst = [e for e in events if e["ph"] == "i" and e.get("cat") != "loss"]
    skipped = sum(counts.get(e, 0) for e in a.perfetto_skip)
    check(len(inst) == total - ntrans - skipped,
          "perfetto: one instant per other event (%d)" % len(inst))
    nested = True
    by_tid = {}
    for e in xs:
        by_tid.setdefault((e["pid"], e["tid"]), []).append(e)
    for sl in by_tid.values():
        sl.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in sl:
            if e["dur"] < 0:
                nested = False
            end = e["ts"] + e["dur"]
            while stack and stack[-1] <= e["ts"] + 1e-9:
                stack.pop()
            if stack and end > stack[-1] + 1e-9:
                nested = False
            stack.append(end)
    check(nested, "perfetto: slices on each thread nest, none overlap")
    named = {e["tid"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    used = {e["tid"] for e in events if e["ph"] in "Xi"}
    check(used <= named, "perfetto: every thread is named")
    loss = [e for e in events if e.get("cat") == "loss"]
    check(sum(e["args"]["count"] for e in loss
              if e["name"] == "events_discarded") == dropped and
          sum(e["args"]["count"] for e in loss
              if e["name"] == "packets_lost") == lost,
          "perfetto: loss markers add up to the drops and lost packets")
    check(any(e["ph"] == "C" and e["name"] == "event rate" for e in events)
          or not total, "perfetto: event-rate counters")

    # export --folded
    fo = os.path.join(out, "folded.txt")
    run([vt, "export", "--folded", fo] + elf + [a.dir], rc)
    fsum = 0
    for line in open(fo):
        stack, n = line.rsplit(" ", 1)
        fsum += int(n)
    check(fsum == (nexec or ntrans),
          "folded: counts add up to %s" % ("exec_tb" if nexec else
                                           "translate_block"))

    print("%d check(s) failed" % len(failures) if failures else
          "all checks passed on " + a.dir)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
