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

# ---- Alpine -------------------------------------------------------------------
AL=contrib/alpine
check "alpine openrc: shellcheck echod.initd echod.pre-install" \
	shellcheck -s sh "$AL/echod.initd" "$AL/echod.pre-install"
# abuild sets pkgdir and srcdir (SC2154) and reads the variables the
# APKBUILD sets (SC2034).
check "alpine APKBUILD: shellcheck -s sh -e SC2034,SC2154" shellcheck -s sh -e SC2034,SC2154 "$AL/APKBUILD"
exit 0
