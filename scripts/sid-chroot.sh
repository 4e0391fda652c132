#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sid-chroot.sh - a minimal Debian unstable (sid) chroot in the cache, for
# the third test kernel series: the newest cloud-amd64 kernel of unstable,
# whose headers depend on unstable's compiler and kbuild and do not install
# on bookworm.  The host system is left as it was: packages go into the
# chroot, and /proc is mounted in a private mount namespace for the length
# of one command.
#
# Sourced:   . scripts/sid-chroot.sh; sid_ready && sid_run uname -r
# Executed:  scripts/sid-chroot.sh setup|update|shell|run CMD...
#
# The chroot is $VMSCOPE_CACHE/sid/root, made by debootstrap on first use
# (about a minute, 230 MB; 800 MB once a kernel's headers are in it); its
# apt lists are refreshed once a day, so the series follows the kernel
# when unstable moves.  VMSCOPE_SID_MIRROR picks the archive.

# shellcheck source=scripts/deps.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/deps.sh"

VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
SID_DIR=$VMSCOPE_CACHE/sid
SID_ROOT=$SID_DIR/root
SID_MIRROR=${VMSCOPE_SID_MIRROR:-http://deb.debian.org/debian}
# The archive's unstable Release file can be past its Valid-Until date
# (it is today); its signature is still checked.
SID_APT=(apt-get -q -o Acquire::Check-Valid-Until=false)
# What builds a module in the chroot; the compiler comes with the headers.
SID_PKGS=(make sparse kmod)

sid_note()
{
	echo "sid-chroot.sh: $*" >&2
}

# sid_run CMD... - run CMD as root in the chroot, with /proc mounted in a
# mount namespace of its own (objtool reads /proc/self), and a plain
# environment
sid_run()
{
	# shellcheck disable=SC2016 # expanded by that shell
	unshare --mount --propagation private -- /bin/sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
		"$SID_ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# sid_update_locked - apt-get update in the chroot, and remember when
sid_update_locked()
{
	sid_run "${SID_APT[@]}" update >&2 || return 1
	touch "$SID_DIR/.apt-update-stamp"
}

# sid_create_locked - debootstrap the chroot and install SID_PKGS into it
sid_create_locked()
{
	local tmp=$SID_DIR/root.tmp

	need_pkgs debootstrap || return 1
	rm -rf "$tmp"
	sid_note "creating a Debian unstable chroot in $SID_ROOT (debootstrap, about a minute)"
	if ! debootstrap --variant=minbase sid "$tmp" "$SID_MIRROR" \
		>"$SID_DIR/debootstrap.log" 2>&1; then
		tail -n 5 "$SID_DIR/debootstrap.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$SID_ROOT"
	mv "$tmp" "$SID_ROOT"
	sid_update_locked && sid_run "${SID_APT[@]}" install -y \
		--no-install-recommends "${SID_PKGS[@]}" >&2 &&
		touch "$SID_DIR/.ready"
}

# sid_setup - make sure the chroot exists and its apt lists are at most a
# day old; old lists are used, with a warning, when the archive is out of
# reach.  Fails, saying why, only when there is no chroot and none can be
# made.
sid_setup()
{
	mkdir -p "$SID_DIR" || return 1
	(
		flock 9 || exit 1
		if [[ ! -f $SID_DIR/.ready ]]; then
			sid_create_locked && exit 0
			sid_note "error: cannot make a Debian unstable chroot from $SID_MIRROR (is the network up?); log: $SID_DIR/debootstrap.log"
			exit 1
		fi
		[[ -n $(find "$SID_DIR/.apt-update-stamp" -mmin -1440 2>/dev/null) ]] &&
			exit 0
		sid_update_locked ||
			sid_note "warning: apt-get update in the unstable chroot failed; using its old lists"
		exit 0
	) 9>"$SID_DIR/.lock"
}

# sid_apt ARGS... - apt-get ARGS in the chroot, one at a time
sid_apt()
{
	(
		flock 9 || exit 1
		sid_run "${SID_APT[@]}" "$@"
	) 9>"$SID_DIR/.lock"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	case ${1:-} in
	setup) sid_setup ;;
	update) sid_setup && sid_apt update ;;
	shell) sid_setup && sid_run /bin/bash ;;
	run)
		shift
		sid_setup && sid_run "$@"
		;;
	*)
		echo "usage: $0 setup|update|shell|run CMD..." >&2
		exit 2
		;;
	esac
fi
