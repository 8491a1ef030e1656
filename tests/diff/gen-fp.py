#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Random F/D programs for the differential tester (tests/diff/README.md).

    gen-fp.py --seed S --cases N --out PREFIX

writes PREFIX.S (the guest's diff_main, linked with rt.S) and PREFIX.cases
(one line per case: its number, then what it does and its inputs).

A case loads its operands from its own data, sets frm and clears fflags,
runs one instruction (encoded here, so reserved rounding modes can be
emitted), and reports the destination's 64 bits and fflags through
rt_report.  Operands mix NaNs (quiet, signalling, with payloads),
infinities, signed zeros, subnormals, integer boundaries for conversions,
rounding ties and random bits; singles are sometimes improperly NaN-boxed.
Other cases turn mstatus.FS off (every FP instruction and FP CSR traps),
walk FS through Initial/Clean/Dirty and report mstatus, and move values
through flw/fsw/fld/fsd and their compressed forms.
"""
import argparse
import math
import random
import struct

# Registers: operands in fs0 fs1 fa0 (f8 f9 f10), result in fa1 (f11),
# integer operand in t4 (x29), integer result in t3 (x28), data pointer s1.
F_A, F_B, F_C, F_D = 8, 9, 10, 11
X_IN, X_OUT = 29, 28
RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'rm5', 'rm6', 'dyn']


def d2b(x):
    return struct.unpack('<Q', struct.pack('<d', x))[0]


def b2d(b):
    return struct.unpack('<d', struct.pack('<Q', b))[0]


def s2b(x):
    return struct.unpack('<I', struct.pack('<f', x))[0]


def b2s(b):
    return struct.unpack('<f', struct.pack('<I', b))[0]


def int_edges(bits):
    """Values around the integer limits, as floats."""
    out = []
    for e in (31, 32, 63, 64):
        p = 2.0 ** e
        out += [p, -p, p - 1, -p - 1, p - 0.5, -p - 0.5, p + 1]
        out += [p * (1 - 2.0 ** -bits), -p * (1 - 2.0 ** -bits)]
    return out + [0.5, -0.5, 1.5, -1.5, 2.5, -2.5, -0.75, 0.49, -1.0, -0.0]


class Fmt:
    """One of the two formats: bit layout and interesting values."""

    def __init__(self, dbl):
        self.dbl = dbl
        self.bits = 64 if dbl else 32
        self.mant = 52 if dbl else 23
        self.expb = 11 if dbl else 8
        self.sign = 1 << (self.bits - 1)
        self.inf = ((1 << self.expb) - 1) << self.mant
        self.qbit = 1 << (self.mant - 1)
        self.tob = d2b if dbl else s2b
        self.fromb = b2d if dbl else b2s
        m = (1 << self.mant) - 1
        self.special = [0, self.sign, self.inf, self.inf | self.sign,
                        self.inf | self.qbit, self.inf | self.qbit | 1,
                        self.sign | self.inf | self.qbit | 5,
                        self.inf | 1, self.inf | (self.qbit >> 1),
                        self.sign | self.inf | 3, 1, self.sign | 1, m,
                        self.sign | m, 1 << self.mant, self.sign | (1 << self.mant),
                        self.inf - 1, self.sign | (self.inf - 1)]
        self.edges = [self.tob(v) for v in int_edges(self.mant + 1)]

    def rand(self, r):
        k = r.random()
        if k < 0.2:
            return r.choice(self.special)
        if k < 0.3:
            return r.choice(self.edges)
        if k < 0.4:
            return r.getrandbits(self.bits)
        if k < 0.5:  # subnormal
            return (r.getrandbits(1) << (self.bits - 1)) | r.getrandbits(self.mant)
        if k < 0.6:  # small integers and halves
            return self.tob(r.randint(-64, 64) / r.choice((1, 2, 4)))
        # normal, exponent near 1 (or anywhere)
        bias = (1 << (self.expb - 1)) - 1
        e = bias + r.randint(-8, 8) if r.random() < 0.7 else r.randint(1, 2 * bias)
        return (r.getrandbits(1) << (self.bits - 1)) | (e << self.mant) | \
            r.getrandbits(self.mant)

    def near(self, r, a):
        """Something related to a: equal, negated, a neighbour, a tie."""
        k = r.random()
        if k < 0.2:
            return a
        if k < 0.35:
            return a ^ self.sign
        if k < 0.6:
            return (a + r.choice((-2, -1, 1, 2))) & ((1 << self.bits) - 1)
        # half an ulp of a, times an odd number: a + b is a tie
        e = (a >> self.mant) & ((1 << self.expb) - 1)
        if e < self.mant + 2 or e == (1 << self.expb) - 1:
            return self.rand(r)
        be = e - self.mant - 1
        odd = r.choice((1, 3))
        v = math.ldexp(odd, be - ((1 << (self.expb - 1)) - 1))
        try:
            b = self.tob(v)
        except OverflowError:
            return self.rand(r)
        return b | (self.sign if r.random() < 0.5 else 0)

    def box(self, r, v):
        """The 64-bit register value for v."""
        if self.dbl:
            return v
        if r.random() < 0.05:
            return r.choice((0, r.getrandbits(32))) << 32 | v
        return 0xffffffff00000000 | v


def rand_int(r):
    k = r.random()
    if k < 0.3:
        return r.choice((0, 1, 2 ** 64 - 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1,
                         2 ** 32, 2 ** 63 - 1, 2 ** 63, 2 ** 53 + 1,
                         2 ** 24 + 1, 2 ** 64 - 2 ** 31, 0xffffffff80000000,
                         0xffffffff7fffffff))
    if k < 0.5:  # a tie or near-tie once rounded to 24 or 53 bits
        sh = r.randint(1, 40)
        return ((r.getrandbits(r.choice((24, 53))) | 1) << sh |
                (1 << (sh - 1)) * r.randint(0, 1)) & (2 ** 64 - 1)
    if k < 0.7:
        v = r.getrandbits(r.randint(1, 64))
        return v if r.random() < 0.5 else (-v) & (2 ** 64 - 1)
    return r.getrandbits(64)


# funct7 >> 2 (f5) of OP-FP, and what the instruction reads/writes.
# kind: fr (f,f,f) f1 (f,f) fcmp (x,f,f) fx (x,f) xf (f,x)
OPS = [
    ('fadd', 0x00, None, 'fr', True), ('fsub', 0x01, None, 'fr', True),
    ('fmul', 0x02, None, 'fr', True), ('fdiv', 0x03, None, 'fr', True),
    ('fsqrt', 0x0b, 0, 'f1', True),
    ('fsgnj', 0x04, 0, 'fr3', False), ('fsgnjn', 0x04, 1, 'fr3', False),
    ('fsgnjx', 0x04, 2, 'fr3', False),
    ('fmin', 0x05, 0, 'fr3', False), ('fmax', 0x05, 1, 'fr3', False),
    ('feq', 0x14, 2, 'fcmp', False), ('flt', 0x14, 1, 'fcmp', False),
    ('fle', 0x14, 0, 'fcmp', False),
    ('fcvt.w', 0x18, 0, 'fx', True), ('fcvt.wu', 0x18, 1, 'fx', True),
    ('fcvt.l', 0x18, 2, 'fx', True), ('fcvt.lu', 0x18, 3, 'fx', True),
    ('fcvt.from.w', 0x1a, 0, 'xf', True), ('fcvt.from.wu', 0x1a, 1, 'xf', True),
    ('fcvt.from.l', 0x1a, 2, 'xf', True), ('fcvt.from.lu', 0x1a, 3, 'xf', True),
    ('fmv.x', 0x1c, 0, 'fx3', False), ('fclass', 0x1c, 1, 'fx3', False),
    ('fmv.from.x', 0x1e, 0, 'xf3', False),
    ('fcvt.other', 0x08, None, 'cvt', True),
    ('fmadd', 0x43, None, 'fma', True), ('fmsub', 0x47, None, 'fma', True),
    ('fnmsub', 0x4b, None, 'fma', True), ('fnmadd', 0x4f, None, 'fma', True),
]


def insn_name(name, dbl):
    """'fcvt.from.w' -> 'fcvt.d.w', 'fmv.x' -> 'fmv.x.w', 'fadd' -> 'fadd.s'"""
    sfx = 'd' if dbl else 's'
    if name.startswith('fcvt.from.'):
        return 'fcvt.%s.%s' % (sfx, name[10:])
    if name == 'fmv.x':
        return 'fmv.x.' + ('d' if dbl else 'w')
    if name == 'fmv.from.x':
        return 'fmv.%s.x' % ('d' if dbl else 'w')
    if name.startswith('fcvt.s.') or name.startswith('fcvt.d.'):
        return name
    return name + '.' + sfx


def enc_r(f7, rs2, rs1, f3, rd, opc):
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc


class Gen:
    def __init__(self, seed, ncases):
        self.r = random.Random(seed)
        self.n = ncases
        self.text = []
        self.data = []
        self.cases = []
        self.fmts = (Fmt(False), Fmt(True))

    def emit(self, s):
        self.text.append('\t' + s)

    def pick_rm(self):
        """(rm field, frm): mostly valid, sometimes reserved."""
        r = self.r
        k = r.random()
        if k < 0.03:
            return r.choice((5, 6)), r.randint(0, 4)
        if k < 0.06:
            return 7, r.choice((5, 6, 7))
        if k < 0.45:
            return 7, r.randint(0, 4)
        return r.randint(0, 4), r.randint(0, 7)

    def begin(self, k, words):
        self.text.append('# case %d' % k)
        self.data.append('d%d: .dword %s' % (k, ', '.join('0x%x' % w for w in words)))
        self.emit('la s1, d%d' % k)

    def report(self, k):
        self.emit('li a0, %d' % k)
        self.emit('call rt_report')

    def op_case(self, k):
        r = self.r
        name, f5, f3, kind, has_rm = r.choice(OPS)
        fmt = r.choice(self.fmts)
        dbl = fmt.dbl
        a = fmt.rand(r)
        b = fmt.near(r, a) if r.random() < 0.4 else fmt.rand(r)
        c = fmt.rand(r)
        if kind == 'fma' and r.random() < 0.3:
            # c close to -(a * b): cancellation, exact zeros and their sign
            try:
                p = fmt.fromb(a) * fmt.fromb(b)
                c = fmt.tob(-p) if math.isfinite(p) else c
            except OverflowError:
                pass
            if r.random() < 0.5:
                c = fmt.near(r, c)
        regs = [fmt.box(r, v) for v in (a, b, c)]
        xin = rand_int(r)
        rm, frm = self.pick_rm() if has_rm else (f3, r.randint(0, 4))
        fmtbit = 1 if dbl else 0
        rd_x = False
        if kind == 'fma':
            w = (F_C << 27 | fmtbit << 25 | F_B << 20 | F_A << 15 |
                 rm << 12 | F_D << 7 | f5)
        elif kind == 'cvt':  # fcvt.s.d (fmt S, rs2 1) or fcvt.d.s
            w = enc_r(0x08 << 2 | fmtbit, 0 if dbl else 1, F_A, rm, F_D, 0x53)
            src = self.fmts[not dbl]
            a = src.rand(r)
            regs[0] = src.box(r, a)
            name = 'fcvt.d.s' if dbl else 'fcvt.s.d'
        else:
            rs2 = {'f1': 0, 'fx': f3, 'xf': f3, 'fx3': 0, 'xf3': 0}.get(kind, F_B)
            rs1 = X_IN if kind in ('xf', 'xf3') else F_A
            rd = X_OUT if kind in ('fcmp', 'fx', 'fx3') else F_D
            rd_x = rd == X_OUT
            f3field = rm if has_rm else f3
            w = enc_r(f5 << 2 | fmtbit, rs2, rs1, f3field, rd, 0x53)
        name = insn_name(name, dbl)
        self.begin(k, regs + [xin])
        self.emit('li t0, %d' % frm)
        self.emit('csrw frm, t0')
        self.emit('csrwi fflags, 0')
        self.emit('fld fs0, 0(s1)')
        self.emit('fld fs1, 8(s1)')
        self.emit('fld fa0, 16(s1)')
        self.emit('ld t4, 24(s1)')
        self.emit('fmv.d.x fa1, zero')
        self.emit('li t3, 0')
        self.emit('.word 0x%08x' % w)
        self.emit('mv a1, t3' if rd_x else 'fmv.x.d a1, fa1')
        self.emit('csrr a2, fflags')
        self.report(k)
        self.cases.append('%d %s rm=%s frm=%d a=%016x b=%016x c=%016x x=%016x'
                          % (k, name, RM_NAMES[rm] if has_rm else '-', frm,
                             regs[0], regs[1], regs[2], xin))

    def any_fp_word(self):
        """Some valid F/D instruction with a valid static rm."""
        r = self.r
        name, f5, f3, kind, has_rm = r.choice(OPS)
        fmtbit = r.randint(0, 1)
        rm = r.randint(0, 4) if has_rm else f3
        if kind == 'fma':
            return F_C << 27 | fmtbit << 25 | F_B << 20 | F_A << 15 | \
                rm << 12 | F_D << 7 | f5
        if kind == 'cvt':
            return enc_r(0x08 << 2 | fmtbit, 1 - fmtbit, F_A, rm, F_D, 0x53)
        rs2 = {'f1': 0, 'fx': f3, 'xf': f3, 'fx3': 0, 'xf3': 0}.get(kind, F_B)
        rd = X_OUT if kind in ('fcmp', 'fx', 'fx3') else F_D
        return enc_r(f5 << 2 | fmtbit, rs2, F_A, rm, rd, 0x53)

    def fs_off_case(self, k):
        """FS = Off: the instruction (or FP CSR access) traps."""
        r = self.r
        k2 = r.random()
        self.begin(k, [r.getrandbits(64)])
        self.emit('li t0, 0x6000')
        self.emit('csrc mstatus, t0')
        if k2 < 0.5:
            w = self.any_fp_word()
            self.emit('.word 0x%08x' % w)
            what = 'insn %08x' % w
        elif k2 < 0.7:
            csr = r.choice(('fflags', 'frm', 'fcsr'))
            self.emit('csrr t3, %s' % csr)
            what = 'csrr %s' % csr
        else:
            what = r.choice(('fld fa1, 0(s1)', 'fsd fa1, 0(s1)',
                             'flw fa1, 0(s1)', 'fsw fa1, 0(s1)',
                             'c.fld fa1, 0(s1)', 'c.fsd fa1, 0(s1)',
                             'c.fldsp fa1, 8(sp)', 'c.fsdsp fa1, 8(sp)'))
            self.emit(what)
        self.emit('li t0, 0x2000')
        self.emit('csrs mstatus, t0')
        self.emit('csrr a1, mstatus')
        self.emit('li a2, 0')
        self.report(k)
        self.cases.append('%d FS=Off %s' % (k, what))

    def fs_track_case(self, k):
        """FS set to Initial/Clean/Dirty, one action, then mstatus/sstatus."""
        r = self.r
        fs = r.randint(1, 3)
        act = r.choice(('fadd.d fa1, fs0, fs1', 'feq.d t3, fs0, fs1',
                        'fmv.x.d t3, fs0', 'fsd fs0, 32(s1)',
                        'fld fa1, 0(s1)', 'flw fa1, 0(s1)',
                        'csrr t3, fflags', 'csrw fflags, t4',
                        'csrw frm, t4', 'csrs fcsr, zero',
                        'fcvt.w.d t3, fs0', 'fsgnj.s fa1, fs0, fs0',
                        'csrr t3, mstatus'))
        reg = r.choice(('mstatus', 'sstatus'))
        self.begin(k, [r.getrandbits(64), r.getrandbits(64), 0, 0, 0])
        self.emit('li t4, %d' % r.randint(0, 7))
        self.emit('fld fs0, 0(s1)')
        self.emit('fld fs1, 8(s1)')
        self.emit('li t0, 0x6000')
        self.emit('csrc mstatus, t0')
        self.emit('li t0, 0x%x' % (fs << 13))
        self.emit('csrs %s, t0' % reg)
        self.emit(act)
        self.emit('csrr a1, %s' % reg)
        self.emit('csrr a2, fflags')
        self.report(k)
        self.cases.append('%d FS=%d then %s, read %s' % (k, fs, act, reg))

    def mem_case(self, k):
        """Loads and stores, plain and compressed: boxing and raw bits."""
        r = self.r
        v = r.getrandbits(64)
        w = r.choice((r.getrandbits(64), 0xffffffff00000000 | r.getrandbits(32)))
        self.begin(k, [v, w, 0])
        self.emit('fld fa1, 8(s1)')
        form = r.randint(0, 5)
        if form == 0:
            self.emit('flw fa1, 0(s1)')
            what = 'flw'
        elif form == 1:
            self.emit('c.fld fa1, 0(s1)')
            what = 'c.fld'
        elif form == 2:
            self.emit('fsw fa1, 16(s1)')
            self.emit('ld t3, 16(s1)')
            what = 'fsw'
        elif form == 3:
            self.emit('c.fsd fa1, 16(s1)')
            self.emit('ld t3, 16(s1)')
            what = 'c.fsd'
        else:
            self.emit('addi sp, sp, -16')
            self.emit('ld t0, 0(s1)')
            self.emit('sd t0, 8(sp)')
            if form == 4:
                self.emit('c.fldsp fa1, 8(sp)')
                what = 'c.fldsp'
            else:
                self.emit('c.fsdsp fa1, 0(sp)')
                self.emit('ld t3, 0(sp)')
                what = 'c.fsdsp'
            self.emit('addi sp, sp, 16')
        if form in (2, 3, 5):
            self.emit('mv a1, t3')
        else:
            self.emit('fmv.x.d a1, fa1')
        self.emit('fmv.x.d a2, fa1')
        self.report(k)
        self.cases.append('%d %s mem=%016x fa1=%016x' % (k, what, v, w))

    def fcsr_case(self, k):
        """fcsr/frm/fflags: writes, set/clear, what reads back."""
        r = self.r
        v = r.getrandbits(12)
        csr = r.choice(('fcsr', 'frm', 'fflags'))
        op = r.choice(('csrrw', 'csrrs', 'csrrc'))
        rd = r.choice(('fcsr', 'frm', 'fflags'))
        self.begin(k, [0])
        self.emit('li t0, 0x%x' % r.getrandbits(8))
        self.emit('csrw fcsr, t0')
        self.emit('li t4, 0x%x' % v)
        self.emit('%s t3, %s, t4' % (op, csr))
        self.emit('mv a1, t3')
        self.emit('csrr a2, %s' % rd)
        self.report(k)
        self.cases.append('%d %s %s, %#x; read %s' % (k, op, csr, v, rd))

    def run(self):
        r = self.r
        # What the guest sees at reset, before it touches anything.
        # (misa: only F and D are ours to compare; QEMU 7.2 also has H)
        self.text.append('# case 0: mstatus and misa.FD at reset')
        self.emit('csrr a1, mstatus')
        self.emit('csrr a2, misa')
        self.emit('andi a2, a2, 0x28')
        self.report(0)
        self.cases.append('0 mstatus, misa.FD at reset')
        self.emit('li t0, 0x2000')
        self.emit('csrs mstatus, t0')
        for k in range(1, self.n):
            p = r.random()
            if p < 0.85:
                self.op_case(k)
            elif p < 0.89:
                self.fs_off_case(k)
            elif p < 0.93:
                self.fs_track_case(k)
            elif p < 0.97:
                self.mem_case(k)
            else:
                self.fcsr_case(k)

    def write(self, prefix):
        with open(prefix + '.S', 'w') as f:
            f.write('/* generated by tests/diff/gen-fp.py: do not edit */\n')
            f.write('\t.text\n\t.globl diff_main\ndiff_main:\n')
            f.write('\taddi sp, sp, -16\n\tsd ra, 0(sp)\n')
            f.write('\n'.join(self.text))
            f.write('\n\tld ra, 0(sp)\n\taddi sp, sp, 16\n\tret\n')
            f.write('\t.data\n\t.balign 8\n')
            f.write('\n'.join(self.data))
            f.write('\n')
        with open(prefix + '.cases', 'w') as f:
            f.write('\n'.join(self.cases) + '\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--cases', type=int, required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    g = Gen(a.seed, a.cases)
    g.run()
    g.write(a.out)


if __name__ == '__main__':
    main()
