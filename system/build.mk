# system/: the virt-like board around tcg/: RAM, devices (hw/), device
# tree, boot flow, ELF loader, vCPU threads, monitor, command line.
include tcg/tcg.mk
board-y := system/board.c system/boot.c system/loader.c system/fdt.c \
	   system/hw/plic.c system/hw/uart.c system/hw/clint.c \
	   system/hw/finisher.c system/hw/rtc.c
emu-y := system/main.c $(board-y) system/monitor.c system/monitor-cpu.c \
	 system/options.c system/tracing.c $(tcg-y)
# With the emulator's generated event table and the trace runtime.
emu-objs := $(call objs,$(emu-y) $(trace-y) $(ring-y)) $(O)/obj/gen/trace.o
PROGS += $(O)/vtrace-emu
$(O)/vtrace-emu: $(emu-objs)
	$(call link,-lfdt $(RING_LIBS) $(TCG_LIBS))
# Our tests live in tests/system/ (the top level only reads */build.mk).
include tests/system/build.mk
