#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ksft.sh - extract what vmscope needs from Debian's linux-source-6.12 into
# the cache, and print the directory holding it:
#   DIR/tools/testing/selftests   lib.mk, kselftest_harness.h, kselftest.h
#   DIR/scripts                   checkpatch.pl and its data files, kernel-doc
#   DIR/.clang-format
# The extraction is keyed by the package version, so an upgrade re-extracts.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"

VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
PKG=linux-source-6.12
FILES=(
	tools/testing/selftests/lib.mk
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	scripts/kernel-doc
	.clang-format
)

need_pkgs "$PKG" xz-utils
version=$(dpkg-query -W -f='${Version}' "$PKG")
# keyed by the package's version and by what is taken from it
key=$(printf '%s\n' "${FILES[@]}" | sha256sum | cut -c1-8)
dir=$VMSCOPE_CACHE/ksrc-$version-$key
if [[ ! -e $dir/.stamp ]]; then
	tarball=$(dpkg -L "$PKG" | grep -E '/linux-source-[0-9.]+\.tar\.(xz|bz2|gz)$' | head -n1)
	[[ -n $tarball ]] || { echo "ksft.sh: no source tarball in $PKG" >&2; exit 1; }
	top=$(basename "$tarball"); top=${top%.tar.*}
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	echo "ksft.sh: extracting selftest harness and checkpatch from $tarball" >&2
	tar -xf "$tarball" -C "$dir.tmp" --strip-components=1 \
		"${FILES[@]/#/$top/}"
	touch "$dir.tmp/.stamp"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
echo "$dir"
