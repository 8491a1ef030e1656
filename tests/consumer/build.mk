# Consumer tests: cmocka units (packet closing, head validation, io_uring
# round trip) and a two-process smoke test with a minimal producer that
# runs build/vtrace-consumer and checks the trace with babeltrace2.
TESTS += $(O)/tests/test-consumer $(O)/tests/test-consumer-smoke

$(O)/tests/test-consumer: $(call objs,tests/consumer/test-consumer.c) \
		$(CONSUMER_OBJS)
	@mkdir -p $(dir $@)
	$(call link,-lcmocka $(CONSUMER_LIBS))

# The smoke test runs the consumer binary, so it depends on it.
$(O)/tests/test-consumer-smoke: $(call objs,tests/consumer/smoke-producer.c) \
		| $(O)/vtrace-consumer
	@mkdir -p $(dir $@)
	$(call link,)
SCENARIOS += tests/consumer/skip-counted.sh
