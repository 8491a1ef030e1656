# tcg unit tests: one cmocka binary per component.
include tcg/tcg.mk
tcg-test-harness := tests/tcg/tcg-harness.c $(tcg-y)

TESTS += $(O)/tests/test-tcg-decode
$(O)/tests/test-tcg-decode: $(call objs,tests/tcg/test-tcg-decode.c tcg/decode.c)
	@mkdir -p $(dir $@)
	$(call link,-lcmocka)

TESTS += $(O)/tests/test-tcg-codebuf
$(O)/tests/test-tcg-codebuf: $(call objs,tests/tcg/test-tcg-codebuf.c tcg/codebuf.c)
	@mkdir -p $(dir $@)
	$(call link,-lcmocka)

tcg-tests := insn priv tb smp interp mmu fpu trigger

define tcg_test
TESTS += $(O)/tests/test-tcg-$(1)
$(O)/tests/test-tcg-$(1): $(call objs,tests/tcg/test-tcg-$(1).c $(tcg-test-harness))
	@mkdir -p $$(dir $$@)
	$$(call link,-lcmocka $(TCG_LIBS))
endef
$(foreach t,$(tcg-tests),$(eval $(call tcg_test,$(t))))

# The same tests, and the emulator's guest tests, on the native backend.
SCENARIOS += tests/tcg/native.sh
