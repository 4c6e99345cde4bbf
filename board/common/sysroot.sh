#!/bin/sh
# sysroot.sh ARCH source|debian DL_DIR SYSROOT [CFLAGS]
# Builds a static musl sysroot for one Debian ARCH: SYSROOT/include,
# SYSROOT/lib (crt*.o, libc.a) and SYSROOT/musl.specs, which points Debian's
# glibc-targeted cross gcc at it. "source": Debian's musl source package,
# compiled here with the cross gcc for size, musl's -Os and CFLAGS (the
# arch's flags from board/toolchain.mk; docs/size.md); "debian": Debian's
# musl-dev:ARCH binaries, where Debian builds them (big-endian mips is
# always built from source). Downloads go to DL_DIR and are kept.
# The sysroot is built in SYSROOT.tmp and renamed at the end, so an
# interrupted run leaves nothing half-made behind.
set -eu
usage='usage: sysroot.sh ARCH source|debian DL_DIR SYSROOT [CFLAGS]'
arch=${1:?$usage}
from=${2:?$usage}
dl=${3:?$usage}
root=${4:?$usage}
cf=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
# Run from make: the caller's command-line variables (ARCH=, CC=, CFLAGS=)
# must not reach musl's configure and Makefile.
unset MAKEFLAGS MFLAGS MAKELEVEL ARCH CC CFLAGS CPPFLAGS LDFLAGS CROSS_COMPILE
case $from in source|debian) ;; *) echo "sysroot: $usage" >&2; exit 1 ;; esac

# Debian's GNU triplet (the cross gcc) and musl's triplet (musl-dev paths).
case $arch in
armhf)  gnu=arm-linux-gnueabihf musl=arm-linux-musleabihf ;;
armel)  gnu=arm-linux-gnueabi   musl=arm-linux-musleabi ;;
arm64)  gnu=aarch64-linux-gnu   musl=aarch64-linux-musl ;;
mipsel) gnu=mipsel-linux-gnu    musl=mipsel-linux-musl ;;
mips)   gnu=mips-linux-gnu      musl='' from=source ;;
*) echo "sysroot: unknown ARCH $arch" >&2; exit 1 ;;
esac
command -v "$gnu-gcc" >/dev/null || {
	echo "sysroot: $gnu-gcc missing; run 'make deps' (as root)" >&2; exit 1; }

mkdir -p "$dl" "$(dirname "$root")"
dl=$(cd "$dl" && pwd)
root=$(cd "$(dirname "$root")" && pwd)/$(basename "$root")
tmp=$root.tmp
rm -rf "$tmp"
mkdir -p "$tmp"

if [ "$from" = debian ]; then
	# Debian's musl-dev: unpack, then flatten its multiarch paths.
	deb=$(sh "$here/debfetch.sh" "$arch" "$dl/$arch" musl-dev | grep '/musl-dev_' | tail -n 1)
	[ -n "$deb" ] || { echo "sysroot: musl-dev:$arch not found" >&2; exit 1; }
	dpkg-deb -x "$deb" "$tmp/deb"
	mv "$tmp/deb/usr/include/$musl" "$tmp/include"
	mv "$tmp/deb/usr/lib/$musl" "$tmp/lib"
	rm -rf "$tmp/deb" "$tmp/lib/musl-gcc.specs"
	echo "musl-dev:$arch ${deb##*/}" > "$tmp/SOURCE"
else
	# Debian's source package, with musl's size-first defaults (-Os,
	# sections), nothing at -O3 (--enable-optimize=size: musl's default
	# builds its string, malloc and internal code for speed), and $cf.
	# Only what a static link needs is built: libc.a, crt1.o/crti.o/crtn.o,
	# the headers, empty stub libs.
	dsc=$(sh "$here/debsrc.sh" "$dl/src" musl)
	command -v dpkg-source >/dev/null || {
		echo "sysroot: dpkg-source missing (dpkg-dev); run 'make deps'" >&2; exit 1; }
	dpkg-source --no-check -x "$dsc" "$tmp/src" >&2
	# (&& chains: set -e does not apply inside a subshell tested by ||.)
	(
		cd "$tmp/src" &&
		./configure --host="$gnu" CROSS_COMPILE="$gnu-" --prefix=/ \
			--disable-shared --disable-wrapper --enable-optimize=size \
			CFLAGS="-fno-pie $cf" &&
		make -j"$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)" \
			lib/libc.a lib/crt1.o lib/crti.o lib/crtn.o &&
		make install-headers DESTDIR="$tmp" &&
		mkdir -p "$tmp/lib" &&
		cp lib/libc.a lib/crt1.o lib/crti.o lib/crtn.o "$tmp/lib/" &&
		for l in m rt pthread util xnet resolv dl; do
			"$gnu-ar" rcD "$tmp/lib/lib$l.a" || exit 1
		done
	) > "$tmp/build.log" 2>&1 || {
		tail -n 30 "$tmp/build.log" >&2; echo "sysroot: musl build failed, log in $tmp/build.log" >&2; exit 1; }
	rm -rf "$tmp/src" "$tmp/build.log" "$tmp"/musl_*
	echo "musl source ${dsc##*/} built for $gnu" > "$tmp/SOURCE"
fi
if [ ! -f "$tmp/lib/libc.a" ] || [ ! -f "$tmp/lib/crt1.o" ]; then
	echo "sysroot: no libc.a/crt1.o for $arch" >&2; exit 1
fi

# Specs after musl-gcc's, with the paths of this sysroot: musl's headers
# before gcc's own (include%s), only musl's and gcc's library folders on
# the link line (no glibc), and musl's crt files only. gcc's crtbegin and
# crtend register EH frames and run C++'s transactional-memory clones;
# musl runs .init_array and .fini_array itself, and C without unwind
# tables needs neither (0.3 to 0.7 KiB per binary).
r=$root
cat > "$tmp/musl.specs" <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem $r/include -isystem include%s %(old_cpp_options)

%rename cc1 old_cc1

*cc1:
%(old_cc1) -nostdinc -isystem $r/include -isystem include%s

*link_libgcc:
-L$r/lib -L .%s

*startfile:
%{!shared:%{static-pie:$r/lib/rcrt1.o;static|no-pie:$r/lib/crt1.o;:$r/lib/Scrt1.o}} $r/lib/crti.o

*endfile:
$r/lib/crtn.o
EOF

rm -rf "$root"
mv "$tmp" "$root"
echo "sysroot: $arch ready in $root ($(cat "$root/SOURCE"))" >&2
