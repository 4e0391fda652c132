#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh - find, install headers for, and fetch the Debian cloud kernels
# vmscope is built and tested against: bookworm's 6.1 and 6.12, and the
# newest kernel of unstable (sid).
#
# Versions are looked up in apt at run time; nothing here names a patch level.
# Bookworm's headers are installed on the host; unstable's, which need
# unstable's compiler, into a chroot in the cache (scripts/sid-chroot.sh),
# and its image is downloaded with the chroot's apt.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"
# shellcheck source=scripts/sid-chroot.sh
. "$SCRIPT_DIR/sid-chroot.sh"

VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
SERIES_ALL=(6.1 6.12 sid)

usage()
{
	cat <<EOF_USAGE
Usage: $0 COMMAND [SERIES|VERSION]

SERIES is 6.1 or 6.12 (the newest Debian bookworm cloud-amd64 kernel of that
series in apt) or sid (the newest cloud-amd64 kernel of Debian unstable, in
the apt of a chroot kept in the cache); a full version such as
6.1.0-56-cloud-amd64, 6.12.117+deb12-cloud-amd64 or 7.2.13+deb14-cloud-amd64
is used as it is.

Commands:
  resolve SERIES|VERSION  print the kernel version string
  headers SERIES|VERSION  install linux-headers-VERSION if needed, print its KDIR
                          (for unstable, a path in the chroot: build there,
                          as scripts/build-modules.sh does)
  fetch SERIES|VERSION    download and unpack linux-image-VERSION (not installed)
                          under \$VMSCOPE_CACHE/kernels/VERSION, print that dir;
                          the kernel is root/boot/vmlinuz-VERSION there
  list                    print the resolved 6.1, 6.12 and sid versions, one a line

Cache: VMSCOPE_CACHE=${VMSCOPE_CACHE}
EOF_USAGE
}

die()
{
	echo "kernels.sh: error: $*" >&2
	exit 1
}

# series_regex SERIES - ERE matching that series' image package names, with
# the varying number in group 1
series_regex()
{
	case $1 in
	6.1) echo '^linux-image-6\.1\.0-([0-9]+)-cloud-amd64$' ;;
	6.12) echo '^linux-image-6\.12\.([0-9]+)\+deb12-cloud-amd64$' ;;
	sid) echo '^linux-image-([0-9]+\.[0-9]+\.[0-9]+)\+deb[0-9]+-cloud-amd64$' ;;
	*) return 1 ;;
	esac
}

# in_apt SERIES CMD... - run CMD where SERIES' packages are: on the host, or
# in the unstable chroot
in_apt()
{
	if [[ $1 == sid ]]; then
		shift
		sid_run "$@"
	else
		shift
		"$@"
	fi
}

# apt_has SERIES PKG... - succeed if SERIES' apt has a downloadable version
# of every PKG
apt_has()
{
	local series=$1
	shift
	in_apt "$series" apt-cache madison "$@" 2>/dev/null |
		awk -v want="$*" 'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) need[w[i]] = 1 }
			$1 in need { delete need[$1] } END { for (p in need) exit 1 }'
}

