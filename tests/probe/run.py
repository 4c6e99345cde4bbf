#!/usr/bin/env python3
"""
echoprobe against the real echod (classic and raw, TCP and UDP) and against
the book's own script, then against small misbehaving servers written here:
each failure must give its documented exit code and a clear message.

    run.py [name-substring ...]    only the matching tests
Environment: ECHOD, ECHOPROBE, ECHOD_WRAPPER, TIMEOUT_MULT (see tests/lib/echotest.py).
"""
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from echotest import BOOK, Runner, Server, WRAPPER, timeout  # noqa: E402

HAVE_IPV6 = os.path.exists("/proc/net/if_inet6")

PROBE = os.environ.get("ECHOPROBE", "build/host/echoprobe")
EX_OK, EX_SOME, EX_USAGE, EX_UNAVAILABLE, EX_TEMPFAIL, EX_PROTOCOL = 0, 1, 64, 69, 75, 76


def probe(*args, seconds=30, env=None):
    """Runs echoprobe; returns (rc, stdout, stderr)."""
    full = dict(os.environ)
    full.update(env or {})
    p = subprocess.run(WRAPPER + [PROBE] + [str(a) for a in args], capture_output=True,
                       timeout=timeout(seconds), env=full)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def wait_s(seconds):
    """A -W/-w argument scaled by TIMEOUT_MULT."""
    return "%.3f" % timeout(seconds)


def ok_run(t, name, args, want_lines=None):
    rc, out, err = probe(*args)
    good = rc == 0 and (want_lines is None or out.count(" bytes from ") == want_lines)
    t.check(good, name, "rc=%d out=%r err=%r" % (rc, out[-300:], err[-300:]))
    return out


def test_ping_modes(t):
    with Server("-U") as classic, Server("-U", "-m", "raw") as raw:
        for proto in ([], ["-u"]):
            tag = "udp" if proto else "tcp"
            out = ok_run(t, "ping %s classic: 3 probes verified, rc 0" % tag,
                         proto + ["-c", 3, "-i", 0, "127.0.0.1", classic.port], 3)
            t.check("3 probes sent, 3 received, 0% loss" in out and "rtt min/avg/max/mdev" in out,
                    "ping %s: ping-like summary" % tag, out)
            ok_run(t, "ping %s raw: 3 probes verified, rc 0" % tag,
                   proto + ["-m", "raw", "-c", 3, "-i", 0, "127.0.0.1", raw.port], 3)
        for size in (0, 1, 1023, 1024, 1025, 4096, 65537):
            ok_run(t, "ping tcp classic, %d bytes (replies split per 1024-byte read)" % size,
                   ["-c", 2, "-i", 0, "-s", size, "127.0.0.1", classic.port], 2)
            ok_run(t, "ping tcp raw, %d bytes" % size,
                   ["-m", "raw", "-c", 2, "-i", 0, "-s", size, "127.0.0.1", raw.port], 2)
        for size in (0, 1024, 1500, 65507):
            ok_run(t, "ping udp classic, %d bytes (reply of the first 1024)" % size,
                   ["-u", "-c", 2, "-i", 0, "-s", size, "127.0.0.1", classic.port], 2)
        ok_run(t, "ping udp raw, 65507 bytes",
               ["-u", "-m", "raw", "-c", 2, "-i", 0, "-s", 65507, "127.0.0.1", raw.port], 2)
        # echoprobe probes one address of a name, as ping does. Which one
        # depends on /etc/hosts (Debian's installer lists ::1 localhost
        # after 127.0.0.1) and on the resolver: serve the port on both.
        with Server("-m", "raw") as v4, \
                Server("-m", "raw", "-p", str(v4.port), bind="::1") if HAVE_IPV6 else contextlib.nullcontext():
            ok_run(t, "host given as a name (localhost)",
                   ["-m", "raw", "-c", 1, "localhost", v4.port], 1)
        # The wrong protocol is a mismatch, whichever way round.
        rc, _, err = probe("-m", "raw", "-c", 1, "127.0.0.1", classic.port)
        t.check(rc == EX_PROTOCOL and "mismatch" in err, "raw probe on a classic server: 76", err)
        rc, _, err = probe("-c", 1, "127.0.0.1", raw.port)
        t.check(rc == EX_PROTOCOL and "Echo=>b" in err, "classic probe on a raw server: 76", err)
        rc, _, err = probe("-u", "-m", "raw", "-c", 1, "127.0.0.1", classic.port)
        t.check(rc == EX_PROTOCOL, "udp: raw probe on a classic server: 76", err)
        # A classic ctime far from our clock: the server runs 3 hours east of us.
    with Server(env={"TZ": "XXX-3"}) as east:
        rc, _, err = probe("-c", 1, "127.0.0.1", east.port, env={"TZ": "UTC0"})
        t.check(rc == EX_PROTOCOL and "off our clock" in err,
                "classic: a server 3 h off our clock is a mismatch", err)
        rc, _, err = probe("-c", 1, "127.0.0.1", east.port, env={"TZ": "XXX-3"})
        t.check(rc == 0, "classic: the same TZ as the server passes", err)


