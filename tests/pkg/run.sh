#!/bin/sh
# tests/pkg/run.sh: echod built the way packagers build it (`make check-pkg`).
#
# First `make dist` (below). Then each case unpacks the release tarball into
# a folder of its own and runs there the make command line of a build
# system, word for word,
# with that system's variables filled in for Debian's cross gcc (glibc,
# linked dynamically, or statically where the system asks for it):
#
#   OpenWrt (include/package-defaults.mk, rules.mk):
#     Build/Compile/Default: $(MAKE_VARS) $(MAKE) $(PKG_JOBS) -C $(PKG_BUILD_DIR) $(MAKE_FLAGS)
#     Build/Install/Default: $(MAKE_VARS) $(MAKE) -C $(PKG_BUILD_DIR) $(MAKE_INSTALL_FLAGS) install
#     MAKE_VARS  = CFLAGS="$(TARGET_CFLAGS) ... $(TARGET_CPPFLAGS) ..." CXXFLAGS=... LDFLAGS="$(TARGET_LDFLAGS) ..."
#     MAKE_FLAGS = $(TARGET_CONFIGURE_OPTS) CROSS="$(TARGET_CROSS)" ARCH="$(ARCH)"
#     MAKE_INSTALL_FLAGS = $(MAKE_FLAGS) DESTDIR="$(PKG_INSTALL_DIR)"
#     TARGET_CONFIGURE_OPTS = AR AS LD NM CC GCC CXX RANLIB STRIP OBJCOPY OBJDUMP SIZE
#   TARGET_CFLAGS/LDFLAGS are those of a cortex-a7 (armhf) and a 24kc (mips)
#   target with OpenWrt's default hardening (include/hardening.mk), the
#   mips one with the -mips16 -minterlink-mips16 that rules.mk appends under
#   CONFIG_USE_MIPS16 (the default where the CPU has MIPS16e); left out
#   are -fhonour-copts (a flag of OpenWrt's patched gcc), -msoft-float
#   (Debian's mips glibc is hard-float) and the staging -I/-L folders;
#   hardened-ld-pie.specs is written as the -pie it adds.
#
#   Buildroot (package/Makefile.in; a generic-package's BUILD_CMDS and
#   INSTALL_TARGET_CMDS):
#     $(TARGET_MAKE_ENV) $(MAKE) $(TARGET_CONFIGURE_OPTS) -C $(@D)
#     $(TARGET_MAKE_ENV) $(MAKE) $(TARGET_CONFIGURE_OPTS) -C $(@D) DESTDIR=$(TARGET_DIR) install
#     TARGET_MAKE_ENV = GIT_DIR=. PATH=$(BR_PATH)
#     TARGET_CONFIGURE_OPTS = $(TARGET_MAKE_ENV) AR AS LD NM CC GCC CPP CXX ... STRIP ...
#       CPPFLAGS CFLAGS CXXFLAGS LDFLAGS ... (the *_FOR_BUILD and Fortran ones left out)
#     TARGET_CFLAGS = $(TARGET_CPPFLAGS) $(TARGET_ABI) $(TARGET_OPTIMIZATION) ... $(TARGET_HARDENED)
#   with the defaults BR2_OPTIMIZE_2 and BR2_FORTIFY_SOURCE_1; BR2_STATIC_LIBS
#   adds -static to CFLAGS and LDFLAGS; BR2_STRIP_none makes STRIP /bin/true.
#   Buildroot's Makefile unexports ARCH, O, CC, CFLAGS, CROSS_COMPILE (and
#   more).
# Every replay starts from an empty environment (env -i, PATH and HOME
# only), so none of those, and none of our own make's variables, reach it.
#
# Then the binary: ELF class, byte order, machine, static or dynamic as
# asked (the interpreter is Debian's glibc loader), stripped by the
# toolchain's strip, `-V` and a TCP and UDP echo between the two programs
# under qemu-user (-L: Debian's cross glibc); `make install DESTDIR=` lays out
# the files and installs the bytes the build made without compiling again;
# nothing is downloaded. Also: CROSS_COMPILE= (kbuild's convention) with
# STATIC=1, the errors for an ARCH without a compiler, STATIC=0 on our
# static-only sysroots and a bad INIT, WERROR=1, and an install given other
# flags than its build.
# Prints PASS:/FAIL: lines; run from the top of the tree.
set -u
MAKE=${MAKE:-make}
O=${O:-build}
TIMEOUT_MULT=${TIMEOUT_MULT:-1}
top=$(pwd)
out=$top/$O/tests/pkg
rm -rf "$out"
mkdir -p "$out"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	pids=
}