# newest_in_apt SERIES - print the newest version of SERIES for which apt has
# both the image and the headers package; nothing if there is none
newest_in_apt()
{
	local re pkg ver

	re=$(series_regex "$1")
	while read -r pkg; do
		ver=${pkg#linux-image-}
		if apt_has "$1" "linux-image-$ver" "linux-headers-$ver"; then
			echo "$ver"
			return 0
		fi
	done < <(in_apt "$1" apt-cache pkgnames linux-image- 2>/dev/null |
		grep -E "$re" | sort -rV)
}

# apt_lists_stale - succeed if apt's lists look more than a day old: Debian
# drops superseded kernel ABIs from bookworm-security, so stale lists name
# packages that no longer download
apt_lists_stale()
{
	local stamp=$VMSCOPE_CACHE/.apt-update-stamp

	[[ -n $(find "$stamp" -mmin -1440 2>/dev/null) ]] && return 1
	[[ -n $(find /var/lib/apt/lists -maxdepth 1 -name '*InRelease' -mmin -1440 2>/dev/null) ]] && return 1
	return 0
}

# refresh_apt_lists - `apt-get update` (once) and remember when
refresh_apt_lists()
{
	apt_update_once >/dev/null || return 1
	mkdir -p "$VMSCOPE_CACHE" && touch "$VMSCOPE_CACHE/.apt-update-stamp"
}

# resolve SERIES|VERSION - print the kernel version string
resolve()
{
	local arg=$1 ver

	if ! series_regex "$arg" >/dev/null; then
		[[ $arg =~ ^[0-9]+\.[0-9]+[^[:space:]/]*-[^[:space:]/]+$ ]] ||
			die "'$arg' is neither a series (${SERIES_ALL[*]}) nor a kernel version such as 6.1.0-56-cloud-amd64"
		echo "$arg"
		return 0
	fi

	if [[ $arg == sid ]]; then
		((EUID == 0)) || die "the unstable kernel needs root: its chroot is made with debootstrap"
		sid_setup || die "no Debian unstable chroot, so no sid kernel"
		ver=$(newest_in_apt sid)
		[[ -n $ver ]] || die "apt in the unstable chroot knows no linux-image/linux-headers pair of a cloud-amd64 kernel"
		echo "$ver"
		return 0
	fi

	if ((EUID == 0)) && apt_lists_stale; then
		refresh_apt_lists || echo "kernels.sh: warning: apt-get update failed; using apt's old lists" >&2
	fi
	ver=$(newest_in_apt "$arg")
	if [[ -z $ver ]] && ((EUID == 0)); then
		# apt's lists may be missing on a fresh machine
		refresh_apt_lists || die "apt-get update failed"
		ver=$(newest_in_apt "$arg")
	fi
	[[ -n $ver ]] || die "apt knows no linux-image/linux-headers pair for the $arg cloud-amd64 kernel (is bookworm-security in apt's sources, and has 'apt-get update' run?)"
	echo "$ver"
}

# headers SERIES|VERSION - install linux-headers-VERSION, print the KDIR
headers()
{
	local ver kdir

	ver=$(resolve "$1")
	# a kernel built here (scripts/debug-kernel.sh) has its tree in the cache
	if [[ -f $VMSCOPE_CACHE/kernels/$ver/build/Makefile ]]; then
		echo "$VMSCOPE_CACHE/kernels/$ver/build"
		return 0
	fi
	if from_sid "$ver"; then
		sid_headers "$ver"
		return
	fi
	need_pkgs "linux-headers-$ver" || die "could not install linux-headers-$ver"
	kdir=/usr/src/linux-headers-$ver
	[[ -f $kdir/Makefile ]] || die "$kdir/Makefile is missing although linux-headers-$ver is installed"
	echo "$kdir"
}

# from_sid VERSION - succeed if VERSION is a kernel of unstable: the host's
# apt does not have it and the chroot's does
from_sid()
{
	apt_has host "linux-image-$1" && return 1
	[[ -f $SID_DIR/.ready ]] && apt_has sid "linux-image-$1"
}

# sid_headers VERSION - install linux-headers-VERSION in the unstable chroot,
# remove the headers of older kernels there, print the KDIR (a host path)
sid_headers()
{
	local ver=$1 kdir=$SID_ROOT/usr/src/linux-headers-$1 old

	if ! sid_run dpkg-query -W -f="\${Status}" "linux-headers-$ver" 2>/dev/null |
		grep -q ' ok installed$'; then
		echo "kernels.sh: installing linux-headers-$ver in the unstable chroot" >&2
		sid_apt install -y --no-install-recommends "linux-headers-$ver" >&2 ||
			die "could not install linux-headers-$ver in $SID_ROOT"
		old=$(sid_run dpkg-query -W -f="\${Package}\n" 'linux-headers-*-cloud-amd64' 2>/dev/null |
			grep -vxF "linux-headers-$ver" || true)
		if [[ -n $old ]]; then
			# shellcheck disable=SC2086 # one package a word
			sid_apt purge -y --autoremove $old >&2 ||
				echo "kernels.sh: warning: could not remove $old from the unstable chroot" >&2
		fi
	fi
	[[ -f $kdir/Makefile ]] || die "$kdir/Makefile is missing although linux-headers-$ver is installed"
	echo "$kdir"
}

# sid_download PKG - download PKG with the unstable chroot's apt into the
# current directory
sid_download()
{
	local dl=/var/cache/vmscope-download

	# shellcheck disable=SC2016 # expanded by the chroot's shell
	sid_run /bin/sh -c 'rm -rf "$0" && mkdir -p "$0" && cd "$0" && exec "$@"' \
		"$dl" "${SID_APT[@]}" -o APT::Sandbox::User=root download "$1" >&2 &&
		mv "$SID_ROOT$dl"/*.deb . && rm -rf "${SID_ROOT:?}$dl"
}

# apt_download PKG - `apt-get download PKG` into the current directory
apt_download()
{
	local -a opts=(-q)

	# apt's _apt sandbox user cannot write to root's cache; don't warn about it
	((EUID == 0)) && opts+=(-o APT::Sandbox::User=root)
	apt-get "${opts[@]}" download "$1" >&2 && return 0
	((EUID == 0)) || return 1
	refresh_apt_lists || return 1
	apt-get "${opts[@]}" download "$1" >&2
}

# image_pkgs SERIES VERSION - print linux-image-VERSION and the packages of
# the same kernel it depends on: unstable splits the image into
# linux-binary-VERSION (the kernel), linux-modules-VERSION and
# linux-base-VERSION (config, System.map)
image_pkgs()
{
	echo "linux-image-$2"
	in_apt "$1" apt-cache depends --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances \
		"linux-image-$2" 2>/dev/null |
		awk -v ver="$2" '$1 ~ /Depends:$/ && $2 ~ /^linux-[a-z]+-/ {
			v = $2; sub(/^linux-[a-z]+-/, "", v); if (v == ver) print $2 }' |
		sort -u
}

# download SERIES PKG - download PKG with SERIES' apt into the current
# directory
download()
{
	if [[ $1 == sid ]]; then
		sid_download "$2"
	else
		apt_download "$2"
	fi
}

# usr_merged_layout ROOT VERSION - give a kernel unpacked into ROOT the paths
# of bookworm's packages: unstable's have no /lib (it is /usr/lib) and keep
# the kernel and its config as /usr/lib/modules/VERSION/{vmlinuz,config}
usr_merged_layout()
{
	local root=$1 ver=$2 mod=usr/lib/modules/$2 f

	[[ -d $root/$mod && ! -e $root/lib ]] && ln -s usr/lib "$root/lib"
	mkdir -p "$root/boot"
	for f in vmlinuz config System.map; do
		[[ -f $root/$mod/$f && ! -e $root/boot/$f-$ver ]] &&
			ln -s "../$mod/$f" "$root/boot/$f-$ver"
	done
	return 0
}

# fetch_locked VERSION DIR - do the work of fetch while holding DIR's lock
fetch_locked()
{
	local ver=$1 dir=$2 stamp=$2/.fetched tmp deb series=host
	local -a pkgs

	if [[ -f $stamp && -f $dir/root/boot/vmlinuz-$ver ]]; then
		return 0
	fi

	need_pkgs kmod || die "need kmod for depmod"
	tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $tmp is local
	trap "rm -rf '$tmp'" EXIT

	from_sid "$ver" && series=sid
	mapfile -t pkgs < <(image_pkgs "$series" "$ver")
	echo "kernels.sh: downloading ${pkgs[*]}" >&2
	for deb in "${pkgs[@]}"; do
		(cd "$tmp" && download "$series" "$deb") ||
			die "apt-get download $deb failed"
	done
	for deb in "$tmp"/*.deb; do
		echo "kernels.sh: unpacking $(basename "$deb")" >&2
		dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $deb failed"
	done
	usr_merged_layout "$tmp/root" "$ver"
	[[ -f $tmp/root/boot/vmlinuz-$ver ]] || die "${pkgs[*]}: no boot/vmlinuz-$ver"
	[[ -d $tmp/root/lib/modules/$ver ]] || die "${pkgs[*]}: no lib/modules/$ver"
	depmod -b "$tmp/root" "$ver" || die "depmod -b $tmp/root $ver failed"

	rm -rf "$dir/root" "$dir"/*.deb
	mv "$tmp/root" "$dir/root"
	mv "$tmp"/*.deb "$dir/"
	date -u +%FT%TZ >"$stamp"
	rm -rf "$tmp"
	trap - EXIT
}

# fetch SERIES|VERSION - unpack linux-image-VERSION into the cache, print the dir
fetch()
{
	local ver dir

	ver=$(resolve "$1")
	dir=$VMSCOPE_CACHE/kernels/$ver
	mkdir -p "$dir" || die "cannot create $dir"
	# Parallel make may fetch the same kernel twice at once: take turns.
	(
		flock 9 || die "cannot lock $dir/.lock"
		fetch_locked "$ver" "$dir"
	) 9>"$dir/.lock"
	echo "$dir"
}

main()
{
	local cmd=${1:-}

	case $cmd in
	resolve | headers | fetch)
		(($# == 2)) || { usage >&2; exit 2; }
		case $cmd in
		resolve) resolve "$2" ;;
		headers) headers "$2" ;;
		fetch) fetch "$2" ;;
		esac
		;;
	list)
		(($# == 1)) || { usage >&2; exit 2; }
		local s
		for s in "${SERIES_ALL[@]}"; do
			resolve "$s"
		done
		;;
	-h | --help | help)
		usage
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
}

main "$@"; exit
