#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Sv39 generator of the differential tester (tests/diff/README.md).

Each case builds a random page-table tree in guest RAM (random leaf
levels, superpages aligned and misaligned, random V/R/W/X/U/A/D and
reserved bits, broken pointer PTEs, tables and leaves outside RAM,
tables at MMIO), sets satp and mstatus (SUM, MXR, MPRV/MPP) and does one access from M (MPRV),
S or U: a load, a store, an AMO, LR/SC, a fetch, or a fetch of an
instruction that straddles two pages.  S and U code runs in a trampoline
page mapped by the same tables.  It reports the loaded value (or the
stored dword read back) and the leaf PTE afterwards (its A and D bits);
rt_report adds the trap cause, tval and epc if one was taken.

Not generated: satp MODE Sv48/Sv57 (QEMU 7.2 takes them, vtrace-emu
implements Sv39 only and drops them), misaligned AMOs.
"""
import cases

PAGE = 4096
V, R, W, X, U, G, A, D = (1 << i for i in range(8))
SATP_SV39 = 8 << 60
NPT = 16		# page-table pages
NDATA = 4		# data pages
OUTSIDE = 0x90000000	# unassigned on both machines (run with -m 128M)
CLINT = 0x2000000	# MMIO: the msip registers, all zero here
MSTATUS_SUM, MSTATUS_MXR, MSTATUS_MPRV = 1 << 18, 1 << 19, 1 << 17

# Trampoline slots, 16 bytes each: one access on a0 (value a1) into a4,
# then ecall.  a5 gets an SC's result.
SLOTS = [
    ("lb", "lb a4, 0(a0)"), ("lh", "lh a4, 0(a0)"), ("lw", "lw a4, 0(a0)"),
    ("ld", "ld a4, 0(a0)"), ("lbu", "lbu a4, 0(a0)"),
    ("lhu", "lhu a4, 0(a0)"), ("lwu", "lwu a4, 0(a0)"),
    ("sb", "sb a1, 0(a0)"), ("sh", "sh a1, 0(a0)"), ("sw", "sw a1, 0(a0)"),
    ("sd", "sd a1, 0(a0)"),
    ("amoadd.w", "amoadd.w a4, a1, (a0)"),
    ("amoadd.d", "amoadd.d a4, a1, (a0)"),
    ("amoswap.d", "amoswap.d a4, a1, (a0)"),
    ("lr.d", "lr.d a4, (a0)"),
    ("lrsc", "lr.d a4, (a0)\n\tsc.d a5, a1, (a0)"),
    ("jalr", "jalr ra, 0(a0)"),
    ("ecall", ""),
]
SLOT = {name: i * 16 for i, (name, _) in enumerate(SLOTS)}
SIZE = {"lb": 1, "lh": 2, "lw": 4, "ld": 8, "lbu": 1, "lhu": 2, "lwu": 4,
        "sb": 1, "sh": 2, "sw": 4, "sd": 8, "amoadd.w": 4, "amoadd.d": 8,
        "amoswap.d": 8, "lr.d": 8, "lrsc": 8}
STORES = {"sb", "sh", "sw", "sd"}


def sext39(va):
    return va | (~((1 << 39) - 1) & ((1 << 64) - 1)) if va >> 38 & 1 else va


class Case:
    def __init__(self, rnd, n):
        self.r = rnd
        self.n = n
        self.asm = []
        self.slots = []		# PTE slot addresses written (asm exprs)
        self.next_pt = 1
        self.vpn2 = rnd.sample(range(512), 4)
        self.desc = []

    def emit(self, s):
        self.asm.append("\t" + s)

    def flags(self, code):
        r = self.r
        if r.random() < 0.6:
            f = V | (R | X if code else R | W) | A | (D if r.random() < 0.5 else 0)
            if r.random() < 0.3:
                f &= ~A
        else:
            f = r.getrandbits(8) | V * (r.random() < 0.85)
        if r.random() < 0.04:
            f |= 1 << r.choice([54, 58, 61, 62, 63])
        return f

    def write_pte(self, slot, value_asm):
        """value_asm: instructions leaving the PTE in t1."""
        self.asm += value_asm
        self.emit(f"la t0, {slot}")
        self.emit("sd t1, 0(t0)")
        self.slots.append(slot)

    def pointer(self, slot, page):
        """A pointer PTE at slot to table page `page`, maybe broken."""
        r = self.r
        k = r.random()
        if k < 0.04:
            self.desc.append("ptr-outside-ram")
            self.write_pte(slot, [f"\tli t1, {(OUTSIDE >> 2) | V}"])
            return
        if k < 0.07:
            self.desc.append("ptr-mmio")
            self.write_pte(slot, [f"\tli t1, {(CLINT >> 2) | V}"])
            return
        f = V
        if k < 0.11:
            f |= r.choice([A, D, U, 0]) if r.random() < 0.8 else 0
            f &= ~V if r.random() < 0.3 else ~0
            self.desc.append(f"ptr-flags={f:#x}")
        self.write_pte(slot, [f"\tla t1, mmu_pt + {page * PAGE}",
                              "\tsrli t1, t1, 2", f"\tori t1, t1, {f}"])

    def mapping(self, which, sym, code):
        """Map one region; returns (level, vbase, leaf slot)."""
        r = self.r
        vpn2 = self.vpn2[which]
        level = r.choices([0, 1, 2], [6, 2, 1])[0]
        vpn1 = r.randrange(512) if level < 2 else 0
        vpn0 = r.randrange(512) if level < 1 else 0
        if level == 0 and vpn0 == 511:
            vpn0 = 510	# room for the page after it
        vbase = sext39(vpn2 << 30 | vpn1 << 21 | vpn0 << 12)
        slot = f"mmu_pt + {vpn2 * 8}"
        table = 0
        for lvl in (2, 1):
            if lvl == level:
                break
            page = self.next_pt
            self.next_pt += 1
            self.pointer(slot, page)
            table = page
            slot = f"mmu_pt + {table * PAGE + (vpn1 if lvl == 2 else vpn0) * 8}"
        f = self.flags(code)
        size = 1 << (12 + 9 * level)
        k = r.random()
        if k < 0.03:
            self.desc.append("leaf-outside-ram")
            val = [f"\tli t1, {(OUTSIDE >> 2) | f}"]
        else:
            mis = level > 0 and k < 0.15
            val = [f"\tla t1, {sym}", f"\tli t2, {-size}", "\tand t1, t1, t2"]
            if mis:
                self.desc.append("misaligned-superpage")
                val += [f"\tli t2, {PAGE * r.randrange(1, 8)}",
                        "\tadd t1, t1, t2"]
            val += ["\tsrli t1, t1, 2", f"\tli t2, {f}", "\tor t1, t1, t2"]
        self.write_pte(slot, val)
        self.desc.append(f"map{which} L{level} va={vbase:#x} pte={f:#x}")
        return level, vbase, slot, table, vpn0, f

    def va_of(self, reg, sym, level, vbase, off):
        """reg = the virtual address of sym + off through the mapping."""
        size = 1 << (12 + 9 * level)
        self.emit(f"la {reg}, {sym}")
        self.emit(f"li t2, {size - 1}")
        self.emit(f"and {reg}, {reg}, t2")
        self.emit(f"li t2, {vbase}")
        self.emit(f"add {reg}, {reg}, t2")
        self.emit(f"li t2, {off}")
        self.emit(f"add {reg}, {reg}, t2")

    def build(self):
        r = self.r
        n = self.n
        kind = r.choices(["data", "fetch", "straddle", "satp"],
                         [70, 14, 8, 8])[0]
        self.asm.append(f"case{n}:")
        if kind == "satp":
            return self.satp_case()
        # M fetches are never translated: fetch kinds run in S or U
        priv = r.choices(["M", "S", "U"],
                         [2 if kind == "data" else 0, 5, 3])[0]
        self.slot_name = None
        ms = 0
        if r.random() < 0.3:
            ms |= MSTATUS_SUM
        if r.random() < 0.3:
            ms |= MSTATUS_MXR
        mpp = {"M": r.choice([0, 1]), "S": 1, "U": 0}[priv]
        self.desc += [kind, priv, f"mpp={mpp}",
                      f"sum={int(bool(ms & MSTATUS_SUM))}",
                      f"mxr={int(bool(ms & MSTATUS_MXR))}"]
        self.emit("li a4, 0")
        self.emit("li a5, 0")
        self.emit(f"li a1, {r.getrandbits(64)}")
        if kind == "data":
            slot_name = self.slot_name = r.choice([s for s in SIZE])
            self.desc.append(slot_name)
            level, vbase, leaf, table, vpn0, _ = self.mapping(1, "mmu_data", False)
            size = SIZE[slot_name]
            dpage = r.randrange(NDATA - 1)
            if slot_name in STORES or slot_name in {"lb", "lh", "lw", "ld",
                                                     "lbu", "lhu", "lwu"}:
                if r.random() < 0.25:
                    off = PAGE - r.randrange(1, size + 1) if size > 1 else PAGE - 1
                    if level == 0 and r.random() < 0.7:
                        # the next virtual page, mapped to another data page
                        f = self.flags(False)
                        other = r.randrange(NDATA)
                        slot = f"mmu_pt + {table * PAGE + (vpn0 + 1) * 8}"
                        self.write_pte(slot, [f"\tla t1, mmu_data + {other * PAGE}",
                                              "\tsrli t1, t1, 2", f"\tli t2, {f}",
                                              "\tor t1, t1, t2"])
                        self.desc.append(f"next->data{other} pte={f:#x}")
                else:
                    off = r.randrange(0, PAGE - size + 1)
                    if r.random() < 0.7:
                        off &= ~(size - 1)
            else:
                off = r.randrange(0, PAGE // size) * size
            self.desc.append(f"page={dpage} off={off:#x}")
            self.va_of("a0", f"mmu_data + {dpage * PAGE}", level, vbase, off)
            if r.random() < 0.03:
                self.emit("li t2, 1 << 45")
                self.emit("xor a0, a0, t2")
                self.desc.append("non-canonical")
            target = SLOT[slot_name]
            readback = f"mmu_data + {dpage * PAGE + (off & ~7)}"
        else:
            if kind == "fetch":
                level, vbase, leaf, *_ = self.mapping(1, "mmu_tramp", True)
                self.va_of("a0", "mmu_tramp", level, vbase, SLOT["ecall"])
            else:
                level, vbase, leaf, table, vpn0, _ = self.mapping(1, "mmu_strad", True)
                if level == 0 and r.random() < 0.8:
                    f = self.flags(True)
                    slot = f"mmu_pt + {table * PAGE + (vpn0 + 1) * 8}"
                    self.write_pte(slot, ["\tla t1, mmu_strad + 4096",
                                          "\tsrli t1, t1, 2", f"\tli t2, {f}",
                                          "\tor t1, t1, t2"])
                    self.desc.append(f"second-page pte={f:#x}")
                self.va_of("a0", "mmu_strad", level, vbase, PAGE - 2)
            target = SLOT["jalr"]
            readback = None
        # the trampoline (S/U code), or inline for M with MPRV
        if priv != "M":
            tf = V | R | X | A | (U if priv == "U" else 0)
            if r.random() < 0.05:
                tf = self.flags(True)
                self.desc.append(f"tramp-pte={tf:#x}")
            vt = sext39(self.vpn2[0] << 30)
            self.pointer(f"mmu_pt + {self.vpn2[0] * 8}", self.next_pt)
            t1 = self.next_pt
            self.pointer(f"mmu_pt + {t1 * PAGE}", self.next_pt + 1)
            self.next_pt += 2
            self.write_pte(f"mmu_pt + {(t1 + 1) * PAGE}",
                           ["\tla t1, mmu_tramp", "\tsrli t1, t1, 2",
                            f"\tli t2, {tf}", "\tor t1, t1, t2"])
        self.emit("la t0, 1f")
        self.emit("la t1, mmu_cont")
        self.emit("sd t0, 0(t1)")
        self.emit("la t0, mmu_pt")
        self.emit("srli t0, t0, 12")
        self.emit(f"li t1, {SATP_SV39 | r.getrandbits(16) << 44}")
        self.emit("or t0, t0, t1")
        self.emit("csrw satp, t0")
        self.emit("sfence.vma")
        self.emit(f"li t0, {MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV | 3 << 11}")
        self.emit("csrc mstatus, t0")
        if priv == "M":
            self.emit(f"li t0, {ms | MSTATUS_MPRV | mpp << 11}")
            self.emit("csrs mstatus, t0")
            for line in dict(SLOTS)[self.slot_name].split("\n"):
                self.emit(line.strip())
            self.emit("li t0, 1 << 17")
            self.emit("csrc mstatus, t0")
        else:
            self.emit(f"li t0, {ms | mpp << 11}")
            self.emit("csrs mstatus, t0")
            self.emit(f"li t0, {vt + target}")
            self.emit("csrw mepc, t0")
            self.emit("mret")
        self.asm.append("1:")
        self.emit("csrw satp, zero")
        self.emit("sfence.vma")
        if self.slot_name in STORES:
            self.emit(f"la t0, {readback}")
            self.emit("ld a1, 0(t0)")
        elif self.slot_name == "lrsc":
            self.emit("slli a1, a4, 1")
            self.emit("or a1, a1, a5")
        else:
            self.emit("mv a1, a4")
        self.emit(f"la t0, {leaf}")
        self.emit("ld a2, 0(t0)")
        self.finish()

    def satp_case(self):
        r = self.r
        mode = r.choice([0, 8])
        val = mode << 60 | r.getrandbits(60)
        va = sext39(r.getrandbits(39))
        self.desc += ["satp", f"write={val:#x}"]
        self.emit("li a4, 0")
        self.emit("la t0, 1f")
        self.emit("la t1, mmu_cont")
        self.emit("sd t0, 0(t1)")
        self.emit(f"li t0, {val}")
        self.emit("csrw satp, t0")
        self.emit("csrr a1, satp")
        if mode:
            # a load through the nonsense root (M, MPRV, MPP = S)
            self.desc.append(f"load va={va:#x}")
            self.emit("sfence.vma")
            self.emit(f"li t0, {3 << 11}")
            self.emit("csrc mstatus, t0")
            self.emit(f"li t0, {MSTATUS_MPRV | 1 << 11}")
            self.emit("csrs mstatus, t0")
            self.emit(f"li a0, {va}")
            self.emit("ld a4, 0(a0)")
            self.emit(f"li t0, {MSTATUS_MPRV}")
            self.emit("csrc mstatus, t0")
        self.asm.append("1:")
        self.emit("csrw satp, zero")
        self.emit("sfence.vma")
        self.emit("mv a2, a4")
        self.finish()

    def finish(self):
        for s in self.slots:
            self.emit(f"la t0, {s}")
            self.emit("sd zero, 0(t0)")
        self.emit(f"li a0, {self.n}")
        self.emit("call rt_report")


HEAD = """/* Generated by tests/diff/gen-mmu.py: do not edit. */
	.option norvc
	.text
	.globl diff_main
