#!/usr/bin/python3
"""run.py BOARD: builds BOARD's image, boots it and tests echod in it.

Prints "PASS: <board> <case>" / "FAIL: ..." lines (tests/summary.sh counts
them) and "TIME:" lines; the console transcript goes to
$O/tests/qemu-<board>-console.txt. The whole run has a hard time limit and
QEMU is always killed at the end.
"""
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator import MULT, TOP, Emulator  # noqa: E402

BOARD = sys.argv[1] if len(sys.argv) > 1 else "armhf-virt"
O = os.environ.get("O") or os.path.join(TOP, "build")
IMAGES = os.path.join(O, "images", BOARD)
LOGDIR = os.path.join(O, "tests")
INIT = "/etc/init.d/S50echod"
LISTENING = "netstat -ltn | grep -q ':50007 '"
CLASSIC = re.compile(rb"Echo=>b'(.*)' at (Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
                     rb"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     rb"[ 1-3]\d \d\d:\d\d:\d\d \d{4}", re.S)
failed = 0


def report(ok, name, detail=""):
    global failed
    failed += not ok
    print("%s: %s %s%s" % ("PASS" if ok else "FAIL", BOARD, name,
                           (" (%s)" % detail) if detail and not ok else ""),
          flush=True)


def note(text):
    print("# " + text, flush=True)


def classic(port, payload=b"hello", timeout=5):
    """One TCP exchange; returns the reply bytes (b"" if none)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(payload)
            reply = b""
            deadline = time.monotonic() + timeout
            while not CLASSIC.fullmatch(reply) and time.monotonic() < deadline:
                chunk = s.recv(2048)
                if not chunk:
                    break
                reply += chunk
            return reply
    except OSError:
        return b""


def raw_echo(port, size):
    data = random.Random(862).randbytes(size)
    got = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=30 * MULT) as s:
        sender = threading.Thread(target=s.sendall, args=(data,), daemon=True)
        sender.start()
        while len(got) < size:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        sender.join(30 * MULT)
    return bytes(got) == data, len(got)


def concurrent(port, n=20):
    socks = [socket.create_connection(("127.0.0.1", port), timeout=30 * MULT)
             for _ in range(n)]
    try:
        ok = 0
        for i, s in enumerate(socks):  # all n are open while each is served
            s.sendall(b"conn-%02d" % i)
            reply = b""
            while not CLASSIC.fullmatch(reply):
                chunk = s.recv(2048)
                if not chunk:
                    break
                reply += chunk
            m = CLASSIC.fullmatch(reply)
            ok += bool(m and m.group(1) == b"conn-%02d" % i)
        return ok
    finally:
        for s in socks:
            s.close()


def json_of(out):
    """The JSON object echoprobe -j printed among the console's lines, or {}."""
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return {}


def build_image():
    t = time.monotonic()
    r = subprocess.run(["make", "--no-print-directory", "-C", TOP, "image",
                        "BOARD=" + BOARD, "O=" + O],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in r.stdout.splitlines()[-6:]:
        note(line)
    report(r.returncode == 0, "image", "make image failed")
    note("image built in %.1f s" % (time.monotonic() - t))
    return r.returncode == 0


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def reproducible():
    """A second build, elsewhere and under umask 077, gives the same bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(
            "umask 077 && make --no-print-directory -C '%s' image BOARD=%s O='%s'"
            " IMAGE_DIR='%s/img' TARGET_DIR='%s/target'" % (TOP, BOARD, O, tmp, tmp),
            shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        same = r.returncode == 0 and \
            sha(os.path.join(tmp, "img", "rootfs.cpio.gz")) == \
            sha(os.path.join(IMAGES, "rootfs.cpio.gz"))
    report(same, "image-reproducible", "rootfs.cpio.gz differs")


def wait_for(cond, seconds):
    deadline = time.monotonic() + seconds * MULT
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.3)
    return False


def service_tests(emu, port):
    run = emu.run

    def echod_pids():
        out, _ = run("pidof echod")
        return out.split()

    def pidfile():
        out, rc = run("cat /var/run/echod.pid")
        return out.strip() if rc == 0 else None

    def listening():
        return run(LISTENING)[1] == 0

    out, rc = run(INIT + " status")
    report(rc == 0 and "running" in out, "init-status-running", out)

    out, rc = run(INIT + " stop", timeout=30)
    _, st = run(INIT + " status")
    report(rc == 0 and "OK" in out and st == 3 and pidfile() is None
           and not echod_pids() and not listening(), "init-stop", out)
    report(classic(port, timeout=3) == b"", "init-stop-port-closed")
    time.sleep(2)  # the supervisor must not bring back a stopped service
    report(not echod_pids(), "init-stop-stays-stopped")

    out, rc = run(INIT + " start")
    report(rc == 0 and "OK" in out and pidfile() is not None, "init-start", out)
    report(wait_for(listening, 10) and bool(CLASSIC.fullmatch(classic(port))),
           "init-start-port-open")

    first = pidfile()
    out, rc = run(INIT + " start")
    report(rc == 0 and wait_for(lambda: echod_pids() == [first], 5)
           and pidfile() == first, "init-start-twice-one-copy", out)

    out, rc = run(INIT + " restart", timeout=30)
    new = pidfile()
    report(rc == 0 and new not in (None, first) and wait_for(listening, 10)
           and bool(CLASSIC.fullmatch(classic(port))), "init-restart", out)

    run(INIT + " stop", timeout=30)
    run("echo 1 > /var/run/echod.pid")
    out, rc = run(INIT + " start")
    report(rc == 0 and wait_for(lambda: echod_pids() == [pidfile()], 5)
           and wait_for(listening, 10), "init-start-stale-pidfile", out)

    old = pidfile()
    run("kill -9 %s" % old)
    t = time.monotonic()
    back = wait_for(lambda: pidfile() not in (None, old) and
                    echod_pids() == [pidfile()] and listening(), 5)
    report(back and bool(CLASSIC.fullmatch(classic(port))), "respawn-after-kill-9")
    note("echod back %.1f s after kill -9" % (time.monotonic() - t))


def exact_classic(port):
    """
    Byte for byte: the repr part exactly as CPython's, and the time exactly
    as time.ctime() formats the moment it names (padding, names, year).
    """
    payload = b"it's \"q\" \\ \x00\x7f\xff\t\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10 * MULT) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    head = b"Echo=>" + repr(payload).encode() + b" at "
    when = reply[len(head):].decode("ascii", "replace")
    try:
        t = time.strptime(when, "%a %b %d %H:%M:%S %Y")
        ok = reply.startswith(head) and time.asctime(t) == when
    except ValueError:
        ok = False
    return ok, "classic-reply-byte-for-byte", repr(reply)


def board_key(key):
    """A KEY=value fact of board/BOARD/readme.txt ("" when absent)."""
    with open(os.path.join(TOP, "board", BOARD, "readme.txt")) as f:
        m = re.search(r"^%s=(.*)$" % key, f.read(), re.M)
    return m.group(1).strip() if m else ""


def first_echo(emu, seconds, attempt=2):
    """
    Boots; returns what the console said until the first TCP echo. Each
    attempt waits `attempt` seconds for the reply: where the first
    connection starts the service (socket activation), that start counts.
    """
    # As on a machine without QEMU's recommended firmware packages.
    emu.boot(hide_firmware=True)
    port = emu.port
    note("QEMU started, echod forwarded to 127.0.0.1:%d; empty: %s"
         % (port, " ".join(emu.hidden)))
    seen, reply = "", b""
    deadline = time.monotonic() + seconds * MULT
    while time.monotonic() < deadline:
        reply = classic(port, timeout=attempt * MULT)
        if reply:
            break
        seen += emu.drain(0.5)
        if not emu.qemu.isalive():
            break
    elapsed = time.monotonic() - emu.started
    # QEMU loads every ROM while it builds the machine, before the
    # guest runs: a kernel that printed its banner got past that.
    last = (seen.strip().splitlines() or ["no output"])[-1]
    report(bool(reply) or "Linux version" in seen, "starts-without-firmware-files", last)
    report(bool(reply), "boot-first-echo", last)
    print("TIME: %s boot-to-first-echo %.1f s" % (BOARD, elapsed), flush=True)
    m = CLASSIC.fullmatch(reply)
    report(bool(m and m.group(1) == b"hello"), "classic-reply", repr(reply))
    report(*exact_classic(port))
    return seen


def debian_tests(emu, port):
    """
    A Debian system with systemd, echod from its package: what an SBC owner
    does with it. The image has echod.socket enabled (first_echo used it);
    then stop, purge, install the .deb again, enable --now, remove.
    """
    run = emu.run

    def no_echod():
        return run("pgrep -x echod")[1] == 1

    out, rc = run("systemctl is-enabled echod.socket; systemctl is-active echod.socket")
    report(rc == 0 and out.split() == ["enabled", "active"], "echod.socket-enabled-active", out)
    report(concurrent(port) == 20, "concurrent-20")
    out, rc = run("journalctl -b -q -o cat | grep -c \"Server connected by ('10.0.2.2', \"")
    report(rc == 0 and int(out.split()[-1]) > 0, "journal-connection-lines", out)

    out, rc = run("systemctl stop echod.socket echod.service", timeout=60)
    report(rc == 0 and no_echod(), "systemctl-stop-no-process", out)
    report(classic(port, timeout=3) == b"", "stopped-port-closed")

    out, rc = run("dpkg --purge echod", timeout=120)
    _, left = run("test ! -e /usr/sbin/echod && test ! -e /etc/default/echod && "
                  "test ! -e /etc/systemd/system/sockets.target.wants/echod.socket && "
                  "test ! -e /var/lib/systemd/deb-systemd-helper-enabled/echod.socket.dsh-also && "
                  "! dpkg-query -W echod 2>/dev/null")
    report(rc == 0 and left == 0, "dpkg-purge-no-leftovers", out)

    out, rc = run("dpkg -i /root/echod_*.deb", timeout=120)
    st, _ = run("systemctl is-enabled echod.socket")
    report(rc == 0 and st.strip() == "disabled", "dpkg-i-units-installed-disabled", out + st)
    out, rc = run("systemctl enable --now echod.socket", timeout=60)
    report(rc == 0 and bool(CLASSIC.fullmatch(classic(port))), "enable-now-echo", out)
    ok, name, detail = exact_classic(port)
    report(ok, name + "-after-dpkg-i", detail)

    out, rc = run("systemctl stop echod.socket echod.service", timeout=60)
    report(rc == 0 and no_echod(), "systemctl-stop-no-process-after-dpkg-i", out)

    # Removing the package while it serves: prerm stops the units.
    run("systemctl start echod.socket", timeout=60)
    serving = bool(CLASSIC.fullmatch(classic(port)))
    out, rc = run("dpkg --remove echod", timeout=120)
    report(serving and rc == 0 and no_echod() and classic(port, timeout=3) == b"",
           "dpkg-remove-stops-units", out)


def busybox_tests(emu, port):
    """The busybox boards: echod started by its init script."""
    report(concurrent(port) == 20, "concurrent-20")

    # The shipped ECHOD_ARGS drop to nobody: the parent and a child serving a connection.
    hold = socket.create_connection(("127.0.0.1", port), timeout=5 * MULT)
    hold.sendall(b"x")
    hold.recv(4096)
    out, _ = emu.run("for p in $(pidof echod); do grep '^Uid:' /proc/$p/status; done")
    hold.close()
    uids = [list(m) for m in re.findall(r"Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", out)]
    report(len(uids) >= 2 and all(u == ["65534"] * 4 for u in uids),
           "runs-as-nobody (parent and child)", out)

    run = emu.run
    run("cp /etc/default/echod /tmp/echod.default")
    # -r 0: no per-source UDP limit, which would count as loss in the -R run
    run("""echo 'ECHOD_ARGS="-s -U -m raw -r 0"' >> /etc/default/echod""")
    _, rc = run(INIT + " restart", timeout=30)
    ok, n = False, 0
    if rc == 0 and wait_for(lambda: run(LISTENING)[1] == 0, 10):
        ok, n = raw_echo(port, 1 << 20)
    report(ok, "raw-echo-1MiB", "%d bytes back" % n)
    # UDP from the guest's own eth0 address, with echoprobe (image only).
    out, rc = run("echoprobe -u -q -c 3 -i 0.2 -m raw 10.0.2.15 50007")
    report(rc == 0, "udp-echo", out)
    # A UDP stream at a set rate and a path MTU probe, in the guest against its own echod.
    out, rc = run("echoprobe -j -q -m raw -R 200 -c 400 10.0.2.15 50007", timeout=30)
    j = json_of(out)
    report(rc == 0 and j.get("sent") == 400 and j.get("received") == 400 and j.get("lost") == 0
           and j.get("duplicated") == 0 and j.get("invalid") == 0, "udp-stream-R200", out[-300:])
    out, rc = run("echoprobe -j -m raw -M 10.0.2.15 50007", timeout=60)
    j = json_of(out)
    report(rc == 0 and j.get("payload", 0) > 1000 and j.get("mtu") == j.get("payload", 0) + 28
           and j.get("mtu") <= j.get("route_mtu", 0) and j.get("black_hole") is False,
           "pmtu-M", out[-300:])
    run("cp /tmp/echod.default /etc/default/echod")
    run(INIT + " restart", timeout=30)

    # From the host, UDP cannot come back: QEMU's user networking
    # (libslirp) drops every datagram from the guest when restrict=on.
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(2)
    try:
        u.sendto(b"udp-ping", ("127.0.0.1", port))
        back = bool(u.recvfrom(2048)[0])
    except OSError:
        back = False
    u.close()
    note("udp echo from the host: %s" % (
        "works" if back else "no reply (restrict=on drops guest UDP)"))

    service_tests(emu, port)

    out, rc = run("logread | grep -c \"Server connected by ('10.0.2.2', \"")
    report(rc == 0 and int(out.split()[-1]) > 0, "logread-connection-lines", out)


def main():
    os.makedirs(LOGDIR, exist_ok=True)
    if not build_image():
        return
    reproducible()
    debian = board_key("ROOTFS") == "debian"
    emu = Emulator(BOARD, IMAGES, os.path.join(LOGDIR, "qemu-%s-console.txt" % BOARD))
    try:
        seen = first_echo(emu, 300, 20) if debian else first_echo(emu, 180)
        if debian:
            emu.shell(r"root@[^\r\n]*# ", 120)
            debian_tests(emu, emu.port)
            emu.qemu.sendline("systemctl poweroff")
        else:
            emu.login(seen)
            busybox_tests(emu, emu.port)
            emu.qemu.sendline("poweroff")
        status = emu.wait_exit(120 if debian else 60)
        report(status == 0, "poweroff", "qemu exit %s" % status)
    except Exception as e:  # a timeout or a crash fails the board, not the run
        report(False, "console", "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
    finally:
        emu.stop()


def on_alarm(signum, frame):
    raise TimeoutError("hard time limit")


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, on_alarm)
    # A Debian board's first build includes debootstrap (minutes).
    signal.alarm(int((1800 if board_key("ROOTFS") == "debian" else 600) * MULT))
    try:
        main()
    except TimeoutError as e:
        report(False, "hard-timeout", str(e))
    sys.exit(1 if failed else 0)
