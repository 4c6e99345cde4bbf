"""
echod's core behaviour: the book's classic reply byte for byte (compared
with the book's own script running beside it), raw RFC 862 echo, UDP,
forking, reaping, signals, usage errors and inetd mode.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

from echotest import (BOOK, EMULATED, INSTRUMENTED, ECHOD, Server, children_of, exchange, fd_count,
                      free_port, mask_time, proc_stat, reachable_copy, recv_all, reserved_port_socket,
                      run_echod, status_field, timeout, wait_until, WRAPPER)

HELP_TXT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "echod", "help.txt")

PAYLOADS = [b"hello", b"hello\n", b"hello\r\n", b"it's", b'say "hi"', b"it's \"x\"", b"'",
            b'"', b"a\\b", b"\t", b"\x00\x01\x1b\x1f", b"\x07\x08\x0b\x0c", b" ~\x7f",
            b"\x80\xff", "héllo".encode(), bytes(range(256)), bytes(range(200, 256)) * 4,
            b"x" * 1024]


def start_book(port, tz):
    env = dict(os.environ, ECHO_PORT=str(port), ECHO_SLEEP="0", TZ=tz)
    p = subprocess.Popen([sys.executable, "-u", BOOK], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)

    def up():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False
    if not wait_until(up, 10):
        os.killpg(p.pid, signal.SIGKILL)
        raise AssertionError("the book's server did not start")
    return p


def test_classic_matches_book(t):
    """Every docs/reply-format.md payload, on echod and on the book's script, same TZ."""
    if not os.path.exists(BOOK):
        t.check(False, "classic: book script present", BOOK)
        return
    port = free_port()
    book = start_book(port, "EST5EDT,M3.2.0,M11.1.0")
    try:
        with Server(env={"TZ": "EST5EDT,M3.2.0,M11.1.0"}) as srv:
            bad = []
            for p in PAYLOADS:
                mine = classic_exchange(srv.connect(), p)
                theirs = classic_exchange(srv.connect(port=port), p)
                if mask_time(mine) != mask_time(theirs):
                    bad.append((p, mine, theirs))
            t.check(not bad, "classic: %d payloads byte for byte as the book's script" % len(PAYLOADS),
                    repr(bad[:1]))
            # The timestamps themselves: Python's time.ctime in the same TZ, within a second or two.
            before = time.time()
            mine = exchange(srv.connect(), b"when")
            after = time.time()
            os.environ["TZ"] = "EST5EDT,M3.2.0,M11.1.0"
            time.tzset()
            ok = any(mine.endswith((" at " + time.ctime(x)).encode())
                     for x in range(int(before) - 1, int(after) + 2))
            del os.environ["TZ"]
            time.tzset()
            t.check(ok, "classic: ctime is the server's local time (TZ honoured)", repr(mine))
    finally:
        os.killpg(book.pid, signal.SIGKILL)
        book.wait()


def classic_exchange(s, payload):
    """
    Sends payload and reads replies until they account for every byte sent.
    (The book's parent keeps its copy of each connection open until the next
    accept, so its clients see no EOF: we cannot read to the end.)
    """
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    data = b""
    while True:
        parts = [p for p in re.split(CT, data) if p]
        got = sum(len(eval(p[6:])) for p in parts) if data[-1:].isdigit() else -1
        if got >= len(payload) and (payload or data):
            break
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    return data


def test_classic_log_line(t):
    with Server() as srv:
        s = srv.connect()
        local_port = s.getsockname()[1]
        exchange(s, b"x")
        m = srv.wait_log(r"Server connected by \('127\.0\.0\.1', %d\) at \w{3} \w{3} [ \d]\d "
                         r"\d\d:\d\d:\d\d \d{4}\n" % local_port)
        t.check(m is not None, "log: the book's 'Server connected by' line", srv.log_text())
        m = srv.wait_log(r"Closed \('127\.0\.0\.1', %d\): 1 bytes in, 38 bytes out, \d+\.\d{3} s\n"
                         % local_port)
        t.check(m is not None, "log: end of connection with bytes and duration", srv.log_text())


