#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-man.sh VMSCOPE MANPAGE - fail when vmscope(8) and the program
# disagree: every command of `vmscope --help` has a section, every option
# and output column of `vmscope help CMD` is in the page, and every option
# the page gives a command is one the command takes.

set -uo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 VMSCOPE MANPAGE" >&2; exit 2; }
cli=$1
page=$2
bad=0

fail()
{
	echo "check-man: $*" >&2
	bad=1
}

# The roff of the section of command CMD: from its .SS to the next .SS
# of another command or .SH.
section()
{
	awk -v cmd="$1" '
	/^\.SH / { on = 0 }
	/^\.SS "vmscope / {
		w = $3; gsub(/[^a-z]/, "", w)
		on = (w == cmd)
	}
	on { print }' "$page"
}

# The section of the options every table shares.
shared=$(awk '/^\.SH / { on = /^\.SH OPTIONS SHARED BY EVERY TABLE/ }
	on { print }' "$page")

# long options as the page writes them: \-\-name -> --name
page_opts()
{
	grep -oE '\\-\\-[a-z]([a-z]|\\-)*' | sed 's/\\//g' | sort -u
}

help_opts()
{
	grep -oE '^ +(-[A-Za-z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+$' |
		sort -u
}

cmds=$("$cli" --help | awk '/^Commands:/ { on = 1; next }
	on && /^  [a-z]/ { print $1 } /^$/ { on = 0 }' | grep -vx help)
[[ -n $cmds ]] || fail "no commands in '$cli --help'"

for cmd in $cmds; do
	sec=$(section "$cmd")
	if [[ -z $sec ]] || ! grep -q "^\.SS \"vmscope $cmd" <<<"$sec"; then
		fail "$cmd: no section '.SS \"vmscope $cmd ...' in $page"
		continue
	fi
	help=$("$cli" help "$cmd") || fail "$cmd: 'vmscope help $cmd' failed"
	for o in $(help_opts <<<"$help"); do
		grep -qF -- "${o//-/\\-}" <<<"$sec$shared" ||
			fail "$cmd: option $o is not in its man page section"
	done
	for o in $(page_opts <<<"$sec"); do
		[[ $o == --help || $o == --version ]] && continue
		grep -qE -- "(^|[ ,])$o([ =,]|$)" <<<"$help" ||
			fail "$cmd: the man page gives it $o, which it does not take"
	done
	while read -r col; do
		grep -qxF ".B ${col//-/\\-}" <<<"$sec" ||
			fail "$cmd: column $col is not in its man page section"
	done < <(awk '/ \(\* shown by default; JSON key, type\):$/ { on = 1; next }
		on && /^ [* ][^ ]/ { n = substr($0, 3); sub(/ .*/, "", n); print n; next }
		{ on = 0 }' <<<"$help")
done
exit "$bad"
