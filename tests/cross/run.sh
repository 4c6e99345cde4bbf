#!/bin/sh
# tests/cross/run.sh: the cross builds, arch by arch (`make check-cross`).
# For each of $ARCHES: build; ELF header (class, byte order, machine, float
# ABI, MIPS16e code on MIPS); static (no PT_INTERP, no dynamic section); stripped; a rebuild in
# another output folder is byte-identical; sizes within $SIZE_BUDGET; echod
# never touches the thread pointer (thread_pointer_ok); starts under
# qemu-user (on armel also built with -marm: the ARM-mode entry); then the unit and host suites under qemu-user through
# `make check-unit/check-host ARCH=...`, whose PASS/FAIL lines land in their
# own logs (unit-ARCH.log, host-ARCH.log); here only a non-zero exit of theirs
# is reported. (A packager's toolchain, CC= or CROSS_COMPILE=, is tested by
# tests/pkg/run.sh.) Builds use -Werror unless WERROR is set otherwise.
# Prints PASS:/FAIL: lines; run from the top of the tree.
set -u
MAKE=${MAKE:-make}
O=${O:-build}
ARCHES=${ARCHES:-armhf armel arm64 mipsel mips}
SIZE_BUDGET=${SIZE_BUDGET:-board/size-budget}
PYTHON=${PYTHON:-/usr/bin/python3}
out=$O/tests/cross
mkdir -p "$out"

SUITE=cross
. tests/lib/suite.sh

# What each arch's binaries must say about themselves: readelf -h class,
# byte order, machine, a pattern the flags must match, the qemu-user binary,
# the cross binutils' prefix.
expect() {
	case $1 in
	armhf)  echo "ELF32 little ARM hard-float qemu-arm-static arm-linux-gnueabihf-" ;;
	armel)  echo "ELF32 little ARM soft-float qemu-arm-static arm-linux-gnueabi-" ;;
	arm64)  echo "ELF64 little AArch64 . qemu-aarch64-static aarch64-linux-gnu-" ;;
	mipsel) echo "ELF32 little MIPS mips16,.mips32r2 qemu-mipsel-static mipsel-linux-gnu-" ;;
	mips)   echo "ELF32 big MIPS mips16,.mips32r2 qemu-mips-static mips-linux-gnu-" ;;
	esac
}

# elf_ok BIN CLASS ENDIAN MACHINE FLAGPAT: header and program headers.
elf_ok() {
	h=$(readelf -h "$1") || return 1
	echo "$h" | grep -q "Class: *$2\$" &&
	echo "$h" | grep -q "Data: .*$3 endian" &&
	echo "$h" | grep -q "Machine: *$4" &&
	echo "$h" | grep -q "Type: *EXEC" &&
	echo "$h" | grep "Flags:" | grep -q -- "$5"
}
static_ok() {
	l=$(readelf -lW "$1") || return 1
	! echo "$l" | grep -q -e 'INTERP' -e 'DYNAMIC' &&
	file -b "$1" | grep -q 'statically linked'
}
# Stripped down to what is loaded (board/common/sstrip.py): no symbols, no
# section headers at all.
stripped_ok() {
	readelf -SW "$1" 2>&1 | grep -q 'no sections' &&
	file -b "$1" | grep -q ', no section header'
}
# Every read-only segment is whole in the file: zero bytes cut from its end
# would need zeroing on a page that cannot be written, which qemu-user's
# loader faults on (only a writable segment's tail is .bss-like).
loads_ok() {
	readelf -lW "$1" | awk '$1 == "LOAD" { n++; w = 0
		for (i = 7; i < NF; i++) if ($i ~ /W/) w = 1
		if (!w && $5 != $6) { print "    read-only LOAD with FileSiz " $5 " MemSiz " $6; bad = 1 } }
		END { exit bad || !n }'
}
# size_ok BIN ARCH COLUMN: the budget is column COLUMN of ARCH's line.
size_ok() {
	_b=$(awk -v a="$2" -v c="$3" '$1 == a { print $c }' "$SIZE_BUDGET")
	_n=$(wc -c < "$1" | tr -d " ")
	echo "    $2/${1##*/}: $_n bytes, budget ${_b:-none}"
	[ -n "$_b" ] && [ "$_n" -le "$_b" ]
}

