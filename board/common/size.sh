#!/bin/sh
# size.sh BUDGETFILE ARCH:BINARY:SIZECMD...
# Prints one row per binary: stripped file size, text/data/bss (from the
# arch's own binutils `size`, which knows its ELF), the budget from
# BUDGETFILE ("arch bytes" lines) and OK/OVER. Exits 1 if any is over budget
# or missing.
set -eu
budgets=${1:?usage: size.sh BUDGETFILE ARCH:BINARY:SIZECMD...}
shift
rc=0
printf '%-8s %8s %8s %6s %6s %8s  %s\n' arch bytes text data bss budget status
for spec in "$@"; do
	arch=${spec%%:*} rest=${spec#*:}
	bin=${rest%%:*} sizecmd=${rest#*:}
	budget=$(awk -v a="$arch" '$1 == a { print $2 }' "$budgets")
	if [ ! -f "$bin" ]; then
		printf '%-8s %8s\n' "$arch" missing; rc=1; continue
	fi
	bytes=$(wc -c < "$bin" | tr -d ' ')
	# shellcheck disable=SC2046
	set -- $("$sizecmd" "$bin" | awk 'NR == 2 { print $1, $2, $3 }')
	status=OK
	if [ -z "$budget" ]; then status="no budget"; rc=1
	elif [ "$bytes" -gt "$budget" ]; then status="OVER by $((bytes - budget))"; rc=1
	fi
	printf '%-8s %8s %8s %6s %6s %8s  %s\n' "$arch" "$bytes" "$1" "$2" "$3" "${budget:--}" "$status"
done
exit $rc
