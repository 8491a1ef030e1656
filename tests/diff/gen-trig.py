#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Sdtrig generator of the differential tester (tests/diff/README.md).

Each case arms one trigger from M: a random tselect (0..1 exist), a
random tdata1 (type 2, 6 or another, random mode, load/store/execute and
size bits and junk elsewhere) and a tdata2 on or near the address the
case uses.  Then one action runs in M (sometimes with MPRV, MPP = S), S
or U, paging off: a load, store, AMO, LR, LR+SC or FP load/store of
each size on a data buffer, a run through six instructions (4- and
2-byte) of which the trigger may name one, or a tdata1 read (illegal
below M).  Back in M, both triggers are disarmed and the case reports
tdata1 as read back after the write with tselect's read-back value in
bits 9:8 (tdata1 keeps none there), and the action's result: the loaded
value, the dword the store went to, or how many instructions ran.
rt_report adds the trap: a breakpoint is cause 3 with tval 0 on QEMU 7.2.

Not generated: misaligned accesses (on a page a trigger watches, QEMU
7.2's softmmu checks ranges computed for accesses that cross pages, not
the access's own bytes, which vtrace-emu checks); tdata1 writes of type
1 or 7..14 (QEMU 7.2 aborts on them: "code should not be reached" in
tdata_csr_write; vtrace-emu ignores them like types 0, 3, 4, 5, 15)."""
import cases

MSTATUS_MPRV = 1 << 17
MSTATUS_FS_INITIAL = 1 << 13
BUF = 64		# bytes of data buffer per case slot

ACTIONS = {
    # name: (asm on a0 = address, a1 = value; result in a4, size)
    "lb": ("lb a4, 0(a0)", 1), "lh": ("lh a4, 0(a0)", 2),
    "lw": ("lw a4, 0(a0)", 4), "ld": ("ld a4, 0(a0)", 8),
    "lbu": ("lbu a4, 0(a0)", 1), "lwu": ("lwu a4, 0(a0)", 4),
    "sb": ("sb a1, 0(a0)", 1), "sh": ("sh a1, 0(a0)", 2),
    "sw": ("sw a1, 0(a0)", 4), "sd": ("sd a1, 0(a0)", 8),
    "amoadd.w": ("amoadd.w a4, a1, (a0)", 4),
    "amoor.d": ("amoor.d a4, a1, (a0)", 8),
    "lr.d": ("lr.d a4, (a0)", 8),
    "lrsc.w": ("lr.w a4, (a0)\n\tsc.w a5, a1, (a0)", 4),
    "flw": ("flw fa0, 0(a0)\n\tfmv.x.w a4, fa0", 4),
    "fld": ("fld fa0, 0(a0)\n\tfmv.x.d a4, fa0", 8),
    "fsw": ("fmv.w.x fa0, a1\n\tfsw fa0, 0(a0)", 4),
    "fsd": ("fmv.d.x fa0, a1\n\tfsd fa0, 0(a0)", 8),
}
STORES = {"sb", "sh", "sw", "sd", "fsw", "fsd", "amoadd.w", "amoor.d",
          "lrsc.w"}
# The run: six instructions, each adds 1 to a4 (c.addi is 2 bytes).
CADDI = ".2byte 0x0705	/* c.addi a4, 1 */"
SLED = ["addi a4, a4, 1", CADDI, CADDI, "addi a4, a4, 1", CADDI,
        "addi a4, a4, 1"]


class Case:
    def __init__(self, rnd, n):
        self.r = rnd
        self.n = n
        self.asm = [f"case{n}:"]
        self.desc = []

    def emit(self, s):
        self.asm.append("\t" + s)

    def tdata1(self):
        r = self.r
        t = r.choices([2, 6, r.choice([0, 3, 4, 5, 15])], [6, 3, 1])[0]
        v = t << 60
        if r.random() < 0.2:
            v |= r.getrandbits(60)
        else:
            v |= r.choice([0, 1 << 3, 1 << 4, 1 << 6, 0x58, 0x18, 0x48])
            v |= r.choice([1, 2, 4, 3, 7, 5, 6])
            v |= r.choice([0, 0, 1, 2, 3, 5, r.randrange(16)]) << 16
            if r.random() < 0.1:
                v |= r.getrandbits(8) << 21
        return v

    def build(self):
        r = self.r
        n = self.n
        kind = r.choices(["mem", "exec", "csr"], [70, 25, 5])[0]
        priv = r.choice(["M", "S", "U"])
        mprv = priv == "M" and r.random() < 0.2
        tsel = r.choice([0, 0, 1, 1, 2, 5])
        t1 = self.tdata1()
        self.desc += [kind, priv + ("+mprv" if mprv else ""),
                      f"tselect={tsel}", f"tdata1={t1:#x}"]
        self.emit("li a4, 0")
        self.emit("li a5, 0")
        self.emit(f"li a1, {r.getrandbits(64)}")
        buf = f"trig_buf + {(n % 4) * BUF}"
        body = []
        if kind == "mem":
            name = r.choice(sorted(ACTIONS))
            text, size = ACTIONS[name]
            off = (16 + r.randrange(-12, 13)) & ~(size - 1)
            self.desc += [name, f"off={off}"]
            self.emit(f"la a0, {buf} + {off}")
            body = text.split("\n")
            t2 = f"{buf} + {16 + r.randrange(-9, 10)}"
        elif kind == "exec":
            k = r.randrange(len(SLED) + 1)
            t2 = f"c{n}_i{k}" if k < len(SLED) else f"c{n}_i0 + 2"
            body = [f"c{n}_i{i}: {ins}" for i, ins in enumerate(SLED)]
            name = "sled"
            self.desc.append(f"at={k}")
        else:
            name = "csr"
            body = ["csrr a4, tdata1"]
            t2 = f"{buf}"
        self.desc.append(f"tdata2={t2}")
        self.emit(f"la t0, c{n}_cont")
        self.emit("la t1, trig_cont")
        self.emit("sd t0, 0(t1)")
        self.emit(f"li t0, {tsel}")
        self.emit("csrw tselect, t0")
        self.emit(f"la t0, {t2}")
        self.emit("csrw tdata2, t0")
        self.emit(f"li t0, {t1}")
        self.emit("csrw tdata1, t0")
        self.emit("csrr s2, tdata1")
        self.emit("csrr t0, tselect")
        self.emit("slli t0, t0, 8")
        self.emit("or s2, s2, t0")
        self.emit("li t0, 3 << 11")
        self.emit("csrc mstatus, t0")
        if priv == "M":
            if mprv:
                self.emit(f"li t0, {MSTATUS_MPRV | 1 << 11}")
                self.emit("csrs mstatus, t0")
            for line in body:
                self.emit(line.strip())
        else:
            self.emit(f"li t0, {1 << 11 if priv == 'S' else 0}")
            self.emit("csrs mstatus, t0")
            self.emit(f"la t0, c{n}_go")
            self.emit("csrw mepc, t0")
            self.emit("mret")
            self.asm.append(f"c{n}_go:")
            for line in body:
                self.emit(line.strip())
            self.emit("ecall")
        self.asm.append(f"c{n}_cont:")
        self.emit("li t0, 1 << 17")
        self.emit("csrc mstatus, t0")
        self.emit("li t0, 2 << 60")
        for sel in (0, 1):
            self.emit(f"csrwi tselect, {sel}")
            self.emit("csrw tdata1, t0")
            self.emit("csrw tdata2, zero")
        if name in STORES:
            self.emit(f"la t0, {buf} + 16")
            self.emit("ld a2, 0(t0)")
            self.emit("xor a2, a2, a5")
        else:
            self.emit("mv a2, a4")
        self.emit("mv a1, s2")
        self.emit(f"li a0, {n}")
        self.emit("call rt_report")


HEAD = """/* Generated by tests/diff/gen-trig.py: do not edit. */
	.option norvc
	.text
	.globl diff_main
diff_main:
	addi sp, sp, -32
	sd ra, 0(sp)
	sd s2, 8(sp)
	la t0, trig_trap
	csrw mtvec, t0
	/* one PMP rule (all memory), as QEMU wants before leaving M */
	li t0, -1
	csrw pmpaddr0, t0
	li t0, 0x1f
	csrw pmpcfg0, t0
	li t0, %d
	csrs mstatus, t0
""" % MSTATUS_FS_INITIAL

TAIL = """	ld ra, 0(sp)
	ld s2, 8(sp)
	addi sp, sp, 32
	ret

/* Traps: M with MPRV off; record all but the closing ecall from S or U,
 * go on at trig_cont.  Triggers may still be armed here: this code and
 * trig_cont are never what a case's trigger names. */
	.balign 4
trig_trap:
	li t6, 1 << 17
	csrc mstatus, t6
	csrr t6, mcause
	addi t6, t6, -8
	beqz t6, 1f
	addi t6, t6, -1
	beqz t6, 1f
	la t5, rt_trap_rec
	csrr t6, mcause
	sd t6, 8(t5)
	csrr t6, mtval
	sd t6, 16(t5)
	csrr t6, mepc
	sd t6, 24(t5)
	li t6, 1
	sd t6, 0(t5)
1:	la t5, trig_cont
	ld t5, 0(t5)
	jr t5

	.data
	.balign 64
trig_buf:
""" + "".join("\t.dword 0x%016x\n" % (0x0123456789abcdef * (i + 1) % 2**64)
              for i in range(4 * BUF // 8)) + """
	.bss
	.balign 8
trig_cont:
	.space 8
"""

if __name__ == "__main__":
    cases.main(Case, HEAD, TAIL)
