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
  make-trace.py OUT --bench-tcg N        N TCG events (exec_tb, translate_block)
                                         over 2 vCPU streams, fast
  make-trace.py OUT --tcg [--elf FILE]   the emulator's events (trace-events
                                         layout) with known content, see
                                         tcg_trace() for the expected figures;
                                         --elf writes symbols for its blocks
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
    elif kind == "ts-back":
        patch("vcpu1", 2 * SLOT + 8, "<Q", 2000)    # 6000 -> 2000 < 3000
    elif kind == "seq-back":
        patch("vcpu1", 48, "<I", 5)                 # packets 5, then 2
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


# ---------------------------------------------------------------- --tcg
# The emulator's events with the layout tracetool gives them: natural
# alignment, strings of 64 bytes, a vt_pad filler up to whole slots.
TCG_EVENTS = [
    ("translate_block", [("uint64_t", "pc"), ("uint32_t", "insns"),
                         ("uint64_t", "host_ns")],
     "pc=0x%lx insns=%u host_ns=%lu"),
    ("exec_tb", [("uint64_t", "pc")], "pc=0x%lx"),
    ("tb_invalidate", [("uint64_t", "pc"), ("uint64_t", "page"),
                       ("string", "reason")],
     "pc=0x%lx page=0x%lx reason=%s"),
    ("tb_flush", [("uint32_t", "blocks"), ("string", "reason")],
     "blocks=%u reason=%s"),
    ("cpu_exception", [("uint64_t", "cause"), ("uint64_t", "epc"),
                       ("uint64_t", "tval")],
     "cause=%lu epc=0x%lx tval=0x%lx"),
    ("cpu_interrupt", [("uint64_t", "cause"), ("uint64_t", "epc")],
     "cause=%lu epc=0x%lx"),
    ("guest_syscall", [("uint64_t", "num")] +
     [("uint64_t", "a%d" % i) for i in range(6)],
     "num=%lu a0=0x%lx a1=0x%lx a2=0x%lx a3=0x%lx a4=0x%lx a5=0x%lx"),
    ("guest_syscall_ret", [("uint64_t", "num"), ("uint64_t", "ret")],
     "num=%lu ret=0x%lx"),
    ("mmio_read", [("uint64_t", "addr"), ("uint32_t", "size"),
                   ("uint64_t", "value")],
     "addr=0x%lx size=%u value=0x%lx"),
    ("mmio_write", [("uint64_t", "addr"), ("uint32_t", "size"),
                    ("uint64_t", "value")],
     "addr=0x%lx size=%u value=0x%lx"),
    ("load_file", [("string", "name"), ("string", "path")],
     "name=%s path=%s"),
    ("vcpu_start", [("uint64_t", "pc")], "pc=0x%lx"),
    ("vcpu_stop", [("uint64_t", "insns")], "insns=%lu"),
]
TCG_FREQ = 1000000000
STRING_ROOM = 64
CTYPES = {"uint8_t": "B", "uint16_t": "H", "uint32_t": "I", "uint64_t": "Q",
          "int32_t": "i", "int64_t": "q"}


class Layout:
    def __init__(self, eid, name, fields, fmt):
        self.id, self.name, self.fmt = eid, name, fmt
        self.fields = []            # (name, type, offset, size)
        off = 0
        for typ, fname in fields:
            size = STRING_ROOM if typ == "string" else \
                struct.calcsize(CTYPES[typ])
            align = 1 if typ == "string" else size
            off = (off + align - 1) // align * align
            self.fields.append((fname, typ, off, size))
            off += size
        self.nslots = 1
        while 48 + 64 * (self.nslots - 1) < off:
            self.nslots += 1
        self.size = 48 + 64 * (self.nslots - 1)
        self.pad = self.size - off

    def tsdl(self):
        decl = []
        for fname, typ, _, size in self.fields:
            if typ == "string":
                decl.append("\t\t%s %s[%d];" % (UTF8, fname, size))
            else:
                decl.append("\t\t%s %s;" % (typ, fname))
        if self.pad:
            decl.append("\t\t%s vt_pad[%d];" % (UTF8, self.pad))
        return """event {
	name = "%s";
	id = %d;
	stream_id = 0;
	fields := struct {
%s
	};
};""" % (self.name, self.id, "\n".join(decl))

    def record(self, ts, *args):
        p = bytearray(self.size)
        for (fname, typ, off, size), v in zip(self.fields, args):
            if typ == "string":
                p[off:off + size] = cstr(v, size)
            else:
                struct.pack_into("<" + CTYPES[typ], p, off,
                                 v & ((1 << (8 * size)) - 1))
        return struct.pack("<IIQ", self.id, self.nslots, ts) + bytes(p)


