#!/bin/sh
# debian-rootfs.sh TARGET KDIR
# Fills TARGET with a Debian 12 system for a ROOTFS=debian board
# (docs/boards.md), the way an SBC image is made:
#   - the minbase + systemd root of ARCH from debootstrap.sh (cached);
#   - debian-skeleton/: hostname, eth0 on QEMU's user network, a root
#     shell on the console (autologin), enabled here with systemctl --root;
#   - the NIC modules of KDIR (mkimage.sh) under /lib/modules/<release>/,
#     listed in /etc/modules-load.d/qemu-nic.conf, with modules.dep made by
#     depmod -b (the kernel .deb ships none);
#   - echod's package ECHOD_DEB installed with dpkg --root (maintainer
#     scripts chroot-less, through DPKG_ROOT, as image builders run them),
#     echod.socket enabled, and a copy in /root for installing by hand.
# Env: ARCH, MODULES, CONSOLE, ECHOD_DEB, DL_DIR, CACHE_DIR. Needs root.
set -eu
target=${1:?usage: debian-rootfs.sh TARGET KDIR}
kdir=${2:?usage: debian-rootfs.sh TARGET KDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "debian-rootfs: $*" >&2; exit 1; }
[ -f "${ECHOD_DEB:-}" ] || die "ECHOD_DEB=${ECHOD_DEB:-} is not a file (make deb ARCH=$ARCH)"
sh "$top/board/common/aptdeps.sh" kmod systemd >&2

tarball=$(sh "$top/board/common/debootstrap.sh" "$ARCH")
rm -rf "$target" && mkdir -p "$target"
tar --numeric-owner -xpzf "$tarball" -C "$target"
cp -R "$top/board/common/debian-skeleton/." "$target/"
systemctl --root="$target" --quiet enable qemu-net.service console-getty.service
# The kernel's console gets its getty from console-getty (no udev here).
systemctl --root="$target" --quiet mask "serial-getty@$CONSOLE.service"

release=$(cat "$kdir/release")
mdir=$target/lib/modules/$release/kernel
mkdir -p "$mdir" "$target/etc/modules-load.d"
: > "$target/etc/modules-load.d/qemu-nic.conf"
for m in $MODULES; do
	install -m 0644 "$kdir/modules/$m.ko" "$mdir/"
	echo "$m" >> "$target/etc/modules-load.d/qemu-nic.conf"
done
cp "$kdir"/modules.order "$kdir"/modules.builtin* "$target/lib/modules/$release/"
depmod -b "$target" "$release"

# The host's dpkg has its own native arch: --force-architecture lets it
# install the target's.
dpkg --root="$target" --force-script-chrootless --force-architecture \
	--log=/dev/null -i "$ECHOD_DEB" >&2
systemctl --root="$target" --quiet enable echod.socket
install -m 0644 "$ECHOD_DEB" "$target/root/"
