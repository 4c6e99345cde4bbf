#!/bin/sh
# The firmware build systems' packages in contrib/, checked against each
# system's documented rules without the systems themselves (Buildroot,
# OpenWrt and abuild are not Debian packages; nothing is fetched):
#   Buildroot  our checker of utils/check-package's rules (brcheck.py, which
#              must also catch a bad file of each kind), Config.in parsed by
#              kconfiglib, the runtime test by flake8
#   OpenWrt    shellcheck (dash), the procd init script's logic on several
#              UCI configs (openwrt_init.py)
#   Alpine     shellcheck of the OpenRC files and the APKBUILD
# Prints PASS:/FAIL: lines. Needs: PYTHON ECHOD ECHOPROBE (the host build).
set -u
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-/usr/bin/python3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM

pass() { echo "PASS: contrib: $*"; }
fail() { echo "FAIL: contrib: $*"; }
# check WHAT COMMAND...: PASS when it succeeds, else FAIL with its output.
check() {
	what="$1"
	shift
	if "$@" > "$T/out" 2>&1; then
		pass "$what"
	else
		fail "$what"
		sed 's/^/    /' "$T/out"
	fi
}

# ---- Buildroot ---------------------------------------------------------------
BR=contrib/buildroot
# Every file of the tree, and the start script Buildroot installs from the
# release tarball.
for f in $(find "$BR" -type f ! -name '*.py' ! -name '*.fragment' | sort) \
	rootfs-overlay/etc/init.d/S50echod; do
	check "buildroot check-package rules: $f" "$PYTHON" tests/contrib/brcheck.py "$f"
done
check "buildroot: the external tree names itself ECHOD" grep -qx 'name: ECHOD' "$BR/external.desc"
check "buildroot runtime test: flake8 (as check-package runs it)" \
	flake8 --max-line-length=132 "$BR/testing/test_echod.py"

# The checker finds what it is there to find: one bad file of each kind.
mkdir -p "$T/bad/package/echod"
cp "$BR/package/echod/echod.mk" "$BR/package/echod/Config.in" "$BR/package/echod/echod.hash" \
	"$T/bad/package/echod/"
cp rootfs-overlay/etc/init.d/S50echod "$T/bad/S50echod"
bad() {
	what="$1" file="$2" expr="$3" want="$4"
	cp "$file" "$file.orig"
	sed -i "$expr" "$file"
	if "$PYTHON" tests/contrib/brcheck.py "$file" 2>&1 | grep -q "$want"; then
		pass "buildroot rules catch: $what"
	else
		fail "buildroot rules miss: $what ($expr on $file gives no '$want')"
	fi
	mv "$file.orig" "$file"
}
mk="$T/bad/package/echod/echod.mk"
bad "a short header line" "$mk" '1s/^#//' "should be 80 hashes\|80 hashes"
bad "spaces in a define block" "$mk" 's/^\t\$(TARGET_MAKE_ENV)/    $(TARGET_MAKE_ENV)/' "expected indent with tabs"
bad "a variable without the ECHOD_ prefix" "$mk" 's/^ECHOD_LICENSE_FILES/ECHO_LICENSE_FILES/' "not properly prefixed"
bad "ifdef" "$mk" 's/^ifneq (\$(BR2_PACKAGE_ECHOD_ECHOPROBE),y)/ifdef BR2_PACKAGE_ECHOD_ECHOPROBE/' "instead of ifdef"
bad "a second ECHOD_SITE" "$mk" '$a ECHOD_SITE = x' "unconditional override"
bad "trailing whitespace" "$mk" '$s/$/ /' "trailing whitespace"
bad "two spaces before a backslash" "$mk" 's/ \\$/  \\/' "one space before backslash"
bad "\${} variables" "$mk" 's/\$(ECHOD_VERSION)/${ECHOD_VERSION}/' "delimit variables"
cfg="$T/bad/package/echod/Config.in"
bad "a long help line" "$cfg" 's/^\t  A small fork-per-connection TCP\/UDP echo server for network$/\t  A small fork-per-connection TCP\/UDP echo server for network diagnostics/' "help text"
bad "default after depends" "$cfg" '/^\tdepends on BR2_USE_MMU/a\	default y' "attributes order"
bad "default n" "$cfg" 's/^\tdefault y$/\tdefault n/' "default n"
bad "an indented config" "$cfg" 's/^config BR2_PACKAGE_ECHOD_ECHOPROBE/ config BR2_PACKAGE_ECHOD_ECHOPROBE/' "should not be indented"
hash="$T/bad/package/echod/echod.hash"
bad "one space in the hash file" "$hash" 's/^sha256  /sha256 /' "separation"
bad "a short sha256" "$hash" 's/^sha256  \(.\{60\}\)..../sha256  \1/' "hash size"
s50="$T/bad/S50echod"
bad "no DAEMON" "$s50" 's/^DAEMON=/NAME=/' "DAEMON variable not defined"
bad "a PIDFILE elsewhere" "$s50" 's|^PIDFILE=.*|PIDFILE="/tmp/echod.pid"|' "Incorrect PIDFILE"
bad "spaces for indent" "$s50" 's/^\t\(printf\)/    \1/' "indented with tabs"
bad "start-stop-daemon without --exec" "$s50" 's/ --exec "\/usr\/sbin\/\$DAEMON"//' "without --exec"
bad "no /etc/default/\$DAEMON" "$s50" '/\/etc\/default\/\$DAEMON/d' "does not source"

