#!/bin/sh
# build-kernel.sh OUT_DIR
# The mips-malta kernel: Debian's linux-source-6.1, `make tinyconfig`, then
# linux.fragment merged on top (scripts/kconfig/merge_config.sh) and
# olddefconfig; every fragment line must be in the result. Writes
# OUT_DIR/kernel (vmlinux, an ELF QEMU loads with -kernel) and an empty
# OUT_DIR/modules/ (everything is built in).
# The build is cached in $CACHE_DIR/mips-malta/linux-<key>/, key = hash of
# the fragment, this script, the source version and the cross gcc: with the
# same inputs nothing is rebuilt. Env: DL_DIR, CACHE_DIR, JOBS.
out=${1:?usage: build-kernel.sh OUT_DIR}
# shellcheck source=board/mips-malta/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck disable=SC2086 # a list of packages
need $HOST_DEBS
linux_src
frag=$BOARD_DIR/linux.fragment
k=$(echo "linux $LINUX_VER" | key - "$frag" "$0")
res=$CACHE/linux-$k
if [ ! -f "$res/vmlinux" ]; then
	msg "building kernel $LINUX_VER ($k), a few minutes"
	obj=$res.obj
	rm -rf "$obj" && mkdir -p "$obj"
	kmake() { make -C "$LINUX_SRC" O="$obj" ARCH=mips CROSS_COMPILE="$CROSS" "$@"; }
	{
		kmake tinyconfig &&
		"$LINUX_SRC/scripts/kconfig/merge_config.sh" -m -O "$obj" \
			"$obj/.config" "$frag" &&
		kmake olddefconfig
	} > "$obj/config.log" 2>&1 || { tail -n 20 "$obj/config.log" >&2; die "kernel config failed"; }
	# Both "CONFIG_X=y" and "# CONFIG_X is not set" lines must hold.
	grep '^CONFIG_\|^# CONFIG_.* is not set$' "$frag" | while read -r l; do
		case $l in
		'#'*) s=${l#\# }; s=${s%% *}
			! grep -q "^$s=" "$obj/.config" ;;
		*) grep -qxF "$l" "$obj/.config" ;;
		esac || die "linux.fragment: '$l' does not hold in the final .config (a dependency?)"
	done
	kmake -j"$JOBS" KBUILD_BUILD_TIMESTAMP="Debian $LINUX_VER" \
		KBUILD_BUILD_USER=echod KBUILD_BUILD_HOST=mips-malta vmlinux > "$obj/build.log" 2>&1 ||
		{ tail -n 30 "$obj/build.log" >&2; die "kernel build failed, log in $obj/build.log"; }
	mkdir -p "$res.tmp"
	cp "$obj/vmlinux" "$obj/.config" "$res.tmp/"
	"${CROSS}strip" -s "$res.tmp/vmlinux"
	rm -rf "$res" "$obj" && mv "$res.tmp" "$res"
	# Older builds of this board's kernel are not needed any more.
	for d in "$CACHE"/linux-*; do [ "$d" = "$res" ] || rm -rf "$d"; done
else
	msg "kernel $LINUX_VER ($k) cached"
fi
rm -rf "$out" && mkdir -p "$out/modules"
cp "$res/vmlinux" "$out/kernel"
cp "$res/.config" "$out/config"
msg "kernel: $(wc -c < "$out/kernel") bytes ($res)"
