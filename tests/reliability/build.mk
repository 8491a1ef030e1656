# Reliability scenarios (issue 6): crashes on either side, a full disk, a
# hostile producer, permissions.  Each is a script bounded to seconds that
# `make check` runs; `make reliability` runs them again and rewrites the
# results table in docs/RELIABILITY.md (scripts/reliability-table.sh).
REL_SCENARIOS := tests/reliability/crash-producer.sh \
	tests/reliability/crash-consumer.sh tests/reliability/disk-full.sh \
	tests/reliability/io-error.sh tests/reliability/hostile-shm.sh \
	tests/reliability/permissions.sh
REL_SAN_SCENARIOS := tests/reliability/hostile-shm-asan.sh \
	tests/reliability/crash-producer-asan.sh
SCENARIOS += $(REL_SCENARIOS)
SAN_SCENARIOS += $(REL_SAN_SCENARIOS)

# The ASan variants need the consumer and the producer of build/asan;
# EMU_REL_SCENARIOS (tests/build.mk) are the emulator's side.
reliability: all
	$(Q)$(MAKE) --no-print-directory O=$(O)/asan asan_defconfig >/dev/null
	$(Q)$(MAKE) --no-print-directory O=$(O)/asan $(O)/asan/vtrace-consumer \
		$(O)/asan/vtrace-stress
	$(Q)REL_SCENARIOS="$(REL_SCENARIOS) $(EMU_REL_SCENARIOS) $(REL_SAN_SCENARIOS)" \
		FUZZ_REPLAYS="$(patsubst %,$(O)/tests/fuzz-replay-%,$(FUZZ_NAMES))" \
		bash scripts/reliability-table.sh

.PHONY: reliability

# The hostile producer of hostile-shm.sh (rings and socket written as an
# attacker would), on the ABI through tests/consumer/sim-producer.h.
TESTS_HELPERS += $(O)/tests/hostile-producer
$(O)/tests/hostile-producer: $(call objs,tests/reliability/hostile-producer.c)
	@mkdir -p $(dir $@)
	$(call link,)