"$PYTHON" tests/contrib/kconfig_check.py "$BR"

# ---- OpenWrt ------------------------------------------------------------------
OW=contrib/openwrt/echod
# rc.common sources the init script, so dash mode (OpenWrt's shell is
# BusyBox ash, a dash-like shell); the variables rc.common reads carry their
# own shellcheck directives, with the reason, in the script.
check "openwrt init script: shellcheck -s dash" shellcheck -s dash "$OW/files/echod.init"
check "openwrt test.sh: shellcheck -s dash" shellcheck -s dash "$OW/test.sh"
check "openwrt shim: shellcheck -s dash" shellcheck -s dash tests/contrib/openwrt-shim.sh
check "openwrt: init script and test.sh executable, config not" \
	sh -c "test -x $OW/files/echod.init && test -x $OW/test.sh && test ! -x $OW/files/echod.config"
"$PYTHON" tests/contrib/openwrt_init.py "$OW" "$ECHOD" "$ECHOPROBE"

# The source the recipes build: the tree's tracked files as a release
# tarball would hold them.
VERSION=$(sed -n 's/^VERSION *= *//p' Makefile)
SRC="$T/echod-$VERSION.tar.gz"
git ls-files -z | tar --null -T - -czf "$SRC" --transform "s,^,echod-$VERSION/," ||
	fail "no source tarball (not a git checkout?)"

# The feed Makefile's build and install steps, replayed with a small
# reimplementation of OpenWrt's rules.mk and package.mk
# (tests/contrib/openwrt-sdk/): OpenWrt's MAKE_FLAGS and MAKE_VARS as they
# are, plus what the feed Makefile adds, with Debian's cross gcc (glibc
# there, musl on OpenWrt) for ARCH=arm and ARCH=mips.
owrt() {
	arch="$1" cross="$2" qemu="$3" machine="$4"
	w="$T/owrt-$arch"
	if ! make -s -C "$OW" -f Makefile TOPDIR="$PWD/tests/contrib/openwrt-sdk" \
		PKG_SOURCE_TARBALL="$SRC" WORK="$w" TARGET_CROSS="$cross" ARCH="$arch" packages \
		> "$T/owrt.log" 2>&1; then
		fail "openwrt $arch: the feed Makefile's compile and install steps"
		sed 's/^/    /' "$T/owrt.log"
		return
	fi
	pass "openwrt $arch: the feed Makefile's compile and install steps"
	i="$w/ipkg"
	check "openwrt $arch: echod package: binary, procd init 0755, UCI config 0600" sh -c \
		"test -x '$i/echod/usr/sbin/echod' && test \"\$(stat -c %a '$i/echod/etc/init.d/echod')\" = 755 && test \"\$(stat -c %a '$i/echod/etc/config/echod')\" = 600 && ! test -e '$i/echod/usr/bin/echoprobe'"
	check "openwrt $arch: echoprobe package: the client only" sh -c \
		"test \"\$(cd '$i/echoprobe' && find . -type f)\" = ./usr/bin/echoprobe"
	check "openwrt $arch: control: section net, Require-User echod:echod, conffile /etc/config/echod" sh -c \
		"grep -qx 'Section: net' '$i/echod.control' && grep -qx 'Category: Network' '$i/echod.control' && grep -qx 'Require-User: echod:echod' '$i/echod.control' && grep -qx 'Conffiles: /etc/config/echod' '$i/echod.control' && grep -qx 'Version: $VERSION-1' '$i/echod.control'"
	check "openwrt $arch: $machine, dynamic (OpenWrt ships libc.so)" sh -c \
		"readelf -h '$i/echod/usr/sbin/echod' | grep -q 'Machine: *$machine' && readelf -d '$i/echod/usr/sbin/echod' | grep -q 'NEEDED.*libc'"
	for p in echod:/usr/sbin/echod echoprobe:/usr/bin/echoprobe; do
		check "openwrt $arch: ${p%%:*} -V under qemu-user says $VERSION (test.sh's check)" sh -c \
			"$qemu -L /usr/${cross%-} '$i/${p%%:*}${p#*:}' -V | grep -qx '${p%%:*} $VERSION'"
	done
}
owrt arm arm-linux-gnueabihf- qemu-arm-static ARM
owrt mips mips-linux-gnu- qemu-mips-static MIPS

