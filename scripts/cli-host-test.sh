#!/bin/bash
# shellcheck disable=SC2317  # the helpers are called through t()
# SPDX-License-Identifier: GPL-2.0
#
# cli-host-test.sh [VMSCOPE] - what of the CLI needs no kernel module,
# tested on the host: usage errors and their exit status, --help and the
# column lists of every command, `exp list` with every table option (its
# JSON read by Python's json module), write errors (/dev/full) and a reader
# that goes away early, the man page against the program, and the bash
# completion.  The views that need the module are tested in the VM
# (selftests/vmscope_cli_test.c).  TAP output; exits non-zero on failure.

set -uo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(dirname "$SCRIPT_DIR")
CLI=${1:-$TOP/userspace/vmscope}
n=0
bad=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

t()
{
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/log" 2>&1; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/#   /' "$tmp/log"
		bad=1
	fi
}

# status WANT ARGS... - vmscope ARGS exits with WANT
status()
{
	local want=$1 got
	shift
	"$CLI" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[[ $got == "$want" ]] || { echo "vmscope $*: exit $got, want $want"; cat "$tmp/err"; return 1; }
}

cmds=$("$CLI" --help | awk '/^Commands:/ { on = 1; next }
	on && /^  [a-z]/ { print $1 } /^$/ { on = 0 }' | grep -vx help)

t "vmscope --help: 0" status 0 --help
t "vmscope --version: 0" status 0 --version
t "vmscope without a command: 2" status 2
t "unknown command: 2" status 2 no-such-command
t "help of an unknown command: 2" status 2 help no-such-command
# the views on the column layer (trace writes a file, top a screen and
# export OpenMetrics: no columns)
for c in info translate walk pagetable layout faults oom reclaim exp memory \
	cache wss heatmap doctor leak replace; do
	t "$c --help lists its columns" \
		sh -c "'$CLI' $c --help | grep -q '(\* shown by default; JSON key, type):'"
done
for c in $cmds; do
	t "$c --help: 0" status 0 "$c" --help
	t "$c --no-such-option: 2" status 2 "$c" --no-such-option
	t "$c --help >/dev/full: 1, 'write error'" \
		sh -c "! '$CLI' $c --help >/dev/full 2>'$tmp/e'; r=\$?; grep -q 'write error' '$tmp/e'"
done
# without the module (never loaded on the host): a failure, not a usage error
if [[ ! -e /dev/vmscope ]]; then
	t "info without the module: 1, says what to do" \
		sh -c "'$CLI' info 2>&1 >/dev/null | grep -q 'module is not loaded'"
	t "info without the module: exit 1" status 1 info
	t "-o NO-SUCH before the module is needed: 2" status 2 layout -o NO-SUCH 1
	t "bad PID: 2" status 2 layout not-a-pid
	# the views converted later: a bad column or option is a usage
	# error before the module is opened
	for v in memory "cache /" "cache --top 3" "cache --watch 1" \
		"wss 1" "wss --curve 1" "heatmap 1" doctor "leak 1"; do
		# shellcheck disable=SC2086 # $v is a command and its arguments
		t "$v -o NO-SUCH: 2" status 2 $v -o NO-SUCH
		t "$v -o NO-SUCH: says 'unknown column'" \
			sh -c "'$CLI' $v -o NO-SUCH 2>&1 >/dev/null | grep -q 'unknown column'"
		# shellcheck disable=SC2086
		# shellcheck disable=SC2086
		t "$v -o '': 2" status 2 $v -o ''
	done
	t "heatmap --rows 2: 2" status 2 heatmap --rows 2 1
	t "cache with nothing to show: 2" status 2 cache -J
	t "cache --count 0: 2" status 2 cache --watch 1 --count 0
	t "trace without -w: 2" status 2 trace 1
fi

# exp list: every table option, no module needed
t "exp list: 0" status 0 exp list
t "exp list --json: parses" sh -c "'$CLI' exp list --json >'$tmp/out' && python3 -c '
import json, sys
d = json.load(open(\"$tmp/out\"))
assert isinstance(d, list) and d, d
assert all(set(e) == {\"name\", \"claim\", \"needs\"} for e in d), d[0]
assert all(isinstance(e[\"needs\"], list) for e in d)
'"
t "exp list -J -o name: only that key" sh -c "'$CLI' exp list -J -o name | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert all(list(e) == [\"name\"] for e in d), d[0]
'"
t "exp list -o NAME,NEEDS: that header" sh -c "'$CLI' exp list -o NAME,NEEDS | head -n1 | grep -qx 'NAME *NEEDS'"
t "exp list -o +NEEDS: the defaults and NEEDS" sh -c "'$CLI' exp list -o +needs | head -n1 | grep -qx 'NAME *CLAIM *NEEDS'"
t "exp list --output-all: every column" sh -c "'$CLI' exp list --output-all | head -n1 | grep -qx 'NAME *CLAIM *NEEDS'"
t "exp list -n: no header" sh -c "! '$CLI' exp list -n | grep -q '^NAME'"
t "exp list -n -r -o NAME: one name a line, as 'exp run' takes them" \
	sh -c "'$CLI' exp list -n -r -o NAME | grep -qx malloc-threshold"
t "exp list -r: one space, spaces escaped" \
	sh -c "'$CLI' exp list -r -n -o NAME,CLAIM | grep -q '^malloc-threshold malloc\\\\x20serves'"
t "exp list -o NO-SUCH: 2" status 2 exp list -o NO-SUCH
t "exp list -o '': 2" status 2 exp list -o ''
t "exp run no-such: 2" status 2 exp run no-such-experiment
t "exp run no-such --json: 2, for the name" \
	sh -c "'$CLI' exp run no-such --json 2>&1 | grep -q \"no experiment 'no-such'\""
t "exp run NAME --json KEY=VALUE: options after the name" \
	sh -c "! '$CLI' exp run malloc-threshold --json small=1 2>&1 | grep -q unexpected"
t "exp run NAME --bogus: 2" status 2 exp run malloc-threshold --bogus
t "exp run NAME not-key-value: 2" status 2 exp run malloc-threshold oops
t "exp run: 2" status 2 exp run
t "exp list --json >/dev/full: 1, 'write error'" \
	sh -c "! '$CLI' exp list --json >/dev/full 2>'$tmp/e' && grep -q 'write error' '$tmp/e'"
t "exp list >/dev/full: 1" sh -c "! '$CLI' exp list >/dev/full 2>/dev/null"
t "exp list | head -1: quiet" sh -c "'$CLI' exp list 2>'$tmp/e' | head -n1 >/dev/null; [ ! -s '$tmp/e' ]"
t "exp list | head -c1, SIGPIPE ignored: quiet" \
	sh -c "trap '' PIPE; '$CLI' exp list --output-all 2>'$tmp/e' | head -c1 >/dev/null; [ ! -s '$tmp/e' ]"

# replace: the table of runs needs no module; Silberschatz's string has
# 9, 15 and 12 faults with 3 frames under OPT, FIFO and LRU (his 9.4)
S=7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1
t "replace --noheadings --raw -o: the rows alone" \
	sh -c "[ \"\$('$CLI' replace --refs $S -f 3 --noheadings --raw -o ALGO,FAULTS)\" = \"\$(printf 'opt 9\\nfifo 15\\nlru 12')\" ]"
t "replace --raw -o +FRAMES: the default header and FRAMES" \
	sh -c "'$CLI' replace --refs $S -f 3 --raw -o +FRAMES | head -n1 | grep -qx 'ALGO FAULTS HITS RATE EVICTIONS WRITE-BACKS FRAMES'"
t "replace --output-all --raw: every column" \
	sh -c "'$CLI' replace --refs $S -f 3 --output-all --raw | head -n1 | grep -qx 'ALGO FRAMES FAULTS HITS RATE EVICTIONS WRITE-BACKS'"
t "replace -J -o: the runs have those keys, and parse" sh -c "'$CLI' replace --refs $S -f 2-3 -J -o algo,faults | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d[\"runs\"]) == 6, d
assert all(list(r)[:2] == [\"algo\", \"faults\"] for r in d[\"runs\"]), d
'"
t "replace -J: whole runs with fault_percent, parse" sh -c "'$CLI' replace --refs $S -a fifo,lru -f 3 -J | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = {x[\"algo\"]: x for x in d[\"runs\"]}
assert r[\"fifo\"][\"faults\"] == 15 and r[\"lru\"][\"faults\"] == 12, r
assert r[\"fifo\"][\"fault_percent\"] == 75.0, r
assert r[\"lru\"][\"params\"] == {} and r[\"lru\"][\"references\"] == 20, r
'"
t "replace -o NO-SUCH: 2" status 2 replace --refs 1,2 -o NO-SUCH
t "replace --raw with a range: 2" status 2 replace --refs 1,2 -f 1-3 --raw
t "replace >/dev/full: 1, 'write error'" \
	sh -c "! '$CLI' replace --refs $S >/dev/full 2>'$tmp/e' && grep -q 'write error' '$tmp/e'"
t "replace -J >/dev/full: 1" sh -c "! '$CLI' replace --refs $S -J >/dev/full 2>/dev/null"
t "replace | head -c1: quiet" \
	sh -c "trap '' PIPE; '$CLI' replace --refs $S --output-all 2>'$tmp/e' | head -c1 >/dev/null; [ ! -s '$tmp/e' ]"

# the man page and the program agree; the completion knows the program
t "vmscope(8) against the program" sh -c "'$TOP/scripts/mkman.sh' '$CLI' '$TOP/Documentation/man/vmscope.8.in' test >'$tmp/vmscope.8' && '$TOP/scripts/check-man.sh' '$CLI' '$tmp/vmscope.8'"
complete_words()
{
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vmscope; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$TOP/completion/vmscope" "$CLI" "$@"
}
t "completion: commands" sh -c "$(declare -f complete_words); TOP='$TOP' CLI='$CLI' complete_words lay | grep -qx layout"
t "completion: options" sh -c "$(declare -f complete_words); TOP='$TOP' CLI='$CLI' complete_words layout --no | grep -qx -- --noheadings"
t "completion: wss, heatmap and trace --no-aging" sh -c "$(declare -f complete_words); TOP='$TOP'; CLI='$CLI'; for c in wss heatmap trace; do complete_words \$c --no-a | grep -qx -- --no-aging || exit 1; done"
t "completion: columns after -o, and +LIST" sh -c "$(declare -f complete_words); TOP='$TOP' CLI='$CLI' complete_words layout -o +SIZE,RS | grep -qx +SIZE,RSS"
t "completion: experiments" sh -c "$(declare -f complete_words); TOP='$TOP' CLI='$CLI' complete_words exp run malloc-t | grep -qx malloc-threshold"
t "completion: columns of a later view" sh -c "$(declare -f complete_words); TOP='$TOP' CLI='$CLI' complete_words memory -o PER | grep -qx PERCENT"
t "completion: the watch columns too" sh -c "$(declare -f complete_words); TOP='$TOP' CLI='$CLI' complete_words cache -o REF | grep -qx REFAULT"
t "completion: trace -w is a file" sh -c "$(declare -f complete_words); cd '$TOP'; TOP='$TOP' CLI='$CLI' complete_words trace -w READ | grep -qx README.md"
t "completion: replace's algorithms after -a, in a list" sh -c "$(declare -f complete_words); TOP='$TOP' CLI='$CLI' complete_words replace -a fifo,cl | grep -qx fifo,clock"
t "completion: replace --trace is a file" sh -c "$(declare -f complete_words); cd '$TOP'; TOP='$TOP' CLI='$CLI' complete_words replace --trace READ | grep -qx README.md"
t "completion: PIDs" sh -c "$(declare -f complete_words); TOP='$TOP' CLI='$CLI' complete_words layout $$ | grep -qx $$"

echo "1..$n"
exit "$bad"
