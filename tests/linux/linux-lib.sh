# Sourced by the Linux guest scenarios (tests/linux/*.sh): ok/bad
# reporting (the script exits $fail), $EMU and $W, the cached Debian
# kernel (fetched by guests/linux/linux-guest.sh when the cache is empty)
# and an initramfs built in $W from this tree's guests/linux/, so that a
# worktree refreshing the shared cache meanwhile cannot change what a run
# boots.  Skips (77) only when QEMU is missing or Debian's registry is
# unreachable; any other failure to get the guest fails.
O=${O:-build}
EMU=${EMU:-$O/vtrace-emu}
QEMU=qemu-system-riscv64
W=$O/tests/linux
mkdir -p "$W"
fail=0
ok() { printf '  ok    %s\n' "$1"; }
bad() { printf '  FAIL  %s\n' "$1"; fail=1; }

[ -x "$EMU" ] || { echo "no $EMU (build it first)"; exit 1; }
command -v $QEMU >/dev/null || { echo "SKIP: $QEMU not installed"; exit 77; }
cache=$(bash guests/linux/linux-guest.sh 2>$W/linux-guest.err)
case $? in
0) cache=$(printf '%s\n' "$cache" | tail -1) ;;
2) echo "SKIP: $(tail -1 $W/linux-guest.err)"; exit 77 ;;
*) echo "linux-guest.sh failed: $(tail -1 $W/linux-guest.err)"; exit 1 ;;
esac
python3 guests/linux/mkinitramfs.py "$cache/busybox" guests/linux/init \
	guests/linux/workloads "$W/initramfs.cpio.gz" ||
	{ echo "cannot build $W/initramfs.cpio.gz"; exit 1; }
K=(-kernel "$cache/Image" -initrd "$W/initramfs.cpio.gz")