def test_json(t):
    with Server("-U", "-m", "raw") as raw:
        rc, out, err = probe("-j", "-m", "raw", "-c", 4, "-i", 0, "127.0.0.1", raw.port)
        try:
            j = json.loads(out)
        except ValueError:
            j = {}
        t.check(rc == 0 and out.count("\n") == 1 and j.get("mode") == "ping" and
                j.get("sent") == 4 and j.get("received") == 4 and j.get("error") is None and
                j["rtt_us"]["p50"] <= j["rtt_us"]["p99"] <= j["rtt_us"]["max"],
                "-j: one JSON object for a ping run", out + err)
        rc, out, err = probe("-j", "-u", "-m", "raw", "-c", 2, "-i", 0, "127.0.0.1", raw.port)
        t.check(rc == 0 and json.loads(out).get("proto") == "udp", "-j: udp ping", out + err)


def test_load_modes(t):
    with Server("-c", "64") as classic, Server("-m", "raw", "-c", "64") as raw:
        for srv, mode in ((classic, "classic"), (raw, "raw")):
            rc, out, err = probe("-j", "-m", mode, "-r", 8, "-c", 200, "127.0.0.1", srv.port)
            j = json.loads(out) if out.strip() else {}
            t.check(rc == 0 and j.get("ok") == 200 and j.get("failed") == 0 and
                    j.get("conn_per_s", 0) > 0, "rate %s: 8 workers, 200 connections verified" % mode,
                    out + err)
            rc, out, err = probe("-j", "-m", mode, "-b", 4, "127.0.0.1", srv.port)
            j = json.loads(out) if out.strip() else {}
            t.check(rc == 0 and j.get("verified") == 4 << 20 and j.get("mb_per_s", 0) > 0,
                    "stream %s: 4 MiB full duplex, verified" % mode, out + err)
        rc, out, err = probe("-m", "raw", "-r", 2, "-c", 1000000, "-w", wait_s(0.5), "127.0.0.1",
                             raw.port)
        t.check(rc == 0 and "conn/s" in out, "rate: -w bounds the run in time", out + err)
        rc, out, err = probe("-j", "-m", "raw", "-r", 4, "-c", 50, "127.0.0.1", classic.port)
        t.check(rc == EX_PROTOCOL and json.loads(out).get("mismatches") == 50,
                "rate: mismatches counted, 76", out + err)


def test_book_server(t):
    """The book's own script is the definition of a classic reply."""
    if not os.path.exists(BOOK):
        t.check(False, "book script present", BOOK)
        return
    from test_basic import start_book  # noqa: E402 (tests/host)
    from echotest import free_port
    port = free_port()
    book = start_book(port, "UTC0")
    try:
        rc, out, err = probe("-c", 3, "-i", 0, "-s", 3000, "127.0.0.1", port, env={"TZ": "UTC0"})
        t.check(rc == 0, "classic: the book's fork-server.py passes verification", out + err)
    finally:
        book.kill()
        book.wait()


