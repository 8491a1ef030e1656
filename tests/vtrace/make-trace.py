#!/usr/bin/python3
"""Write vtrace CTF traces with known content (stdlib only).

The layout is exactly docs/FORMAT.md: a `metadata` file in the shape the
generator writes, then stream files of 4096-byte packets (slot 0 = packet
header and context, records of whole 64-byte slots).

Usage:
  make-trace.py OUT                      the small known trace (see EXPECTED)
  make-trace.py OUT --corrupt KIND       the same, damaged one way:
        truncated     vcpu1 cut 1000 bytes into its second packet
        bad-magic     vcpu0 packet 1 (offset 4096) has magic 0xdeadbeef
        content-size  vcpu0 packet 0 content_size 40000 bits > packet_size
        unknown-id    vcpu0 record at offset 128 has id 99
        bad-uuid      vcpu1 packet 0 carries another uuid
  make-trace.py OUT --bench N            N events over 4 vCPU streams, fast
  make-trace.py OUT --verify             also run babeltrace2 on OUT and
                                         check its event and loss counts

The small trace (clock 2 GHz, so 2 ticks = 1 ns; vpid 4242):
  vcpu0  packet 0: stress_event, load_file (3 slots), mmio_write
         packet 1: 5 events dropped before it; stress_event, 2 cpu_exception
  vcpu1  packet 0: two stress_event (the second ties with vcpu0's mmio_write)
         packet 2: packet 1 lost; load_file with a cut path, stress_event
  sys0   packet 0: 2 events dropped before it; three runstate_set
"""
import argparse
import array
import os
import re
import struct
import subprocess
import sys
import uuid

PACKET = 4096
SLOT = 64
MAGIC = 0xC1FC1FC1
TRACE_UUID = uuid.UUID("6c2f5a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f")
FREQ = 2000000000
VPID = 4242
SYS = 0x10000

UTF8 = "integer { size = 8; align = 8; signed = false; encoding = UTF8; }"

# id, name, [(type, name, array_len)], format
EVENTS = [
    (0, "stress_event", [("uint32_t", "thread", 0), ("uint64_t", "seq", 0),
                         (UTF8, "vt_pad", 32)],
     "thread=%u seq=%lu"),
    (1, "load_file", [(UTF8, "name", 40), (UTF8, "path", 120),
                      (UTF8, "vt_pad", 16)],
     "name=%s path=%s"),
    (2, "mmio_write", [("x64_t", "addr", 0), ("uint32_t", "size", 0),
                       ("int32_t", "delta", 0), ("uint64_t", "value", 0),
                       (UTF8, "vt_pad", 24)],
     "addr=0x%lx size=%u delta=%+5d value=0x%08lx"),
    (3, "cpu_exception", [("uint8_t", "cause", 0), ("int8_t", "level", 0),
                          ("uint16_t", "code", 0), ("uint8_t", "ch", 0),
                          ("int64_t", "off", 0), ("x64_t", "ptr", 0),
                          (UTF8, "tag", 8), (UTF8, "vt_pad", 16)],
     "cause=%hhu level=%hhd code=%#hx ch=%c off=%lld ptr=%p tag=[%-6s]"),
    (4, "runstate_set", [("uint32_t", "from", 0), ("uint32_t", "to", 0),
                         (UTF8, "vt_pad", 40)],
     "from=%u to=%u \"%%\" done"),
]
NSLOTS = {0: 1, 1: 3, 2: 1, 3: 1, 4: 1}


