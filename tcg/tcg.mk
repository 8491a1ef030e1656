# The tcg/ source list, included by system/build.mk and tcg/build.mk
# (system/ sorts before tcg/, so it cannot rely on tcg/build.mk).
tcg-y := tcg/cpu.c tcg/trap.c tcg/csr.c tcg/decode.c tcg/translate.c \
	tcg/interp.c tcg/native-x86.c tcg/codebuf.c tcg/tb.c tcg/mmu.c tcg/fpu.c tcg/trigger.c
# fpu.c calls libm (fma, rint, ...): every link of tcg-y adds these.
TCG_LIBS := -lm
