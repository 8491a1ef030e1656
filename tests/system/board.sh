#!/usr/bin/env bash
# The virt board and the boot flow, against QEMU 7.2 (the oracle):
#  1. hw.c (PLIC, UART, RTC, reset code and fw_dynamic_info) prints the
#     same on vtrace-emu and qemu-system-riscv64 -bios none, and equals
#     the golden hw.expected taken from QEMU;
#  2. the device tree equals QEMU's property by property for the nodes we
#     emulate (dtb-compare.py), on 1, 2 and 4 harts, with -kernel, -initrd
#     and -append;
#  3. OpenSBI fw_dynamic (-bios default, -bios FILE, and no -bios with an
#     Image or an ELF above the RAM base) reaches its banner and enters the
#     kernel with the same platform, next address and device tree address
#     as on QEMU; -bios none runs an Image at the RAM base as QEMU does;
#  4. every bad input is one line (golden bad-input.expected) and exit 1;
#  5. -no-reboot: a guest reset through the syscon exits 0.
set -u
O=${O:-build}
EMU=$O/vtrace-emu
G=tests/system/guests
W=$O/tests/board
mkdir -p "$W"
. "$(dirname "$0")/../guest-lib.sh"

$CC -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2 \
	-ffreestanding -fno-pic -nostdlib -static -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments -T $G/link.ld $G/hw.c -o $W/hw.elf || exit 1
sed 's/0x80000000/0x80200000/' $G/link.ld >$W/link-2M.ld
image() { # name [cpp flags]: an Image (raw) and its ELF linked at 0x80200000
	local n=$1; shift
	$CC -march=rv64imac_zicsr_zifencei -mabi=lp64 -nostdlib -static \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		-T $W/link-2M.ld "$@" $G/image.S -o $W/$n.elf || exit 1
	riscv64-linux-gnu-objcopy -O binary $W/$n.elf $W/$n || exit 1
}
image Image
image Image-reset -DEXIT_VALUE=0x7777

# 1. device probes; "hi!\n" goes in once the guest is ready for it
feed() { # output file
	for _ in $(seq 400); do
		grep -q 'rx: ready' "$1" 2>/dev/null && break
		sleep 0.05
	done
	printf 'hi!\n'
	sleep 1
}
hw() { # output-file emulator
	local out=$1; shift
	rm -f "$out"
	feed "$out" | timeout 30 "$@" -M virt -bios none -nographic -m 128M \
		-smp 2 -kernel $W/hw.elf >"$out" 2>"$out.err"
}
hw $W/hw.out $EMU
rc=$?
[ $rc -eq 7 ] && ok "hw probes exit status 7" || bad "hw probes exit status $rc"
cmp -s $W/hw.out $G/hw.expected && ok "hw probes = golden (from qemu)" ||
	{ bad "hw probes differ from golden"; diff $W/hw.out $G/hw.expected | head; }
if [ $have_qemu = 1 ]; then
	hw $W/hw.qemu $QEMU
	cmp -s $W/hw.out $W/hw.qemu && ok "hw probes = qemu-system-riscv64" ||
		{ bad "hw probes differ from qemu"; diff $W/hw.out $W/hw.qemu | head; }
fi

# 2. device tree
if [ $have_qemu = 1 ] && command -v dtc >/dev/null; then
	for smp in 1 2 4; do
		args=(-m 256M -smp $smp)
		[ $smp = 2 ] && args+=(-kernel $W/Image -initrd $G/link.ld
				       -append "console=ttyS0 vtrace=1")
		$EMU -M virt,dumpdtb=$W/v$smp.dtb "${args[@]}" 2>/dev/null
		$QEMU -M virt,dumpdtb=$W/q$smp.dtb -nographic "${args[@]}" \
			>/dev/null 2>&1
		python3 tests/system/dtb-compare.py $W/v$smp.dtb $W/q$smp.dtb \
			>$W/dtb$smp.diff &&
			ok "device tree = qemu's (-smp $smp${args[4]:+, -kernel -initrd -append})" ||
			{ bad "device tree -smp $smp"; head $W/dtb$smp.diff; }
	done
else
	echo "  skip  device tree comparison (needs $QEMU and dtc)"
fi

