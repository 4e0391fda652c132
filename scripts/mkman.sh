#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkman.sh VMSCOPE TEMPLATE VERSION - write vmscope(8) to stdout: TEMPLATE
# (Documentation/man/vmscope.8.in) with each line '.\" @COLUMNS CMD@'
# replaced by the output columns `VMSCOPE help CMD` lists, so that the
# page and the program's column descriptions cannot disagree.

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

while IFS= read -r line; do
	if [[ $line =~ ^\.\\\"\ @COLUMNS\ ([a-z]+)@$ ]]; then
		columns "${BASH_REMATCH[1]}" | sed -e 's/\\/\\e/g' -e 's/-/\\-/g'
	elif [[ $line == .\\\"* ]]; then
		continue	# the template's own comments
	else
		printf '%s\n' "${line//@VERSION@/$version}"
	fi
done <"$template"
