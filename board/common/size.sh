#!/bin/sh
# size.sh BUDGETFILE ARCH:DIR...
# Prints one row per binary (DIR/echod, DIR/echoprobe): file size, text,
# data and bss from the program headers (the binaries have no section
# headers left: board/common/sstrip.py), the budget from BUDGETFILE ("arch
# echod-bytes echoprobe-bytes" lines) and OK/OVER. Exits 1 if any is over
# budget or missing.
set -eu
budgets=${1:?usage: size.sh BUDGETFILE ARCH:DIR...}
shift
rc=0
printf '%-8s %-10s %8s %8s %6s %6s %8s  %s\n' arch binary bytes text data bss budget status
for spec in "$@"; do
	arch=${spec%%:*} dir=${spec#*:}
	col=2
	for name in echod echoprobe; do
		bin=$dir/$name
		budget=$(awk -v a="$arch" -v c="$col" '$1 == a { print $c }' "$budgets")
		col=$((col + 1))
		if [ ! -f "$bin" ]; then
			printf '%-8s %-10s %8s\n' "$arch" "$name" missing; rc=1; continue
		fi
		bytes=$(wc -c < "$bin" | tr -d ' ')
		# LOAD lines: FileSiz and MemSiz in hex; "R E" is text.
		t=0 d=0 b=0
		# shellcheck disable=SC2046
		set -- $(readelf -lW "$bin" | awk '$1 == "LOAD" { print ($0 ~ / R E /) ? "t" : "d", $5, $6 }')
		while [ $# -ge 3 ]; do
			if [ "$1" = t ]; then t=$((t + $2)); else d=$((d + $2)) b=$((b + $3 - $2)); fi
			shift 3
		done
		set -- "$t" "$d" "$b"
		status=OK
		if [ -z "$budget" ]; then status="no budget"; rc=1
		elif [ "$bytes" -gt "$budget" ]; then status="OVER by $((bytes - budget))"; rc=1
		fi
		printf '%-8s %-10s %8s %8s %6s %6s %8s  %s\n' "$arch" "$name" "$bytes" "$1" "$2" "$3" "${budget:--}" "$status"
	done
done
exit $rc
