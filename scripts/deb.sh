#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh - `make deb`: build the Debian packages vmscope (the CLI, its man
# page and bash completion) and vmscope-dkms (the module's source, built
# by DKMS for every installed kernel) with debhelper and dh-dkms, from a
# copy of the source tree, and check them with lintian.
#
# The packages are left in $VMSCOPE_CACHE/deb/; the last line printed is
# the directory.  Exits non-zero if the build fails or lintian reports an
# error or a warning.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(dirname "$SCRIPT_DIR")
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"
VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
OUT=$VMSCOPE_CACHE/deb

need_pkgs build-essential debhelper dh-dkms dkms fakeroot lintian \
	pkg-config libsmartcols-dev >&2 || exit 1

version=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
work=$OUT/build
rm -rf "$work" "$OUT"/*.deb "$OUT"/*.buildinfo "$OUT"/*.changes
mkdir -p "$work/vmscope-$version"
# what git tracks, and new files not yet committed; never build outputs
(cd "$TOP" && git ls-files -z -co --exclude-standard) |
	(cd "$TOP" && xargs -0 cp --parents -t "$work/vmscope-$version")

(cd "$work/vmscope-$version" && dpkg-buildpackage -us -uc -b) >&2
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$OUT"/
rm -rf "$work"

echo "deb.sh: lintian" >&2
lintian --fail-on error,warning "$OUT"/vmscope_"$version"_*.changes >&2
echo "$OUT"
