#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb-chroot.sh DEBDIR - install the packages `make deb` built into a clean
# Debian bookworm chroot that has the headers of both test kernels, and
# check what a user would get:
#   - DKMS builds vmscope.ko for each of the two kernels at install time;
#   - `vmscope --help` runs; the man page and the bash completion are
#     where man and bash look for them;
#   - purging both packages leaves no file behind (the chroot's file list
#     is what it was before, and no path names vmscope).
# The DKMS-built modules are copied to DEBDIR/dkms/VERSION/vmscope.ko, for
# a VM to load (check.sh does, in one configuration).
#
# The chroot (debootstrap --variant=minbase, plus dkms and the two header
# packages) is made once and kept in $VMSCOPE_CACHE/chroot/; each run
# installs into a throw-away overlay of it, so every run starts clean.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"
VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
MIRROR=${VMSCOPE_MIRROR:-http://deb.debian.org/debian}

die()
{
	echo "deb-chroot.sh: error: $*" >&2
	exit 1
}

[[ $# -eq 1 ]] || { echo "usage: $0 DEBDIR" >&2; exit 2; }
debdir=$(cd "$1" && pwd -P)
((EUID == 0)) || die "needs root (debootstrap, chroot, mount)"
need_pkgs debootstrap >&2 || exit 1

v61=$("$SCRIPT_DIR/kernels.sh" resolve 6.1) || die "no 6.1 kernel"
v612=$("$SCRIPT_DIR/kernels.sh" resolve 6.12) || die "no 6.12 kernel"
base=$VMSCOPE_CACHE/chroot/bookworm-$v61-$v612
run=$VMSCOPE_CACHE/chroot/run.$$
root=$run/root

# make_base - debootstrap, then dkms and the headers of both kernels
make_base()
{
	local tmp=$base.tmp

	echo "deb-chroot.sh: making the chroot $base (once)" >&2
	rm -rf "$tmp"
	debootstrap --variant=minbase bookworm "$tmp" "$MIRROR" >&2
	cat >"$tmp/etc/apt/sources.list" <<-SOURCES
	deb $MIRROR bookworm main
	deb $MIRROR bookworm-updates main
	deb http://deb.debian.org/debian-security bookworm-security main
	SOURCES
	chroot "$tmp" apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive chroot "$tmp" apt-get install -y -q \
		--no-install-recommends dkms "linux-headers-$v61" \
		"linux-headers-$v612" >&2
	chroot "$tmp" apt-get clean
	rm -rf "$tmp/var/lib/apt/lists/"*
	mv "$tmp" "$base"
}

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup()
{
	local m

	for m in dev/pts dev proc sys; do
		mountpoint -q "$root/$m" && umount -l "$root/$m"
	done
	mountpoint -q "$root" && umount -l "$root"
	rm -rf "$run"
}

# every file and directory but the kernel's, the caches and dpkg's books
files()
{
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o \
		-path ./dev -o -path ./tmp -o -path ./var/cache -o \
		-path ./var/log -o -path ./var/lib/dpkg -o \
		-path ./var/lib/apt \) -prune -o -print | sort)
}

in_root()
{
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 "$@"
}

[[ -d $base ]] || make_base
trap cleanup EXIT
mkdir -p "$run/upper" "$run/work" "$root"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$root"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t sysfs sysfs "$root/sys"

fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }

# the kernels' module indexes, as on a system that has them installed:
# depmod (which DKMS runs) must find them there, not make them
for ver in "$v61" "$v612"; do
	in_root depmod -a "$ver" 2>/dev/null
done
files >"$run/before"
cp "$debdir"/vmscope_*.deb "$debdir"/vmscope-dkms_*.deb "$root/tmp/"
if in_root sh -c 'dpkg -i /tmp/vmscope-dkms_*.deb /tmp/vmscope_*.deb' \
	>"$run/install.log" 2>&1; then
	ok "dpkg -i vmscope vmscope-dkms"
else
	notok "dpkg -i vmscope vmscope-dkms"
	sed 's/^/#   /' "$run/install.log"
fi

rm -rf "$debdir/dkms"
for ver in "$v61" "$v612"; do
	ko=$(find "$root/lib/modules/$ver" -name 'vmscope.ko*' | head -n1)
	if [[ -n $ko ]] && in_root dkms status -m vmscope -k "$ver" |
		grep -q ': installed' &&
		[[ $(in_root modinfo -F vermagic "${ko#"$root"}") == "$ver "* ]]; then
		ok "DKMS built and installed vmscope.ko for $ver"
		mkdir -p "$debdir/dkms/$ver"
		# compressed like the kernel's own modules (6.12: xz);
		# the VM's tests reload it with a plain finit_module()
		case $ko in
		*.xz) xz -dc "$ko" ;;
		*.zst) zstd -qdc "$ko" ;;
		*.gz) gzip -dc "$ko" ;;
		*) cat "$ko" ;;
		esac >"$debdir/dkms/$ver/vmscope.ko"
	else
		notok "DKMS built and installed vmscope.ko for $ver"
		sed 's/^/#   /' "$run/install.log" | tail -n 20
	fi
done

if in_root vmscope --help >"$run/help" && grep -q '^Commands:' "$run/help"; then
	ok "vmscope --help runs"
else
	notok "vmscope --help runs"
fi
if [[ -f $root/usr/share/man/man8/vmscope.8.gz &&
	-f $root/usr/share/bash-completion/completions/vmscope ]]; then
	ok "man page and bash completion installed"
else
	notok "man page and bash completion installed"
fi

in_root dpkg --purge vmscope vmscope-dkms >"$run/purge.log" 2>&1 ||
	notok "dpkg --purge vmscope vmscope-dkms"
files >"$run/after"
if diff -u "$run/before" "$run/after" >"$run/diff" &&
	! grep -i vmscope "$run/after"; then
	ok "purging both packages leaves nothing behind"
else
	notok "purging both packages leaves nothing behind"
	sed 's/^/#   /' "$run/diff" | head -n 40
fi
exit "$fail"