def tsdl_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def metadata():
    out = ["/* CTF 1.8 */"]
    for bits in (8, 16, 32, 64):
        out.append("typealias integer { size = %d; align = %d; signed = false; }"
                   " := uint%d_t;" % (bits, bits, bits))
    for bits in (8, 16, 32, 64):
        out.append("typealias integer { size = %d; align = %d; signed = true; }"
                   " := int%d_t;" % (bits, bits, bits))
    out.append("typealias integer { size = 64; align = 64; signed = false; "
               "base = hex; } := x64_t;")
    out.append("""trace {
	major = 1;
	minor = 8;
	uuid = "%s";
	byte_order = le;
	packet.header := struct {
		uint32_t magic;
		uint8_t uuid[16];
		uint32_t stream_id;
	};
};""" % TRACE_UUID)
    env = ['\thostname = "test-host";', '\tdomain = "vtrace";',
           '\ttracer_name = "vtrace";', "\ttracer_major = 0;",
           "\ttracer_minor = 1;", '\tprocname = "vtrace-emu";',
           "\tvpid = %d;" % VPID]
    for eid, _, _, fmt in EVENTS:
        env.append("\tvtrace_fmt_%d = %s;" % (eid, tsdl_string(fmt)))
    out.append("env {\n" + "\n".join(env) + "\n};")
    out.append("""clock {
	name = "monotonic";
	uuid = "%s";
	description = "vtrace test clock";
	freq = %d;
	precision = 1;
	offset_s = 1764150000;
	offset = 123456;
	absolute = FALSE;
};
typealias integer { size = 64; align = 64; signed = false;
	map = clock.monotonic.value; } := clk64_t;
stream {
	id = 0;
	packet.context := struct {
		clk64_t timestamp_begin;
		clk64_t timestamp_end;
		uint32_t content_size;
		uint32_t packet_size;
		uint32_t packet_seq_num;
		uint32_t cpu_id;
		uint64_t events_discarded;
	};
	event.header := struct {
		uint32_t id;
		clk64_t timestamp;
	};
};""" % (TRACE_UUID, FREQ))
    for eid, name, fields, _ in EVENTS:
        decl = []
        for typ, fname, n in fields:
            decl.append("\t\t%s %s%s;" % (typ, fname, "[%d]" % n if n else ""))
        out.append("""event {
	name = "%s";
	id = %d;
	stream_id = 0;
	fields := struct {
%s
	};
};""" % (name, eid, "\n".join(decl)))
    return "\n".join(out) + "\n"


def cstr(s, n):
    b = s.encode()
    if len(b) >= n:                 # cut, marked, as the producer does
        b = b[:n - 4] + b"..."
    return b.ljust(n, b"\0")


def payload(eid, *args):
    if eid == 0:
        p = struct.pack("<I4xQ", *args)
    elif eid == 1:
        p = cstr(args[0], 40) + cstr(args[1], 120)
    elif eid == 2:
        p = struct.pack("<QIiQ", *args)
    elif eid == 3:
        cause, level, code, ch, off, ptr, tag = args
        p = struct.pack("<BbHB3xqQ", cause, level, code, ch, off, ptr)
        p += tag.encode()[:8].ljust(8, b"\0")
    elif eid == 4:
        p = struct.pack("<II", *args)
    size = NSLOTS[eid] * SLOT - 16
    assert len(p) <= size
    return p.ljust(size, b"\0")


def record(eid, ts, *args):
    return struct.pack("<IIQ", eid, NSLOTS[eid], ts) + payload(eid, *args)


def packet(cpu, seq, discarded, recs, begin, end, uid=TRACE_UUID.bytes):
    body = b"".join(recs)
    content = (SLOT + len(body)) * 8
    hdr = struct.pack("<I16sIQQIIIIQ", MAGIC, uid, 0, begin, end, content,
                      PACKET * 8, seq, cpu, discarded)
    assert len(hdr) == SLOT
    return (hdr + body).ljust(PACKET, b"\0")


LONG_PATH = "/very/long/path/" + "x" * 150 + "/firmware.bin"


def small_trace():
    """{file: bytes} of the known trace."""
    vcpu0 = packet(0, 0, 0, [
        record(0, 2000, 0, 1),
        record(1, 4000, "bios.bin", "/usr/share/vtrace/bios.bin"),
        record(2, 6000, 0x10000000, 4, -3, 0x41),
    ], 1500, 6500) + packet(0, 1, 5, [
        record(0, 20000, 0, 7),
        record(3, 22000, 13, -2, 0x1f, ord("A"), -123456789012,
               0xffffffff80001234, "ABCDEFGH"),
        record(3, 24000, 255, 127, 0, ord("\n"), 0, 0, "ab"),
    ], 19500, 24500)
    vcpu1 = packet(1, 0, 0, [
        record(0, 3000, 1, 1),
        record(0, 6000, 1, 2),
    ], 2500, 6500) + packet(1, 2, 0, [
        record(1, 30000, "kernel-lite.elf", LONG_PATH),
        record(0, 32000, 1, 9),
    ], 29500, 32500)
    sys0 = packet(SYS, 0, 2, [
        record(4, 1000, 0, 1),
        record(4, 25000, 1, 2),
        record(4, 4000123456, 2, 0),
    ], 500, 4000124000)
    return {"vcpu0": vcpu0, "vcpu1": vcpu1, "sys0": sys0}


