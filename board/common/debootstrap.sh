#!/bin/sh
# debootstrap.sh ARCH
# Prints the path of a Debian 12 root file system of ARCH packed as a
# tarball, building it first when it is not in the cache:
#   debootstrap --foreign --variant=minbase with systemd as init (systemd,
#   systemd-sysv), iproute2 for the NIC, procps (ps, pgrep), then the second
#   stage in a chroot run by qemu-user-static through binfmt_misc.
# The slow part (about 1 min of download and unpacking, 4 min of second
# stage under emulation on 2 cores) runs once: the tarball is
# CACHE_DIR/debian-ARCH/root-<hash>.tar.gz, the hash taken over this script,
# the package list, the suite and the debootstrap and qemu versions; the
# .debs stay in DL_DIR/debian-ARCH/debs for a rebuild. Documentation, man
# pages, locales, apt's lists and downloaded packages are left out (about
# 60 MB), /dev is left empty (systemd mounts devtmpfs) and /etc/machine-id
# empty (each boot makes its own). Needs root (debootstrap, chroot, mount).
# Env: DL_DIR, CACHE_DIR, DEBIAN_MIRROR, DEBIAN_SUITE (bookworm).
set -eu
arch=${1:?usage: debootstrap.sh ARCH}
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${DL_DIR:=$top/dl}" "${CACHE_DIR:=$top/.cache}"
suite=${DEBIAN_SUITE:-bookworm}
packages=systemd,systemd-sysv,iproute2,procps
cache=$CACHE_DIR/debian-$arch
debs=$DL_DIR/debian-$arch/debs

msg() { echo "debootstrap: $*" >&2; }
die() { msg "$*"; exit 1; }

case $arch in
arm64) qemu=aarch64 ;;
armhf|armel) qemu=arm ;;
mipsel|mips) qemu=$arch ;;
amd64) qemu= ;;
*) die "no qemu-user mapping for $arch" ;;
esac

sh "$top/board/common/aptdeps.sh" debootstrap qemu-user-static >&2 ||
	die "cannot install debootstrap qemu-user-static; run 'make deps' (as root)"
key=$({ cat "$0"; echo "$arch $suite $packages"
	dpkg-query -W -f='${Version}\n' debootstrap qemu-user-static; } | sha256sum | cut -c1-12)
tarball=$cache/root-$key.tar.gz
if [ -f "$tarball" ]; then
	echo "$tarball"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "building the $arch root needs root (debootstrap, chroot)"

# binfmt_misc: mounted and the qemu interpreter registered for the second
# stage; whatever this script changed is put back as it was on exit.
bf=/proc/sys/fs/binfmt_misc
mounted= registered= enabled= copied=
root=$cache/root-$key.tmp/root
cleanup() {
	for m in $(awk -v r="$root" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount "$m" || umount -l "$m" || true
	done
	[ -z "$copied" ] || rm -f "$root$copied"
	[ -z "$registered" ] || echo -1 > "$bf/qemu-$qemu" || true
	[ -z "$enabled" ] || echo 0 > "$bf/qemu-$qemu" || true
	[ -z "$mounted" ] || umount "$bf" || true
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

binfmt_on() {
	[ -n "$qemu" ] || return 0
	if [ ! -e "$bf/register" ]; then
		mount -t binfmt_misc binfmt_misc "$bf" && mounted=1
	fi
	if [ ! -e "$bf/qemu-$qemu" ]; then
		conf=/usr/lib/binfmt.d/qemu-$qemu.conf
		[ -f "$conf" ] || die "$conf missing (qemu-user-static)"
		cat "$conf" > "$bf/register" && registered=1
	elif [ "$(head -n 1 "$bf/qemu-$qemu")" = disabled ]; then
		echo 1 > "$bf/qemu-$qemu" && enabled=1
	fi
	# Without the F flag the kernel opens the interpreter inside the
	# chroot: put it there for the second stage.
	if ! grep -q '^flags:.*F' "$bf/qemu-$qemu"; then
		copied=$(sed -n 's/^interpreter //p' "$bf/qemu-$qemu")
		mkdir -p "$root$(dirname "$copied")" && cp "$copied" "$root$copied"
	fi
}

mirror=$(sh "$top/board/common/mirror.sh")
rm -rf "$cache/root-$key.tmp"
mkdir -p "$root" "$debs" "$cache"
msg "$arch $suite minbase + $packages from $mirror (first stage)"
debootstrap --arch="$arch" --foreign --variant=minbase --include="$packages" \
	--cache-dir="$(cd "$debs" && pwd)" "$suite" "$root" "$mirror" >&2
msg "second stage under qemu-$qemu"
binfmt_on
chroot "$root" /debootstrap/debootstrap --second-stage >&2
cleanup
trap - EXIT

cd "$root"
rm -rf var/cache/apt/archives/*.deb var/lib/apt/lists/* usr/share/doc/* \
	usr/share/man/* usr/share/locale/* usr/share/info/* dev/* \
	var/cache/debconf/*-old var/lib/dpkg/*-old
find var/log -type f -exec truncate -s 0 {} +
: > etc/machine-id
tar --numeric-owner --sort=name --mtime=@0 -C "$root" -czf "$cache/root-$key.tmp/root.tar.gz" .
mv "$cache/root-$key.tmp/root.tar.gz" "$tarball"
cd "$cache" && rm -rf "$cache/root-$key.tmp"
msg "$tarball: $(du -m "$tarball" | cut -f1) MB"
echo "$tarball"
