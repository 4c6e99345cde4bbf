#!/bin/sh
# debsrc.sh DESTDIR SRCPKG
# Downloads a Debian source package (.dsc and its tarballs) into DESTDIR
# without touching the system's apt setup: the system's own "deb" entries are
# turned into "deb-src" ones in a private sources folder under DESTDIR/.apt,
# so whatever mirror the machine uses serves the source too. A source already
# there is kept. Prints the path of the .dsc.
set -eu
dest=${1:?usage: debsrc.sh DESTDIR SRCPKG}
pkg=${2:?usage: debsrc.sh DESTDIR SRCPKG}
mkdir -p "$dest/.apt/lists/partial" "$dest/.apt/cache/archives/partial" \
	"$dest/.apt/sources.list.d"
dest=$(cd "$dest" && pwd)
# The newest .dsc whose files are all there (a failed fetch can leave a
# .dsc without its tarballs).
find_dsc() {
	for f in "$dest/${pkg}"_*.dsc; do
		[ -f "$f" ] || continue
		awk '/^Files:/ { f = 1; next } /^[^ ]/ { f = 0 } f && NF >= 3 { print $3 }' "$f" |
			while read -r part; do [ -f "$dest/$part" ] || echo missing; done |
			grep -q missing || echo "$f"
	done | tail -n 1
}
dsc=$(find_dsc)
if [ -z "$dsc" ]; then
	etc=$(apt-config shell E Dir::Etc/d | sed "s/^E='\(.*\)'$/\1/")
	: "${etc:=/etc/apt/}"
	src=$dest/.apt/sources.list.d
	rm -f "$src"/*
	# One-line style: "deb [opts] uri suite comp" -> "deb-src ...".
	for f in "$etc"sources.list "$etc"sources.list.d/*.list; do
		[ -f "$f" ] && sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
	done > "$src/system.list"
	# deb822 style: "Types: deb" -> "Types: deb-src", stanza by stanza.
	for f in "$etc"sources.list.d/*.sources; do
		[ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" > "$src/${f##*/}"
	done
	apt_opts="-oDir::Etc::SourceList=$src/system.list -oDir::Etc::SourceParts=$src \
 -oDir::State::Lists=$dest/.apt/lists -oDir::Cache=$dest/.apt/cache \
 -oDebug::NoLocking=1 -oAPT::Sandbox::User=root -qq"
	# shellcheck disable=SC2086
	apt-get $apt_opts update >&2 || echo "debsrc: apt-get update had errors; trying the download anyway" >&2
	# shellcheck disable=SC2086
	(cd "$dest" && apt-get $apt_opts source --download-only "$pkg" >&2)
	dsc=$(find_dsc)
fi
[ -n "$dsc" ] || { echo "debsrc: no source for $pkg" >&2; exit 1; }
echo "$dsc"