def corrupt(files, kind):
    def patch(name, off, fmt, *vals):
        b = bytearray(files[name])
        struct.pack_into(fmt, b, off, *vals)
        files[name] = bytes(b)

    if kind == "truncated":
        files["vcpu1"] = files["vcpu1"][:PACKET + 1000]
    elif kind == "bad-magic":
        patch("vcpu0", PACKET, "<I", 0xDEADBEEF)
    elif kind == "content-size":
        patch("vcpu0", 40, "<I", 40000)
    elif kind == "unknown-id":
        patch("vcpu0", 2 * SLOT, "<I", 99)
    elif kind == "bad-uuid":
        patch("vcpu1", 4, "<16s", uuid.UUID(int=TRACE_UUID.int ^ 1).bytes)
    else:
        raise SystemExit("unknown corruption " + kind)


def write_bench(out, total, nstreams=4):
    """total events over nstreams vCPU files; every 8th one a mmio_write.

    Timestamps interleave across streams (stream s at 200*k + 50*s ticks,
    a 25 ns step), so the merge switches stream on every event.  Packets are built as arrays of u64 and
    only the timestamp column is rewritten per packet.
    """
    per_stream = total // nstreams
    tmpl = array.array("Q", bytes(PACKET))
    for i in range(63):
        eid = 2 if i % 8 == 7 else 0
        rec = record(eid, 0, *((0x10000000 + i, 4, -i, i * 3) if eid == 2
                               else (i, i * 1000)))
        tmpl[8 * (i + 1):8 * (i + 2)] = array.array("Q", rec)
    for s in range(nstreams):
        with open(os.path.join(out, "vcpu%d" % s), "wb") as f:
            left, seq, t = per_stream, 0, 1000
            buf = bytearray()
            while left > 0:
                n = min(63, left)
                pkt = array.array("Q", tmpl)
                ts = array.array("Q", range(t + 50 * s, t + 50 * s + 200 * 63,
                                            200))
                pkt[9::8] = ts
                if n < 63:
                    for j in range(n, 63):
                        pkt[8 * (j + 1):8 * (j + 2)] = array.array("Q", bytes(64))
                hdr = struct.pack("<I16sIQQIIIIQ", MAGIC, TRACE_UUID.bytes, 0,
                                  t + 50 * s, t + 50 * s + 200 * n,
                                  (SLOT + n * SLOT) * 8,
                                  PACKET * 8, seq, s, 0)
                pkt[0:8] = array.array("Q", hdr)
                buf += pkt.tobytes()
                if len(buf) >= 1 << 22:
                    f.write(buf)
                    buf = bytearray()
                left -= n
                seq += 1
                t += 200 * 63
            f.write(buf)


def verify(out, events, discarded, lost):
    res = subprocess.run(["babeltrace2", out, "-c", "sink.utils.counter"],
                         capture_output=True, text=True,
                         env=dict(os.environ, TZ="UTC"))
    got = {k: int(v) for v, k in
           re.findall(r"^\s*(\d+) (.+?) messages?\b", res.stdout, re.M)}
    want = {"Event": events, "Discarded event": discarded,
            "Discarded packet": lost}
    ok = res.returncode == 0 and all(got.get(k) == v for k, v in want.items())
    print("babeltrace2 rc=%d counts=%s -> %s" % (
        res.returncode, got, "OK" if ok else "MISMATCH want %s" % want))
    if not ok:
        print(res.stderr[-2000:], file=sys.stderr)
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--corrupt", choices=["truncated", "bad-magic",
                                          "content-size", "unknown-id",
                                          "bad-uuid"])
    ap.add_argument("--bench", type=int, metavar="N")
    ap.add_argument("--verify", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "metadata"), "w") as f:
        f.write(metadata())
    if args.bench:
        write_bench(args.out, args.bench)
        if args.verify:
            sys.exit(verify(args.out, args.bench // 4 * 4, 0, 0))
        return
    files = small_trace()
    if args.corrupt:
        corrupt(files, args.corrupt)
    for name, data in files.items():
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
    if args.verify:
        # 13 events; drops reported for vcpu0 (5) and sys0 (2, "may have"
        # on a first packet); one lost packet on vcpu1.
        sys.exit(verify(args.out, 13, 2, 1))


if __name__ == "__main__":
    main()