def test_classic_per_read(t):
    """One reply per read: two sends answered separately when the first is answered first."""
    with Server() as srv:
        s = srv.connect()
        s.sendall(b"one")
        first = s.recv(4096)
        s.sendall(b"two")
        rest = exchange(s, b"")
        t.check(mask_time(first) == b"Echo=>b'one' at <ctime>" and
                mask_time(rest) == b"Echo=>b'two' at <ctime>", "classic: one reply per read",
                repr((first, rest)))
        # 3000 bytes arrive as reads of at most 1024: every reply's repr is <= 1024 bytes.
        payload = bytes(range(256)) * 12
        data = exchange(srv.connect(), payload)
        parts = re.split(CT, data)
        body = b"".join(eval(p[6:]) for p in parts if p)  # literal reprs of our own bytes
        t.check(body == payload and all(len(eval(p[6:])) <= 1024 for p in parts if p),
                "classic: a long send comes back as replies of at most 1024 bytes each")


CT = rb" at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d+"


def sender(sock, payload):
    try:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def raw_roundtrip(srv, payload, threaded=True):
    s = srv.connect()
    if threaded:
        th = threading.Thread(target=sender, args=(s, payload))
        th.start()
        data = recv_all(s)
        th.join()
        s.close()
        return data
    return exchange(s, payload)


def test_raw_sizes(t):
    with Server("-m", "raw") as srv:
        for n in (0, 1, 1023, 1024, 1025, 65537, 1 << 20):
            payload = os.urandom(n)
            t.check(raw_roundtrip(srv, payload) == payload, "raw: %d random bytes back unchanged" % n)
        payload = os.urandom(1 << 20)
        t.check(raw_roundtrip(srv, payload, threaded=False) == payload,
                "raw: 1 MiB sent completely before reading")


def test_udp(t):
    with Server("-U") as srv, Server("-U", "-m", "raw") as raw:
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(timeout(5))
        c.sendto(b"it's", ("127.0.0.1", srv.port))
        data, _ = c.recvfrom(65536)
        t.check(mask_time(data) == b"Echo=>b\"it's\" at <ctime>", "udp: classic reply", repr(data))
        big = os.urandom(1500)
        c.sendto(big, ("127.0.0.1", srv.port))
        data, _ = c.recvfrom(65536)
        t.check(mask_time(data) == b"Echo=>" + repr(big[:1024]).encode() + b" at <ctime>",
                "udp: classic answers the first 1024 bytes, as recv(1024)")
        for n in (1, 1472, 65507):
            payload = os.urandom(n)
            c.sendto(payload, ("127.0.0.1", raw.port))
            data, _ = c.recvfrom(65536)
            t.check(data == payload, "udp: raw echo of %d bytes" % n)
        c.close()


def test_udp_loop_guard(t):
    """A datagram from a reserved port gets no answer; the next good one does."""
    if os.geteuid() != 0:
        t.check(True, "udp: loop guard (skipped: needs root for a port < 1024)")
        return
    with Server("-U", "-m", "raw") as srv:
        bad = reserved_port_socket()
        low = bad.getsockname()[1]
        bad.sendto(b"loop", ("127.0.0.1", srv.port))
        good = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        good.settimeout(timeout(5))
        good.sendto(b"fine", ("127.0.0.1", srv.port))
        data, _ = good.recvfrom(100)
        bad.setblocking(False)
        try:
            leaked = bad.recv(100)
        except BlockingIOError:
            leaked = None
        t.check(data == b"fine" and leaked is None, "udp: a source port below 1024 dropped, 50000+ answered")
        t.check(srv.wait_log(r"Dropped UDP from \('127\.0\.0\.1', %d\)" % low) is not None,
                "udp: the drop is logged")
        bad.close()
        good.close()