# echod's start-up is its own (src/libc/start.c), which sets no thread
# pointer, and its errno is a plain static: nothing echod links may read the
# thread pointer, whatever musl's code does. thread_pointer_ok ARCH PREFIX
# TWIN disassembles TWIN, an unstripped build of $O/ARCH/echod that stripped
# as the Makefile strips is byte-identical to it (so it is the code that
# ships), and fails on any access to AArch64's TPIDR_EL0, to ARM's CP15
# c13/c0 thread registers, on a call to __aeabi_read_tp or musl's __a_gettp
# (which on ARMv5 may jump to the kernel's helper at 0xffff0fe0, also
# refused), on MIPS's hardware register 29 (MIPS16 code reads it through
# __mips16_rdhwr); and on a constructor or destructor (init/fini arrays),
# which that start-up does not run.
TP_RE='tpidr(ro)?_el0|cr13, cr0|__aeabi_read_tp|__a_gettp|0xffff0fe0|rdhwr.*[$]29|__mips16_rdhwr'
thread_pointer_ok() {
	_t=$out/twin-$1
	cp "$3" "$_t" && "${2}strip" -s -R .comment -R '.note*' "$_t" &&
		$PYTHON board/common/sstrip.py "$_t" || return 1
	cmp -s "$_t" "$O/$1/echod" || { echo "    the unstripped build is not the shipped echod"; return 1; }
	"${2}objdump" -d "$3" > "$out/echod-$1.dis" || return 1
	if grep -E -n "$TP_RE" "$out/echod-$1.dis" > "$out/echod-$1.tp"; then
		sed 's/^/    reads the thread pointer: /' "$out/echod-$1.tp" | head -n 5
		return 1
	fi
	readelf -SW "$3" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '
		$1 ~ /^[.](preinit_array|init_array|fini_array|ctors|dtors)$/ && $5 !~ /^0+$/ {
			print "    has " $1; bad = 1 }
		END { exit bad }'
}
# Its exit() is _exit() (src/libc/start.c): nothing may be left for musl's
# to do, no atexit function and no stdio stream to flush. exit_ok PREFIX TWIN.
EXIT_RE=' (atexit|__cxa_atexit|at_quick_exit|__stdio_exit|__std(in|out|err)_FILE|__ofl_add)$'
exit_ok() {
	"${1}nm" "$2" > "$out/echod.nm" || return 1
	! grep -E "$EXIT_RE" "$out/echod.nm" | sed 's/^/    needs a full exit(): /' | grep .
}

for a in $ARCHES; do
	# shellcheck disable=SC2046
	set -- $(expect "$a")
	[ $# -eq 6 ] || { fail "$a/known-arch"; continue; }
	class=$1 endian=$2 machine=$3 flags=$4 qemu=$5 tools=$6
	if ! mk "build-$a" ARCH="$a" all; then
		fail "$a/build"; continue
	fi
	pass "$a/build"
	bins=$O/$a/echod
	[ -f "$O/$a/echoprobe" ] && bins="$bins $O/$a/echoprobe"
	for b in $bins; do
		n=$a/${b##*/}
		check "$n/elf-$class-$endian-$machine" elf_ok "$b" "$class" "$endian" "$machine" "$flags"
		check "$n/static-no-interp" static_ok "$b"
		check "$n/stripped" stripped_ok "$b"
		check "$n/read-only-segments-whole" loads_ok "$b"
	done
	check "$a/echod/size-budget" size_ok "$O/$a/echod" "$a" 2
	check "$a/echoprobe/size-budget" size_ok "$O/$a/echoprobe" "$a" 3
	tw=$O/twin
	rm -rf "$tw"
	if mk "twin-$a" O="$tw" ARCH="$a" STRIP=: SSTRIP=: "$tw/$a/echod"; then
		check "$a/echod/no-thread-pointer" thread_pointer_ok "$a" "$tools" "$tw/$a/echod"
		check "$a/echod/nothing-at-exit" exit_ok "$tools" "$tw/$a/echod"
	else
		fail "$a/echod/no-thread-pointer" "unstripped build failed"
	fi
	rm -rf "$tw"
	v=$("$qemu" "$O/$a/echod" -V 2>&1)
	check "$a/echod/runs-under-$qemu" test "${v#echod }" != "$v"
	# echod's entry point in ARM's other instruction set (src/libc/start.c):
	# our builds are Thumb, a -marm in CFLAGS takes the ARM-mode _start.
	if [ "$a" = armel ]; then
		rm -rf "$tw"
		if mk "marm-$a" O="$tw" ARCH="$a" CFLAGS="-Os -marm" "$tw/$a/echod"; then
			v=$("$qemu" "$tw/$a/echod" -V 2>&1)
			check "$a/echod/arm-mode-entry-runs" test "${v#echod }" != "$v"
		else
			fail "$a/echod/arm-mode-entry-runs" "-marm build failed"
		fi
		rm -rf "$tw"
	fi

	# Same sources, another output folder: same bytes.
	r=$O/repro
	rm -rf "$r"
	if mk "repro-$a" O="$r" ARCH="$a" all; then
		for b in $bins; do
			check "$a/${b##*/}/reproducible" cmp -s "$b" "$r/$a/${b##*/}"
		done
	else
		fail "$a/reproducible" "rebuild failed"
	fi
	rm -rf "$r"

	mk "unit-$a" ARCH="$a" check-unit || fail "$a/check-unit" "exit status, see unit-$a.log"
	mk "host-$a" ARCH="$a" check-host || fail "$a/check-host" "exit status, see host-$a.log"
done
