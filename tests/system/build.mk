# system/ tests: board-level scenario against golden output and qemu.
SCENARIOS += tests/system/run-guests.sh
# PLIC/UART/RTC probes, device tree, boot flow and bad input, against QEMU.
SCENARIOS += tests/system/board.sh

# Board pieces as units: options, device tree, loader, monitor table.
TESTS += $(O)/tests/test-system
$(O)/tests/test-system: $(call objs,tests/system/test-system.c $(board-y) \
		system/monitor.c system/options.c \
		system/tracing.c $(tcg-y) $(trace-y) $(ring-y)) $(O)/obj/gen/trace.o
	@mkdir -p $(dir $@)
	$(call link,-lfdt -lcmocka $(RING_LIBS) $(TCG_LIBS))
SCENARIOS += tests/system/trace-emu.sh
SCENARIOS += tests/system/monitor-hardening.sh
SCENARIOS += tests/system/background-tty.sh
# A vCPU waiting for room under policy=block: the others still translate.
SCENARIOS += tests/system/block-translate.sh
SAN_SCENARIOS += tests/system/emu-asan.sh tests/system/emu-tsan.sh
SCENARIOS += tests/system/monitor-cpu.sh
# A guest's nonsense to the PLIC and the UART: same faults as QEMU.
SCENARIOS += tests/system/nonsense.sh