TCG = {name: Layout(i, name, f, fmt)
       for i, (name, f, fmt) in enumerate(TCG_EVENTS)}


def tcg_metadata():
    text = metadata()
    head = text[:text.index("env {")]
    tail = text[text.index("clock {"):text.index("event {")]
    env = ['\thostname = "test-host";', '\tdomain = "vtrace";',
           '\ttracer_name = "vtrace";', "\ttracer_major = 0;",
           "\ttracer_minor = 1;", '\tprocname = "vtrace-emu";',
           "\tvpid = %d;" % VPID]
    for lay in TCG.values():
        env.append("\tvtrace_fmt_%d = %s;" % (lay.id, tsdl_string(lay.fmt)))
    tail = tail.replace("freq = %d;" % FREQ, "freq = %d;" % TCG_FREQ)
    return (head + "env {\n" + "\n".join(env) + "\n};\n" + tail +
            "\n".join(lay.tsdl() for lay in TCG.values()) + "\n")


def packets(cpu, items):
    """items: (ts, name, args...) records and ("packet", skip, discarded)
    breaks; returns the stream file's bytes (packets of <= 63 slots)."""
    out, recs, slots, seq, discarded = [], [], 0, 0, 0
    state = {"seq": 0, "disc": 0}

    def close():
        if recs:
            ts = [struct.unpack_from("<Q", r, 8)[0] for r in recs]
            out.append(packet(cpu, state["seq"], state["disc"], recs,
                              ts[0], ts[-1]))
            state["seq"] += 1
            recs.clear()

    for it in items:
        if it[0] == "packet":
            close()
            slots = 0
            state["seq"] += it[1]
            state["disc"] += it[2]
            continue
        lay = TCG[it[1]]
        if slots + lay.nslots > 63:
            close()
            slots = 0
        recs.append(lay.record(it[0], *it[2:]))
        slots += lay.nslots
    close()
    return b"".join(out)


A, B, C, D = 0x80000000, 0x80000100, 0x80001000, 0x80002000


