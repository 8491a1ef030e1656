#!/usr/bin/env bash
# Install the Debian packages vtrace needs, or say which are missing.
#   scripts/deps.sh [build|check|bench]
# build: compilers and libraries for `make`; check adds the reference tools
# the tests compare against; bench adds the peers measured side by side.
set -euo pipefail
set_name=${1:-build}

pkgs=(gcc make python3 python3-kconfiglib liburing-dev libnuma-dev
      libcmocka-dev libfdt-dev gcc-riscv64-linux-gnu babeltrace2 opensbi)
case "$set_name" in
check) pkgs+=(qemu-system-misc clang libclang-rt-14-dev device-tree-compiler) ;;
bench) pkgs+=(qemu-system-misc lttng-tools liblttng-ust-dev) ;;
esac

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "vtrace needs these Debian packages; as root run:" >&2
	echo "  apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "  DEPS     installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi
