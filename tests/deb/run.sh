#!/bin/sh
# tests/deb/run.sh: the Debian packages (`make check-deb`), arch by arch.
# For each of $ARCHES (the Makefile's names; host is this machine's arch):
# `make deb` names the file after the changelog's version and the Debian
# arch; control fields; the exact file list, owners and modes; static
# binaries of the right machine; man pages gzip -9n; /etc/default/echod the
# only conffile; maintainer scripts name exactly the shipped units; lintian
# (every tag shown, pedantic and experimental included) prints nothing: the
# overrides in contrib/debian/lintian-overrides cover the rest and are all
# used; packing it again elsewhere under umask 077 gives the same bytes
# (check-cross shows the binaries themselves are reproducible); then dpkg
# --root installs it into a scratch root (maintainer scripts run with
# DPKG_ROOT, as for a chroot-less bootstrap), the installed echod runs,
# `systemctl --root` enables echod.socket, remove keeps only the conffile
# and the enablement, and purge leaves the root as it was.
# Prints PASS:/FAIL: lines; run from the top of the tree.
set -u
MAKE=${MAKE:-make}
O=${O:-build}
ARCHES=${ARCHES:-host armhf armel arm64 mipsel mips}
out=$O/tests/deb
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(dpkg-parsechangelog -l contrib/debian/changelog -S Version)

SUITE=deb
. tests/lib/suite.sh

# Debian arch, what file(1) says of its binaries, how to run them here.
expect() {
	case $1 in
	host)   echo "$(dpkg --print-architecture) x86-64 env" ;;
	armhf)  echo "armhf 32-bit.LSB.*ARM qemu-arm-static" ;;
	armel)  echo "armel 32-bit.LSB.*ARM qemu-arm-static" ;;
	arm64)  echo "arm64 64-bit.LSB.*aarch64 qemu-aarch64-static" ;;
	mipsel) echo "mipsel 32-bit.LSB.*MIPS qemu-mipsel-static" ;;
	mips)   echo "mips 32-bit.MSB.*MIPS qemu-mips-static" ;;
	esac
}

# The units the package must carry: those of contrib/systemd/; the
# maintainer scripts act on all but the templates.
units=$(cd contrib/systemd && ls -- *.service *.socket | LC_ALL=C sort)
active=$(echo "$units" | grep -v '@' | tr '\n' ' ' | sed 's/ $//')
expected_files() {
	{
		printf '%s\n' etc/default/echod usr/bin/echoprobe usr/sbin/echod \
			usr/share/doc/echod/changelog.Debian.gz usr/share/doc/echod/copyright \
			usr/share/lintian/overrides/echod usr/share/man/man1/echoprobe.1.gz \
			usr/share/man/man8/echod.8.gz
		echo "$units" | sed 's|^|lib/systemd/system/|'
	} | LC_ALL=C sort
}

