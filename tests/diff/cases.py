"""The command line and output files of the generators built from a Case
class (gen-mmu.py, gen-trig.py): Case(rnd, n).build() fills .asm (lines)
and .desc (words); PREFIX.S gets head, every case's lines and tail, and
PREFIX.cases one line per case, its number and description."""

import argparse
import random


def main(case_class, head, tail):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--cases", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out, desc = [], []
    for n in range(a.cases):
        c = case_class(rnd, n)
        c.build()
        out += c.asm
        desc.append(f"{n} " + " ".join(c.desc))
    with open(a.out + ".cases", "w") as f:
        f.write("\n".join(desc) + "\n")
    with open(a.out + ".S", "w") as f:
        f.write(head)
        f.write("\n".join(out) + "\n")
        f.write(tail)
