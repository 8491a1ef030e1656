# Sourced by the scenario scripts that build bare-metal guests with the
# cross compiler and run them on $EMU (set by the script) and on QEMU:
# the tools, ok/bad reporting (the script exits $fail), and the checks
# that make a script skip (77) or fail before it runs anything.
CC=riscv64-linux-gnu-gcc
QEMU=qemu-system-riscv64
fail=0
ok() { printf '  ok    %s\n' "$1"; }
bad() { printf '  FAIL  %s\n' "$1"; fail=1; }

command -v $CC >/dev/null || { echo "SKIP: $CC not installed"; exit 77; }
[ -x "$EMU" ] || { echo "no $EMU (build it first)"; exit 1; }
have_qemu=0
command -v $QEMU >/dev/null && have_qemu=1
