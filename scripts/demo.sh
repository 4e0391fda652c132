#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - `make demo`: install what is missing, build the module for a
# Debian test kernel and the CLI, boot the kernel in QEMU, load the module
# and run the guided tour (scripts/tour.sh) on real processes in the VM.
#
# KERNEL=6.1|6.12 (default 6.12) and LEVELS=4|5 (default 5) choose the VM.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(dirname "$SCRIPT_DIR")
cd "$TOP"
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"
export VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
KERNEL=${KERNEL:-6.12}
LEVELS=${LEVELS:-5}

need_pkgs make gcc libc6-dev pkg-config libsmartcols-dev sparse \
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd
ver=$(scripts/kernels.sh resolve "$KERNEL")
echo "demo: building vmscope for $ver" >&2
out=$(scripts/build-modules.sh "$ver" | tail -n1)
make -s -C userspace >&2
mkdir -p "$VMSCOPE_CACHE/demo-tests"
echo "demo: booting $ver with $LEVELS-level paging under QEMU" >&2
selftests/vmtest.sh -k "$ver" -l "$LEVELS" -m "$out/vmscope.ko" \
	-T "$VMSCOPE_CACHE/demo-tests" \
	-a scripts/tour.sh:/usr/bin/vmscope-tour \
	-a userspace/vmscope-shape:/usr/bin/vmscope-shape -- vmscope-tour
