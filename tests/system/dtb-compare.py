#!/usr/bin/env python3
"""Compare vtrace-emu's device tree with QEMU's, property by property.

usage: dtb-compare.py OURS.dtb QEMU.dtb

Every node we emit must exist in QEMU's tree with the same properties and
values, except the differences listed below (by design, see system/fdt.c);
QEMU's nodes that we leave out must be among the devices we do not
emulate.  Prints one line per difference; exit 1 if any.
"""
import fnmatch
import re
import subprocess
import sys

# (node glob, property): what differs on purpose
DIFFERENT = {
    ("/cpus/cpu@*", "riscv,isa"),   # we lack H and the Z* past Zifencei
    ("/cpus/cpu@*", "mmu-type"),    # sv39 (QEMU: sv48)
}
QEMU_ONLY_PROPS = {("/chosen", "rng-seed")}  # random on every QEMU run
QEMU_ONLY_NODES = ["/pmu", "/fw-cfg@*", "/flash@*", "/platform-bus@*",
                   "/soc/pci@*", "/soc/virtio_mmio@*"]


def parse(path):
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", path],
                         check=True, capture_output=True, text=True).stdout
    nodes, stack = {}, []
    for line in dts.splitlines():
        line = line.strip()
        if not line or line.startswith("/dts-v1/"):
            continue
        m = re.match(r"^([^=\s]+) \{$", line)
        if m:
            name = m.group(1)
            stack.append(name if name != "/" else "")
            nodes["/".join(stack) or "/"] = {}
            continue
        if line == "};":
            stack.pop()
            continue
        m = re.match(r"^([^=\s]+)(?: = (.*))?;$", line)
        if m:
            nodes["/".join(stack) or "/"][m.group(1)] = m.group(2) or ""
    return nodes


def skipped(path):
    """A node we do not emulate, or one inside such a node."""
    parts = path.split("/")
    return any(fnmatch.fnmatch("/".join(parts[:i]), g)
               for i in range(2, len(parts) + 1) for g in QEMU_ONLY_NODES)


def main():
    ours, qemu = parse(sys.argv[1]), parse(sys.argv[2])
    bad = 0
    for path, props in sorted(ours.items()):
        if path not in qemu:
            print("only in vtrace-emu: node %s" % path)
            bad += 1
            continue
        for name in sorted(set(props) | set(qemu[path])):
            if any(fnmatch.fnmatch(path, g) and name == p
                   for g, p in DIFFERENT | QEMU_ONLY_PROPS):
                continue
            a, b = props.get(name), qemu[path].get(name)
            if a != b:
                print("%s %s: vtrace-emu %s, qemu %s" % (path, name, a, b))
                bad += 1
    for path in sorted(qemu):
        if path not in ours and not skipped(path):
            print("only in qemu: node %s" % path)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
