#!/bin/sh
# aptdeps.sh PKG...
# Installs the Debian packages of the list that are not installed yet, and
# only those: a re-run with everything present asks nothing of the network.
# As root, or through sudo.
set -eu
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "aptdeps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A stale package list (fresh machine) makes install fail: update and retry.
# shellcheck disable=SC2086
$sudo apt-get install -y --no-install-recommends $missing ||
	{ $sudo apt-get update && $sudo apt-get install -y --no-install-recommends $missing; }