pass() { echo "PASS: pkg/$1"; }
fail() { echo "FAIL: pkg/$1${2:+ ($2)}"; }
check() {
	_cn=$1; shift
	if "$@"; then pass "$_cn"; else fail "$_cn"; fi
}

# tree NAME: a fresh copy of the tree for one case; prints its path.
tree() {
	rm -rf "${out:?}/$1"
	cp -a "$pristine" "$out/$1"
	echo "$out/$1"
}
# clean_env CMD...: a command with nothing of our environment but PATH, HOME.
clean_env() { env -i PATH="$PATH" HOME="${HOME:-/}" "$@"; }
# ran NAME CMD...: runs a command into $out/NAME.log; the tail on failure.
ran() {
	_l=$out/$1.log; shift
	"$@" > "$_l" 2>&1 || { tail -n 20 "$_l" | sed 's/^/    /'; return 1; }
}
# no_warnings LOG: not one warning, but glibc's note that a static link of
# getaddrinfo needs glibc's NSS libraries at run time (static glibc only).
no_warnings() {
	! grep -i 'warning' "$out/$1.log" |
		grep -v 'in statically linked applications requires at runtime the shared libraries' | grep -q .
}

# elf_ok BIN CLASS ENDIAN MACHINE: readelf's header.
elf_ok() {
	h=$(readelf -h "$1") || return 1
	echo "$h" | grep -q "Class: *$2\$" &&
	echo "$h" | grep -q "Data: .*$3 endian" &&
	echo "$h" | grep -q "Machine: *$4"
}
# linked_ok BIN static|INTERP: no program interpreter, or this one.
linked_ok() {
	l=$(readelf -lW "$1") || return 1
	if [ "$2" = static ]; then
		! echo "$l" | grep -q -e 'INTERP' -e 'DYNAMIC' && file -b "$1" | grep -q 'statically linked'
	else
		echo "$l" | grep -q "interpreter: $2\]" && file -b "$1" | grep -q 'dynamically linked'
	fi
}
stripped_ok() { ! readelf -SW "$1" | grep -q -e '\.symtab' -e '\.comment'; }
unstripped_ok() { readelf -SW "$1" | grep -q '\.symtab'; }

# version_ok RUNNER... BIN: `BIN -V` says our version.
version_ok() {
	v=$("$@" -V 2>&1)
	[ "$v" = "echod $(sed -n 's/^VERSION *= *//p' Makefile)" ]
}
# echo_ok DIR RUNNER...: echod -U on a free loopback port, then echoprobe
# (the same build) checks 2 raw TCP probes and 2 UDP ones.
echo_ok() {
	_d=$1; shift
	fifo=$out/port.fifo
	rm -f "$fifo"; mkfifo "$fifo" || return 1
	"$@" "$_d/echod" -p 0 -1 -U -q -m raw -b 127.0.0.1 > "$fifo" 2>> "$out/echo.log" &
	_pid=$!
	pids="$pids $_pid"
	port=$(timeout $((10 * TIMEOUT_MULT)) head -n 1 "$fifo")
	rc=1
	if [ -n "$port" ] &&
		timeout $((30 * TIMEOUT_MULT)) "$@" "$_d/echoprobe" -q -m raw -c 2 -i 0 127.0.0.1 "$port" \
			>> "$out/echo.log" 2>&1 &&
		timeout $((30 * TIMEOUT_MULT)) "$@" "$_d/echoprobe" -q -u -m raw -c 2 -i 0 127.0.0.1 "$port" \
			>> "$out/echo.log" 2>&1
	then rc=0
	fi
	cleanup
	rm -f "$fifo"
	return $rc
}
# layout_ok DESTDIR FILE:MODE...: exactly these files, with these modes.
layout_ok() {
	_root=$1; shift
	want=$(for f in "$@"; do echo "$f"; done | sort)
	have=$(cd "$_root" && find . -type f -printf '%P:%m\n' | sort)
	[ "$want" = "$have" ] || { echo "    want: $want" | tr '\n' ' '; echo; echo "    have: $have" | tr '\n' ' '; echo; return 1; }
}
# Word lists (no blanks inside a word), split where used.
SYSV_FILES="etc/init.d/S50echod:755 etc/default/echod:644"
BIN_FILES="usr/sbin/echod:755 usr/bin/echoprobe:755 usr/share/man/man8/echod.8:644
	usr/share/man/man1/echoprobe.1:644"

