#!/bin/sh
# Counts the PASS:/FAIL: lines of every suite log in $1 and prints the
# closing line. Exits 1 if anything failed or nothing ran.
dir=${1:?usage: summary.sh LOGDIR}
pass=$(cat "$dir"/*.log 2>/dev/null | grep -c '^PASS: ')
fail=$(cat "$dir"/*.log 2>/dev/null | grep -c '^FAIL: ')
if [ "$fail" -gt 0 ]; then
	echo "Failed:"
	cat "$dir"/*.log | grep '^FAIL: ' | sed 's/^/  /'
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