def test_delay_forks(t):
    """-d 2 and five clients at once: all answered in about 2 s, not 10."""
    with Server("-d", "2") as srv:
        socks = [srv.connect() for _ in range(5)]
        start = time.monotonic()
        for s in socks:
            s.sendall(b"hi")
            s.shutdown(socket.SHUT_WR)
        alive = wait_until(lambda: len(srv.children()) == 5, 5)
        replies = [recv_all(s) for s in socks]
        took = time.monotonic() - start
        for s in socks:
            s.close()
        t.check(alive, "fork: five children alive at once")
        t.check(all(mask_time(r) == b"Echo=>b'hi' at <ctime>" for r in replies),
                "fork: all five answered")
        t.check(1.9 <= took < 9, "fork: five 2 s delays overlap (%.2f s, serial would be 10)" % took)


def no_children(srv):
    return wait_until(lambda: not srv.children(), 10)


def test_many_connections(t):
    """1,000 connections: no zombie, no fd or memory growth in the parent."""
    n = 300 if EMULATED else 1000
    with Server("-q", "-m", "raw") as srv:
        exchange(srv.connect(), b"warm")
        no_children(srv)
        fds = fd_count(srv.pid)
        rss = status_field(srv.pid, "RssAnon")
        bad = 0
        for i in range(n):
            if exchange(srv.connect(), b"%d" % i) != b"%d" % i:
                bad += 1
        t.check(bad == 0, "load: %d sequential connections all echoed" % n)
        t.check(no_children(srv), "load: every child reaped (no zombie left)")
        t.check(fd_count(srv.pid) == fds, "load: parent fd count constant (%d)" % fds)
        if not INSTRUMENTED:
            t.check(status_field(srv.pid, "RssAnon") == rss,
                    "load: parent private memory (RssAnon) constant (%s kB)" % rss[0],
                    "now %s" % status_field(srv.pid, "RssAnon"))


def test_sigterm(t):
    """SIGTERM: listeners close at once, a running connection finishes, exit 0."""
    with Server("-m", "raw") as srv:
        s = srv.connect()
        s.sendall(b"before")
        first = s.recv(100)
        wait_until(lambda: len(srv.children()) == 1, 5)
        srv.kill(signal.SIGTERM)

        def refused():
            try:
                srv.connect().close()
                return False
            except OSError:
                return True
        t.check(wait_until(refused, 5), "sigterm: new connections refused")
        s.sendall(b"during")
        during = s.recv(100)
        s.close()
        rc = srv.proc.wait(timeout(10))
        t.check(first == b"before" and during == b"during", "sigterm: the open connection is served to its end")
        t.check(rc == 0, "sigterm: exit status 0", str(rc))
        t.check(re.search(r"stats: \d+ accepted, 0 active", srv.log_text()) is not None,
                "sigterm: final counters logged", srv.log_text())


def test_sigterm_grace(t):
    """A connection that outlives the grace period is ended; the server still exits 0."""
    with Server("-m", "raw") as srv:
        s = srv.connect()
        s.sendall(b"x")
        s.recv(10)
        start = time.monotonic()
        srv.kill(signal.SIGINT)
        rc = srv.proc.wait(timeout(15))
        took = time.monotonic() - start
        t.check(rc == 0 and recv_all(s) == b"", "sigint: idle client ended after the grace, exit 0",
                "rc %s after %.1f s" % (rc, took))
        s.close()


def test_sigusr1(t):
    with Server("-U", "-m", "raw") as srv:
        exchange(srv.connect(), b"12345")
        no_children(srv)
        srv.kill(signal.SIGUSR1)
        m = srv.wait_log(r"stats: 1 accepted, 0 active, 0 refused, 0 fork failed, "
                         r"tcp 5 bytes in, 5 out; udp 0 bytes in, 0 out, 0 dropped")
        t.check(m is not None, "sigusr1: counters logged", srv.log_text())