# binary_checks NAME DIR CLASS ENDIAN MACHINE LINK QEMU SYSROOT STRIPPED
binary_checks() {
	n=$1 d=$2 class=$3 endian=$4 machine=$5 link=$6 qemu=$7 sysroot=$8 strip=$9
	for b in echod echoprobe; do
		check "$n/$b/elf-$class-$endian-$machine" elf_ok "$d/$b" "$class" "$endian" "$machine"
		if [ "$link" = static ]; then l=static; else l=dynamic-${link##*/}; fi
		check "$n/$b/$l" linked_ok "$d/$b" "$link"
		check "$n/$b/$strip" "${strip}_ok" "$d/$b"
	done
	if [ "$link" = static ]; then set -- "$qemu"; else set -- "$qemu" -L "$sysroot"; fi
	check "$n/echod/runs-under-$qemu-V" version_ok "$@" "$d/echod"
	check "$n/echo-tcp-udp-under-$qemu" echo_ok "$d" "$@"
}
# flags_has DIR WORD...: the compiler, flags and strip the build in DIR
# recorded ($(B)/flags: CC=... CFLAGS=... LDFLAGS=... STRIP=...) hold each word.
flags_has() {
	_f=$1/flags; shift
	_w=" $(sed -e 's/^CC=/CC= /' -e 's/ \(CFLAGS\|LDFLAGS\|STRIP\)=/ \1= /g' "$_f") "
	for w in "$@"; do
		case $_w in *" $w "*) ;; *) echo "    '$w' not in $_f"; return 1 ;; esac
	done
}
flags_lack() {
	_f=$1/flags; shift
	for w in "$@"; do ! grep -q -e "$w" "$_f" || { echo "    '$w' in $_f"; return 1; }; done
}
nothing_fetched() { [ ! -e "$1/dl" ] && [ ! -e "$1/.cache" ]; }

# ---- make dist ----------------------------------------------------------
# The tarball, then the same from another git repository made of the same
# files (fresh mtimes, group-writable modes, one commit of the same date):
# the same bytes. sha256sum -c. Inside: exactly the files git tracks but .ci/
# and .gitignore, under echod-VERSION/, names sorted, owner 0/0 without
# names, every mtime the last commit's, modes 644/755 as git's executable
# bit says, no name or time in the gzip header; SOURCE_DATE_EPOCH sets the
# mtime. Unpacked outside any checkout with an empty environment, `make
# check-unit check-host` passes there and `make dist` refuses.
PYTHON=${PYTHON:-/usr/bin/python3}
version=$(sed -n 's/^VERSION *= *//p' Makefile)
tgz=echod-$version.tar.gz
scratch=$(mktemp -d)
trap 'cleanup; rm -rf "$scratch"' EXIT
trap 'cleanup; rm -rf "$scratch"; exit 1' INT TERM
epoch=$(git log -1 --format=%ct)
check "dist/builds" ran dist1 "$MAKE" --no-print-directory dist O="$out/dist1"
check "dist/sha256sum-c" sh -c "cd '$out/dist1' && sha256sum --quiet -c $tgz.sha256"
repo=$scratch/repo
mkdir -p "$repo"
if ! { git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$repo" && chmod -R g+w "$repo" &&
	(cd "$repo" && git init -q && git add -A &&
	GIT_AUTHOR_DATE="@$epoch" GIT_COMMITTER_DATE="@$epoch" \
		git -c user.name=dist -c user.email=dist@localhost commit -q -m dist); } > "$out/dist-repo.log" 2>&1
