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
# done once per machine.  Prints VERSION.  49 minutes at -j2 on a 2-core
# machine under load (load average 7 to 10: other builds and VMs running).

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"
VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
PKG=linux-source-6.12
JOBS=${JOBS:-$(nproc)}

# The config: x86_64 defconfig with what the test VM never uses switched
# off (TRIM), then CONFIG on top, then olddefconfig for what these imply.
# The VM (selftests/vmtest.sh, vm-init.sh) boots under TCG with an
# initramfs, a serial console, no disk, no network and no virtio device;
# ACPI and PCI stay (poweroff); it needs AF_UNIX, tmpfs, devtmpfs, devpts,
# cgroup2 with memcg, debugfs, zram (swap and an ext2 disk) with lz4, and
# the memory-management features of Debian's 6.12 cloud kernel that the
# selftests and experiments read (THP, hugetlbfs, KSM, userfaultfd, memory
# failure, page idle tracking, DAMON, MGLRU, PSI, user namespaces,
# overlayfs) and the soft-lockup and hung-task detectors.  All of
# it is built in: the kernel needs no module but vmscope.ko.  That is
# about 1,760 object files; the whole of defconfig + kvm_guest.config,
# which this used to build (DRM, sound, wireless, SCSI, netfilter, ...),
# took about 27 minutes on an idle 2-core machine.
TRIM=(
	DRM FB SOUND USB_SUPPORT HID INPUT_MOUSE INPUT_JOYSTICK INPUT_TOUCHSCREEN
	WIRELESS CFG80211 MAC80211 RFKILL WLAN ETHERNET NETDEVICES PHYLIB
	INET NETFILTER BT NET_9P NFS_FS ROOT_NFS NETWORK_FILESYSTEMS
	SCSI ATA MD BLK_DEV_DM BLK_DEV_LOOP CDROM AGP I2C HWMON THERMAL
	EXT4_FS EXT3_FS ISO9660_FS FAT_FS VFAT_FS MSDOS_FS AUTOFS_FS QUOTA
	SECURITY SECURITY_SELINUX AUDIT EFI HIBERNATION SUSPEND CPU_FREQ
	HOTPLUG_PCI PCCARD VIRTIO KVM MACINTOSH_DRIVERS WATCHDOG
)
# On top: the checkers, and, built in, what the test VM needs.
CONFIG=(
	KASAN=y KASAN_GENERIC=y KASAN_INLINE=y
	PROVE_LOCKING=y DEBUG_LOCKDEP=n DEBUG_ATOMIC_SLEEP=y
	SOFTLOCKUP_DETECTOR=y DETECT_HUNG_TASK=y
	DEBUG_VM=y DEBUG_LIST=y
	DEBUG_KMEMLEAK=y DEBUG_KMEMLEAK_AUTO_SCAN=n
	FAULT_INJECTION=y FAILSLAB=y FAIL_PAGE_ALLOC=y
	FAULT_INJECTION_DEBUG_FS=y FAULT_INJECTION_USERCOPY=y
	DEBUG_FS=y DEBUG_INFO_NONE=y KALLSYMS=y SLUB_DEBUG=y
	MODULES=y MODULE_UNLOAD=y MODULE_SIG=n
	X86_5LEVEL=y NUMA=y NUMA_BALANCING=y
	TRANSPARENT_HUGEPAGE=y TRANSPARENT_HUGEPAGE_MADVISE=y
	HUGETLBFS=y USERFAULTFD=y KSM=y MEMORY_FAILURE=y MEM_SOFT_DIRTY=y
	IDLE_PAGE_TRACKING=y PROC_PAGE_MONITOR=y COMPACTION=y MIGRATION=y
	LRU_GEN=y LRU_GEN_ENABLED=y
	DAMON=y DAMON_VADDR=y DAMON_PADDR=y DAMON_SYSFS=y
	CGROUPS=y MEMCG=y CGROUP_HUGETLB=y CPUSETS=y PSI=y
	NAMESPACES=y USER_NS=y PID_NS=y
	NET=y UNIX=y SYSVIPC=y POSIX_MQUEUE=y
	SWAP=y ZSMALLOC=y ZRAM=y ZRAM_BACKEND_LZ4=y ZRAM_BACKEND_LZO=y
	ZRAM_DEF_COMP_LZ4=y EXT2_FS=y OVERLAY_FS=y
	BLK_DEV_INITRD=y DEVTMPFS=y TMPFS=y PROC_FS=y UNIX98_PTYS=y
	ACPI=y PCI=y SERIAL_8250=y SERIAL_8250_CONSOLE=y
	KFENCE=n RANDOMIZE_BASE=y
)

need_pkgs "$PKG" make gcc libc6-dev bc flex bison libelf-dev libssl-dev \
	dwarves cpio kmod xz-utils
pkgver=$(dpkg-query -W -f='${Version}' "$PKG")
key=$(printf '%s\n' "$pkgver" defconfig "${TRIM[@]}" -- "${CONFIG[@]}" |
	sha256sum | cut -c1-12)
src=$VMSCOPE_CACHE/debug-kernel/src-$key
stamp=$src/.vmscope-built

if [[ ! -f $stamp ]]; then
	tarball=$(dpkg -L "$PKG" | grep -E '/linux-source-[0-9.]+\.tar\.(xz|bz2|gz)$' | head -n1)
	rm -rf "$src"
	mkdir -p "$src"
	echo "debug-kernel.sh: unpacking $tarball" >&2
	tar -xf "$tarball" -C "$src" --strip-components=1
	cd "$src"
	make -s defconfig >&2
	for c in "${TRIM[@]}"; do
		scripts/config --disable "$c"
	done
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
# laid out again when the config changed: the release name does not say
if [[ ! -f $dir/.fetched || $(cat "$dir/.key" 2>/dev/null) != "$key" ]]; then
	rm -rf "$dir"
	mkdir -p "$dir/root/boot"
	cp arch/x86/boot/bzImage "$dir/root/boot/vmlinuz-$ver"
	cp .config "$dir/root/boot/config-$ver"
	make -s INSTALL_MOD_PATH="$dir/root" modules_install >&2
	ln -sfn "$src" "$dir/build"
	echo "$key" >"$dir/.key"
	date -u +%FT%TZ >"$dir/.fetched"
fi
echo "$ver"