# 3. boot flow through OpenSBI
sbi_lines() { grep -aE '^(OpenSBI v|Platform|Firmware Base|Domain0 Next|image:)'; }
boot_same() { # what args...
	local what=$1; shift
	timeout 60 $EMU -M virt -nographic "$@" </dev/null 2>&1 |
		sbi_lines >$W/boot.emu
	if [ $have_qemu = 1 ]; then
		timeout 60 $QEMU -M virt -nographic "$@" </dev/null 2>&1 |
			sbi_lines >$W/boot.qemu
	else
		cp $W/boot.emu $W/boot.qemu
	fi
	if grep -q '^OpenSBI v' $W/boot.emu || [ "$1 $2" = "-bios none" ]; then
		grep -q '^image: ' $W/boot.emu && cmp -s $W/boot.emu $W/boot.qemu &&
			ok "$what: = qemu ($(grep -c . $W/boot.emu) lines)" ||
			{ bad "$what"; diff $W/boot.emu $W/boot.qemu | head; }
	else
		bad "$what: no OpenSBI banner"
	fi
}
if [ -f /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin ]; then
	boot_same "-bios default, Image, -smp 1" -bios default -m 256M \
		-kernel $W/Image
	boot_same "no -bios, Image, -smp 2, initrd" -m 128M -smp 2 -kernel $W/Image \
		-initrd $G/link.ld -append "console=ttyS0"
	boot_same "no -bios, ELF at 0x80200000" -m 128M -kernel $W/Image.elf
	boot_same "-bios fw_dynamic.elf" -m 128M \
		-bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf \
		-kernel $W/Image
else
	echo "  skip  OpenSBI boots (opensbi not installed: scripts/deps.sh)"
fi
boot_same "-bios none, Image at the RAM base" -bios none -m 128M -kernel $W/Image

# 4. bad input: one line each, exit 1, golden text
: >$W/bad.out
bad_input() { # args...
	timeout 10 $EMU -nographic "$@" </dev/null >/dev/null 2>$W/err.txt
	local rc=$?
	[ $rc -eq 1 ] && [ "$(wc -l <$W/err.txt)" -eq 1 ] ||
		bad "$* (rc $rc, $(wc -l <$W/err.txt) lines)"
	sed "s|$W/|W/|g" $W/err.txt >>$W/bad.out
}
head -c 100 $W/Image >$W/short
: >$W/empty
cp $W/Image $W/badmagic && printf 'XXXXXXXXXXXXXXXX' |
	dd of=$W/badmagic bs=1 seek=48 conv=notrunc 2>/dev/null
cp $W/Image $W/badoff && printf '\001' |
	dd of=$W/badoff bs=1 seek=8 conv=notrunc 2>/dev/null
cp $W/Image $W/huge && printf '\000\000\000\020' |
	dd of=$W/huge bs=1 seek=20 conv=notrunc 2>/dev/null
head -c $((9 << 20)) /dev/zero >$W/initrd9M
bad_input -kernel $W/empty
bad_input -kernel $W/badmagic
bad_input -kernel $W/badoff
bad_input -m 16M -kernel $W/huge
bad_input -m 16M -kernel $W/Image -initrd $W/initrd9M
bad_input -kernel $W/Image -initrd $W/nope
bad_input -bios $W/Image -kernel $W/Image
bad_input -bios $W/empty -kernel $W/Image
bad_input -bios $W/nope -kernel $W/Image
bad_input -bios $W/initrd9M -m 4M -kernel $W/hw.elf
bad_input -kernel $W/Image -append "$(head -c 1024 /dev/zero | tr '\0' x)"
bad_input -initrd $W/Image -bios none
bad_input -append "quiet" -bios none
cmp -s $W/bad.out tests/system/bad-input.expected &&
	ok "bad input: $(wc -l <$W/bad.out) golden one-line errors" ||
	{ bad "bad input messages differ"; diff $W/bad.out tests/system/bad-input.expected; }

# 5. -no-reboot: the guest's reset request ends the run with status 0
timeout 20 $EMU -no-reboot -bios none -kernel $W/Image-reset </dev/null \
	>/dev/null 2>$W/reset.err
rc=$?
[ $rc -eq 0 ] && [ ! -s $W/reset.err ] && ok "-no-reboot: reset exits 0" ||
	bad "-no-reboot: rc $rc, $(cat $W/reset.err)"
exit $fail