then
	fail "dist/other-repository" "see $out/dist-repo.log"
fi
check "dist/other-repository-builds" ran dist2 "$MAKE" --no-print-directory -C "$repo" dist O="$out/dist2"
check "dist/reproducible-same-bytes" cmp "$out/dist1/$tgz" "$out/dist2/$tgz"
check "dist/reproducible-same-sha256" cmp "$out/dist1/$tgz.sha256" "$out/dist2/$tgz.sha256"
check "dist/SOURCE_DATE_EPOCH" ran dist3 env SOURCE_DATE_EPOCH=1000000000 \
	"$MAKE" --no-print-directory dist O="$out/dist3"
git ls-files -s -- . ':!:.ci' ':!:.gitignore' > "$out/dist-git-files"
check "dist/contents" "$PYTHON" - "$out/dist1/$tgz" "echod-$version" "$epoch" "$out/dist-git-files" \
	"$out/dist3/$tgz" <<'PY'
import sys, tarfile
tgz, top, epoch, listing, tgz3 = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
want = {}
for line in open(listing):
    meta, path = line.rstrip("\n").split("\t", 1)
    want[top + "/" + path] = 0o755 if meta.split()[0] == "100755" else 0o644
bad = []
head = open(tgz, "rb").read(10)
if head[4:8] != b"\0\0\0\0" or head[3] & 0x08:
    bad.append("gzip header has a time or a name")
with tarfile.open(tgz) as t:
    members = t.getmembers()
names = [m.name for m in members]
if names != sorted(names):
    bad.append("names not sorted")
if set(names) != set(want):
    bad.append("not the files git tracks: extra %s, missing %s"
               % (sorted(set(names) - set(want))[:5], sorted(set(want) - set(names))[:5]))
for m in members:
    if not m.isfile() or (m.uid, m.gid, m.uname, m.gname) != (0, 0, "", "") or m.mtime != epoch \
            or m.mode != want.get(m.name):
        bad.append("%s: type %r uid %d gid %d %r %r mtime %d mode %o" % (
            m.name, m.type, m.uid, m.gid, m.uname, m.gname, m.mtime, m.mode))
for need in ("Makefile", "LICENSE", "README.md", "board/toolchain.mk", "docs/echod.8",
             "docs/echoprobe.1", "docs/packaging.md", "rootfs-overlay/etc/init.d/S50echod",
             "src/echod/main.c", "tests/check.mk", "tests/book/fork-server.py"):
    if top + "/" + need not in names:
        bad.append("no " + need)
for gone in (".ci/run", ".gitignore", "config.mak"):
    if top + "/" + gone in names:
        bad.append(gone + " is in it")
with tarfile.open(tgz3) as t:
    if {m.mtime for m in t.getmembers()} != {1000000000}:
        bad.append("SOURCE_DATE_EPOCH=1000000000 not every mtime")
for b in bad[:20]:
    print("    " + b)
sys.exit(1 if bad else 0)
PY

# Unpacked where no git repository is, with nothing but PATH and HOME.
unpacked=$scratch/unpacked
mkdir -p "$unpacked"
tar -xzf "$out/dist1/$tgz" -C "$unpacked" || fail "dist/unpacks"
src=$unpacked/echod-$version
if ran dist-check clean_env TIMEOUT_MULT="$TIMEOUT_MULT" make -C "$src" check-unit check-host; then
	pass "dist/unpacked-check-unit-check-host ($(grep -c '^PASS' "$out/dist-check.log") passed)"
