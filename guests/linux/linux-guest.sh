#!/usr/bin/env bash
# make linux-guest: fetch Debian trixie's riscv64 kernel (the one behind
# linux-image-riscv64) and busybox-static, build the initramfs and save the
# kernel's symbols, all under ${XDG_CACHE_HOME:-~/.cache}/vtrace/linux/.
#
# apt runs with a private configuration (its own sources list, state, cache,
# an empty dpkg status and APT::Architecture "riscv64"); the system's sources
# are never touched.  Release files are checked against the system's
# debian-archive-keyring, which ships trixie's keys since 2023.3+deb12u1.
#
# A no-op when the cache is complete.  Without a network: one line, exit 2.
# Prints the cache directory on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vtrace/linux
mirror=${VTRACE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
say() { echo "linux-guest: $*" >&2; }

# Complete: kernel, initramfs built from the current /init and workloads,
# kernel symbols.
inputs_sum() { cat "$here/init" "$here"/workloads/* "$here/mkinitramfs.py" |
	sha256sum | cut -c1-16; }
if [ -s "$cache/Image" ] && [ -s "$cache/kallsyms" ] &&
   [ -s "$cache/initramfs.cpio.gz" ] &&
   [ "$(cat "$cache/initramfs.sum" 2>/dev/null)" = "$(inputs_sum)" ]; then
	echo "$cache"
	exit 0
fi

for t in apt-get dpkg-deb python3 gzip; do
	command -v $t >/dev/null || { say "needs $t"; exit 1; }
done
if ! gpg --no-default-keyring --keyring "$keyring" --list-keys 2>/dev/null |
	grep -q 'trixie'; then
	say "$keyring has no trixie key: install debian-archive-keyring >= 2023.3+deb12u1 (apt-get install -y debian-archive-keyring)"
	exit 1
fi

apt=$cache/apt
mkdir -p "$apt/etc/sources.list.d" "$apt/etc/preferences.d" "$apt/etc/apt.conf.d" \
	"$apt/state/lists/partial" "$apt/cache/archives/partial" "$cache/deb"
touch "$apt/state/status"
echo "deb [arch=riscv64 signed-by=$keyring] $mirror trixie main" \
	>"$apt/etc/sources.list"
cat >"$apt/apt.conf" <<EOC
APT::Architecture "riscv64";
APT::Architectures { "riscv64"; };
Dir::Etc "$apt/etc";
Dir::Etc::SourceList "$apt/etc/sources.list";
Dir::Etc::SourceParts "$apt/etc/sources.list.d";
Dir::Etc::Parts "$apt/etc/apt.conf.d";
Dir::Etc::Preferences "$apt/etc/preferences";
Dir::Etc::PreferencesParts "$apt/etc/preferences.d";
Dir::State "$apt/state";
Dir::State::status "$apt/state/status";
Dir::Cache "$apt/cache";
Acquire::Languages "none";
EOC
# As root, apt would drop to _apt, who cannot write to a cache in ~root.
[ "$(id -u)" -ne 0 ] || echo 'APT::Sandbox::User "root";' >>"$apt/apt.conf"
export APT_CONFIG=$apt/apt.conf

if ! apt-get update -qq >"$apt/update.log" 2>&1; then
	if grep -qi 'signature\|NO_PUBKEY\|not signed' "$apt/update.log"; then
		say "trixie's Release signature does not verify with $keyring (see $apt/update.log)"
		exit 1
	fi
	say "cannot reach $mirror (no network?): the Linux guest is not available"
	exit 2
fi

# linux-image-riscv64 depends on the versioned kernel package of the day.
kpkg=$(apt-cache depends linux-image-riscv64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-riscv64\)$/\1/p' | head -1)
[ -n "$kpkg" ] || { say "cannot resolve linux-image-riscv64 in trixie"; exit 1; }
say "kernel package $kpkg, busybox-static"
(cd "$cache/deb" && apt-get download -qq "$kpkg" busybox-static) ||
	{ say "download failed (no network?)"; exit 2; }

rm -rf "$cache/root" && mkdir -p "$cache/root"
for d in "$cache"/deb/"$kpkg"_*.deb "$cache"/deb/busybox-static_*.deb; do
	dpkg-deb -x "$d" "$cache/root"
done
kver=${kpkg#linux-image-}
kfile=$(ls "$cache"/root/boot/vmlinu[xz]-"$kver" | head -1)
# Debian ships a raw Image, or a gzip of one (vmlinuz).
if [ "$(head -c 2 "$kfile" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then
	gzip -dc "$kfile" >"$cache/Image.tmp"
else
	cp "$kfile" "$cache/Image.tmp"
fi
mv "$cache/Image.tmp" "$cache/Image"
echo "$kpkg" >"$cache/kernel-package"
cp "$cache/root/usr/bin/busybox" "$cache/busybox"

python3 "$here/mkinitramfs.py" "$cache/busybox" "$here/init" \
	"$here/workloads" "$cache/initramfs.cpio.gz"
inputs_sum >"$cache/initramfs.sum"

# The kernel's symbols, from its own /proc/kallsyms, by a first boot under
# QEMU with the kallsyms workload (once per kernel).
if [ ! -s "$cache/kallsyms" ] || [ "$(cat "$cache/kallsyms.kernel" 2>/dev/null)" != "$kpkg" ]; then
	command -v qemu-system-riscv64 >/dev/null ||
		{ say "needs qemu-system-riscv64 to read the kernel's symbols"; exit 1; }
	say "first boot under QEMU to save /proc/kallsyms"
	timeout 900 qemu-system-riscv64 -machine virt -m 512M -smp 2 \
		-nographic -no-reboot -kernel "$cache/Image" \
		-initrd "$cache/initramfs.cpio.gz" \
		-append "console=ttyS0 quiet panic=-1 vtrace.workload=kallsyms" \
		</dev/null >"$cache/kallsyms.console" 2>&1 ||
		{ say "QEMU boot failed, see $cache/kallsyms.console"; exit 1; }
	tr -d '\r' <"$cache/kallsyms.console" |
		sed -n '/^==== vtrace workload kallsyms begin/,/^==== vtrace workload kallsyms end/p' |
		sed '1d;$d' | base64 -d | gzip -dc >"$cache/kallsyms.tmp"
	[ "$(wc -l <"$cache/kallsyms.tmp")" -gt 1000 ] ||
		{ say "no symbols in $cache/kallsyms.console"; exit 1; }
	mv "$cache/kallsyms.tmp" "$cache/kallsyms"
	echo "$kpkg" >"$cache/kallsyms.kernel"
fi
say "ready: $(cat "$cache/kernel-package"), $(wc -l <"$cache/kallsyms") symbols"
echo "$cache"
