#!/bin/sh
# debfetch.sh ARCH DESTDIR PKG...
# Downloads Debian packages of a foreign architecture into DESTDIR without
# touching the system's apt setup (no dpkg --add-architecture): a private
# lists/cache folder under DESTDIR/.apt. Packages already present are kept.
# Prints the path of every .deb, one a line.
set -eu
arch=${1:?usage: debfetch.sh ARCH DESTDIR PKG...}
dest=${2:?usage: debfetch.sh ARCH DESTDIR PKG...}
shift 2
mkdir -p "$dest/.apt/lists/partial" "$dest/.apt/cache/archives/partial"
dest=$(cd "$dest" && pwd)
apt_opts="-oAPT::Architecture=$arch -oAPT::Architectures=$arch \
 -oDir::State::Lists=$dest/.apt/lists -oDir::Cache=$dest/.apt/cache \
 -oDebug::NoLocking=1 -oAPT::Sandbox::User=root -qq"
need=
for p in "$@"; do
	set -- "$dest"/"${p%%:*}"_*_"$arch".deb "$dest"/"${p%%:*}"_*_all.deb
	found=
	for f in "$@"; do [ -f "$f" ] && found=$f; done
	[ -n "$found" ] || need="$need $p"
done
if [ -n "$need" ]; then
	# The list is refreshed once per fetch that needs something. A mirror
	# caught mid-sync fails some index files; the download below then says
	# whether what we need was still found.
	# shellcheck disable=SC2086
	apt-get $apt_opts update >&2 || echo "debfetch: apt-get update for $arch had errors; trying the download anyway" >&2
	# shellcheck disable=SC2086
	(cd "$dest" && apt-get $apt_opts download $need >&2)
fi
ls "$dest"/*.deb
