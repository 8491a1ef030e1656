# vtrace, the user tool: dump, report, export and ctl, the first three on
# top of a streaming CTF reader.
VTRACE_LIB := tools/vtrace/ctf-reader.c tools/vtrace/metadata.c \
	      tools/vtrace/format.c

PROGS += $(O)/vtrace
VTRACE_CMDS := tools/vtrace/main.c tools/vtrace/dump.c tools/vtrace/report.c \
	       tools/vtrace/report-print.c tools/vtrace/svg.c tools/vtrace/elf.c \
	       tools/vtrace/export.c tools/vtrace/ctl.c tools/vtrace/filter.c \
	       tools/vtrace/syscalls.c
$(O)/vtrace: $(call objs,$(VTRACE_CMDS) $(VTRACE_LIB))
	$(call link,-lm)

# Tests live in tests/vtrace/ (top-level build.mk globs do not reach it).
TESTS += $(O)/tests/test-vtrace
$(O)/tests/test-vtrace: $(call objs,tests/vtrace/test-vtrace.c $(VTRACE_LIB))
	@mkdir -p $(dir $@)
	$(call link,-lcmocka)

# ELF lookup and option parsers under report and export.
TESTS += $(O)/tests/test-vtrace-report
$(O)/tests/test-vtrace-report: $(call objs,tests/vtrace/test-vtrace-report.c \
		$(filter-out tools/vtrace/main.c,$(VTRACE_CMDS)) $(VTRACE_LIB))
	@mkdir -p $(dir $@)
	$(call link,-lcmocka -lm)

SCENARIOS += tests/vtrace/help.sh tests/vtrace/dump.sh tests/vtrace/report.sh tests/vtrace/ctl.sh \
	     tests/vtrace/recording.sh
SCENARIOS += tests/vtrace/live.sh
