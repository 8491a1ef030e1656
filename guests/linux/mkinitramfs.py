#!/usr/bin/env python3
"""Write the guest's initramfs: a gzip'd cpio "newc" archive holding
busybox as /bin/busybox, /init, /workloads/* and the empty mount points.
Deterministic: fixed inode numbers, mtime 0, owner root, gzip mtime 0.

usage: mkinitramfs.py BUSYBOX INIT WORKLOAD_DIR OUT.cpio.gz
"""
import gzip
import os
import sys


def entry(out, ino, name, mode, data=b"", nlink=1):
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0,
        len(name) + 1, 0))
    out.append(hdr.encode() + name.encode() + b"\0")
    out.append(b"\0" * (-(110 + len(name) + 1) % 4))
    out.append(data)
    out.append(b"\0" * (-len(data) % 4))


def main():
    busybox, init, wldir, dest = sys.argv[1:5]
    out, ino = [], 1
    for d in ("bin", "dev", "proc", "sys", "tmp", "workloads"):
        entry(out, ino, d, 0o40755, nlink=2)
        ino += 1
    for name, path, mode in [("bin/busybox", busybox, 0o100755),
                             ("init", init, 0o100755)] + [
            ("workloads/" + w, os.path.join(wldir, w), 0o100644)
            for w in sorted(os.listdir(wldir))]:
        with open(path, "rb") as f:
            entry(out, ino, name, mode, f.read())
        ino += 1
    entry(out, 0, "TRAILER!!!", 0, nlink=1)
    blob = b"".join(out)
    blob += b"\0" * (-len(blob) % 512)
    with open(dest + ".tmp", "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
            g.write(blob)
    os.replace(dest + ".tmp", dest)


if __name__ == "__main__":
    main()