else
	fail "dist/unpacked-check-unit-check-host" "$(grep -c '^FAIL' "$out/dist-check.log") failed, see $out/dist-check.log"
fi
if clean_env make -C "$src" dist > "$out/dist-nogit.log" 2>&1; then
	fail "dist/refused-outside-git" "it made a tarball"
else
	check "dist/refused-outside-git" grep -q 'not a git checkout' "$out/dist-nogit.log"
fi

# The tree as a release holds it, for the builds below: the tarball unpacked
# again (the checks above built in the first copy).
pristine=$out/pristine
mkdir -p "$out/unpack"
if ! tar -xzf "$out/dist1/$tgz" -C "$out/unpack" || ! mv "$out/unpack/echod-$version" "$pristine"; then
	fail "dist/unpack-for-builds"
fi
rmdir "$out/unpack"
# ---- OpenWrt ------------------------------------------------------------
# openwrt NAME ARCH TARGET_CROSS TARGET_CFLAGS TARGET_LDFLAGS
openwrt() {
	n=openwrt-$1 arch=$2 cross=$3 cflags=$4 ldflags=$5
	d=$(tree "$n")
	if ran "$n-compile" clean_env CFLAGS="$cflags" CXXFLAGS="$cflags" LDFLAGS="$ldflags" \
		make -j2 -C "$d" \
		AR="${cross}gcc-ar" AS="${cross}gcc -c $cflags" LD="${cross}ld.bfd" NM="${cross}gcc-nm" \
		CC="${cross}gcc" GCC="${cross}gcc" CXX="${cross}g++" RANLIB="${cross}gcc-ranlib" \
		STRIP="${cross}strip" OBJCOPY="${cross}objcopy" OBJDUMP="${cross}objdump" SIZE="${cross}size" \
		CROSS="$cross" ARCH="$arch"
	then pass "$n/compile"; else fail "$n/compile"; return; fi
	check "$n/no-warnings" no_warnings "$n-compile"
	check "$n/output-in-build-target" test -x "$d/build/target/echod" -a -x "$d/build/target/echoprobe"
	check "$n/nothing-downloaded" nothing_fetched "$d"
	dest=$out/$n-install
	if ran "$n-install" clean_env CFLAGS="$cflags" CXXFLAGS="$cflags" LDFLAGS="$ldflags" \
		make -C "$d" \
		AR="${cross}gcc-ar" AS="${cross}gcc -c $cflags" LD="${cross}ld.bfd" NM="${cross}gcc-nm" \
		CC="${cross}gcc" GCC="${cross}gcc" CXX="${cross}g++" RANLIB="${cross}gcc-ranlib" \
		STRIP="${cross}strip" OBJCOPY="${cross}objcopy" OBJDUMP="${cross}objdump" SIZE="${cross}size" \
		CROSS="$cross" ARCH="$arch" DESTDIR="$dest" install
	then pass "$n/install"; else fail "$n/install"; return; fi
	# shellcheck disable=SC2086
	check "$n/install-layout" layout_ok "$dest" $BIN_FILES $SYSV_FILES
	check "$n/install-compiled-nothing" sh -c "! grep -q -e '  CC ' -e '  LD ' '$out/$n-install.log'"
	check "$n/install-is-the-build" cmp -s "$d/build/target/echod" "$dest/usr/sbin/echod"
}

openwrt armhf arm arm-linux-gnueabihf- \
	"-Os -pipe -mcpu=cortex-a7 -mfpu=neon-vfpv4 -fno-caller-saves -fno-plt -mfloat-abi=hard -Wformat -Werror=format-security -DPIC -fpic -fstack-protector -D_FORTIFY_SOURCE=1 -Wl,-z,now -Wl,-z,relro" \
	"-fuse-ld=bfd -DPIC -fpic -pie -znow -zrelro"
binary_checks openwrt-armhf "$out/openwrt-armhf/build/target" ELF32 little ARM \
	/lib/ld-linux-armhf.so.3 qemu-arm-static /usr/arm-linux-gnueabihf stripped

