#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - make sure Debian packages that vmscope's scripts need are installed
#
# Sourced:   . scripts/deps.sh; need_pkgs qemu-system-x86 cpio
# Executed:  scripts/deps.sh qemu-system-x86 cpio
#
# Only packages that are not installed yet are handed to apt-get, and
# `apt-get update` runs at most once per shell, and only if something is
# missing. apt's chatter goes to stderr so that callers can keep stdout for
# their own results.

# Set once `apt-get update` has run in this shell.
_VMSCOPE_APT_UPDATED=${_VMSCOPE_APT_UPDATED:-}

# pkg_installed PKG - succeed if dpkg says PKG is installed
pkg_installed()
{
	local status

	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[[ $status == *" ok installed" ]]
}

# apt_update_once - run `apt-get update` unless this shell already did
apt_update_once()
{
	[[ -n $_VMSCOPE_APT_UPDATED ]] && return 0
	echo "deps.sh: apt-get update" >&2
	if ! apt-get update -q >&2; then
		echo "deps.sh: error: apt-get update failed" >&2
		return 1
	fi
	_VMSCOPE_APT_UPDATED=1
}

# need_pkgs PKG... - install whichever of the Debian packages PKG... are missing
need_pkgs()
{
	local pkg
	local -a missing=()

	for pkg in "$@"; do
		pkg_installed "$pkg" || missing+=("$pkg")
	done
	((${#missing[@]} == 0)) && return 0

	if ((EUID != 0)); then
		echo "deps.sh: error: missing Debian packages: ${missing[*]}" >&2
		echo "deps.sh: run as root: apt-get install --no-install-recommends ${missing[*]}" >&2
		return 1
	fi

	apt_update_once || return 1
	echo "deps.sh: installing ${missing[*]}" >&2
	if ! DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
		echo "deps.sh: error: apt-get install ${missing[*]} failed" >&2
		return 1
	fi
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	if (($# == 0)); then
		echo "usage: $0 PKG..." >&2
		exit 2
	fi
	need_pkgs "$@"
fi