def tcg_trace():
    """{file: bytes}.  Clock 1 GHz (ticks = ns).  The figures a report
    must show (tests/vtrace/report.sh checks them):
      translations 10 of 4 blocks, translate_ns 17000, max 9000;
        vcpu0 7 / 13200 ns over 22000 ns, vcpu1 3 / 3800 ns over 21500 ns
      execs 210: A 130, B 70, C 10 (vcpu0 200, vcpu1 10)
      by translations: D 3 (10500 ns), A 3 (1000), C 2 (3300), B 2 (2200)
      retranslations 6 of 4 blocks: store 1 (B), fence.i 1 (A),
        flush 2 (A, C), other-vcpu 1 (D on vcpu1), unknown 1 (D)
      invalidations 3 (store 2, fence.i 1): page 0x80000000 2,
        page 0x80001000 1; tb_flush 1 of 4 blocks, reason "monitor"
      syscalls: 64 x2 (2 returns, 1 error, latency 400 + 100 ns), 93 x1
      exceptions: cause 8 x3, cause 2 x1; interrupts: cause 7 x2
      mmio: 0x10000000 5 writes, 0x10000005 2 reads
      events 247 (vcpu0 218, vcpu1 28, sys0 1); vcpu1 dropped 3,
        vcpu0 lost 1 packet
    """
    v0 = [(1000, "vcpu_start", A), (2000, "translate_block", A, 4, 500)]
    v0 += [(2100 + 10 * i, "exec_tb", A) for i in range(100)]
    v0 += [(4000, "translate_block", B, 10, 1500)]
    v0 += [(4100 + 10 * i, "exec_tb", B) for i in range(50)]
    v0 += [(5000, "cpu_exception", 2, B + 4, 0), ("packet", 1, 0)]
    v0 += [(11000, "translate_block", B, 10, 700)]
    v0 += [(11100 + 10 * i, "exec_tb", B) for i in range(20)]
    v0 += [(12000, "tb_invalidate", A, 0x80000000, "fence.i"),
           (13000, "translate_block", A, 4, 300),
           (16000, "translate_block", A, 4, 200),
           (17000, "translate_block", D, 33, 9000),
           (17500, "translate_block", D, 33, 1000)]
    v0 += [(18000 + 10 * i, "exec_tb", A) for i in range(30)]
    v0 += [(21000 + 10 * i, "mmio_write", 0x10000000, 1, 0x41)
           for i in range(5)]
    v0 += [(22000 + 10 * i, "mmio_read", 0x10000005, 1, 0x60)
           for i in range(2)]
    v0 += [(23000, "vcpu_stop", 12345)]
    v1 = [(1500, "vcpu_start", A), (2500, "translate_block", C, 1, 2500)]
    v1 += [(3000 + 10 * i, "exec_tb", C) for i in range(10)]
    v1 += [(10000, "tb_invalidate", B, 0x80000000, "store"),
           (10500, "tb_invalidate", C + 0x10, 0x80001000, "store"),
           ("packet", 0, 3),
           (14000, "tb_flush", 4, "monitor"),
           (15000, "translate_block", C, 1, 800),
           (17600, "translate_block", D, 33, 500),
           (19999, "cpu_exception", 8, C + 8, 0),
           (20000, "guest_syscall", 64, 1, 0x80003000, 5, 0, 0, 0),
           (20400, "guest_syscall_ret", 64, 5),
           (20599, "cpu_exception", 8, C + 8, 0),
           (20600, "guest_syscall", 64, 1, 0x80003000, 5, 0, 0, 0),
           (20700, "guest_syscall_ret", 64, -9),
           (20799, "cpu_exception", 8, C + 8, 0),
           (20800, "guest_syscall", 93, 0, 0, 0, 0, 0, 0),
           (21000, "cpu_interrupt", 7, C),
           (22000, "cpu_interrupt", 7, C),
           (23000, "vcpu_stop", 999)]
    sys0 = [(500, "load_file", "kernel", "/k.elf")]
    return {"vcpu0": packets(0, v0), "vcpu1": packets(1, v1),
            "sys0": packets(SYS, sys0)}


def write_bench_tcg(out, total, nstreams=2):
    """total events of the emulator's TCG events over nstreams vCPU files,
    fast: exec_tb, with a translate_block every 16th slot, over 4096
    blocks drawn with a skew (a few hot ones), 25 ns apart."""
    import random
    rnd = random.Random(42)
    blocks = [0x80000000 + 4 * i for i in range(4096)]
    weights = [1.0 / (i + 1) for i in range(4096)]
    pool = array.array("Q", rnd.choices(blocks, weights, k=63 * 1024))
    tr, ex = TCG["translate_block"], TCG["exec_tb"]
    tmpl = array.array("Q", bytes(PACKET))
    for i in range(63):
        rec = tr.record(0, 0, 8, 100 + i) if i % 16 == 0 else \
            ex.record(0, 0)
        tmpl[8 * (i + 1):8 * (i + 2)] = array.array("Q", rec)
    per_stream = total // nstreams
    for s in range(nstreams):
        with open(os.path.join(out, "vcpu%d" % s), "wb") as f:
            left, seq, t, buf = per_stream, 0, 1000 + 10 * s, bytearray()
            while left > 0:
                n = min(63, left)
                pkt = array.array("Q", tmpl)
                pkt[9::8] = array.array("Q", range(t, t + 25 * 63, 25))
                k = (seq * 63) % len(pool)
                pkt[10::8] = pool[k:k + 63]
                for j in range(n, 63):
                    pkt[8 * (j + 1):8 * (j + 2)] = array.array("Q", bytes(64))
                pkt[0:8] = array.array("Q", struct.pack(
                    "<I16sIQQIIIIQ", MAGIC, TRACE_UUID.bytes, 0, t,
                    t + 25 * n, (SLOT + n * SLOT) * 8, PACKET * 8, seq, s, 0))
                buf += pkt.tobytes()
                if len(buf) >= 1 << 22:
                    f.write(buf)
                    buf = bytearray()
                left -= n
                seq += 1
                t += 25 * 63
            f.write(buf)