USAGE = [
    (["-p", "65536"], "option -p: 65536 is out of range 0-65535"),
    (["-p", "x"], "option -p: 'x' is not a number"),
    (["-c", "0"], "option -c: 0 is out of range 1-1024"),
    (["-m", "loud"], "option -m: 'loud' is not valid"),
    (["-z"], "unknown option -z"),
    (["-t"], "option -t needs a value"),
    (["stray"], "unexpected argument 'stray'"),
    (["-b", "localhost"], "option -b: 'localhost' is not an IPv4 or IPv6 address"),
]


def test_usage_errors(t):
    for args, msg in USAGE:
        rc, out, err = run_echod(*args)
        lines = err.splitlines()
        t.check(rc == 64 and lines and lines[0] == "echod: " + msg and
                lines[1].startswith("usage: echod") and out == "",
                "usage: %s -> 64, '%s'" % (" ".join(args), msg), repr((rc, err)))
    rc, out, err = run_echod("-h")
    t.check(rc == 0 and out.startswith("usage: echod") and "-m" in out and err == "", "usage: -h")
    # The text is stored coded (src/lib/mkdict.py): what it prints is help.txt, byte for byte.
    with open(HELP_TXT, encoding="ascii", newline="") as f:
        help_txt = f.read()
    usage = help_txt[:help_txt.index("\n  -") + 1]
    t.check(out == help_txt, "usage: -h prints help.txt exactly", repr(out[:200]))
    rc, out, err = run_echod("-z")
    t.check(err == "echod: unknown option -z\n" + usage + "Try 'echod -h' for more information.\n",
            "usage: a usage error prints the usage lines of help.txt exactly", repr(err))
    rc, out, err = run_echod("-V")
    t.check(rc == 0 and re.match(r"echod \d+\.\d+\.\d+\n$", out), "usage: -V", out)
    rc, out, err = run_echod("-u", "no-such-user-here", "-p", "0")
    t.check(rc == 67 and "no such user 'no-such-user-here'" in err, "setup: unknown user -> 67", err)


def test_setup_errors(t):
    with Server() as srv:
        rc, out, err = run_echod("-b", "127.0.0.1", "-p", str(srv.port))
        # musl says "Address in use", glibc "Address already in use".
        t.check(rc == 71 and re.fullmatch(r"echod: tcp 127\.0\.0\.1 port %d: Address (already )?in use"
                                          % srv.port, err.strip()) is not None,
                "setup: port in use -> 71", err)
    rc, out, err = run_echod("-b", "192.0.2.1", "-p", "0")
    t.check(rc == 71 and ("Address not available" in err or "Cannot assign" in err), "setup: address not on this host -> 71", err)
    if os.geteuid() == 0 and not EMULATED:
        with reachable_copy(ECHOD) as echod:
            p = subprocess.run([echod, "-b", "127.0.0.1", "-p", "7"], capture_output=True,
                               preexec_fn=lambda: os.setuid(65534), timeout=timeout(10))
        t.check(p.returncode == 71 and b"Permission denied" in p.stderr,
                "setup: low port as nobody -> 71", repr(p.stderr))


