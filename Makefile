# vtrace top-level Makefile: one non-recursive build, Kbuild-style lists in
# each folder's build.mk, all output under $(O) (default build/).
#
#   make                 install missing Debian packages (as root), build all
#   make run             boot Linux (or kernel-lite) with tracing, show trace
#   make check           every test: units, scenarios, sanitizers
#   make bench           benchmarks, figures also in build/bench.json
#   make defconfig | menuconfig | olddefconfig | savedefconfig | NAME_defconfig
#   make V=1             show full commands
#   make O=build/asan asan_defconfig all   a second, independent build tree
#   make help            every target, with what it does

O ?= build
export O
SHELL := /bin/bash
.DEFAULT_GOAL := all

ifndef V
Q := @
quiet = @printf '  %-8s %s\n' '$(1)' '$(2)';
else
Q :=
quiet =
endif

# Debian's python3 is the one that has kconfiglib (python3-kconfiglib).
PYTHON := /usr/bin/python3
KCONFIG_DIR := /usr/lib/python3/dist-packages
KCONFIG_ENV := KCONFIG_CONFIG=$(O)/.config srctree=$(CURDIR)
CONFIG := $(O)/.config
AUTOCONF := $(O)/include/generated/autoconf.h

# ---------------------------------------------------------------- packages
# `make` as root installs what is missing; as anyone else it prints the one
# apt-get line and stops.
DEPS_STAMP := $(O)/.deps-ok
$(DEPS_STAMP): scripts/deps.sh
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(O) && touch $@

deps: $(DEPS_STAMP)

# ---------------------------------------------------------------- Kconfig
$(CONFIG): | $(DEPS_STAMP)
	$(Q)mkdir -p $(O)
	$(Q)$(KCONFIG_ENV) $(PYTHON) $(KCONFIG_DIR)/defconfig.py --kconfig Kconfig configs/defconfig >/dev/null

$(AUTOCONF): $(CONFIG) Kconfig
	$(Q)mkdir -p $(dir $@)
	$(Q)$(KCONFIG_ENV) $(PYTHON) $(KCONFIG_DIR)/olddefconfig.py Kconfig >/dev/null
	$(Q)$(KCONFIG_ENV) $(PYTHON) $(KCONFIG_DIR)/genconfig.py --header-path $@ Kconfig

defconfig: | $(DEPS_STAMP)
	$(Q)mkdir -p $(O)
	$(Q)$(KCONFIG_ENV) $(PYTHON) $(KCONFIG_DIR)/defconfig.py --kconfig Kconfig configs/defconfig

%_defconfig: configs/%_defconfig | $(DEPS_STAMP)
	$(Q)mkdir -p $(O)
	$(Q)$(KCONFIG_ENV) $(PYTHON) $(KCONFIG_DIR)/defconfig.py --kconfig Kconfig $<

olddefconfig: | $(CONFIG)
	$(Q)$(KCONFIG_ENV) $(PYTHON) $(KCONFIG_DIR)/olddefconfig.py Kconfig

menuconfig: | $(CONFIG)
	$(Q)$(KCONFIG_ENV) $(PYTHON) $(KCONFIG_DIR)/menuconfig.py Kconfig

savedefconfig: | $(CONFIG)
	$(Q)$(KCONFIG_ENV) $(PYTHON) $(KCONFIG_DIR)/savedefconfig.py --kconfig Kconfig --out $(O)/defconfig
	@echo "wrote $(O)/defconfig"

# Read the configuration into make (after it exists).
-include $(CONFIG)

# ---------------------------------------------------------------- flags
CC ?= cc
ifeq ($(CC),cc)
CC := gcc
endif
WARNINGS := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	    -Wno-unused-parameter
# The developer warning set (git's DEVELOPER=1), which CI builds with
# (.ci/run: make DEVELOPER=1 check): every warning is an error.
ifdef DEVELOPER
WARNINGS += -Werror -Wformat=2 -Wundef -Wvla -Wpointer-arith \
	    -Wold-style-definition
endif
OPT ?= -O2
CFLAGS := -std=gnu11 -g $(OPT) $(WARNINGS) -fno-strict-aliasing -fno-pie -pthread
# printed by every binary's --version (vtrace-emu -version)
VTRACE_VERSION := 0.3
CPPFLAGS := -D_GNU_SOURCE -I. -I$(O)/include -I$(O)/generated -MMD -MP \
	    -DVTRACE_VERSION='"$(VTRACE_VERSION)"'
LDFLAGS := -pthread -no-pie
ifeq ($(CONFIG_SANITIZER_ADDRESS),y)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(CONFIG_SANITIZER_THREAD),y)
CFLAGS += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
endif
ifdef SANITIZER
CFLAGS += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZER)
endif

objs = $(patsubst %.c,$(O)/obj/%.o,$(1))

