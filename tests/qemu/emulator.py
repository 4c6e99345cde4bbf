"""Boots a board image under QEMU and drives its serial console.

Modelled on Buildroot's support/testing/infra/emulator.py: the QEMU command
line is the tagged line of board/<board>/readme.txt (via qemucmd.sh), the
console is a pexpect child, run(cmd) returns (output, exit code), and every
timeout is multiplied by TIMEOUT_MULT. QEMU runs in its own session and is
always killed by stop().

boot(hide_firmware=True) starts QEMU in a private mount namespace where every
folder it searches for firmware and option ROMs is covered by an empty
tmpfs, so a board whose line needs such a file (a VGA BIOS, a NIC's boot
ROM: Debian ships them in packages that are only recommended) fails to
start on every machine, not only on one where those packages are missing.
"""
import os
import re
import shlex
import signal
import socket
import subprocess
import time

import pexpect

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MULT = float(os.environ.get("TIMEOUT_MULT", "1") or 1)
PROMPT = "QEMU-TEST-7f3a> "


# Runs in the new mount namespace: $1 folders to hide, then QEMU's argv.
# QEMU also tries a ROM's bare name in its working folder: it starts in an
# empty one.
HIDE = r"""
n=$1; shift
empty=/
while [ "$n" -gt 0 ]; do
	if [ -d "$1" ]; then
		mount -t tmpfs -o size=64k,mode=0755 no-firmware "$1" || exit 125
		[ "$empty" != / ] || empty=$1
	fi
	n=$((n - 1)); shift
done
cd "$empty" && exec "$@"
"""


def firmware_dirs(qemu):
    """The folders QEMU searches for firmware files (qemu-system-X -L help)."""
    out = subprocess.run([qemu, "-L", "help"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, check=True).stdout
    return sorted({os.path.realpath(d) for d in out.splitlines() if d.strip()})


def without_firmware(argv):
    """argv wrapped to run where QEMU's firmware folders are empty."""
    dirs = firmware_dirs(argv[0])
    # A user namespace lets a non-root user mount; root needs none (and
    # cannot make one inside a chroot).
    ns = ["unshare", "--mount", "--propagation", "private"] + \
        (["--map-root-user"] if os.geteuid() != 0 else [])
    return ns + ["sh", "-c", HIDE, "sh", str(len(dirs))] + dirs + argv, dirs


def free_port():
    """A port free on 127.0.0.1 for both TCP and UDP."""
    for _ in range(50):
        t = socket.socket()
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise RuntimeError("no free port")


class Emulator:
    def __init__(self, board, images, console_log):
        self.board, self.images = board, images
        self.logfile = open(console_log, "w", encoding="utf-8", errors="replace")
        self.qemu = None
        self.port = None
        self.started = None
        self.hidden = []

    def boot(self, hide_firmware=False):
        self.port = free_port()
        line = subprocess.check_output(
            ["sh", os.path.join(TOP, "board/common/qemucmd.sh"), self.board,
             self.images, str(self.port)], text=True).strip()
        argv = shlex.split(line)
        self.logfile.write("# " + line + "\n")
        if hide_firmware:
            argv, self.hidden = without_firmware(argv)
            self.logfile.write("# firmware folders hidden: %s\n" % " ".join(self.hidden))
        self.started = time.monotonic()
        # pexpect.spawn runs the child in a new session: its pid is the group.
        self.qemu = pexpect.spawn(argv[0], argv[1:], encoding="utf-8",
                                  codec_errors="replace", echo=False,
                                  logfile=self.logfile, timeout=30 * MULT)

    def drain(self, seconds):
        """Read console output for up to seconds; returns what came."""
        try:
            self.qemu.expect(pexpect.TIMEOUT, timeout=seconds)
        except pexpect.EOF:
            pass
        return self.qemu.before or ""

    def login(self, seen="", timeout=120):
        """Waits for the end of rcS, then sets a shell with a unique prompt."""
        if "=== rcS done" not in seen:
            self.qemu.expect_exact("=== rcS done", timeout=timeout * MULT)
        self.shell(r"# ", 30)

    def shell(self, prompt, timeout):
        """Waits for the console's shell prompt, then sets a unique one."""
        self.qemu.sendline("")
        self.qemu.expect(prompt, timeout=timeout * MULT)
        # The prompt is quoted in two pieces, so the echo of this line
        # (before stty -echo acts) cannot be taken for the prompt itself.
        self.qemu.sendline("stty -echo; PS1='%s'\"%s\"; dmesg -n 1" % (PROMPT[:-2], PROMPT[-2:]))
        self.qemu.expect_exact(PROMPT, timeout=30 * MULT)
        self.drain(0.5)

    def run(self, cmd, timeout=30):
        """Runs cmd in the guest shell; returns (output, exit code)."""
        self.qemu.sendline('%s; echo "@RC=$?@"' % cmd)
        self.qemu.expect(r"@RC=(\d+)@\r*\n" + re.escape(PROMPT),
                         timeout=timeout * MULT)
        out = self.qemu.before.replace("\r", "").strip("\n")
        return out, int(self.qemu.match.group(1))

    def wait_exit(self, timeout=60):
        """Waits for QEMU to end by itself; returns its exit status."""
        self.qemu.expect(pexpect.EOF, timeout=timeout * MULT)
        self.qemu.close()
        return self.qemu.exitstatus

    def stop(self):
        if self.qemu is not None and self.qemu.isalive():
            try:
                os.killpg(self.qemu.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.qemu.close(force=True)
            except Exception:
                pass
        self.logfile.close()
