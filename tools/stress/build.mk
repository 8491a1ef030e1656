# vtrace-stress: the synthetic producer, with its own event group.
STRESS_GEN := $(O)/generated/stress
$(eval $(call tracetool_group,$(STRESS_GEN),tools/stress/trace-events))

stress-y := tools/stress/stress.c
stress-objs := $(call objs,$(stress-y)) $(O)/obj/gen/stress/trace.o \
	$(call objs,$(trace-y) $(ring-y))

# The stress group's trace.h comes before the emulator's on the path.
$(call objs,$(stress-y)) $(O)/obj/gen/stress/trace.o: \
	CPPFLAGS := -I$(STRESS_GEN) $(CPPFLAGS)

PROGS += $(O)/vtrace-stress
$(O)/vtrace-stress: $(stress-objs)
	$(call link,$(RING_LIBS))
