# Tests registered here are run by `make check` (tests/run-all.sh).
# Each folder's build.mk adds its own cmocka binaries to TESTS and its
# multi-process scripts to SCENARIOS.

# trace/ control: its own small event group.
TEST_TRACE_GEN := $(O)/generated/test-trace
$(eval $(call tracetool_group,$(TEST_TRACE_GEN),tests/trace/trace-events))
$(call objs,tests/trace/test-control.c) $(O)/obj/gen/test-trace/trace.o: \
	CPPFLAGS := -I$(TEST_TRACE_GEN) $(CPPFLAGS)
TESTS += $(O)/tests/test-control
$(O)/tests/test-control: $(call objs,tests/trace/test-control.c $(trace-y) $(ring-y)) \
		$(O)/obj/gen/test-trace/trace.o
	@mkdir -p $(dir $@)
	$(call link,-lcmocka $(RING_LIBS))

# ring/ producer, including a two-thread protocol stress.
TESTS += $(O)/tests/test-ring
$(O)/tests/test-ring: $(call objs,tests/ring/test-ring.c trace/clock.c $(ring-y))
	@mkdir -p $(dir $@)
	$(call link,-lcmocka $(RING_LIBS))

# The two-process stress (tests/stress/stress.sh) and its byte-level checker.
TESTS_HELPERS += $(O)/tests/check-seq
$(O)/tests/check-seq: $(call objs,tests/stress/check-seq.c)
	@mkdir -p $(dir $@)
	$(call link,)
SCENARIOS += tests/stress/stress.sh
# Longer runs of the same, outside make check: the discard accounting
# 100 times (an intermittent loss of a few drops was seen 1 run in 8).
.PHONY: soak
soak: all
	$(Q)STRESS_N=1000000 STRESS_REPEAT=100 bash tests/stress/stress.sh
SAN_SCENARIOS += tests/stress/stress-asan.sh tests/stress/stress-tsan.sh

include tests/reliability/build.mk tests/fuzz/build.mk tests/diff/build.mk

# The emulator's side of the reliability scenarios (tests/reliability/).
EMU_REL_SCENARIOS := tests/reliability/crash-emu.sh tests/reliability/crash-emu-consumer.sh
SCENARIOS += $(EMU_REL_SCENARIOS)
