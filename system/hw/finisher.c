/* SPDX-License-Identifier: MIT */
/*
 * The sifive_test finisher at 0x100000, also the syscon that the device
 * tree's poweroff (0x5555) and reboot (0x7777) nodes write to.  16- and
 * 32-bit accesses, as on QEMU; reads give 0.  At offset 0: 0x5555 powers
 * off with status 0, 0x3333 | code << 16 with status code, 0x7777 resets.
 */
#include "system/hw/hw.h"
#include "tcg/cpu.h"

int finisher_read(uint64_t off, unsigned size, uint64_t *val)
{
	if (size < 2 || size > 4)
		return -1;
	*val = 0;
	return 0;
}

int finisher_write(const struct finisher_ops *ops, void *opaque, uint64_t off,
		   unsigned size, uint64_t val)
{
	if (size < 2 || size > 4)
		return -1;
	if (off == 0) {
		unsigned status = val & 0xffff, code = (val >> 16) & 0xffff;

		switch (status) {
		case FINISHER_PASS:
			ops->poweroff(opaque, 0);
			return 0;
		case FINISHER_FAIL:
			ops->poweroff(opaque, (int)code);
			return 0;
		case FINISHER_RESET:
			ops->reset(opaque);
			return 0;
		}
	}
	if (tcg_log_mask & TCG_LOG_GUEST_ERRORS)
		tcg_log("sifive_test: write 0x%llx at offset 0x%llx not "
			"handled\n", (unsigned long long)val,
			(unsigned long long)off);
	return 0;
}