openwrt mips mips mips-linux-gnu- \
	"-Os -pipe -mno-branch-likely -mips32r2 -mtune=24kc -fno-caller-saves -fno-plt -Wformat -Werror=format-security -DPIC -fpic -fstack-protector -D_FORTIFY_SOURCE=1 -Wl,-z,now -Wl,-z,relro -mips16 -minterlink-mips16" \
	"-fuse-ld=bfd -DPIC -fpic -pie -znow -zrelro"
binary_checks openwrt-mips "$out/openwrt-mips/build/target" ELF32 big MIPS \
	/lib/ld.so.1 qemu-mips-static /usr/mips-linux-gnu stripped

# OpenWrt's x86_64 target, host-native: any ARCH name goes with a compiler.
openwrt x86_64 x86_64 x86_64-linux-gnu- \
	"-Os -pipe -march=x86-64 -fno-caller-saves -fno-plt -Wformat -Werror=format-security -fstack-protector -D_FORTIFY_SOURCE=1" \
	"-fuse-ld=bfd -znow -zrelro"
check "openwrt-x86_64/echod/runs-V" version_ok "$out/openwrt-x86_64/build/target/echod"
check "openwrt-x86_64/echo-tcp-udp" echo_ok "$out/openwrt-x86_64/build/target" env

# ---- Buildroot ----------------------------------------------------------
# buildroot NAME TARGET_CROSS TARGET_CFLAGS TARGET_LDFLAGS STRIP
BR_CPPFLAGS="-D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64"
buildroot_opts() {
	cross=$1
	echo "GIT_DIR=. PATH=$PATH AR=${cross}gcc-ar AS=${cross}as LD=${cross}ld NM=${cross}gcc-nm CC=${cross}gcc GCC=${cross}gcc CPP=${cross}cpp CXX=no RANLIB=${cross}gcc-ranlib READELF=${cross}readelf OBJCOPY=${cross}objcopy OBJDUMP=${cross}objdump"
}
buildroot() {
	n=buildroot-$1 cross=$2 cflags=$3 ldflags=$4 strip=$5
	d=$(tree "$n")
	# shellcheck disable=SC2046 # the options are words without blanks
	if ran "$n-build" clean_env GIT_DIR=. PATH="$PATH" make -j2 $(buildroot_opts "$cross") \
		STRIP="$strip" CPPFLAGS="$BR_CPPFLAGS" CFLAGS="$cflags" LDFLAGS="$ldflags" -C "$d"
	then pass "$n/build"; else fail "$n/build"; return; fi
	check "$n/no-warnings" no_warnings "$n-build"
	check "$n/output-in-build-target" test -x "$d/build/target/echod" -a -x "$d/build/target/echoprobe"
	check "$n/nothing-downloaded" nothing_fetched "$d"
	dest=$out/$n-target
	# shellcheck disable=SC2046
	if ran "$n-install" clean_env GIT_DIR=. PATH="$PATH" make $(buildroot_opts "$cross") \
		STRIP="$strip" CPPFLAGS="$BR_CPPFLAGS" CFLAGS="$cflags" LDFLAGS="$ldflags" -C "$d" \
		DESTDIR="$dest" install
	then pass "$n/install"; else fail "$n/install"; return; fi
	# shellcheck disable=SC2086
	check "$n/install-layout" layout_ok "$dest" $BIN_FILES $SYSV_FILES
	check "$n/install-is-the-build" cmp -s "$d/build/target/echoprobe" "$dest/usr/bin/echoprobe"
}

# Dynamic, BR2_OPTIMIZE_2: the packager's -O2 replaces our -Os, nothing else.
buildroot armhf /usr/bin/arm-linux-gnueabihf- "$BR_CPPFLAGS -O2 -D_FORTIFY_SOURCE=1" "" \
	/usr/bin/arm-linux-gnueabihf-strip
binary_checks buildroot-armhf "$out/buildroot-armhf/build/target" ELF32 little ARM \
	/lib/ld-linux-armhf.so.3 qemu-arm-static /usr/arm-linux-gnueabihf stripped
