# shellcheck shell=sh
# tests/lib/suite.sh: sourced by the shell suites. Set SUITE (the prefix of
# every result line) and out (a folder for logs) first.
#   pass NAME / fail NAME [WHY]   one PASS:/FAIL: line
#   check NAME CMD...             one line from a command's exit status
#   mk LOGNAME ARGS...            quiet $MAKE (WERROR=1 unless set), its output
#                                 kept in $out/LOGNAME.txt, its tail shown on failure
pass() { echo "PASS: $SUITE/$1"; }
fail() { echo "FAIL: $SUITE/$1${2:+ ($2)}"; }
check() {
	_cn=$1; shift
	if "$@"; then pass "$_cn"; else fail "$_cn"; fi
}
mk() {
	l=$out/$1.txt; shift
	${MAKE:-make} --no-print-directory WERROR="${WERROR:-1}" "$@" > "$l" 2>&1 || { tail -n 20 "$l" | sed 's/^/    /'; return 1; }
}
