# The emulator's event group: the root trace-events plus the per-folder
# files that join it.
EMU_TRACE_EVENTS := trace-events $(wildcard tcg/trace-events system/trace-events)
$(eval $(call tracetool_group,$(O)/generated,$(EMU_TRACE_EVENTS)))

# Golden-file tests of the generator: tests/tracetool/*.trace-events must
# give the committed .h/.c; bad-*.trace-events must fail with the committed
# .err message.  `make tracetool-golden` regenerates the expected files.
SCENARIOS += tests/tracetool/golden.sh

tracetool-golden:
	$(Q)REGENERATE=1 bash tests/tracetool/golden.sh

.PHONY: tracetool-golden