def test_inetd(t):
    """-i under an inetd-style socket (stdin and stdout are the accepted connection)."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    c = socket.create_connection(lst.getsockname(), timeout=timeout(10))
    conn, _ = lst.accept()
    p = subprocess.Popen(WRAPPER + [ECHOD, "-i"], stdin=conn, stdout=conn, stderr=conn)
    conn.close()
    lst.close()
    c.sendall(b"inetd")
    first = c.recv(4096)
    c.shutdown(socket.SHUT_WR)
    rest = recv_all(c)
    c.close()
    rc = p.wait(timeout(10))
    t.check(mask_time(first) == b"Echo=>b'inetd' at <ctime>" and rest == b"" and rc == 0,
            "inetd: classic reply on the socket, nothing else on it, exit 0", repr((first, rest, rc)))
    # Plain pipes (tcpsvd-like wrappers, tests): raw mode end to end.
    p = subprocess.run(WRAPPER + [ECHOD, "-i", "-m", "raw"], input=b"\x00pipe\xff" * 1000,
                       capture_output=True, timeout=timeout(10))
    t.check(p.returncode == 0 and p.stdout == b"\x00pipe\xff" * 1000, "inetd: raw over pipes")


def test_ipv6(t):
    if not os.path.exists("/proc/net/if_inet6"):
        t.check(True, "ipv6: skipped, no IPv6 on this host")
        return
    with Server("-m", "raw", bind="::1") as srv:
        s = socket.create_connection(("::1", srv.port), timeout=timeout(5))
        t.check(exchange(s, b"six") == b"six", "ipv6: raw echo on ::1")
        t.check(srv.wait_log(r"Server connected by \('::1', \d+, 0, 0\)") is not None,
                "ipv6: peer logged as Python's 4-tuple")
    with Server("-m", "raw", bind=None) as srv:
        t.check(exchange(srv.connect(), b"four") == b"four" and
                srv.wait_log(r"Server connected by \('127\.0\.0\.1', \d+\)") is not None,
                "ipv6: default dual-stack listener serves IPv4, logged as IPv4")


def sniff_tos(port, action, seconds=5):
    """Runs action() while capturing on lo; the TOS bytes of IPv4 TCP segments from port."""
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    try:
        cap.bind(("lo", 0))
        cap.settimeout(0.2)
        action()
        seen, deadline = [], time.monotonic() + timeout(seconds)
        while time.monotonic() < deadline and len(seen) < 3:
            try:
                pkt = cap.recv(2048)
            except socket.timeout:
                continue
            ihl = (pkt[0] & 15) * 4
            if pkt[0] >> 4 == 4 and pkt[9] == 6 and int.from_bytes(pkt[ihl:ihl + 2], "big") == port:
                seen.append(pkt[1])
        return seen
    finally:
        cap.close()


def test_iface_and_mark(t):
    rc, out, err = run_echod("-I", "nosuch0", "-p", "0")
    t.check(rc == 64 and err.strip() == "echod: -I nosuch0: no such interface",
            "-I: unknown interface -> 64, one line", err)
    rc, out, err = run_echod("-Q", "af44", "-p", "0")
    t.check(rc == 64 and "option -Q: 'af44' is not valid" in err, "-Q: unknown DSCP -> 64", err)
    with Server("-U", "-m", "raw", "-I", "lo") as srv:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=timeout(5)) as s:
            t.check(exchange(s, b"bound") == b"bound", "-I lo: TCP served on lo")
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(timeout(5))
        u.sendto(b"dgram", ("127.0.0.1", srv.port))
        t.check(u.recv(64) == b"dgram", "-I lo: UDP served on lo")
        u.close()
    if os.geteuid() != 0:
        print("note: -Q on TCP not checked: capturing packets needs root", flush=True)
        return
    with Server("-m", "raw", "-Q", "af41") as srv:
        def talk():
            with socket.create_connection(("127.0.0.1", srv.port), timeout=timeout(5)) as s:
                exchange(s, b"marked")
        tos = sniff_tos(srv.port, talk)
        t.check(tos and all(b >> 2 == 34 for b in tos), "-Q af41: TCP replies leave marked af41 (34)",
                repr(tos))


TESTS = [test_classic_matches_book, test_classic_log_line, test_classic_per_read, test_raw_sizes,
         test_udp, test_udp_loop_guard, test_delay_forks, test_many_connections, test_sigterm,
         test_sigterm_grace, test_sigusr1, test_usage_errors, test_setup_errors, test_inetd,
         test_ipv6, test_iface_and_mark]
