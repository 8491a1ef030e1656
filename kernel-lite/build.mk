# kernel-lite: the RISC-V guest, cross-compiled with Debian's
# riscv64-linux-gnu-gcc (package gcc-riscv64-linux-gnu).  It does not use
# the host pattern rules or flags: explicit rules, objects in
# $(O)/kernel-lite/.
#
#   $(O)/kernel-lite.elf        the mixed workload (make run boots it)
#   $(O)/kernel-lite-bench.elf  fixed-count loops, guest MIPS per workload

KL_CC := riscv64-linux-gnu-gcc
KL_DIR := $(O)/kernel-lite
# one stack and one struct kl_hart per possible vCPU
KL_MAX_HARTS := $(or $(CONFIG_MAX_VCPUS),8)

KL_ARCH := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
KL_CFLAGS := $(KL_ARCH) -ffreestanding -nostdlib -nostartfiles -static -O2 \
	-g -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter \
	-fno-pie -fno-stack-protector -fno-tree-loop-distribute-patterns \
	-fno-common -DKL_MAX_HARTS=$(KL_MAX_HARTS) -MMD -MP -Ikernel-lite
KL_LDFLAGS := $(KL_ARCH) -ffreestanding -nostdlib -nostartfiles -static \
	-no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,kernel-lite/kernel-lite.lds

kl-common-y := start.o boot.o trap.o sync.o fdt.o uart.o format.o string.o \
	usys.o vm.o fpstate.o
kl-main-y := main.o compute.o smc.o tasks.o uspin.o fptask.o ufp.o
kl-bench-y := bench.o bench-loops.o

# only these touch FP registers: the U-mode FP tasks and the kernel's FP
# save and load (the rest is built without F/D, so it never does)
KL_FP_OBJS := $(addprefix $(KL_DIR)/,fptask.o ufp.o fpstate.o)
$(KL_FP_OBJS): KL_CFLAGS += -march=rv64imafdc_zicsr_zifencei

KL_OBJS := $(addprefix $(KL_DIR)/,$(kl-common-y) $(kl-main-y))
KL_BENCH_OBJS := $(addprefix $(KL_DIR)/,$(kl-common-y) $(kl-bench-y))

# KL_MAX_HARTS is baked into the objects: rebuild them when it changes.
KL_STAMP := $(KL_DIR)/.max-harts-$(KL_MAX_HARTS)
$(KL_STAMP):
	@mkdir -p $(KL_DIR) && rm -f $(KL_DIR)/.max-harts-* && touch $@

$(KL_DIR)/%.o: kernel-lite/%.c kernel-lite/build.mk $(KL_STAMP)
	@mkdir -p $(dir $@)
	$(call quiet,KLCC,$<)$(KL_CC) $(KL_CFLAGS) -c -o $@ $<

$(KL_DIR)/%.o: kernel-lite/%.S kernel-lite/build.mk $(KL_STAMP)
	@mkdir -p $(dir $@)
	$(call quiet,KLAS,$<)$(KL_CC) $(KL_CFLAGS) -c -o $@ $<

$(O)/kernel-lite.elf: $(KL_OBJS) kernel-lite/kernel-lite.lds
	$(call quiet,KLLD,$@)$(KL_CC) $(KL_LDFLAGS) -o $@ $(KL_OBJS)

$(O)/kernel-lite-bench.elf: $(KL_BENCH_OBJS) kernel-lite/kernel-lite.lds
	$(call quiet,KLLD,$@)$(KL_CC) $(KL_LDFLAGS) -o $@ $(KL_BENCH_OBJS)

PROGS += $(O)/kernel-lite.elf $(O)/kernel-lite-bench.elf
SCENARIOS += tests/kernel-lite/same-output.sh tests/kernel-lite/bench-runs.sh

-include $(wildcard $(KL_DIR)/*.d)
