# tcg/: the RISC-V translator (frontend, IR, interpreter backend, block
# cache, CSRs, traps).  Unit tests: tests/tcg/.
include tcg/tcg.mk
# Our unit tests live in tests/tcg/ (the top level only reads */build.mk).
include tests/tcg/build.mk
