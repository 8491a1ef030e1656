/* SPDX-License-Identifier: MIT */
/*
 * The device tree, shaped like QEMU 7.2's riscv virt (hw/riscv/virt.c
 * create_fdt) for the devices we have, with QEMU's phandle numbering
 * (harts from the last one down, then the PLIC, then the finisher): cpus
 * with `riscv,isa`, `mmu-type` and their interrupt controllers, memory,
 * the CLINT, the PLIC, the ns16550a UART and the goldfish RTC on the
 * PLIC, the sifive_test finisher with its syscon poweroff/reboot nodes,
 * and /chosen with bootargs, stdout-path and the initrd.
 *
 * Left out because we do not emulate them: the virtio-mmio slots, PCI,
 * flash, fw-cfg, the platform bus and the PMU node; H and the Z*
 * extensions past Zicsr/Zifencei in riscv,isa; /chosen/rng-seed (random
 * in QEMU, so no two boots compare).  mmu-type is sv39: QEMU says sv48,
 * which Linux then tries first.
 */
#include <libfdt.h>
#include <stdio.h>

#include "system/board.h"
#include "system/hw/hw.h"

#define CHECK(x)                                                               \
	do {                                                                   \
		int _r = (x);                                                  \
		if (_r < 0) {                                                  \
			fprintf(stderr, "vtrace-emu: device tree: %s\n",       \
				fdt_strerror(_r));                             \
			return -1;                                             \
		}                                                              \
	} while (0)

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

/*
 * QEMU 7.2 hw/riscv/boot.c riscv_load_fdt(): the blob's unpacked size is
 * FDT_MAX_SIZE; below 3 GiB it ends at the top of RAM, aligned down to
 * 2 MiB.
 */
uint64_t board_fdt_addr(uint64_t dram_base, uint64_t dram_size,
			unsigned fdt_size)
{
	uint64_t dram_end = dram_base + dram_size, top;
	const uint64_t lim = 3072ull << 20;

	top = dram_base < lim ? (dram_end < lim ? dram_end : lim) : dram_end;
	return (top - fdt_size) & ~((2ull << 20) - 1);
}

int board_dump_fdt(struct board *b, const char *path)
{
	const void *fdt = b->ram + (b->fdt_addr - VIRT_DRAM_BASE);
	FILE *f = fopen(path, "wb");
	int r = -1;

	if (f && fwrite(fdt, 1, fdt_totalsize(fdt), f) == fdt_totalsize(fdt))
		r = 0;
	if (f && fclose(f))
		r = -1;
	if (r)
		fprintf(stderr, "vtrace-emu: dumpdtb=%s: cannot write\n", path);
	else
		fprintf(stderr, "vtrace-emu: info: dtb dumped to %s. "
				"Exiting.\n", path);
	return r;
}

/* QEMU's qemu_fdt_setprop_cell for an address below 4 GiB. */
static int prop_addr(void *fdt, const char *name, uint64_t v)
{
	if (v >> 32)
		return fdt_property_u64(fdt, name, v);
	return fdt_property_u32(fdt, name, (uint32_t)v);
}

