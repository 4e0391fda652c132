#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - `make bench`: run userspace/vmscope-bench in the test VM
# (KERNEL=6.1|6.12, default 6.12; LEVELS=4|5, default 4), with 3G of guest
# memory so that the 1 GiB dense case fits, and print its table.
# BENCH_ARGS=--json for JSON.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(dirname "$SCRIPT_DIR")
cd "$TOP"
# shellcheck source=scripts/deps.sh
. "$SCRIPT_DIR/deps.sh"
export VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
KERNEL=${KERNEL:-6.12}
LEVELS=${LEVELS:-4}

need_pkgs make gcc libc6-dev pkg-config libsmartcols-dev sparse \
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd
ver=$(scripts/kernels.sh resolve "$KERNEL")
out=$(scripts/build-modules.sh "$ver" | tail -n1)
make -s -C userspace vmscope-bench >&2
mkdir -p "$VMSCOPE_CACHE/bench-tests"
echo "bench: $ver, $LEVELS-level paging" >&2
VMSCOPE_VM_MEM=3G selftests/vmtest.sh -q -k "$ver" -l "$LEVELS" \
	-m "$out/vmscope.ko" -T "$VMSCOPE_CACHE/bench-tests" -t 1200 \
	-a userspace/vmscope-bench:/usr/bin/vmscope-bench \
	-- "vmscope-bench ${BENCH_ARGS:-}"
