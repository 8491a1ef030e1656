# qemu-plugin/: libvtrace-qemu.so, vtrace as a TCG plugin of real QEMU
# (qemu-system-* and qemu-* user mode load it with -plugin), with its own
# event group and the trace runtime and ring producer built
# position-independent for it.  Only qemu_plugin_install and
# qemu_plugin_version are exported (-fvisibility=hidden).
QPLUGIN_GEN := $(O)/generated/qemu-plugin
$(eval $(call tracetool_group,$(QPLUGIN_GEN),qemu-plugin/trace-events))

pic_objs = $(patsubst %.c,$(O)/pic/%.o,$(1))
QPLUGIN_OBJS := $(call pic_objs,qemu-plugin/plugin.c qemu-plugin/control.c \
	$(trace-y) $(ring-y) \
	$(QPLUGIN_GEN)/trace.c)

# The plugin group's trace.h comes before the emulator's on the path.
$(O)/pic/%.o: %.c | $(AUTOCONF) $(GENERATED)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) -I$(QPLUGIN_GEN) $(CPPFLAGS) $(CFLAGS) \
		-fPIC -fvisibility=hidden -c -o $@ $<

-include $(shell find $(O)/pic -name '*.d' 2>/dev/null)

# $(1) = extra libraries; QEMU provides the qemu_plugin_* functions.
link_plugin = $(call quiet,LD,$@)$(CC) -shared -pthread -o $@ \
	$(filter %.o,$^) $(1)

PROGS += $(O)/libvtrace-qemu.so
$(O)/libvtrace-qemu.so: $(QPLUGIN_OBJS)
	$(call link_plugin,$(RING_LIBS))

# Tests: tests/qemu-plugin/ (the top level reads only */build.mk).  Their
# helpers are not built in the sanitizer trees: QEMU loads the plugins, and
# a static program cannot take ASan.
ifeq ($(CONFIG_SANITIZER_ADDRESS)$(CONFIG_SANITIZER_THREAD),)
QPLUGIN_HELPERS := $(O)/tests/libcount-tb.so \
	$(O)/tests/qemu-plugin-syscalls $(O)/tests/qemu-plugin-other-api
endif
TESTS_HELPERS += $(QPLUGIN_HELPERS)

$(O)/tests/libcount-tb.so: $(call pic_objs,tests/qemu-plugin/count-tb.c)
	@mkdir -p $(dir $@)
	$(call link_plugin,)

SCENARIOS += tests/qemu-plugin/kernel-lite.sh

# A static x86_64 program for the user-mode test, built with the host's gcc.
$(O)/tests/qemu-plugin-syscalls: $(call objs,tests/qemu-plugin/syscalls.c)
	@mkdir -p $(dir $@)
	$(call link,-static)

SCENARIOS += tests/qemu-plugin/user-mode.sh

# A loader that passes another API version, for the bad-input test.
$(O)/tests/qemu-plugin-other-api: $(call objs,tests/qemu-plugin/other-api.c)
	@mkdir -p $(dir $@)
	$(call link,)

SCENARIOS += tests/qemu-plugin/bad-input.sh tests/qemu-plugin/control.sh

# make bench: the text, callback and inline peers of the plugin
# (bench/qemu-peer.c, driven by bench/run-qemu-plugin.sh).
BENCH_PROGS += $(O)/bench/libqemu-peer.so
$(O)/bench/libqemu-peer.so: $(call pic_objs,bench/qemu-peer.c)
	@mkdir -p $(dir $@)
	$(call link_plugin,)
