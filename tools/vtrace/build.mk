# vtrace, the user tool: dump (and later report, export, ctl) on top of a
# streaming CTF reader.
VTRACE_LIB := tools/vtrace/ctf-reader.c tools/vtrace/metadata.c \
	      tools/vtrace/format.c

PROGS += $(O)/vtrace
$(O)/vtrace: $(call objs,tools/vtrace/main.c tools/vtrace/dump.c $(VTRACE_LIB))
	$(call link,)

# Tests live in tests/vtrace/ (top-level build.mk globs do not reach it).
TESTS += $(O)/tests/test-vtrace
$(O)/tests/test-vtrace: $(call objs,tests/vtrace/test-vtrace.c $(VTRACE_LIB))
	@mkdir -p $(dir $@)
	$(call link,-lcmocka)

SCENARIOS += tests/vtrace/dump.sh