check "buildroot-armhf/cflags-replace-only-Os" flags_has "$out/buildroot-armhf/build/target" \
	/usr/bin/arm-linux-gnueabihf-gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -O2 -D_FORTIFY_SOURCE=1 \
	/usr/bin/arm-linux-gnueabihf-strip
check "buildroot-armhf/no-Os-static-sysroot-or-layout-flags" flags_lack "$out/buildroot-armhf/build/target" \
	' -Os' ' -static' musl.specs -mthumb norelro build-id=none common-page-size -Werror

# BR2_STATIC_LIBS and BR2_STRIP_none: static because Buildroot says so, not
# stripped because its STRIP is /bin/true (Buildroot strips the target itself).
buildroot mips /usr/bin/mips-linux-gnu- "$BR_CPPFLAGS -Os -D_FORTIFY_SOURCE=1 -static" "-static" /bin/true
binary_checks buildroot-mips "$out/buildroot-mips/build/target" ELF32 big MIPS \
	static qemu-mips-static /usr/mips-linux-gnu unstripped

# ---- kbuild's CROSS_COMPILE, STATIC=1 -----------------------------------
# A toolchain known only by its prefix (here musl-gcc and the host's strip
# behind a made-up triplet, each logging its calls): CC and STRIP follow the
# prefix, STATIC=1 links statically, no flag of our own toolchains is added.
n="cross-compile"
d=$(tree $n)
mkdir -p "$out/$n-bin"
# shellcheck disable=SC2016 # expanded by the wrappers
printf '#!/bin/sh\necho "$0 $*" >> %s\nexec musl-gcc "$@"\n' "$out/$n-calls" > "$out/$n-bin/x86_64-test-linux-musl-gcc"
# shellcheck disable=SC2016
printf '#!/bin/sh\necho "$0 $*" >> %s\nexec strip "$@"\n' "$out/$n-calls" > "$out/$n-bin/x86_64-test-linux-musl-strip"
chmod +x "$out/$n-bin"/*
if ran "$n" clean_env PATH="$out/$n-bin:$PATH" make -C "$d" CROSS_COMPILE=x86_64-test-linux-musl- STATIC=1
then
	pass "$n/build"
	check "$n/echod-static" linked_ok "$d/build/target/echod" static
	check "$n/echod-stripped" stripped_ok "$d/build/target/echod"
	check "$n/used-CC-and-STRIP-of-the-prefix" sh -c \
		"grep -q 'musl-gcc .*-static' '$out/$n-calls' && grep -q 'musl-strip .*echoprobe' '$out/$n-calls'"
	check "$n/no-own-toolchain-flags" flags_lack "$d/build/target" musl.specs -fno-pie -mthumb norelro
	check "$n/echo-tcp-udp" echo_ok "$d/build/target" env
else
	fail "$n/build"
fi

# ---- install given other flags than the build --------------------------
# A separate install step without the build's CFLAGS installs that build.
n=install-other-flags
d=$(tree $n)
if ran "$n-build" clean_env make -C "$d" CC=gcc CFLAGS=-O2 &&
	cp "$d/build/target/echod" "$out/$n-built"
then
	check "$n/installs-as-built" ran "$n" clean_env make -C "$d" CC=gcc DESTDIR="$out/$n-root" install
	check "$n/says-so" grep -q 'built with other flags' "$out/$n.log"
	check "$n/compiled-nothing" sh -c "! grep -q -e '  CC ' -e '  LD ' '$out/$n.log'"
	check "$n/same-bytes" cmp -s "$out/$n-built" "$out/$n-root/usr/sbin/echod"
	check "$n/build-unchanged" cmp -s "$out/$n-built" "$d/build/target/echod"
	# Asked for with all, install installs what all builds with these flags.
	check "$n/all-install-rebuilds" ran "$n-all" clean_env make -C "$d" CC=gcc DESTDIR="$out/$n-root2" \
		all install
	check "$n/all-install-installs-the-new-build" sh -c "! cmp -s '$out/$n-built' '$out/$n-root2/usr/sbin/echod' &&
		cmp -s '$d/build/target/echod' '$out/$n-root2/usr/sbin/echod'"
else
	fail "$n/build"
fi

# ---- INIT=none ----------------------------------------------------------
n=init-none
d=$(tree $n)
if ran "$n" clean_env make -C "$d" CC=gcc DESTDIR="$out/$n-root" PREFIX=/opt/echod INIT=none install
then
	check "$n/layout" layout_ok "$out/$n-root" opt/echod/sbin/echod:755 opt/echod/bin/echoprobe:755 \
		opt/echod/share/man/man8/echod.8:644 opt/echod/share/man/man1/echoprobe.1:644
else
	fail "$n/install"
fi

# ---- INIT=systemd -------------------------------------------------------
# Every unit of contrib/systemd/ (the four the docs name among them) into
# SYSTEMDUNITDIR, and /etc/default/echod, their EnvironmentFile.
n=init-systemd
d=$(tree $n)
units=
for u in echod.service echod.socket echod-inetd.socket echod-inetd@.service; do
	check "$n/contrib-has-$u" test -f "$d/contrib/systemd/$u"
done
for u in "$d"/contrib/systemd/*.service "$d"/contrib/systemd/*.socket; do
	units="$units lib/systemd/system/${u##*/}:644"
