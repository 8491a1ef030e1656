# tcg/: the RISC-V translator (frontend, IR, interpreter backend, block
# cache, CSRs, traps).  Unit tests: tests/tcg/.
include tcg/tcg.mk
# Our unit tests live in tests/tcg/ (the top level only reads */build.mk).
include tests/tcg/build.mk tests/priv/build.mk

# The threaded interpreter wants one indirect jump per handler and per
# block-entry site: stop GCC from merging them (cross-jumping) and from
# hoisting loads across the computed gotos (GCC's advice for such code).
$(call objs,tcg/interp.c): CFLAGS += -fno-gcse -fno-crossjumping -falign-labels=64

# fpu.c changes the host rounding mode and reads the host's exception flags
# around each operation: no constant folding or moving FP code across them.
$(call objs,tcg/fpu.c): CFLAGS += -frounding-math -fsignaling-nans
