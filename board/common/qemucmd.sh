#!/bin/sh
# qemucmd.sh BOARD IMAGE_DIR TCP_PORT [UDP_PORT]
# Prints the board's tagged QEMU line (board/BOARD/readme.txt) with the
# @KERNEL@ @INITRD@ @TCP_PORT@ @UDP_PORT@ @PORT@ placeholders filled in, as
# one shell-quoted command line. UDP_PORT defaults to TCP_PORT.
set -eu
board=${1:?usage: qemucmd.sh BOARD IMAGE_DIR TCP_PORT [UDP_PORT]}
images=${2:?usage: qemucmd.sh BOARD IMAGE_DIR TCP_PORT [UDP_PORT]}
tcp=${3:?usage: qemucmd.sh BOARD IMAGE_DIR TCP_PORT [UDP_PORT]}
udp=${4:-$tcp}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/board/common/boardvars.sh"
board_vars "$top/board/$board/readme.txt"
images=$(cd "$images" && pwd)
echo "$QEMU_LINE" | sed -e "s|@KERNEL@|$images/$KERNEL|g" \
	-e "s|@INITRD@|$images/rootfs.cpio.gz|g" -e "s|@TCP_PORT@|$tcp|g" \
	-e "s|@UDP_PORT@|$udp|g" -e "s|@PORT@|${PORT:-50007}|g"
