# Fuzz targets (tests/fuzz/fuzz-NAME.c, contract in tests/fuzz/fuzz.h).
#
#   make fuzz [FUZZ_SECONDS=30] [FUZZ_TARGETS="metadata packet"]
#       builds each target with clang + libFuzzer + ASan/UBSan in
#       $(O)/fuzz/ and runs it for FUZZ_SECONDS (tests/fuzz/run-fuzz.sh),
#       then the Python fuzzer of tools/tracetool as long.  A crash is
#       saved in $(O)/fuzz/artifacts/NAME/; copy it to
#       tests/fuzz/regressions/NAME/ once fixed.
#   make check
#       runs $(O)/tests/fuzz-replay-NAME (gcc, and again in build/asan):
#       the same target over the committed inputs, no fuzzing time.
#
# The object lists are spelled out: this file is read before
# tools/vtrace/build.mk defines VTRACE_LIB.
FUZZ_NAMES := events hmp options metadata packet drain ring
fuzz-trace-deps := $(trace-y) $(ring-y)
fuzz-vtrace-deps := tools/vtrace/ctf-reader.c tools/vtrace/metadata.c \
	tools/vtrace/format.c
fuzz-consumer-deps := consumer/drain.c consumer/writer.c consumer/ctf.c \
	consumer/session.c
fuzz-deps-events := $(fuzz-trace-deps)
fuzz-deps-hmp := $(fuzz-trace-deps)
fuzz-deps-options := $(fuzz-trace-deps)
fuzz-deps-metadata := $(fuzz-vtrace-deps)
fuzz-deps-packet := $(fuzz-vtrace-deps)
fuzz-deps-drain := $(fuzz-consumer-deps)
fuzz-deps-ring := $(fuzz-consumer-deps)
fuzz-gen-events := gen/test-trace/trace.o
fuzz-gen-hmp := gen/test-trace/trace.o
fuzz-gen-options := gen/test-trace/trace.o
fuzz-libs-events := $(RING_LIBS)
fuzz-libs-hmp := $(RING_LIBS)
fuzz-libs-options := $(RING_LIBS)
fuzz-libs-drain := -luring
fuzz-libs-ring := -luring

# Replay drivers, built like every test (and in build/asan by make check).
define fuzz_replay
TESTS += $(O)/tests/fuzz-replay-$(1)
$(O)/tests/fuzz-replay-$(1): $(call objs,tests/fuzz/fuzz-$(1).c tests/fuzz/replay.c \
		$(fuzz-deps-$(1))) $(addprefix $(O)/obj/,$(fuzz-gen-$(1)))
	@mkdir -p $$(dir $$@)
	$$(call link,$(fuzz-libs-$(1)))
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz_replay,$(t))))

# The tracetool fuzzer: committed inputs, then 3 s of fixed-seed mutation.
SCENARIOS += tests/fuzz/tracetool-replay.sh

# libFuzzer builds: clang, objects of their own under $(O)/fuzz/obj.
FUZZ_O := $(O)/fuzz
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -g -O1 $(WARNINGS) -fno-strict-aliasing -pthread \
	-fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_BINS := $(addprefix $(FUZZ_O)/fuzz-,$(FUZZ_NAMES))
fuzz_objs = $(patsubst %.c,$(FUZZ_O)/obj/%.o,$(1))

$(FUZZ_O)/obj/%.o: %.c | $(AUTOCONF) $(GENERATED)
	@mkdir -p $(dir $@)
	$(call quiet,FUZZCC,$<)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_O)/obj/gen/%.o: $(O)/generated/%.c | $(AUTOCONF) $(GENERATED)
	@mkdir -p $(dir $@)
	$(call quiet,FUZZCC,$<)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_O)/obj/gen/test-trace/trace.o: CPPFLAGS := -I$(TEST_TRACE_GEN) $(CPPFLAGS)

define fuzz_bin
$(FUZZ_O)/fuzz-$(1): $(call fuzz_objs,tests/fuzz/fuzz-$(1).c $(fuzz-deps-$(1))) \
		$(addprefix $(FUZZ_O)/obj/,$(fuzz-gen-$(1)))
	$$(call quiet,FUZZLD,$$@)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -pthread \
		-o $$@ $$(filter %.o,$$^) $(fuzz-libs-$(1))
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz_bin,$(t))))

-include $(shell find $(FUZZ_O)/obj -name '*.d' 2>/dev/null)

FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?= $(FUZZ_NAMES) tracetool
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS) $(AUTOCONF)
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" \
		bash tests/fuzz/run-fuzz.sh

.PHONY: fuzz fuzz-build