fields_ok() {
	f=$(dpkg-deb -f "$1") || return 1
	for k in Package Version Architecture Maintainer Installed-Size Section Priority Homepage Description; do
		echo "$f" | grep -q "^$k: ." || { echo "    no $k field"; return 1; }
	done
	[ "$(dpkg-deb -f "$1" Package)" = echod ] &&
	[ "$(dpkg-deb -f "$1" Version)" = "$version" ] &&
	[ "$(dpkg-deb -f "$1" Architecture)" = "$2" ] &&
	[ "$(dpkg-deb -f "$1" Section)" = net ] &&
	[ "$(dpkg-deb -f "$1" Priority)" = optional ] &&
	! echo "$f" | grep -q -e '^Depends:' -e '^Pre-Depends:' &&
	# Installed-Size covers at least the bytes of the files, in KiB.
	bytes=$(dpkg-deb -c "$1" | awk '{ s += $3 } END { print s }') &&
	[ "$(dpkg-deb -f "$1" Installed-Size)" -ge $(( bytes / 1024 )) ]
}
# files_ok DEB: exactly the expected regular files; root-owned; 0755 for
# the binaries and folders, 0644 for the rest.
files_ok() {
	c=$(dpkg-deb -c "$1") || return 1
	got=$(echo "$c" | awk '$1 ~ /^-/ { sub(/^\.\//, "", $6); print $6 }' | LC_ALL=C sort)
	if [ "$got" != "$(expected_files)" ]; then
		printf '%s\n' "$got" > "$out/got.txt" && expected_files > "$out/want.txt"
		diff -u "$out/want.txt" "$out/got.txt" | sed 's/^/    /'
		return 1
	fi
	! echo "$c" | awk '{ print $2 }' | grep -v -q '^root/root$' &&
	! echo "$c" | awk '$1 ~ /^d/ && $1 != "drwxr-xr-x"' | grep -q . &&
	! echo "$c" | awk '$1 ~ /^-/ && $6 !~ /bin\// && $1 != "-rw-r--r--"' | grep -q . &&
	! echo "$c" | awk '$1 ~ /^-/ && $6 ~ /bin\// && $1 != "-rwxr-xr-x"' | grep -q .
}
# bins_ok DIR PATTERN: both binaries static, of the arch's machine.
bins_ok() {
	for b in "$1/usr/sbin/echod" "$1/usr/bin/echoprobe"; do
		file -b "$b" | grep -q "$2.*statically linked" || { echo "    $b: $(file -b "$b")"; return 1; }
	done
}
# man_ok DIR: gzip at -9 without a name or time stamp (gzip -9n).
man_ok() {
	for m in "$1"/usr/share/man/man*/*.gz; do
		gzip -t "$m" && file -b "$m" | grep -q 'max compression' &&
			! file -b "$m" | grep -q -e 'was "' -e 'last modified' || { echo "    $m: $(file -b "$m")"; return 1; }
	done
}
scripts_ok() {
	for s in postinst prerm postrm; do
		f=$1/DEBIAN/$s
		[ -x "$f" ] && sh -n "$f" && ! grep -q '#UNITS#' "$f" || return 1
	done
	for s in "postinst:for unit in $active; do" "postinst:deb-systemd-invoke \"\$action\" $active " \
		"prerm:deb-systemd-invoke stop $active " "postrm:deb-systemd-helper purge $active "; do
		grep -qF -- "${s#*:}" "$1/DEBIAN/${s%%:*}" || { echo "    ${s%%:*} lacks: ${s#*:}"; return 1; }
	done
}
lintian_ok() {
	lintian --allow-root -I -E --pedantic "$1" > "$out/lintian-$2.txt" 2>&1
	[ ! -s "$out/lintian-$2.txt" ] || { sed 's/^/    /' "$out/lintian-$2.txt"; return 1; }
}

# Scratch root: dpkg's database and the folders the systemd package owns and
# the package does not ship, so after purge the root is as before.
new_root() {
	rm -rf "$1" && mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates" \
		"$1/etc/systemd/system" "$1/var/lib/systemd" &&
	: > "$1/var/lib/dpkg/status" &&
	if [ "$2" != "$(dpkg --print-architecture)" ]; then dpkg --root="$1" --add-architecture "$2"; fi
}
tree() { (cd "$1" && find . ! -path './var/lib/dpkg*' | LC_ALL=C sort); }
dpkg_r() { r=$1; shift; dpkg --root="$r" --force-script-chrootless "$@" >> "$out/dpkg.txt" 2>&1; }
status_of() { dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${db:Status-Status}' echod 2>/dev/null; }
# listed_exist ROOT: every non-folder path dpkg -L lists is there.
listed_exist() {
	dpkg-query --admindir="$1/var/lib/dpkg" -L echod > "$out/listed.txt" || return 1
	while read -r p; do
		[ -d "$1$p" ] || [ -e "$1$p" ] || { echo "    missing $p"; return 1; }
	done < "$out/listed.txt"
}
# none_left ROOT: of what dpkg -L listed, only the conffile and folders remain.
none_left() {
	while read -r p; do
		[ -d "$1$p" ] || [ "$p" = /etc/default/echod ] || [ ! -e "$1$p" ] || { echo "    left $p"; return 1; }
	done < "$out/listed.txt"
	[ -f "$1/etc/default/echod" ]
}

for a in $ARCHES; do
	# shellcheck disable=SC2046
	set -- $(expect "$a")
	[ $# -eq 3 ] || { fail "$a/known-arch"; continue; }
	debarch=$1 machine=$2 runner=$3
	name=echod_${version}_$debarch.deb
	deb=$O/deb/$name
	if ! mk "deb-$a" ARCH="$a" deb || [ "$(tail -n 1 "$out/deb-$a.txt")" != "$(cd "$O/deb" && pwd)/$name" ]; then
		fail "$a/make-deb" "see $out/deb-$a.txt"; continue
	fi
	pass "$a/make-deb $name $(wc -c < "$deb" | tr -d ' ') bytes"
	x=$out/x-$a
	rm -rf "$x" && mkdir -p "$x" && dpkg-deb -R "$deb" "$x"
	check "$a/control-fields" fields_ok "$deb" "$debarch"
	check "$a/files-owners-modes" files_ok "$deb"
	check "$a/static-$debarch-binaries" bins_ok "$x" "$machine"
	check "$a/man-gzip-9n" man_ok "$x"
	check "$a/conffiles" test "$(cat "$x/DEBIAN/conffiles")" = /etc/default/echod
	check "$a/maintainer-scripts" scripts_ok "$x"
	check "$a/lintian-clean" lintian_ok "$deb" "$a"

	r=$out/repro-$a
	rm -rf "$r"
	if (umask 077 && mk "repro-$a" DEB_DIR="$r" ARCH="$a" deb); then
		check "$a/reproducible" cmp -s "$deb" "$r/$name"
	else
		fail "$a/reproducible" "rebuild failed"
	fi
	rm -rf "$r"

	root=$out/root-$a
	new_root "$root" "$debarch" && before=$(tree "$root")
	check "$a/install" dpkg_r "$root" -i "$deb"
	check "$a/installed-files" listed_exist "$root"
	check "$a/installed-status" test "$(status_of "$root")" = installed
	v=$($runner "$root/usr/sbin/echod" -V 2>&1)
	check "$a/installed-echod-runs" test "${v#echod }" != "$v"
	systemctl --root="$root" enable echod.socket >> "$out/dpkg.txt" 2>&1
	check "$a/systemctl-enable-socket" test -L "$root/etc/systemd/system/sockets.target.wants/echod.socket"
	check "$a/remove" dpkg_r "$root" -r echod
	check "$a/remove-keeps-conffile-only" none_left "$root"
	check "$a/removed-status" test "$(status_of "$root")" = config-files
	check "$a/purge" dpkg_r "$root" -P echod
	after=$(tree "$root")
	check "$a/purge-no-leftovers" test "$before" = "$after"
	[ "$before" = "$after" ] || { echo "$before" > "$out/before.txt"; echo "$after" > "$out/after.txt";
		diff "$out/before.txt" "$out/after.txt" | sed 's/^/    /'; }
	st=$(status_of "$root")
	check "$a/purged-status" test "${st:-not-installed}" = not-installed
	rm -rf "$root" "$x"
done
