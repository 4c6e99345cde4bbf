#!/bin/sh
# mkdeb.sh ARCH DEBARCH OUTDIR
# Builds OUTDIR/echod_<version>_<DEBARCH>.deb from `make install` of ARCH
# (the Makefile's arch name: host or a cross arch), the way debhelper would
# lay it out for Debian 12, with dpkg-deb alone (no debian/rules, no
# dpkg-buildpackage): binaries, man pages (gzip -9n), the systemd units in
# /lib/systemd/system (Debian 12's systemdsystemunitdir), /etc/default/echod
# as a conffile, copyright, changelog.Debian.gz, lintian overrides,
# md5sums and the maintainer scripts of this folder with the unit list
# filled in. Reproducible: every mtime is the changelog's date
# (SOURCE_DATE_EPOCH), modes are set here, owners are root.
# Env: MAKE (make), VERSION (the Makefile's, checked against the changelog).
set -eu
arch=${1:?usage: mkdeb.sh ARCH DEBARCH OUTDIR}
debarch=${2:?usage: mkdeb.sh ARCH DEBARCH OUTDIR}
out=${3:?usage: mkdeb.sh ARCH DEBARCH OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
umask 022

die() { echo "mkdeb: $*" >&2; exit 1; }

version=$(dpkg-parsechangelog -l "$here/changelog" -S Version)
if [ -n "${VERSION:-}" ] && [ "${version%-*}" != "$VERSION" ]; then
	die "contrib/debian/changelog is at $version but the Makefile's VERSION is $VERSION: add a changelog entry"
fi
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$here/changelog" -S Timestamp)
export SOURCE_DATE_EPOCH

mkdir -p "$out"
out=$(cd "$out" && pwd)
deb=$out/echod_${version}_$debarch.deb
root=$out/echod_${version}_$debarch
rm -rf "$root" "$deb"
mkdir -p "$root"

# What a Debian source package's dh_auto_install would do.
${MAKE:-make} --no-print-directory -C "$top" install ARCH="$arch" \
	DESTDIR="$root" PREFIX=/usr INIT=systemd SYSTEMDUNITDIR=/lib/systemd/system >&2

cd "$root"
[ -x usr/sbin/echod ] || die "make install left no usr/sbin/echod"
find usr/share/man -type f ! -name '*.gz' -exec gzip -9n {} +
doc=usr/share/doc/echod
install -d -m 0755 "$doc" usr/share/lintian/overrides
install -m 0644 "$here/copyright" "$doc/copyright"
gzip -9nc "$here/changelog" > "$doc/changelog.Debian.gz"
install -m 0644 "$here/lintian-overrides" usr/share/lintian/overrides/echod

# Units the maintainer scripts enable, start and stop: every unit but the
# templates (name@.service), as dh_installsystemd does.
units=$(cd lib/systemd/system 2>/dev/null && ls -- *.service *.socket 2>/dev/null | grep -v '@' | tr '\n' ' ' | sed 's/ $//')
[ -n "$units" ] || die "make install INIT=systemd left no unit in /lib/systemd/system"

# Every file gets a fixed mode: 0755 for what make installed executable.
# Folders make install created but filled with nothing for this init.
find . -type d -empty -delete
find . -type d -exec chmod 0755 {} +
find . -type f -perm /111 -exec chmod 0755 {} +
find . -type f ! -perm /111 -exec chmod 0644 {} +

install -d -m 0755 DEBIAN
for s in postinst prerm postrm; do
	sed "s/#UNITS#/$units/g" "$here/$s" > "DEBIAN/$s"
	chmod 0755 "DEBIAN/$s"
done
find etc -type f | sort | sed 's|^|/|' > DEBIAN/conffiles
find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
	xargs md5sum > DEBIAN/md5sums
# Installed-Size as dpkg-gencontrol counts it: KiB per file rounded up, 1
# for every directory or other entry.
size=$(find . -path ./DEBIAN -prune -o -printf '%y %s\n' |
	awk '{ n += ($1 == "f" || $1 == "l") ? int(($2 + 1023) / 1024) : 1 } END { print n }')
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$debarch/" \
	-e "s/@INSTALLED_SIZE@/$size/" "$here/control" > DEBIAN/control
chmod 0644 DEBIAN/control DEBIAN/conffiles DEBIAN/md5sums
find . -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

cd "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
rm -rf "$root"
echo "$deb"