int board_build_fdt(struct board *b, void *fdt, unsigned size)
{
	char name[64];
	uint32_t intc_ph[CONFIG_MAX_VCPUS], cpu_ph[CONFIG_MAX_VCPUS];
	uint32_t plic_ph, test_ph, ph = 1;
	fdt32_t irqs[CONFIG_MAX_VCPUS * 4];

	for (unsigned h = b->ncpus; h-- > 0;) {
		cpu_ph[h] = ph++;
		intc_ph[h] = ph++;
	}
	plic_ph = ph++;
	test_ph = ph++;

	CHECK(fdt_create(fdt, size));
	CHECK(fdt_finish_reservemap(fdt));
	CHECK(fdt_begin_node(fdt, ""));
	CHECK(fdt_property_u32(fdt, "#address-cells", 2));
	CHECK(fdt_property_u32(fdt, "#size-cells", 2));
	CHECK(fdt_property_string(fdt, "compatible", "riscv-virtio"));
	CHECK(fdt_property_string(fdt, "model", "riscv-virtio,qemu"));

	CHECK(fdt_begin_node(fdt, "chosen"));
	if (b->boot.initrd_end) {
		CHECK(prop_addr(fdt, "linux,initrd-end", b->boot.initrd_end));
		CHECK(prop_addr(fdt, "linux,initrd-start",
				b->boot.initrd_start));
	}
	if (b->boot.cmdline && *b->boot.cmdline)
		CHECK(fdt_property_string(fdt, "bootargs", b->boot.cmdline));
	CHECK(fdt_property_string(fdt, "stdout-path", "/soc/serial@10000000"));
	CHECK(fdt_end_node(fdt));

	CHECK(fdt_begin_node(fdt, "poweroff"));
	CHECK(fdt_property_u32(fdt, "value", FINISHER_PASS));
	CHECK(fdt_property_u32(fdt, "offset", 0));
	CHECK(fdt_property_u32(fdt, "regmap", test_ph));
	CHECK(fdt_property_string(fdt, "compatible", "syscon-poweroff"));
	CHECK(fdt_end_node(fdt));
	CHECK(fdt_begin_node(fdt, "reboot"));
	CHECK(fdt_property_u32(fdt, "value", FINISHER_RESET));
	CHECK(fdt_property_u32(fdt, "offset", 0));
	CHECK(fdt_property_u32(fdt, "regmap", test_ph));
	CHECK(fdt_property_string(fdt, "compatible", "syscon-reboot"));
	CHECK(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "memory@%llx",
		 (unsigned long long)VIRT_DRAM_BASE);
	CHECK(fdt_begin_node(fdt, name));
	CHECK(fdt_property_string(fdt, "device_type", "memory"));
	CHECK(prop_reg(fdt, VIRT_DRAM_BASE, b->ram_size));
	CHECK(fdt_end_node(fdt));

	CHECK(fdt_begin_node(fdt, "cpus"));
	CHECK(fdt_property_u32(fdt, "#address-cells", 1));
	CHECK(fdt_property_u32(fdt, "#size-cells", 0));
	CHECK(fdt_property_u32(fdt, "timebase-frequency", VIRT_TIMEBASE_FREQ));
	for (unsigned h = 0; h < b->ncpus; h++) {
		snprintf(name, sizeof(name), "cpu@%u", h);
		CHECK(fdt_begin_node(fdt, name));
		CHECK(fdt_property_u32(fdt, "phandle", cpu_ph[h]));
		CHECK(fdt_property_string(fdt, "device_type", "cpu"));
		CHECK(fdt_property_u32(fdt, "reg", h));
		CHECK(fdt_property_string(fdt, "status", "okay"));
		CHECK(fdt_property_string(fdt, "compatible", "riscv"));
		CHECK(fdt_property_string(fdt, "riscv,isa",
					  "rv64imafdc_zicsr_zifencei"));
		CHECK(fdt_property_string(fdt, "mmu-type", "riscv,sv39"));
		CHECK(fdt_begin_node(fdt, "interrupt-controller"));
		CHECK(fdt_property_u32(fdt, "#interrupt-cells", 1));
		CHECK(fdt_property(fdt, "interrupt-controller", NULL, 0));
		CHECK(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
		CHECK(fdt_property_u32(fdt, "phandle", intc_ph[h]));
		CHECK(fdt_end_node(fdt));
		CHECK(fdt_end_node(fdt));
	}
	CHECK(fdt_begin_node(fdt, "cpu-map"));
	CHECK(fdt_begin_node(fdt, "cluster0"));
	for (unsigned h = 0; h < b->ncpus; h++) {
		snprintf(name, sizeof(name), "core%u", h);
		CHECK(fdt_begin_node(fdt, name));
		CHECK(fdt_property_u32(fdt, "cpu", cpu_ph[h]));
		CHECK(fdt_end_node(fdt));
	}
	CHECK(fdt_end_node(fdt));
	CHECK(fdt_end_node(fdt));
	CHECK(fdt_end_node(fdt)); /* cpus */

	CHECK(fdt_begin_node(fdt, "soc"));
	CHECK(fdt_property_u32(fdt, "#address-cells", 2));
	CHECK(fdt_property_u32(fdt, "#size-cells", 2));
	CHECK(fdt_property_string(fdt, "compatible", "simple-bus"));
	CHECK(fdt_property(fdt, "ranges", NULL, 0));

	CHECK(fdt_begin_node(fdt, "rtc@101000"));
	CHECK(fdt_property_u32(fdt, "interrupts", VIRT_RTC_IRQ));
	CHECK(fdt_property_u32(fdt, "interrupt-parent", plic_ph));
	CHECK(prop_reg(fdt, VIRT_RTC_BASE, VIRT_RTC_SIZE));
	CHECK(fdt_property_string(fdt, "compatible", "google,goldfish-rtc"));
	CHECK(fdt_end_node(fdt));

	CHECK(fdt_begin_node(fdt, "serial@10000000"));
	CHECK(fdt_property_u32(fdt, "interrupts", VIRT_UART0_IRQ));
	CHECK(fdt_property_u32(fdt, "interrupt-parent", plic_ph));
	CHECK(fdt_property_u32(fdt, "clock-frequency", 3686400));
	CHECK(prop_reg(fdt, VIRT_UART_BASE, VIRT_UART_SIZE));
	CHECK(fdt_property_string(fdt, "compatible", "ns16550a"));
	CHECK(fdt_end_node(fdt));

	CHECK(fdt_begin_node(fdt, "test@100000"));
	CHECK(fdt_property_u32(fdt, "phandle", test_ph));
	CHECK(prop_reg(fdt, VIRT_TEST_BASE, VIRT_TEST_SIZE));
	CHECK(fdt_property(fdt, "compatible",
			   "sifive,test1\0sifive,test0\0syscon",
			   sizeof("sifive,test1\0sifive,test0\0syscon")));
	CHECK(fdt_end_node(fdt));

	CHECK(fdt_begin_node(fdt, "plic@c000000"));
	CHECK(fdt_property_u32(fdt, "phandle", plic_ph));
	CHECK(fdt_property_u32(fdt, "riscv,ndev", PLIC_NUM_SOURCES - 1));
	CHECK(prop_reg(fdt, VIRT_PLIC_BASE, VIRT_PLIC_SIZE));
	for (unsigned h = 0; h < b->ncpus; h++) {
		irqs[4 * h + 0] = cpu_to_fdt32(intc_ph[h]);
		irqs[4 * h + 1] = cpu_to_fdt32(11); /* M external */
		irqs[4 * h + 2] = cpu_to_fdt32(intc_ph[h]);
		irqs[4 * h + 3] = cpu_to_fdt32(9); /* S external */
	}
	CHECK(fdt_property(fdt, "interrupts-extended", irqs,
			   (int)(b->ncpus * 4 * sizeof(fdt32_t))));
	CHECK(fdt_property(fdt, "interrupt-controller", NULL, 0));
	CHECK(fdt_property(fdt, "compatible", "sifive,plic-1.0.0\0riscv,plic0",
			   sizeof("sifive,plic-1.0.0\0riscv,plic0")));
	CHECK(fdt_property_u32(fdt, "#address-cells", 0));
	CHECK(fdt_property_u32(fdt, "#interrupt-cells", 1));
	CHECK(fdt_end_node(fdt));

	CHECK(fdt_begin_node(fdt, "clint@2000000"));
	for (unsigned h = 0; h < b->ncpus; h++) {
		irqs[4 * h + 0] = cpu_to_fdt32(intc_ph[h]);
		irqs[4 * h + 1] = cpu_to_fdt32(3); /* M software */
		irqs[4 * h + 2] = cpu_to_fdt32(intc_ph[h]);
		irqs[4 * h + 3] = cpu_to_fdt32(7); /* M timer */
	}
	CHECK(fdt_property(fdt, "interrupts-extended", irqs,
			   (int)(b->ncpus * 4 * sizeof(fdt32_t))));
	CHECK(prop_reg(fdt, VIRT_CLINT_BASE, VIRT_CLINT_SIZE));
	CHECK(fdt_property(fdt, "compatible", "sifive,clint0\0riscv,clint0",
			   sizeof("sifive,clint0\0riscv,clint0")));
	CHECK(fdt_end_node(fdt));
	CHECK(fdt_end_node(fdt)); /* soc */

	CHECK(fdt_end_node(fdt)); /* / */
	CHECK(fdt_finish(fdt));
	return 0;
}
