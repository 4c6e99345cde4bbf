# shellcheck shell=sh disable=SC2034 # the variables are for the caller
# boardvars.sh: sourced. board_vars README sets the board's KEY=value facts
# (ARCH KERNEL_PKG KERNEL_SCRIPT BUSYBOX_SCRIPT ROOTFS KERNEL MODULES CONSOLE PORT)
# and QEMU_LINE, the "Run the emulation with:" line tagged "# <board>".
board_vars() {
	for k in ARCH KERNEL_PKG KERNEL_SCRIPT BUSYBOX_SCRIPT ROOTFS KERNEL MODULES CONSOLE PORT; do
		v=$(sed -n "s/^$k=//p" "$1" | tail -n 1)
		eval "$k=\$v"
	done
	b=$(basename "$(dirname "$1")")
	QEMU_LINE=$(sed -n "s/^[[:space:]]*\(qemu-system-.*[^[:space:]]\)[[:space:]]*# $b\$/\1/p" "$1")
	if [ -z "$ARCH" ] || [ -z "$KERNEL" ] || [ -z "$QEMU_LINE" ]; then
		echo "$1: needs ARCH=, KERNEL= and a QEMU line tagged # $b" >&2
		return 1
	fi
}
