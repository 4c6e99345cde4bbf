#!/bin/sh
# mkimage.sh BOARD TARGET_DIR IMAGE_DIR
# Completes TARGET_DIR (which `make install` has already filled with echod,
# its init script and config) into a busybox root file system and packs it,
# with the board's kernel, into IMAGE_DIR:
#   <KERNEL>          the kernel, named as the board's KERNEL= says
#   rootfs.cpio.gz    the initramfs (reproducible, see mkcpio.py)
# Board facts come from board/BOARD/readme.txt (see docs/boards.md): the
# kernel and busybox are Debian packages, or built by the board's
# KERNEL_SCRIPT / BUSYBOX_SCRIPT. A ROOTFS=debian board gets a Debian system
# with echod's package ($ECHOD_DEB) instead (debian-rootfs.sh), TARGET_DIR
# being filled here rather than by make install. Env: DL_DIR, CACHE_DIR.
set -eu
umask 022
board=${1:?usage: mkimage.sh BOARD TARGET_DIR IMAGE_DIR}
target=${2:?usage: mkimage.sh BOARD TARGET_DIR IMAGE_DIR}
images=${3:?usage: mkimage.sh BOARD TARGET_DIR IMAGE_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
bdir=$top/board/$board
: "${DL_DIR:=$top/dl}" "${CACHE_DIR:=$top/.cache}"
. "$top/board/common/boardvars.sh"
board_vars "$bdir/readme.txt"

work=$CACHE_DIR/$board
mkdir -p "$work" "$images"
export DL_DIR CACHE_DIR ARCH	# for the board's KERNEL_SCRIPT and BUSYBOX_SCRIPT

# debpkg PKG: fetch a Debian package of ARCH, print the folder it is unpacked in.
debpkg() {
	deb=$(sh "$top/board/common/debfetch.sh" "$ARCH" "$DL_DIR/$ARCH" "$1" |
		grep "/${1}_[^/]*\.deb$" | tail -n 1)
	[ -n "$deb" ] || { echo "mkimage: $1 for $ARCH not found" >&2; return 1; }
	x=$CACHE_DIR/deb/$(basename "$deb" .deb)
	if [ ! -f "$x/.done" ]; then
		rm -rf "$x" && mkdir -p "$x"
		dpkg-deb -x "$deb" "$x" && touch "$x/.done"
	fi
	echo "$x"
}

# Kernel and NIC modules into $work/kernel/{kernel,modules/*.ko}.
kdir=$work/kernel
if [ -n "$KERNEL_SCRIPT" ]; then
	sh "$bdir/$KERNEL_SCRIPT" "$kdir"
else
	x=$(debpkg "$KERNEL_PKG")
	if [ -z "$(ls "$x"/boot/vmlinu* 2>/dev/null)" ]; then
		# A metapackage: its first dependency is the versioned kernel.
		real=$(dpkg-deb -f "$DL_DIR/$ARCH/${KERNEL_PKG}"_*.deb Depends |
			sed 's/[ ,(].*//' | tail -n 1)
		x=$(debpkg "$real")
	fi
	rm -rf "$kdir" && mkdir -p "$kdir/modules"
	for k in "$x"/boot/vmlinu*; do cp "$k" "$kdir/kernel"; done
	ls "$x/lib/modules" > "$kdir/release"
	# What depmod reads besides the modules (ROOTFS=debian boards).
	cp "$x"/lib/modules/*/modules.order "$x"/lib/modules/*/modules.builtin* "$kdir/"
	for m in $MODULES; do
		f=$(find "$x/lib/modules" -name "$m.ko" | head -n 1)
		[ -n "$f" ] || { echo "mkimage: module $m not in $KERNEL_PKG" >&2; exit 1; }
		cp "$f" "$kdir/modules/"
	done
fi

exact=
if [ "$ROOTFS" = debian ]; then
	# A Debian system instead of busybox (debian-rootfs.sh): debootstrap's
	# root (cached), the NIC modules, echod's package $ECHOD_DEB installed.
	# Its owners and modes are packed as they are.
	MODULES=$MODULES CONSOLE=$CONSOLE sh "$top/board/common/debian-rootfs.sh" "$target" "$kdir"
	exact=--exact
	cd "$target"
else
	# busybox into $work/busybox/busybox.
	bbdir=$work/busybox
	if [ -n "$BUSYBOX_SCRIPT" ]; then
		sh "$bdir/$BUSYBOX_SCRIPT" "$bbdir"
	else
		x=$(debpkg busybox-static)
		mkdir -p "$bbdir" && cp "$x/bin/busybox" "$bbdir/busybox"
	fi

	# The root file system: skeleton, busybox (applet links are made at boot by
	# rcS with `busybox --install -s`), modules in load order.
	cd "$target"
	mkdir -p bin sbin usr/bin usr/sbin lib/modules dev proc sys run tmp root var/log
	chmod 1777 tmp
	ln -sfn ../run var/run
	cp -R "$top/board/common/skeleton/." .
	install -m 0755 "$bbdir/busybox" bin/busybox
	ln -sf busybox bin/sh
	ln -sf ../bin/busybox sbin/init
	ln -sf sbin/init init
	: > etc/modules
	for m in $MODULES; do
		install -m 0644 "$kdir/modules/$m.ko" lib/modules/
		echo "$m" >> etc/modules
	done
fi
[ -d "$bdir/rootfs-overlay" ] && cp -R "$bdir/rootfs-overlay/." .

cp "$kdir/kernel" "$images/$KERNEL"
"${PYTHON:-/usr/bin/python3}" "$top/board/common/mkcpio.py" $exact "$target" \
	"$images/rootfs.cpio.gz" dev/console:c:5:1 dev/null:c:1:3
cd "$images"
echo "image $board: $images"
wc -c "$KERNEL" rootfs.cpio.gz | sed 's/^/  /'