# ---------------------------------------------------------------- tracetool
# Generated code is never committed; each event group becomes
# $(O)/generated/<dir>/trace.{h,c}.
TRACETOOL := tools/tracetool/tracetool.py
TRACETOOL_SRC := $(wildcard tools/tracetool/*.py)

# $(1): output directory, $(2): trace-events files
define tracetool_group
$(1)/trace.h: $(2) $(TRACETOOL_SRC)
	$$(call quiet,GEN,$$@)mkdir -p $(1) && $(PYTHON) $(TRACETOOL) --format=h -o $$@ $(2)
$(1)/trace.c: $(2) $(TRACETOOL_SRC)
	$$(call quiet,GEN,$$@)mkdir -p $(1) && $(PYTHON) $(TRACETOOL) --format=c -o $$@ $(2)
GENERATED += $(1)/trace.h $(1)/trace.c
endef

# ---------------------------------------------------------------- folders
PROGS :=
TESTS :=
GENERATED :=
SCENARIOS :=
# trace/ and ring/ first: the others link their object lists.  Then
# tools/tracetool (the emulator's event group) before its users.
BASE_MK := trace/build.mk ring/build.mk tools/tracetool/build.mk
include $(BASE_MK)
include $(filter-out $(BASE_MK),$(sort $(wildcard */build.mk tools/*/build.mk)))

all: $(PROGS) $(TESTS) $(TESTS_HELPERS)

$(O)/obj/%.o: %.c | $(AUTOCONF) $(GENERATED)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/obj/%.o: $(O)/%.c | $(AUTOCONF) $(GENERATED)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/obj/gen/%.o: $(O)/generated/%.c | $(AUTOCONF) $(GENERATED)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# $(1) = extra libraries
link = $(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(1)

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- jobs
run: all
	$(Q)bash scripts/run.sh

# make check: the normal build's tests and scenarios, then the same unit
# tests, the stress scenario and vtrace-emu built with ASan+UBSan
# (build/asan), and the ring unit, the stress and vtrace-emu built with
# TSan (build/tsan).
SAN_TARGETS = $(TESTS) $(TESTS_HELPERS) $(O)/vtrace-stress $(O)/vtrace-consumer \
	$(O)/vtrace-emu
sanitized: $(SAN_TARGETS)

check: all
	$(Q)bash scripts/deps.sh check
	$(Q)$(MAKE) --no-print-directory O=$(O)/asan asan_defconfig >/dev/null
	$(Q)$(MAKE) --no-print-directory O=$(O)/asan sanitized
	$(Q)$(MAKE) --no-print-directory O=$(O)/tsan tsan_defconfig >/dev/null
	$(Q)$(MAKE) --no-print-directory O=$(O)/tsan $(O)/tsan/tests/test-ring \
		$(O)/tsan/vtrace-stress $(O)/tsan/vtrace-consumer $(O)/tsan/vtrace-emu
	$(Q)TESTS="$(TESTS) $(patsubst $(O)/%,$(O)/asan/%,$(TESTS)) $(O)/tsan/tests/test-ring" \
		SCENARIOS="$(SCENARIOS) $(SAN_SCENARIOS)" bash tests/run-all.sh

bench: all $(BENCH_PROGS)
	$(Q)bash bench/run.sh

format:
	$(Q)git ls-files '*.c' '*.h' | grep -v '^kernel-lite/' | xargs clang-format -i

format-check:
	$(Q)git ls-files '*.c' '*.h' | grep -v '^kernel-lite/' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(O)

help:
	@echo 'vtrace $(VTRACE_VERSION): QEMU-style tracing in a RISC-V emulator.  Targets:'
	@echo '  make               install missing Debian packages (as root), build all'
	@echo '  make run           boot a guest on 4 vCPUs with tracing on, show the'
	@echo '                     dump head and the report (README: Quick start)'
	@echo '  make check         every test: units, scenarios, sanitizer builds'
	@echo '  make bench         benchmarks beside QEMU (BENCHMARKS.md)'
	@echo '  make linux-guest   fetch Debian riscv64 Linux + busybox into ~/.cache/vtrace'
	@echo '  make diff-long     the long random differential runs against QEMU'
	@echo '  make reliability   the long crash and fault soaks'
	@echo '  make fuzz          build and run the fuzzers'
	@echo '  make format        clang-format the tree; make format-check checks it'
	@echo '  make defconfig | menuconfig | olddefconfig | savedefconfig | NAME_defconfig'
	@echo '                     Kconfig (configs/ holds the NAME_defconfig files)'
	@echo '  make clean         remove $(O)/'
	@echo 'Variables: O=DIR (build tree, default build), V=1 (full commands),'
	@echo '  DEVELOPER=1 (warnings are errors).  Binaries: $(O)/vtrace-emu,'
	@echo '  $(O)/vtrace-consumer, $(O)/vtrace, $(O)/vtrace-stress; each has --help.'

.PHONY: all sanitized deps defconfig olddefconfig menuconfig savedefconfig run check \
	bench format format-check clean help
.DELETE_ON_ERROR:
