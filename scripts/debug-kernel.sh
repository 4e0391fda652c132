#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build a 6.12 kernel with KASAN, lockdep and friends
# from Debian's linux-source-6.12, for `make check-debug`, and lay it out
# in the cache as scripts/kernels.sh lays out a Debian kernel, so that
# selftests/vmtest.sh -k VERSION boots it:
#
#   $VMSCOPE_CACHE/kernels/VERSION/root/boot/vmlinuz-VERSION
#   $VMSCOPE_CACHE/kernels/VERSION/build          (KDIR for the module)
#
# VERSION is the source's release with -vmscope-debug appended; the build
# is keyed by the source package's version and this script's config, and
# done once per machine.  Prints VERSION.  About 20-30 minutes on 2 cores.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"
VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
PKG=linux-source-6.12
JOBS=${JOBS:-$(nproc)}

# What the debug kernel has on top of defconfig + kvm_guest.config: the
# checkers, and, built in, what the test VM needs.
CONFIG=(
	KASAN=y KASAN_GENERIC=y KASAN_INLINE=y
	PROVE_LOCKING=y DEBUG_LOCKDEP=n DEBUG_ATOMIC_SLEEP=y
	DEBUG_VM=y DEBUG_LIST=y
	DEBUG_KMEMLEAK=y DEBUG_KMEMLEAK_AUTO_SCAN=n
	FAULT_INJECTION=y FAILSLAB=y FAIL_PAGE_ALLOC=y
	FAULT_INJECTION_DEBUG_FS=y FAULT_INJECTION_USERCOPY=y
	DEBUG_FS=y DEBUG_INFO_NONE=y KALLSYMS=y
	MODULES=y MODULE_UNLOAD=y MODULE_SIG=n
	X86_5LEVEL=y NUMA_BALANCING=y
	TRANSPARENT_HUGEPAGE=y TRANSPARENT_HUGEPAGE_MADVISE=y
	HUGETLBFS=y USERFAULTFD=y MEMCG=y CGROUPS=y PSI=y USER_NS=y
	SWAP=y ZRAM=y ZSMALLOC=y CRYPTO_LZ4=y CRYPTO_LZO=y
	BLK_DEV_INITRD=y DEVTMPFS=y TMPFS=y PROC_FS=y
	SERIAL_8250=y SERIAL_8250_CONSOLE=y
	KFENCE=n RANDOMIZE_BASE=y
)

need_pkgs "$PKG" make gcc libc6-dev bc flex bison libelf-dev libssl-dev \
	dwarves cpio kmod xz-utils
pkgver=$(dpkg-query -W -f='${Version}' "$PKG")
key=$(printf '%s\n' "$pkgver" "${CONFIG[@]}" | sha256sum | cut -c1-12)
src=$VMSCOPE_CACHE/debug-kernel/src-$key
stamp=$src/.vmscope-built

if [[ ! -f $stamp ]]; then
	tarball=$(dpkg -L "$PKG" | grep -E '/linux-source-[0-9.]+\.tar\.(xz|bz2|gz)$' | head -n1)
	rm -rf "$src"
	mkdir -p "$src"
	echo "debug-kernel.sh: unpacking $tarball" >&2
	tar -xf "$tarball" -C "$src" --strip-components=1
	cd "$src"
	make -s defconfig kvm_guest.config >&2
	for c in "${CONFIG[@]}"; do
		if [[ ${c#*=} == n ]]; then
			scripts/config --disable "${c%%=*}"
		else
			scripts/config --enable "${c%%=*}"
		fi
	done
	scripts/config --set-str LOCALVERSION -vmscope-debug
	scripts/config --disable LOCALVERSION_AUTO
	make -s olddefconfig >&2
	echo "debug-kernel.sh: building (make -j$JOBS bzImage modules)" >&2
	make -s -j"$JOBS" bzImage modules >&2
	touch "$stamp"
fi
cd "$src"
ver=$(make -s kernelrelease)
dir=$VMSCOPE_CACHE/kernels/$ver
if [[ ! -f $dir/.fetched ]]; then
	rm -rf "$dir"
	mkdir -p "$dir/root/boot"
	cp arch/x86/boot/bzImage "$dir/root/boot/vmlinuz-$ver"
	cp .config "$dir/root/boot/config-$ver"
	make -s INSTALL_MOD_PATH="$dir/root" modules_install >&2
	ln -sfn "$src" "$dir/build"
	date -u +%FT%TZ >"$dir/.fetched"
fi
echo "$ver"
