#!/bin/sh
# build-busybox.sh OUT_DIR
# The mips-malta busybox: Debian's busybox source (its patches applied),
# `make allnoconfig`, then busybox.fragment on top: every symbol it names
# takes its value, every other one stays off (repeated until oldconfig adds
# no new symbol). Linked statically against the big-endian musl sysroot
# (MIPS_SYSROOT, which `make image` passes: the one echod is built with, by
# board/common/sysroot.sh from Debian's musl source) with the kernel's UAPI
# headers from linux-source-6.1.
# Writes OUT_DIR/busybox and OUT_DIR/config, cached in
# $CACHE_DIR/mips-malta/busybox-<key>/ like the kernel. Env: DL_DIR,
# CACHE_DIR, JOBS, MIPS_SYSROOT.
out=${1:?usage: build-busybox.sh OUT_DIR}
# shellcheck source=board/mips-malta/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck disable=SC2086 # a list of packages
need $HOST_DEBS
sysroot=${MIPS_SYSROOT:-$CACHE_DIR/sysroot/mips}
if [ ! -f "$sysroot/musl.specs" ]; then
	msg "no musl sysroot in $sysroot yet: building it"
	sh "$TOP/board/common/sysroot.sh" mips source "$DL_DIR" "$sysroot" "-mno-abicalls -fno-pic" >&2
fi
linux_src
busybox_src

# Kernel UAPI headers (linux/*.h, asm/*.h), once per kernel version.
hdr=$CACHE/headers-$LINUX_VER
if [ ! -f "$hdr/include/linux/version.h" ]; then
	msg "installing linux $LINUX_VER UAPI headers"
	rm -rf "$hdr" "$hdr.obj"
	# `make headers` is headers_install without its rsync step.
	make -C "$LINUX_SRC" O="$hdr.obj" ARCH=mips CROSS_COMPILE="$CROSS" \
		headers > /dev/null
	rm -rf "$hdr.tmp" && mkdir -p "$hdr.tmp"
	cp -R "$hdr.obj/usr/include" "$hdr.tmp/include"
	rm -rf "$hdr.obj" && mv "$hdr.tmp" "$hdr"
fi

frag=$BOARD_DIR/busybox.fragment
k=$(echo "busybox $BUSYBOX_VER linux $LINUX_VER" |
	key - "$frag" "$0" "$sysroot/lib/libc.a")
res=$CACHE/busybox-$k

# merge CONFIG: the fragment's lines, and every other symbol of CONFIG off.
merge() {
	awk -v frag="$frag" '
	BEGIN {
		while ((getline l < frag) > 0)
			if (l ~ /^CONFIG_/) { s = l; sub(/=.*/, "", s); want[s] = 1; print l }
	}
	/^CONFIG_[A-Za-z0-9_]+=y$/ { s = $0; sub(/=.*/, "", s); if (!(s in want)) print "# " s " is not set"; next }
	/^CONFIG_/ { s = $0; sub(/=.*/, "", s); if (!(s in want)) print; next }
	/^# CONFIG_.* is not set$/ { if (!($2 in want)) print }
	' "$1" > "$1.new" && mv "$1.new" "$1"
}

if [ ! -f "$res/busybox" ]; then
	msg "building busybox $BUSYBOX_VER ($k)"
	obj=$res.obj
	rm -rf "$obj" && mkdir -p "$obj"
	# The sysroot's musl is static-only, built -mno-abicalls -fno-pic;
	# busybox is built the same way (mixing in abicalls code crashes at
	# run time). gcc's crtbeginT.o and libgcc.a stay abicalls: the linker's
	# mismatch warning is noise for a static link (see board/toolchain.mk).
	bmake() {
		make -C "$BUSYBOX_SRC" O="$obj" ARCH=mips CROSS_COMPILE="$CROSS" \
			CC="${CROSS}gcc -specs=$sysroot/musl.specs -isystem $hdr/include -mno-abicalls -fno-pic" \
			EXTRA_LDFLAGS="-no-pie -Wl,--no-warn-mismatch" \
			KCONFIG_NOTIMESTAMP=1 KBUILD_VERBOSE=0 "$@"
	}
	bmake allnoconfig > "$obj/config.log" 2>&1 || die "busybox allnoconfig failed"
	n=0 prev=
	while :; do
		merge "$obj/.config"
		yes '' | bmake oldconfig >> "$obj/config.log" 2>&1 || die "busybox oldconfig failed"
		cur=$(grep -c '^CONFIG_\|^# CONFIG_' "$obj/.config")
		[ "$cur" = "$prev" ] && break
		prev=$cur n=$((n + 1))
		[ "$n" -lt 10 ] || die "busybox.fragment: config does not settle"
	done
	grep '^CONFIG_' "$frag" | while read -r l; do
		grep -qxF "$l" "$obj/.config" || die "busybox.fragment: '$l' not in the final .config"
	done
	bmake -j"$JOBS" busybox > "$obj/build.log" 2>&1 ||
		{ tail -n 30 "$obj/build.log" >&2; die "busybox build failed, log in $obj/build.log"; }
	mkdir -p "$res.tmp"
	cp "$obj/busybox" "$obj/.config" "$res.tmp/"
	"${CROSS}strip" -s -R .comment -R '.note*' "$res.tmp/busybox"
	rm -rf "$res" "$obj" && mv "$res.tmp" "$res"
	for d in "$CACHE"/busybox-*; do [ "$d" = "$res" ] || rm -rf "$d"; done
else
	msg "busybox $BUSYBOX_VER ($k) cached"
fi
rm -rf "$out" && mkdir -p "$out"
cp "$res/busybox" "$out/busybox"
cp "$res/.config" "$out/config"
msg "busybox: $(wc -c < "$out/busybox") bytes, $(grep -c '^CONFIG_[A-Z0-9_]*=y' "$out/config") options on ($res)"
# Beside Debian's busybox-static (all applets, glibc) where an image of another
# board has unpacked it.
for f in "$CACHE_DIR"/deb/busybox-static_*/bin/busybox; do
	[ -f "$f" ] || continue
	d=${f%/bin/busybox}; d=${d##*/}
	msg "  vs Debian busybox-static ${d##*_}: $(wc -c < "$f") bytes"
done