def write_elf(path):
    """A minimal ELF64 (RISC-V, no code bytes) whose symbol table names
    the blocks of tcg_trace(): A=_start, B=hot_loop, C=trap_vector (a
    NOTYPE label), D=smc_stub; plus symbols report must ignore: a "$x"
    mapping symbol and an OBJECT."""
    shstr = b"\0.text\0.symtab\0.strtab\0.shstrtab\0"
    names = [b"_start", b"hot_loop", b"trap_vector", b"$x", b"smc_stub",
             b"data_obj"]
    strtab, offs = b"\0", []
    for n in names:
        offs.append(len(strtab))
        strtab += n + b"\0"
    STT_NOTYPE, STT_OBJECT, STT_FUNC, GLOBAL = 0, 1, 2, 1

    def sym(name, value, size, typ, shndx=1):
        return struct.pack("<IBBHQQ", name, (GLOBAL << 4) | typ, 0, shndx,
                           value, size)
    symtab = bytes(24) + b"".join([
        sym(offs[0], A, 0x100, STT_FUNC),
        sym(offs[1], B, 0x80, STT_FUNC),
        sym(offs[2], C, 0, STT_NOTYPE),
        sym(offs[3], C, 0, STT_NOTYPE),
        sym(offs[4], D, 0x20, STT_FUNC),
        sym(offs[5], 0x80000200, 8, STT_OBJECT)])
    body = symtab + strtab + shstr
    sym_off = 64
    str_off = sym_off + len(symtab)
    shstr_off = str_off + len(strtab)
    sh_off = (64 + len(body) + 7) // 8 * 8

    def sh(name, typ, flags, addr, off, size, link=0, info=0, align=1,
           entsize=0):
        return struct.pack("<IIQQQQIIQQ", name, typ, flags, addr, off, size,
                           link, info, align, entsize)
    shdrs = (bytes(64) +
             sh(1, 8, 6, A, 0, 0x3000, align=4) +           # .text NOBITS AX
             sh(7, 2, 0, 0, sym_off, len(symtab), 3, 1, 8, 24) +
             sh(15, 3, 0, 0, str_off, len(strtab)) +
             sh(23, 3, 0, 0, shstr_off, len(shstr)))
    ehdr = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0,
                       bytes(7), 2, 243, 1, A, 0, sh_off, 0, 64, 0, 0, 64,
                       5, 4)
    data = ehdr + body
    data += bytes(sh_off - len(data)) + shdrs
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--corrupt", choices=["truncated", "bad-magic",
                                          "content-size", "unknown-id",
                                          "bad-uuid", "ts-back",
                                          "seq-back"])
    ap.add_argument("--bench", type=int, metavar="N")
    ap.add_argument("--tcg", action="store_true")
    ap.add_argument("--bench-tcg", type=int, metavar="N")
    ap.add_argument("--elf", metavar="FILE",
                    help="with --tcg: also write an ELF naming its blocks")
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
    if args.bench_tcg:
        with open(os.path.join(args.out, "metadata"), "w") as f:
            f.write(tcg_metadata())
        write_bench_tcg(args.out, args.bench_tcg)
        return
    if args.tcg:
        with open(os.path.join(args.out, "metadata"), "w") as f:
            f.write(tcg_metadata())
        files = tcg_trace()
        if args.elf:
            write_elf(args.elf)
        if args.corrupt:
            corrupt(files, args.corrupt)
        for name, data in files.items():
            with open(os.path.join(args.out, name), "wb") as f:
                f.write(data)
        if args.verify:
            sys.exit(verify(args.out, 247, 1, 1))
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
