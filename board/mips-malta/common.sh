# shellcheck shell=sh disable=SC2034
# common.sh: sourced by build-kernel.sh and build-busybox.sh.
# Sets TOP, BOARD_DIR, DL_DIR, CACHE (this board's cache folder), JOBS, and
# fetches and unpacks Debian's linux-source-6.1 and busybox sources once:
#   $CACHE/src/linux-<version>/     the kernel tree (Debian patches applied)
#   $CACHE/src/busybox-<version>/   dpkg-source -x (Debian patches applied)
# LINUX_VER, BUSYBOX_VER, LINUX_SRC, BUSYBOX_SRC name them.
set -eu
BOARD_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BOARD_DIR/../.." && pwd)
: "${DL_DIR:=$TOP/dl}" "${CACHE_DIR:=$TOP/.cache}"
CACHE=$CACHE_DIR/mips-malta
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
CROSS=mips-linux-gnu-
mkdir -p "$DL_DIR" "$CACHE/src"
DL_DIR=$(cd "$DL_DIR" && pwd)

msg() { echo "mips-malta: $*" >&2; }
die() { msg "$*"; exit 1; }

# need PKG...: installs the Debian packages of the list that are missing
# (board/common/aptdeps.sh: dpkg check first, apt-get only when needed).
HOST_DEBS="gcc make gcc-mips-linux-gnu dpkg-dev xz-utils flex bison bc"
need() {
	if [ -f "$TOP/board/common/aptdeps.sh" ]; then
		sh "$TOP/board/common/aptdeps.sh" "$@" >&2
	else
		dpkg -s "$@" >/dev/null 2>&1 || {
			apt-get update >&2 && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y --no-install-recommends "$@" >&2; }
	fi || die "cannot install $*; run 'make deps' (as root)"
}

# key FILE... : 12 hex digits naming a build from everything that went into it.
key() {
	{ cat "$@"; "${CROSS}gcc" --version | head -n 1; } | sha256sum | cut -c1-12
}

# fetch PKG: prints "PKG VERSION" after making sure its files are in DL_DIR.
fetch() {
	sh "$BOARD_DIR/fetch.sh" "$DL_DIR" "$1" | tail -n 1
}

linux_src() {
	LINUX_VER=$(fetch linux-source-6.1 | cut -d' ' -f2)
	LINUX_SRC=$CACHE/src/linux-$LINUX_VER
	[ -f "$LINUX_SRC/.unpacked" ] && return 0
	msg "unpacking linux-source-6.1 $LINUX_VER"
	rm -rf "$LINUX_SRC" "$LINUX_SRC.tmp" && mkdir -p "$LINUX_SRC.tmp"
	dpkg-deb --fsys-tarfile "$DL_DIR/linux-source-6.1_${LINUX_VER}_all.deb" |
		tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$LINUX_SRC.tmp" --strip-components=1
	touch "$LINUX_SRC.tmp/.unpacked"
	mv "$LINUX_SRC.tmp" "$LINUX_SRC"
}

busybox_src() {
	BUSYBOX_VER=$(fetch busybox | cut -d' ' -f2)
	BUSYBOX_SRC=$CACHE/src/busybox-$BUSYBOX_VER
	[ -f "$BUSYBOX_SRC/.unpacked" ] && return 0
	msg "unpacking busybox $BUSYBOX_VER (with Debian's patches)"
	rm -rf "$BUSYBOX_SRC" "$BUSYBOX_SRC.tmp"
	dpkg-source --no-check -x "$DL_DIR/busybox_$BUSYBOX_VER.dsc" "$BUSYBOX_SRC.tmp" >&2
	touch "$BUSYBOX_SRC.tmp/.unpacked"
	mv "$BUSYBOX_SRC.tmp" "$BUSYBOX_SRC"
}
