#!/usr/bin/python3
"""Check that no byte of an older record reaches a trace (stdlib only).

Usage: check-padding.py DIR

The ring reuses its slots, so every byte a record does not set would hold
what an older record left there.  For every record of every stream file
of DIR, with the layout its event has in DIR/metadata (docs/FORMAT.md),
these bytes must be zero:
  - the alignment holes between fields,
  - the vt_pad filler up to the end of the record's slots,
  - a string's bytes after its NUL,
  - the bytes of a packet after its content_size, but for the header of
    the pad record that filled them in the ring.
Prints one line per stream and "ok: N records, N padding bytes"; exit 1
with the first bad bytes of each stream (offset, event, field).
"""
import os
import re
import struct
import sys

PACKET = 4096
SLOT = 64
SIZES = {"uint8_t": 1, "int8_t": 1, "uint16_t": 2, "int16_t": 2,
         "uint32_t": 4, "int32_t": 4, "uint64_t": 8, "int64_t": 8,
         "x64_t": 8}
STRING = re.compile(r"integer \{[^}]*encoding = UTF8;\s*\}\s*(\w+)\[(\d+)\];")
SCALAR = re.compile(r"(\w+)\s+(\w+);")


def layouts(metadata):
    """{id: (name, [(kind, field, offset, size)])}, offsets in the record."""
    events = {}
    for block in re.findall(r"event \{(.*?)\n\};", metadata, re.S):
        ev_id = int(re.search(r"\bid = (\d+);", block).group(1))
        name = re.search(r'name = "([^"]+)";', block).group(1)
        body = re.search(r"fields := struct \{(.*)\};", block, re.S).group(1)
        fields, off = [], 16
        for line in body.strip().splitlines():
            line = line.strip()
            m = STRING.match(line)
            if m:
                n = int(m.group(2))
                kind = "pad" if m.group(1) == "vt_pad" else "string"
                fields.append((kind, m.group(1), off, n))
                off += n
                continue
            m = SCALAR.match(line)
            size = SIZES[m.group(1)]
            if off % size:
                fields.append(("hole", "before " + m.group(2), off,
                               size - off % size))
                off += size - off % size
            fields.append(("value", m.group(2), off, size))
            off += size
        events[ev_id] = (name, fields, off)
    return events


def zero_spans(rec, name, fields, end):
    """(offset, what) of the spans of @rec that must be zero."""
    for kind, field, off, size in fields:
        if kind in ("hole", "pad"):
            yield off, off + size, "%s %s %s" % (name, kind, field)
        elif kind == "string":
            nul = rec.find(b"\0", off, off + size)
            if nul >= 0:
                yield nul + 1, off + size, "%s tail of %s" % (name, field)
    yield end, len(rec), "%s past its fields" % name


def check_stream(path, events):
    data = open(path, "rb").read()
    records = pad_bytes = 0
    bad = []
    for base in range(0, len(data) - PACKET + 1, PACKET):
        pkt = data[base:base + PACKET]
        content = struct.unpack_from("<I", pkt, 40)[0] // 8
        after = content
        if content < PACKET and struct.unpack_from("<II", pkt, content) == (
                0xffffffff, (PACKET - content) // SLOT):
            after += 8      # the producer's pad record: id and nslots
        spans = [(after, PACKET, "packet after content_size")]
        slot = SLOT
        while slot < content:
            ev_id, nslots = struct.unpack_from("<II", pkt, slot)
            if ev_id not in events or nslots == 0:
                bad.append("%s+%d: record id %d nslots %d unknown" % (
                    path, base + slot, ev_id, nslots))
                break
            name, fields, end = events[ev_id]
            rec = pkt[slot:slot + nslots * SLOT]
            for lo, hi, what in zero_spans(rec, name, fields, end):
                spans.append((slot + lo, slot + hi, what))
            records += 1
            slot += nslots * SLOT
        for lo, hi, what in spans:
            pad_bytes += hi - lo
            nz = [i for i in range(lo, hi) if pkt[i]]
            if nz:
                bad.append("%s+%d: %d non-zero bytes in %s: %s" % (
                    path, base + nz[0], len(nz), what,
                    pkt[nz[0]:nz[0] + 16].hex()))
    return records, pad_bytes, bad


def main():
    d = sys.argv[1]
    events = layouts(open(os.path.join(d, "metadata")).read())
    total_records = total_pad = 0
    failed = False
    for f in sorted(os.listdir(d)):
        if f == "metadata":
            continue
        records, pad, bad = check_stream(os.path.join(d, f), events)
        total_records += records
        total_pad += pad
        print("%s: %d records, %d padding bytes, %d bad spans" % (
            f, records, pad, len(bad)))
        for line in bad[:5]:
            print("FAIL: " + line)
        failed |= bool(bad)
    if failed:
        return 1
    print("ok: %d records, %d padding bytes, all zero" % (total_records,
                                                          total_pad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
