#!/bin/sh
# pkg-sizes.sh [REV]: lines of Go per package of the module at REV (default
# the working tree): code (without _test.go) and tests, testdata left out,
# as a Markdown table sorted by package. Used for the before/after table
# of issue 19 in docs/engine.md.
set -eu
rev=${1:-}
if [ -n "$rev" ]; then
	files=$(git ls-tree -r --name-only "$rev" -- cmd internal | grep '\.go$' | grep -v '/testdata/')
	count() { git show "$rev:$1" | wc -l; }
else
	files=$(git ls-files -- cmd internal | grep '\.go$' | grep -v '/testdata/')
	count() { wc -l <"$1"; }
fi
for f in $files; do
	n=$(count "$f")
	case "$f" in
	*_test.go) echo "$(dirname "$f") 0 $n" ;;
	*) echo "$(dirname "$f") $n 0" ;;
	esac
done | sort | awk '
	$1 != p { if (p != "") printf "| `%s` | %d | %d |\n", p, c, t; p = $1; c = 0; t = 0 }
	{ c += $2; t += $3; C += $2; T += $3 }
	BEGIN { print "| package | code | tests |"; print "|---|---:|---:|" }
	END { if (p != "") printf "| `%s` | %d | %d |\n", p, c, t; printf "| **total** | %d | %d |\n", C, T }'
