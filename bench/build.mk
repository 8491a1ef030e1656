# make bench: the programs that measure; bench/run.sh drives them.
BENCH_PROGS := $(O)/bench/bench-producer $(O)/bench/uring-write

$(call objs,bench/bench-producer.c): CPPFLAGS := -I$(O)/generated/stress $(CPPFLAGS)
$(O)/bench/bench-producer: $(call objs,bench/bench-producer.c $(trace-y) $(ring-y)) \
		$(O)/obj/gen/stress/trace.o
	@mkdir -p $(dir $@)
	$(call link,$(RING_LIBS))

$(O)/bench/uring-write: $(call objs,bench/uring-write.c)
	@mkdir -p $(dir $@)
	$(call link,-luring)

# The LTTng-UST peer, built only where liblttng-ust-dev is installed.
ifneq ($(wildcard /usr/include/x86_64-linux-gnu/lttng/tracepoint.h),)
BENCH_PROGS += $(O)/bench/lttng-bench
$(O)/bench/lttng-bench: $(call objs,bench/lttng/lttng-bench.c)
	@mkdir -p $(dir $@)
	$(call link,-llttng-ust -ldl)
endif
