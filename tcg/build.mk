# tcg/: the RISC-V translator (frontend, IR, interpreter backend, block
# cache, CSRs, traps).  Unit tests: tests/tcg/.
include tcg/tcg.mk
