# vtrace-consumer: the process that owns the rings and writes the trace.
consumer-y := consumer/drain.c consumer/writer.c consumer/ctf.c \
	      consumer/session.c
CONSUMER_OBJS := $(call objs,$(consumer-y))
CONSUMER_LIBS := -luring

PROGS += $(O)/vtrace-consumer

$(O)/vtrace-consumer: $(call objs,consumer/main.c) $(CONSUMER_OBJS)
	$(call link,$(CONSUMER_LIBS))

# The consumer's tests live in tests/consumer/ (not picked up by the
# top-level wildcard, which looks one folder deep).
include tests/consumer/build.mk
