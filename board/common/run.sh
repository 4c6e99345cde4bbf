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
cat <<EOT
Booting $board; once it is up, echod answers on 127.0.0.1:$port:
  nc 127.0.0.1 $port
(UDP is forwarded too, but restrict=on user networking drops the guest's
replies; in the guest: echoprobe -u 10.0.2.15.) Console: this terminal, no
login. Quit: 'poweroff' in the guest, Ctrl-A x, or a signal to this process.
$cmd
EOT
eval "exec $cmd"
