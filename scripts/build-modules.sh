#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-modules.sh [SERIES|VERSION...] - build vmscope.ko for each test kernel
# (default: 6.1, 6.12 and sid) with W=1 and sparse (C=2), in a copy of the
# sources under $VMSCOPE_CACHE/build/VERSION/ so the work tree is left alone.
# A kernel of Debian unstable is built in the unstable chroot, with its own
# compiler and sparse (scripts/sid-chroot.sh).
# Writes build/VERSION/vmscope.ko and build/VERSION/build.log; prints the
# log's warnings and fails if a build fails.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(dirname "$SCRIPT_DIR")
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"
# shellcheck source=scripts/sid-chroot.sh
. "$SCRIPT_DIR/sid-chroot.sh"
VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}

need_pkgs make gcc sparse kmod

build_one()
{
	local kdir ver out src
	local -a run

	ver=$("$SCRIPT_DIR/kernels.sh" resolve "$1")
	kdir=$("$SCRIPT_DIR/kernels.sh" headers "$ver")
	out=$VMSCOPE_CACHE/build/$ver
	src=$out/src
	run=()
	if [[ $kdir == "$SID_ROOT"/* ]]; then
		# in the chroot, where the kernel's compiler is
		src=$SID_ROOT/vmscope-build/$ver
		run=(sid_run)
	fi
	rm -rf "$src"
	mkdir -p "$src" "$out"
	cp -r "$TOP/Kbuild" "$TOP/module" "$TOP/include" "$src/"
	echo "build-modules.sh: building vmscope.ko for $ver" >&2
	if ! "${run[@]}" make -C "${kdir#"$SID_ROOT"}" M="${src#"$SID_ROOT"}" \
		W=1 C=2 modules >"$out/build.log" 2>&1; then
		cat "$out/build.log" >&2
		echo "build-modules.sh: error: build for $ver failed" >&2
		return 1
	fi
	grep -E 'warning:|error:' "$out/build.log" >&2 || true
	cp "$src/module/vmscope.ko" "$out/vmscope.ko"
	echo "$out"
}

(($# > 0)) || set -- 6.1 6.12 sid
for k in "$@"; do
	build_one "$k"
done