done
if ran "$n" clean_env make -C "$d" CC=gcc DESTDIR="$out/$n-root" INIT=systemd SYSTEMDUNITDIR=/lib/systemd/system install
then
	# shellcheck disable=SC2086
	check "$n/layout" layout_ok "$out/$n-root" $BIN_FILES etc/default/echod:644 $units
	same=0
	for u in "$d"/contrib/systemd/*.service "$d"/contrib/systemd/*.socket; do
		cmp -s "$u" "$out/$n-root/lib/systemd/system/${u##*/}" || same=1
	done
	check "$n/units-as-shipped" test "$same" -eq 0
else
	fail "$n/install"
fi

# ---- errors -------------------------------------------------------------
# refused NAME PATTERN MAKEARGS...: make fails at once, saying PATTERN.
refused() {
	_n=$1 _p=$2; shift 2
	_l=$out/$(echo "$_n" | tr / -).log
	if clean_env make -C "$pristine" "$@" > "$_l" 2>&1; then
		fail "$_n" "make succeeded"
	elif grep -q -e "$_p" "$_l"; then
		pass "$_n"
	else
		fail "$_n" "no '$_p' in $_l"
	fi
}
refused error/arch-without-compiler 'ARCH=arm needs a compiler: give CC=' ARCH=arm
refused error/static0-on-musl-sysroot 'STATIC=0 with ARCH=armhf.*CC=arm-linux-gnueabihf-gcc' ARCH=armhf STATIC=0
refused error/bad-init 'INIT=upstart: use sysv, systemd or none' INIT=upstart install
check "error/nothing-built" test ! -e "$pristine/build"

# ---- WERROR -------------------------------------------------------------
# A warning (a macro defined twice on the command line) fails the build only
# with WERROR=1.
n=werror
d=$(tree $n)
obj=build/host/obj/lib/fmt.o
check "$n/warning-without-WERROR-builds" ran "$n-off" clean_env make -C "$d" \
	CPPFLAGS="-DECHOD_PORT=7 -DECHOD_PORT=8" "$obj"
check "$n/warning-without-WERROR-is-shown" grep -q 'ECHOD_PORT.*redefined' "$out/$n-off.log"
if clean_env make -C "$d" WERROR=1 CPPFLAGS="-DECHOD_PORT=7 -DECHOD_PORT=8" "$obj" > "$out/$n-on.log" 2>&1
then
	fail "$n/warning-with-WERROR=1-fails" "the build succeeded"
else
	check "$n/warning-with-WERROR=1-fails" grep -q 'error: .*ECHOD_PORT.*redefined.*-Werror' "$out/$n-on.log"
fi
