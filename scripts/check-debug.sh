#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh - `make check-debug`: the selftests on a 6.12 kernel built
# with KASAN, lockdep, DEBUG_VM, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, kmemleak
# and fault injection (scripts/debug-kernel.sh; built once per machine,
# 20-30 minutes on 2 cores), with 4- and 5-level paging.  Any KASAN,
# lockdep, sleeping-in-atomic or kmemleak report fails the run.  Ends with
# "N passed, N failed".

set -uo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(dirname "$SCRIPT_DIR")
cd "$TOP" || exit 1
export VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
passed=0
failed=0

fail_all()
{
	echo "check-debug.sh: $*" >&2
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
}

ver=$(scripts/debug-kernel.sh) || fail_all "cannot build the debug kernel"
out=$(scripts/build-modules.sh "$ver" | tail -n1) ||
	fail_all "cannot build vmscope.ko for $ver"
make -s selftests || fail_all "cannot build the selftests"
make -s -C userspace || fail_all "cannot build the CLI"

for levels in 4 5; do
	res=$VMSCOPE_CACHE/check/debug-$levels.result
	mkdir -p "${res%/*}"
	rm -f "$res"
	# a KASAN kernel under TCG is several times slower
	VMSCOPE_TEST_TIMEOUT=1200 selftests/vmtest.sh -q -k "$ver" \
		-l "$levels" -m "$out/vmscope.ko" -t 3600 -r "$res"
	if [[ -s $res ]]; then
		p=$(sed -n 's/.*passed=\([0-9]*\).*/\1/p' "$res")
		f=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' "$res")
		passed=$((passed + ${p:-0}))
		failed=$((failed + ${f:-1}))
	else
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
((failed == 0))
