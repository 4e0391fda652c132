#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkman.sh VMSCOPE TEMPLATE VERSION - write vmscope(8) to stdout: TEMPLATE
# (Documentation/man/vmscope.8.in) with each line '.\" @COLUMNS CMD@'
# replaced by the output columns `VMSCOPE help CMD` lists, so that the
# page and the program's column descriptions cannot disagree, and the line
# '.\" @OTHER-COMMANDS@' by a section for each command of `VMSCOPE --help`
# that the template has none for: its `help CMD` text as it is.

set -euo pipefail

[[ $# -eq 3 ]] || { echo "usage: $0 VMSCOPE TEMPLATE VERSION" >&2; exit 2; }
cli=$1
template=$2
version=$3

# columns CMD - the column lists of `vmscope help CMD` as roff
columns()
{
	"$cli" help "$1" | awk '
	/ \(\* shown by default; JSON key, type\):$/ {
		sub(/ \(\* shown by default; JSON key, type\):$/, "")
		printf(".PP\n.B %s\n(* shown by default; the JSON key and its type in brackets):\n", $0)
		incols = 1
		next
	}
	incols && /^ [* ][^ ]/ {
		def = substr($0, 2, 1) == "*" ? " *" : ""
		rest = substr($0, 3)
		name = rest; sub(/ .*/, "", name)
		help = rest; sub(/^[^ ]+ +/, "", help)
		key = help; sub(/.*\[/, "[", key)
		sub(/ \[[^]]*\]$/, "", help)
		printf(".TP\n.B %s\n%s %s%s\n", name, help, key, def)
		next
	}
	{ incols = 0 }'
}

# other_commands - a section for each command the template does not have
other_commands()
{
	local cmd

	for cmd in $("$cli" --help | awk '/^Commands:/ { on = 1; next }
		on && /^  [a-z]/ { print $1 } /^$/ { on = 0 }' | grep -vx help); do
		grep -q "^\.SS \"vmscope ${cmd}[ \\\"]" "$template" && continue
		printf '.SS "vmscope %s"\n.nf\n' "$cmd"
		"$cli" help "$cmd" | sed -e 's/\\/\\e/g' -e 's/-/\\-/g' \
			-e "s/^[.']/\\\\\&&/"
		printf '.fi\n'
	done
}

while IFS= read -r line; do
	if [[ $line == '.\" @OTHER-COMMANDS@' ]]; then
		other_commands
	elif [[ $line =~ ^\.\\\"\ @COLUMNS\ ([a-z]+)@$ ]]; then
		columns "${BASH_REMATCH[1]}" | sed -e 's/\\/\\e/g' -e 's/-/\\-/g'
	elif [[ $line == .\\\"* ]]; then
		continue	# the template's own comments
	else
		printf '%s\n' "${line//@VERSION@/$version}"
	fi
done <"$template"
