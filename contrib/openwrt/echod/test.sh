#!/bin/sh
# Run by the feed's CI in an OpenWrt container once the package is
# installed: test.sh PKG_NAME PKG_VERSION.

case "$1" in
echod)
	/usr/sbin/echod -V | grep -Fx "echod $2"
	;;
echoprobe)
	/usr/bin/echoprobe -V | grep -Fx "echoprobe $2"
	;;
*)
	echo "test.sh: unknown package '$1'" >&2
	exit 1
	;;
esac
