/* SPDX-License-Identifier: MIT */
/*
 * The device tree, shaped like QEMU 7.2's riscv virt (hw/riscv/virt.c
 * create_fdt) for the devices we have: cpus with their interrupt
 * controllers, memory, the CLINT, the sifive_test finisher with its
 * syscon poweroff/reboot nodes, the ns16550a UART and /chosen/stdout-path.
 * There is no PLIC, so the UART has no interrupts property.
 */
#include <libfdt.h>
#include <stdio.h>

#include "system/board.h"

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

int board_build_fdt(struct board *b, void *fdt, unsigned size)
{
	char name[64];
	uint32_t intc_ph[CONFIG_MAX_VCPUS], cpu_ph[CONFIG_MAX_VCPUS];
	uint32_t test_ph, ph = 1;
	fdt32_t irqs[CONFIG_MAX_VCPUS * 4];

	CHECK(fdt_create(fdt, size));
	CHECK(fdt_finish_reservemap(fdt));
	CHECK(fdt_begin_node(fdt, ""));
	CHECK(fdt_property_u32(fdt, "#address-cells", 2));
	CHECK(fdt_property_u32(fdt, "#size-cells", 2));
	CHECK(fdt_property_string(fdt, "compatible", "riscv-virtio"));
	CHECK(fdt_property_string(fdt, "model", "riscv-virtio,qemu"));

	CHECK(fdt_begin_node(fdt, "chosen"));
	CHECK(fdt_property_string(fdt, "stdout-path", "/soc/serial@10000000"));
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
		cpu_ph[h] = ph++;
		intc_ph[h] = ph++;
		snprintf(name, sizeof(name), "cpu@%u", h);
		CHECK(fdt_begin_node(fdt, name));
		CHECK(fdt_property_u32(fdt, "phandle", cpu_ph[h]));
		CHECK(fdt_property_string(fdt, "device_type", "cpu"));
		CHECK(fdt_property_u32(fdt, "reg", h));
		CHECK(fdt_property_string(fdt, "status", "okay"));
		CHECK(fdt_property_string(fdt, "compatible", "riscv"));
		CHECK(fdt_property_string(fdt, "riscv,isa",
					  "rv64imac_zicsr_zifencei"));
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

	test_ph = ph++;
	CHECK(fdt_begin_node(fdt, "soc"));
	CHECK(fdt_property_u32(fdt, "#address-cells", 2));
	CHECK(fdt_property_u32(fdt, "#size-cells", 2));
	CHECK(fdt_property_string(fdt, "compatible", "simple-bus"));
	CHECK(fdt_property(fdt, "ranges", NULL, 0));

	CHECK(fdt_begin_node(fdt, "test@100000"));
	CHECK(fdt_property_u32(fdt, "phandle", test_ph));
	CHECK(prop_reg(fdt, VIRT_TEST_BASE, VIRT_TEST_SIZE));
	CHECK(fdt_property(fdt, "compatible",
			   "sifive,test1\0sifive,test0\0syscon",
			   sizeof("sifive,test1\0sifive,test0\0syscon")));
	CHECK(fdt_end_node(fdt));

	CHECK(fdt_begin_node(fdt, "serial@10000000"));
	CHECK(fdt_property_u32(fdt, "clock-frequency", 3686400));
	CHECK(prop_reg(fdt, VIRT_UART_BASE, VIRT_UART_SIZE));
	CHECK(fdt_property_string(fdt, "compatible", "ns16550a"));
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

	CHECK(fdt_begin_node(fdt, "poweroff"));
	CHECK(fdt_property_u32(fdt, "value", 0x5555));
	CHECK(fdt_property_u32(fdt, "offset", 0));
	CHECK(fdt_property_u32(fdt, "regmap", test_ph));
	CHECK(fdt_property_string(fdt, "compatible", "syscon-poweroff"));
	CHECK(fdt_end_node(fdt));
	CHECK(fdt_begin_node(fdt, "reboot"));
	CHECK(fdt_property_u32(fdt, "value", 0x7777));
	CHECK(fdt_property_u32(fdt, "offset", 0));
	CHECK(fdt_property_u32(fdt, "regmap", test_ph));
	CHECK(fdt_property_string(fdt, "compatible", "syscon-reboot"));
	CHECK(fdt_end_node(fdt));

	CHECK(fdt_end_node(fdt)); /* / */
	CHECK(fdt_finish(fdt));
	return 0;
}
