#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - `make bench`: run userspace/vmscope-bench in the test VM
# (KERNEL=6.1|6.12, default 6.12; LEVELS=4|5, default 4), with 3G of guest
# memory so that the 1 GiB dense case and the OOM case's 2,000 processes
# fit, and print its table.  The layout and OOM cases run the CLI, which
# vmtest.sh puts at /usr/bin/vmscope.  BENCH_ARGS=--json for JSON
# (--walk, --layout-hold and the other options of vmscope-bench run one
# case).  Every ratio measured is also written, as one JSON document, to
# $BENCH_RATIOS (default $VMSCOPE_CACHE/bench-ratios.json).

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
cd "$(dirname "$SCRIPT_DIR")"
# shellcheck source=scripts/vmprep.sh
. "$SCRIPT_DIR/vmprep.sh"
KERNEL=${KERNEL:-6.12}
LEVELS=${LEVELS:-4}

vm_prepare "$KERNEL"
echo "bench: $VM_VERSION, $LEVELS-level paging" >&2
rc=0
# A host thread per vCPU: the slowdown and latency cases need the target
# and the reader to run at the same time, as on real CPUs (the tests run
# both vCPUs in one thread, see vmtest.sh)
VMSCOPE_VM_TCG=${VMSCOPE_VM_TCG:-multi} \
VMSCOPE_VM_MEM=3G selftests/vmtest.sh -q -k "$VM_VERSION" -l "$LEVELS" \
	-m "$VM_MODULE" -T "$VM_NOTESTS" -t 1800 \
	-a userspace/vmscope-bench:/usr/bin/vmscope-bench -a /usr/bin/fincore \
	-- "vmscope-bench ${BENCH_ARGS:-}" || rc=$?
# -q prints only the verdict: the benchmark's output is in the console log
log=$VMSCOPE_CACHE/logs/$VM_VERSION-L$LEVELS.log
sed -n '/^VMSCOPE: running:/,/^VMSCOPE-CMD rc=/{//!p}' "$log" |
	grep -av '^bench-ratios: ' || true
# every ratio of the run as one JSON document
ratios=${BENCH_RATIOS:-$VMSCOPE_CACHE/bench-ratios.json}
if grep -a '^bench-ratios: ' "$log" | tail -n 1 | tr -d '\r' |
	sed 's/^bench-ratios: //' >"$ratios.tmp" && [[ -s $ratios.tmp ]]; then
	mv "$ratios.tmp" "$ratios"
	echo "bench: every ratio in $ratios" >&2
else
	rm -f "$ratios.tmp"
fi
exit "$rc"
