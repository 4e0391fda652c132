#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - `make bench`: run userspace/vmscope-bench in the test VM
# (KERNEL=6.1|6.12, default 6.12; LEVELS=4|5, default 4), with 3G of guest
# memory so that the 1 GiB dense case fits, and print its table.
# BENCH_ARGS=--json for JSON.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
cd "$(dirname "$SCRIPT_DIR")"
# shellcheck source=scripts/vmprep.sh
. "$SCRIPT_DIR/vmprep.sh"
KERNEL=${KERNEL:-6.12}
LEVELS=${LEVELS:-4}

vm_prepare "$KERNEL"
echo "bench: $VM_VERSION, $LEVELS-level paging" >&2
VMSCOPE_VM_MEM=3G selftests/vmtest.sh -q -k "$VM_VERSION" -l "$LEVELS" \
	-m "$VM_MODULE" -T "$VM_NOTESTS" -t 1200 \
	-a userspace/vmscope-bench:/usr/bin/vmscope-bench \
	-- "vmscope-bench ${BENCH_ARGS:-}"
