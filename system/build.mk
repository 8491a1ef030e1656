# system/: the virt-like board around tcg/: RAM, UART, CLINT, finisher,
# device tree, ELF loader, vCPU threads, monitor, command line.
include tcg/tcg.mk
emu-y := system/main.c system/board.c system/loader.c system/fdt.c \
	 system/monitor.c system/options.c system/tracing.c $(tcg-y)
# With the emulator's generated event table and the trace runtime.
emu-objs := $(call objs,$(emu-y) $(trace-y) $(ring-y)) $(O)/obj/gen/trace.o
PROGS += $(O)/vtrace-emu
$(O)/vtrace-emu: $(emu-objs)
	$(call link,-lfdt $(RING_LIBS))
# Our tests live in tests/system/ (the top level only reads */build.mk).
include tests/system/build.mk
