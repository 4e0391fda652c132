#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-modules.sh [SERIES|VERSION...] - build vmscope.ko for each test kernel
# (default: 6.1 and 6.12) with W=1 and sparse (C=2), in a copy of the sources
# under $VMSCOPE_CACHE/build/VERSION/ so the work tree is left alone.
# Writes build/VERSION/vmscope.ko and build/VERSION/build.log; prints the
# log's warnings and fails if a build fails.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(dirname "$SCRIPT_DIR")
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"
VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}

need_pkgs make gcc sparse kmod

build_one()
{
	local kdir ver out src

	ver=$("$SCRIPT_DIR/kernels.sh" resolve "$1")
	kdir=$("$SCRIPT_DIR/kernels.sh" headers "$ver")
	out=$VMSCOPE_CACHE/build/$ver
	src=$out/src
	rm -rf "$src"
	mkdir -p "$src"
	cp -r "$TOP/Kbuild" "$TOP/module" "$TOP/include" "$src/"
	echo "build-modules.sh: building vmscope.ko for $ver" >&2
	if ! make -C "$kdir" M="$src" W=1 C=2 modules >"$out/build.log" 2>&1; then
		cat "$out/build.log" >&2
		echo "build-modules.sh: error: build for $ver failed" >&2
		return 1
	fi
	grep -E 'warning:|error:' "$out/build.log" >&2 || true
	cp "$src/module/vmscope.ko" "$out/vmscope.ko"
	echo "$out"
}

(($# > 0)) || set -- 6.1 6.12
for k in "$@"; do
	build_one "$k"
done
