#!/bin/sh
# fetch.sh DL_DIR
# Downloads the Debian sources this board builds from into DL_DIR, through a
# private apt setup (own sources list with deb-src, own lists and cache under
# DL_DIR/.apt-src); the system's apt configuration is not touched.
#   linux-source-6.1   binary arch:all .deb carrying linux-source-6.1.tar.xz
#   busybox, musl      source packages (.dsc + tarballs + debian patches)
# Files already in DL_DIR are reused; apt is only asked when one is missing.
# Prints nothing on stdout but the version lines "name version".
set -eu
dl=${1:?usage: fetch.sh DL_DIR [pkg...]}
shift
[ $# -gt 0 ] || set -- linux-source-6.1 busybox
mkdir -p "$dl"
dl=$(cd "$dl" && pwd)
apt=$dl/.apt-src
mirror=$(sh "$(dirname "$0")/../common/mirror.sh")
suite=${DEBIAN_SUITE:-bookworm}
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts"
printf 'deb %s %s main\ndeb-src %s %s main\n' "$mirror" "$suite" "$mirror" "$suite" > "$apt/sources.list"
apt_opts="-oDir::Etc::SourceList=$apt/sources.list -oDir::Etc::SourceParts=$apt/parts \
 -oDir::State::Lists=$apt/lists -oDir::Cache=$apt/cache \
 -oDebug::NoLocking=1 -oAPT::Sandbox::User=root -qq"

have() {
	case $1 in
	linux-source-*) ls "$dl/$1"_*_all.deb >/dev/null 2>&1 ;;
	*) ls "$dl/$1"_*.dsc >/dev/null 2>&1 ;;
	esac
}
updated=
for p in "$@"; do
	have "$p" && continue
	if [ -z "$updated" ]; then
		echo "fetch: apt-get update ($mirror $suite main, private lists)" >&2
		# shellcheck disable=SC2086
		apt-get $apt_opts update >&2
		updated=1
	fi
	echo "fetch: $p" >&2
	# shellcheck disable=SC2086 # apt_opts is a list
	case $p in
	linux-source-*) (cd "$dl" && apt-get $apt_opts download "$p" >&2) ;;
	*) (cd "$dl" && apt-get $apt_opts source --download-only "$p" >&2) ;;
	esac
done
for p in "$@"; do
	case $p in
	linux-source-*) f=$(printf '%s\n' "$dl/$p"_*_all.deb | sort -V | tail -n 1)
		v=${f##*/}; v=${v#"$p"_}; v=${v%_all.deb} ;;
	*) f=$(printf '%s\n' "$dl/$p"_*.dsc | sort -V | tail -n 1)
		v=${f##*/}; v=${v#"$p"_}; v=${v%.dsc} ;;
	esac
	echo "$p $v"
done
