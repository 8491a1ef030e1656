# The differential tester (tests/diff/README.md): random guest programs run
# on vtrace-emu and on qemu-system-riscv64, compared bit for bit.
SCENARIOS += tests/diff/diff-fp.sh tests/diff/diff-mmu.sh \
	tests/diff/diff-trig.sh

# Larger runs, several seeds per generator: make diff-long [DIFF_CASES=N]
DIFF_CASES ?= 50000
DIFF_SEEDS ?= 11 12 13 14 15 16 17 18
DIFF_GENS ?= fp mmu trig
.PHONY: diff-long
diff-long: all
	@set -e; for g in $(DIFF_GENS); do for s in $(DIFF_SEEDS); do \
		O=$(O) bash tests/diff/run-diff.sh $$g $$s $(DIFF_CASES); \
	done; done