# ---- Alpine -------------------------------------------------------------------
AL=contrib/alpine
check "alpine openrc: shellcheck echod.initd echod.pre-install" \
	shellcheck -s sh "$AL/echod.initd" "$AL/echod.pre-install"
# abuild sets pkgdir and srcdir (SC2154) and reads the variables the
# APKBUILD sets (SC2034).
check "alpine APKBUILD: shellcheck -s sh -e SC2034,SC2154" shellcheck -s sh -e SC2034,SC2154 "$AL/APKBUILD"

# The APKBUILD's build() and package() as abuild runs them (abuild is not
# in Debian): sourced with srcdir, builddir and pkgdir set, in builddir,
# errexit on; the source unpacked and the local sources beside it.
a="$T/apk"
mkdir -p "$a/src" "$a/pkg"
tar -xzf "$SRC" -C "$a/src"
cp "$AL/echod.initd" "$AL/echod.confd" "$a/src/"
if srcdir="$a/src" pkgdir="$a/pkg" builddir="$a/src/echod-$VERSION" \
	sh -ec '. "$1"; cd "$builddir"; build; package' sh "$PWD/$AL/APKBUILD" > "$T/apk.log" 2>&1; then
	pass "alpine: build() and package() of the APKBUILD"
else
	fail "alpine: build() and package() of the APKBUILD"
	sed 's/^/    /' "$T/apk.log"
fi
p="$a/pkg"
check "alpine: package tree: echod, echoprobe, openrc initd 0755 and confd 0644" sh -c \
	"test -x '$p/usr/sbin/echod' && test -x '$p/usr/bin/echoprobe' && test \"\$(stat -c %a '$p/etc/init.d/echod')\" = 755 && test \"\$(stat -c %a '$p/etc/conf.d/echod')\" = 644 && cmp -s '$AL/echod.initd' '$p/etc/init.d/echod'"
check "alpine: nothing installed for another init system (INIT=none)" sh -c \
	"! test -e '$p/etc/default' && ! test -e '$p/usr/lib/systemd' && ! test -e '$p/etc/init.d/S50echod'"
for m in man8/echod.8 man1/echoprobe.1; do
	if tar -tzf "$SRC" | grep -q "/${m#*/}\$"; then
		check "alpine: -doc gets /usr/share/man/$m" test -f "$p/usr/share/man/$m"
	fi
done
check "alpine: echod dynamic, unstripped for abuild to strip, runs" sh -c \
	"readelf -d '$p/usr/sbin/echod' | grep -q NEEDED && readelf -S '$p/usr/sbin/echod' | grep -q '\.symtab' && '$p/usr/sbin/echod' -V | grep -qx 'echod $VERSION'"
# The initd's choice: root and -u for a port below 1024, command_user else.
initd() {
	env -i ${1:+ECHOD_PORT=$1} sh -c '. "$0"; printf "%s|%s" "$command_args" "$command_user"' "$AL/echod.initd"
}
check "alpine initd: port 7 binds as root and drops with -u" test "$(initd 7)" = "-s -p 7 -u echod -U|"
check "alpine initd: default port runs as echod from the start" test "$(initd)" = "-s -p 50007 -U|echod:echod"
check "alpine initd: a port that is not a number fails start_pre with a message" sh -c \
	"eerror() { echo \"\$*\"; }; ECHOD_PORT=7x RC_SVCNAME=echod; . '$AL/echod.initd'; out=\$(start_pre) && exit 1; test \"\$out\" = \"ECHOD_PORT '7x' in /etc/conf.d/echod is not a port number\""

# ---- release hashes -----------------------------------------------------------
# The recipes' version and hashes against the tarball of the commit that set
# VERSION (contrib/release-hashes.py; docs/packaging.md, "Releasing").
"$PYTHON" contrib/release-hashes.py --check
exit 0
