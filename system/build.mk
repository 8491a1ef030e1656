# system/: the virt-like board around tcg/: RAM, UART, CLINT, finisher,
# device tree, ELF loader, vCPU threads, monitor, command line.
include tcg/tcg.mk
emu-y := system/main.c system/board.c system/loader.c system/fdt.c \
	 system/monitor.c system/options.c $(tcg-y)
PROGS += $(O)/vtrace-emu
$(O)/vtrace-emu: $(call objs,$(emu-y))
	$(call link,-lfdt)
# Our tests live in tests/system/ (the top level only reads */build.mk).
include tests/system/build.mk