class Fake:
    """A misbehaving TCP or UDP server in a thread, on a free loopback port."""

    def __init__(self, handler, udp=False, listen=True):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(timeout(10))
        if not udp and listen:
            self.sock.listen(8)
        self.thread = None
        if handler:
            self.thread = threading.Thread(target=self._run, args=(handler,), daemon=True)
            self.thread.start()

    def _run(self, handler):
        try:
            handler(self.sock)
        except OSError:
            pass

    def close(self):
        self.sock.close()
        if self.thread:
            self.thread.join(timeout(10))


def short_reply(s):
    c, _ = s.accept()
    data = c.recv(65536)
    c.sendall(data[: len(data) // 2])
    c.close()


def wrong_byte(s):
    c, _ = s.accept()
    data = bytearray(c.recv(65536))
    data[-1] ^= 0x20
    c.sendall(data)
    c.recv(1)
    c.close()


def old_ctime(s):
    c, _ = s.accept()
    data = c.recv(1024)
    c.sendall(b"Echo=>" + repr(data).encode() + b" at Thu Nov  5 10:30:00 2015")
    c.recv(1)
    c.close()


def udp_drop_second(s):
    n = 0
    while True:
        data, peer = s.recvfrom(65536)
        n += 1
        if n != 2:
            s.sendto(data, peer)


def test_failures(t):
    cases = [
        (short_reply, [], EX_PROTOCOL, "short reply", "a short reply (then close): 76"),
        (wrong_byte, [], EX_PROTOCOL, "byte 63", "a wrong byte: 76, located"),
    ]
    for handler, extra, want, text, name in cases:
        f = Fake(handler)
        rc, out, err = probe("-m", "raw", "-c", 1, "-W", wait_s(5), "127.0.0.1", f.port, *extra)
        f.close()
        t.check(rc == want and text in err, name, "rc=%d err=%r" % (rc, err))
    f = Fake(old_ctime)
    rc, out, err = probe("-c", 1, "-W", wait_s(5), "127.0.0.1", f.port)
    f.close()
    t.check(rc == EX_PROTOCOL and "off our clock" in err, "classic: a 2015 ctime: 76", err)
    # Listening but never answering: the kernel completes the handshake, nothing comes back.
    f = Fake(None)
    rc, out, err = probe("-m", "raw", "-c", 1, "-W", wait_s(0.3), "127.0.0.1", f.port)
    t.check(rc == EX_TEMPFAIL and "timeout" in err, "no answer: 75 (timeout)", err)
    f.close()
    # Bound, not listening: refused.
    f = Fake(None, listen=False)
    rc, out, err = probe("-c", 1, "127.0.0.1", f.port)
    t.check(rc == EX_UNAVAILABLE and "refused" in err, "connection refused: 69", err)
    rc, out, err = probe("-r", 4, "-c", 20, "127.0.0.1", f.port)
    t.check(rc == EX_UNAVAILABLE, "rate mode, refused: 69", err)
    f.close()
    # UDP: a silent server loses everything; one that drops the 2nd datagram loses one.
    f = Fake(None, udp=True)
    rc, out, err = probe("-u", "-m", "raw", "-c", 2, "-i", 0, "-W", wait_s(0.3), "127.0.0.1", f.port)
    t.check(rc == EX_TEMPFAIL and "2 of 2 probes lost" in err, "udp: all lost: 75", err)
    f.close()
    f = Fake(udp_drop_second, udp=True)
    rc, out, err = probe("-u", "-m", "raw", "-c", 3, "-i", 0, "-W", wait_s(0.3), "127.0.0.1", f.port)
    t.check(rc == EX_SOME and "3 probes sent, 2 received, 33% loss" in out,
            "udp: one of 3 lost: 1, counted", out + err)
    f.close()
    # Closed UDP port: ICMP port unreachable comes back as refused.
    f = Fake(None, udp=True)
    port = f.port
    f.close()
    rc, out, err = probe("-u", "-c", 1, "-W", wait_s(2), "127.0.0.1", port)
    t.check(rc == EX_UNAVAILABLE, "udp: port unreachable: 69", err)


def jrun(*args):
    """echoprobe -j: (rc, the JSON object or {}, stdout + stderr)."""
    rc, out, err = probe("-j", *args)
    try:
        return rc, json.loads(out), out + err
    except ValueError:
        return rc, {}, out + err


def test_udp_stream(t):
    with Server("-U", "-r", "0", "-m", "raw") as raw, Server("-U", "-r", "0") as classic:
        for srv, mode in ((raw, "raw"), (classic, "classic")):
            rc, j, out = jrun("-m", mode, "-R", 500, "-c", 400, "-i", 0.2, "127.0.0.1", srv.port)
            iv = j.get("intervals", [])
            t.check(rc == 0 and j.get("mode") == "udp-stream" and j.get("sent") == 400 and
                    j.get("received") == 400 and j.get("lost") == 0 and j.get("duplicated") == 0 and
                    j.get("invalid") == 0 and sum(i["sent"] for i in iv) == 400 and
                    sum(i["received"] for i in iv) == 400 and
                    j["rtt_us"]["min"] <= j["rtt_us"]["p50"] <= j["rtt_us"]["p99"] <= j["rtt_us"]["max"],
                    "udp stream %s: -R 500 -c 400: every datagram back once, intervals add up" % mode, out)
        rc, out, err = probe("-m", "raw", "-R", 1000, "-c", 300, "-i", 0.1, "127.0.0.1", raw.port)
        t.check(rc == 0 and "300 sent, 300 received, 0 lost (0.00%)" in out and "jitter" in out and
                out.count("] ") >= 2, "udp stream: interval lines and a summary", out + err)
        rc, j, out = jrun("-m", "raw", "-R", 200, "-w", wait_s(0.5), "127.0.0.1", raw.port)
        t.check(rc == 0 and 0 < j.get("sent", 0) <= 100 * timeout(1) + 1, "udp stream: -w is the duration", out)
        rc, j, out = jrun("-R", 100, "-c", 20, "-W", wait_s(0.5), "127.0.0.1", raw.port)
        t.check(rc == EX_PROTOCOL and j.get("invalid") == 20, "udp stream: classic expected, raw came: 76", out)


def test_dscp(t):
    with Server("-U", "-r", "0", "-m", "raw", bind="::") as srv:
        for host in ("127.0.0.1", "::1"):
            for name, value in (("ef", 46), ("af41", 34), ("cs1", 8), ("12", 12)):
                rc, j, out = jrun("-m", "raw", "-u", "-c", 2, "-i", 0, "-Q", name, host, srv.port)
                t.check(rc == 0 and j.get("dscp_sent") == value and j.get("dscp_returned") == value and
                        j.get("dscp_other") == 0,
                        "dscp: ping -Q %s to %s comes back %d (echod reflects it)" % (name, host, value), out)
        rc, out, err = probe("-m", "raw", "-R", 100, "-c", 5, "-Q", "af41", "::1", srv.port)
        t.check(rc == 0 and "dscp sent af41, replies came back af41" in out, "dscp: -R summary line", out + err)
        rc, out, err = probe("-m", "raw", "-c", 1, "-Q", "ef", "127.0.0.1", srv.port)
        t.check(rc == 0, "dscp: -Q on TCP", out + err)
    rc, out, err = probe("-Q", "af44", "h")
    t.check(rc == EX_USAGE and "-Q: 'af44'" in err, "dscp: unknown name: 64", err)


def test_pmtu(t):
    with Server("-U", "-r", "0", "-m", "raw", bind="::") as srv:
        rc, j, out = jrun("-M", "-m", "raw", "127.0.0.1", srv.port)
        t.check(rc == 0 and j.get("payload") == 65507 and j.get("mtu") == 65535 and
                not j.get("black_hole"), "pmtu: loopback IPv4: 65507-byte payload, MTU 65535", out)
        rc, out, err = probe("-M", "-m", "raw", "::1", srv.port)
        t.check(rc == 0 and "largest payload echoed 65488 bytes: path MTU 65536" in out,
                "pmtu: loopback IPv6: 65488 bytes, MTU 65536", out + err)
    with Server("-U", "-r", "0") as classic:
        rc, j, out = jrun("-M", "127.0.0.1", classic.port)
        t.check(rc == 0 and j.get("payload") == 65507, "pmtu: against classic replies", out)


def test_iface(t):
    with Server("-U", "-m", "raw", "-l", "8") as srv:
        rc, out, err = probe("-m", "raw", "-u", "-c", 1, "-I", "lo", "-S", "127.0.0.2", "127.0.0.1", srv.port)
        t.check(rc == 0, "-I lo -S 127.0.0.2: udp answered", out + err)
        rc, out, err = probe("-m", "raw", "-c", 1, "-I", "lo", "-S", "127.0.0.3", "127.0.0.1", srv.port)
        t.check(rc == 0 and srv.wait_log(r"connected by \('127\.0\.0\.3'") is not None,
                "-I lo -S 127.0.0.3: tcp answered, echod saw that source", srv.log_text()[-300:] + err)
    rc, out, err = probe("-u", "-c", 1, "-I", "nosuch0", "127.0.0.1", 9)
    t.check(rc == EX_USAGE and "-I nosuch0: no such interface" in err, "-I unknown interface: 64", err)
    rc, out, err = probe("-u", "-c", 1, "-S", "192.0.2.1", "127.0.0.1", 9)
    t.check(rc == EX_USAGE and "-S 192.0.2.1" in err, "-S address not ours: 64", err)
    rc, out, err = probe("-S", "nohost", "h")
    t.check(rc == EX_USAGE and "-S: 'nohost'" in err, "-S not an address: 64", err)


def test_usage(t):
    for args, name in (([], "no host"), (["-m", "fast", "h"], "bad -m"),
                       (["-u", "-r", "2", "h"], "-u with -r"), (["-R", "0", "h"], "-R 0"),
                       (["-R", "10", "-s", "31", "h"], "-R -s below the head"), (["-c", "0", "h"], "-c 0"),
                       (["-s", "x", "h"], "-s x"), (["-x", "h"], "unknown option"),
                       (["-u", "-s", "65528", "h"], "udp -s too big"), (["h", "1", "2"], "extra args"),
                       (["h", "70000"], "port out of range")):
        rc, out, err = probe(*args)
        t.check(rc == EX_USAGE and "usage: echoprobe" in err, "usage: %s: 64" % name, err)
    rc, out, err = probe("--help")
    t.check(rc == 0 and "exit:" in out and "76" in out and "-j" in out, "--help lists modes and exit codes", out)


def test_names(t):
    """names.py in namespaces of its own (a child process); its results are ours."""
    p = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "names.py")],
                       capture_output=True, text=True, timeout=timeout(240))
    lines = [x for x in p.stdout.splitlines() if x.startswith(("PASS: ", "FAIL: "))]
    for line in lines:
        verdict, _, rest = line.partition(": ")
        t.check(verdict == "PASS", rest.partition(": ")[2])
    t.check(p.returncode == 0 and lines, "names.py ran to the end",
            "rc=%d\n%s%s" % (p.returncode, p.stdout[-2000:], p.stderr[-2000:]))


TESTS = [test_ping_modes, test_json, test_load_modes, test_book_server, test_failures, test_usage,
         test_udp_stream, test_dscp, test_pmtu, test_iface, test_names]

if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "host"))
    os.environ.setdefault("SUITE_TAG", "probe")
    sys.exit(Runner().run(TESTS, sys.argv[1:]))
