#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh - `make check-debug`: the selftests on a 6.12 kernel built
# with KASAN, lockdep, DEBUG_VM, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, kmemleak
# and fault injection (scripts/debug-kernel.sh; built once per machine and
# kept in the cache), with 4- and 5-level paging.  Any KASAN, lockdep,
# sleeping-in-atomic or kmemleak report fails the run.  Prints each mode's
# results, how long the kernel's build (or its look-up in the cache) and
# the VMs took, and ends with "N passed, N failed, N skipped".

set -uo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(dirname "$SCRIPT_DIR")
cd "$TOP" || exit 1
export VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
passed=0
failed=0
skipped=0

fail_all()
{
	echo "check-debug.sh: $*" >&2
	echo "$passed passed, $((failed + 1)) failed, $skipped skipped"
	exit 1
}

start=$SECONDS
ver=$(scripts/debug-kernel.sh) || fail_all "cannot build the debug kernel"
echo "check-debug.sh: debug kernel $ver ready after $((SECONDS - start))s"
out=$(scripts/build-modules.sh "$ver" | tail -n1) ||
	fail_all "cannot build vmscope.ko for $ver"
make -s selftests || fail_all "cannot build the selftests"
make -s -C userspace || fail_all "cannot build the CLI"

# Both vCPUs in one TCG thread (vmtest.sh's default) made the debug
# kernel too slow to test: measured on 2026-12-06, the 4-level VM ran 43
# minutes and tests hit their timeouts (the pressure experiment's reclaim
# case its 300 s, the replace CLI's bad input 30 s), about twice what the
# same tests took with a thread per vCPU.  So check-debug runs MTTCG, where
# now and then a vCPU executes an int3 that text_poke_bp() has already
# removed: that shows as an Oops in the kernel log, fails the run, and is
# QEMU's, not vmscope's (see run_vm in selftests/vmtest.sh).
export VMSCOPE_VM_TCG=${VMSCOPE_VM_TCG:-multi}

start=$SECONDS
for levels in 4 5; do
	res=$VMSCOPE_CACHE/check/debug-$levels.result
	mkdir -p "${res%/*}"
	rm -f "$res"
	# a test takes 10 to 40 times as long on the debug kernel under TCG
	VMSCOPE_TEST_TIMEOUT=1200 selftests/vmtest.sh -q -k "$ver" \
		-l "$levels" -m "$out/vmscope.ko" -t 3600 -r "$res"
	if [[ -s $res ]]; then
		p=$(sed -n 's/.*passed=\([0-9]*\).*/\1/p' "$res")
		f=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' "$res")
		s=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' "$res")
		passed=$((passed + ${p:-0}))
		failed=$((failed + ${f:-1}))
		skipped=$((skipped + ${s:-0}))
	else
		failed=$((failed + 1))
	fi
done
echo "check-debug.sh: both VMs ran $((SECONDS - start))s"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