diff_main:
	addi sp, sp, -16
	sd ra, 0(sp)
	la t0, mmu_trap
	csrw mtvec, t0
	/* one PMP rule (all memory), as QEMU wants before leaving M */
	li t0, -1
	csrw pmpaddr0, t0
	li t0, 0x1f
	csrw pmpcfg0, t0
	/* a recognisable pattern in the data pages */
	la t0, mmu_data
	li t1, %d
	li t2, 0x0123456789abcdef
	li t3, 0x9e3779b97f4a7c15
2:	sd t2, 0(t0)
	add t2, t2, t3
	addi t0, t0, 8
	addi t1, t1, -1
	bnez t1, 2b
""" % (NDATA * PAGE // 8)

TAIL = """	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* Traps: M with MPRV off; record all but the trampoline's ecall, go on
 * at mmu_cont. */
	.balign 4
mmu_trap:
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
1:	la t5, mmu_cont
	ld t5, 0(t5)
	jr t5

	.balign 4096
mmu_tramp:
""" + "".join(f"\t.balign 16\n\t{body}\n\tecall\n" for _, body in SLOTS) + """
	.balign 4096
mmu_strad:
	.fill 4094, 1, 0
	addi a4, a4, 1	/* straddles into the next page */
	ecall
	.balign 4096

	.bss
	.balign 8
mmu_cont:
	.space 8
	.balign 4096
mmu_pt:
	.space %d
mmu_data:
	.space %d
""" % (NPT * PAGE, NDATA * PAGE)

if __name__ == "__main__":
    cases.main(Case, HEAD, TAIL)
