#!/bin/sh
# run.sh BOARD IMAGE_DIR PORT
# Boots the board's image (see qemucmd.sh) with echod's TCP and UDP port
# forwarded to 127.0.0.1:PORT. QEMU replaces this shell, so a signal sent to
# `make run` (SIGTERM, or SIGINT to the process group) stops QEMU.
set -eu
board=${1:?usage: run.sh BOARD IMAGE_DIR PORT}
images=${2:?usage: run.sh BOARD IMAGE_DIR PORT}
port=${3:?usage: run.sh BOARD IMAGE_DIR PORT}
cmd=$(sh "$(dirname "$0")/qemucmd.sh" "$board" "$images" "$port")
# The client commands are the README's: nothing a fresh Debian lacks (python3
# comes with the image's packages; echoprobe with `make`).
cat <<EOT
Booting $board; once it is up ("=== rcS done"), echod answers on 127.0.0.1:$port.
From another terminal:
  python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", $port)); s.sendall(b"hello\n"); print(s.recv(4096).decode())'
or, after \`make\` (the host's echoprobe; the board keeps UTC):
  TZ=UTC0 build/host/echoprobe -c 3 127.0.0.1 $port
(UDP is forwarded too, but restrict=on user networking drops the guest's
replies; in the guest: echoprobe -u 10.0.2.15.) Console: this terminal, no
login. Quit: 'poweroff' in the guest, Ctrl-A x, or a signal to this process.
$cmd
EOT
eval "exec $cmd"
