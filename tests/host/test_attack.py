"""
echod against an attacker and a careless operator: loops made of one
spoofed datagram, per-source rate limits, wrapping ids, closed standard
descriptors, a log nobody reads, another user on our port, inetd errors,
log floods, the shipped init arguments.
"""
import fcntl
import os
import re
import select
import signal
import socket
import struct
import subprocess
import tempfile

import time

from echotest import (ECHOD, EMULATED, WRAPPER, Server, exchange, free_port, kill_group, recv_all,
                      reserved_port_socket, run_echod, timeout, wait_until)


def spoof_udp(src, dst, payload):
    """One IPv4 UDP datagram with any source, through a raw socket (root only)."""
    udp = struct.pack("!HHHH", src[1], dst[1], 8 + len(payload), 0) + payload	# checksum 0: none
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(src[0]), socket.inet_aton(dst[0]))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    try:
        s.sendto(ip + udp, (dst[0], 0))
    finally:
        s.close()


def udp_stats(srv):
    """(bytes in, bytes out, dropped) from a SIGUSR1 stats line, after the ones already logged."""
    before = len(re.findall(r"stats: ", srv.log_text()))
    srv.kill(signal.SIGUSR1)
    wait_until(lambda: len(re.findall(r"stats: ", srv.log_text())) > before, 10)
    m = re.findall(r"udp (\d+) bytes in, (\d+) out, (\d+) dropped", srv.log_text())
    return tuple(int(x) for x in m[-1]) if len(m) > before else None


def udp_ping(port, payload, source="127.0.0.1"):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind((source, 0))
    c.settimeout(timeout(5))
    try:
        c.sendto(payload, ("127.0.0.1", port))
        return c.recvfrom(65536)[0]
    except OSError:
        return None
    finally:
        c.close()


def test_udp_self_loop(t):
    """A datagram from our own address and port is dropped, not echoed to ourselves forever."""
    if os.geteuid() != 0:
        t.check(True, "udp loop: self (skipped: a spoofed source needs root)")
        return
    with Server("-U", "-m", "raw", "-q") as srv:
        spoof_udp(("127.0.0.1", srv.port), ("127.0.0.1", srv.port), b"loop")
        # Queued behind the spoofed datagram: once it is answered, that one was handled.
        back = udp_ping(srv.port, b"after")
        st = udp_stats(srv)
        t.check(back == b"after" and st == (9, 5, 1),
                "udp loop: a datagram from our own address and port dropped, once",
                "reply %r, stats (in, out, dropped) %r" % (back, st))


def test_udp_two_echods(t):
    """Two echods, one spoofed datagram between them: the per-source limit ends the ping-pong."""
    if os.geteuid() != 0:
        t.check(True, "udp loop: two echods (skipped: a spoofed source needs root)")
        return
    with Server("-U", "-m", "raw", "-q") as a, Server("-U", "-m", "raw", "-q") as b:
        # Answered over UDP: both are in their loop, where SIGUSR1 is read, not fatal.
        ready = udp_ping(a.port, b"a", "127.0.0.2") == b"a" and udp_ping(b.port, b"b", "127.0.0.2") == b"b"
        spoof_udp(("127.0.0.1", b.port), ("127.0.0.1", a.port), b"ping-pong")
        last = [None]

        def settled():
            now = (udp_stats(a), udp_stats(b))
            same = now == last[0]
            last[0] = now
            return same
        # Stats read twice with the same counts: nothing moved in between.
        dead = wait_until(settled, 10, step=0.2)
        sa, sb = last[0]
        sent = (sa[1] + sb[1] - 2) // 9 if ready and sa and sb else -1
        t.check(dead, "udp loop: two echods ping-ponging one datagram stop by themselves",
                "still moving: %r" % (last[0],))
        # Each holds the other to its burst (200) and 200/s more while it lasts.
        t.check(0 < sent <= 1000, "udp loop: bounded, %d replies in all" % sent)
        t.check(len(re.findall(r"UDP replies to 127\.0\.0\.1 held back", a.log_text())) <= 1,
                "udp loop: the limit logged once per burst, not per datagram", a.log_text()[-500:])
        t.check(udp_ping(a.port, b"still", "127.0.0.2") == b"still",
                "udp loop: another source is still answered")


def test_udp_rate_limit(t):
    """-r 1/5: a source gets its burst, then waits; -r 0 turns the limit off."""
    with Server("-U", "-m", "raw", "-q", "-r", "1/5") as srv, \
            Server("-U", "-m", "raw", "-q", "-r", "0") as off:
        for s, want, name in ((srv, 5, "-r 1/5"), (off, 50, "-r 0")):
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.bind(("127.0.0.1", 0))
            for i in range(50):
                c.sendto(b"%d" % i, ("127.0.0.1", s.port))
            back = udp_ping(s.port, b"sync", "127.0.0.3")
            c.setblocking(False)
            got = 0
            while True:
                try:
                    c.recv(100)
                    got += 1
                except BlockingIOError:
                    break
            c.close()
            # 50 datagrams take far less than the second that buys one more reply.
            t.check(back == b"sync" and (got in (5, 6) if want == 5 else got == 50),
                    "udp rate: %s: %d of 50 answered" % (name, got))


def test_uid_range(t):
    """A numeric -u past 4294967294 is a usage error, on 32- and 64-bit builds: never a wrap to root."""
    for uid in ("4294967296", "4294967299", "4294967295", "99999999999999999999"):
        rc, out, err = run_echod("-u", uid, "-b", "192.0.2.1", "-p", "0")
        t.check(rc == 64 and err.startswith("echod: option -u: %s is out of range 0-4294967294\n" % uid),
                "uid: -u %s -> 64, out of range" % uid, repr((rc, err)))


def with_user_db(passwd, group, *args):
    """echod with its own /etc/passwd and /etc/group, bind-mounted in a private mount namespace."""
    with tempfile.TemporaryDirectory() as d:
        pw, gr = os.path.join(d, "passwd"), os.path.join(d, "group")
        with open(pw, "w") as f:
            f.write(passwd)
        with open(gr, "w") as f:
            f.write(group)
        script = 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"'
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", pw, gr] +
                           WRAPPER + [ECHOD] + list(args), capture_output=True, timeout=timeout(10))
        return p.returncode, p.stderr.decode()


def test_user_db(t):
    """Bad ids in /etc/passwd and /etc/group are skipped with a warning; an oversized file is refused."""
    if os.geteuid() != 0:
        t.check(True, "uid: user database (skipped: a private /etc/passwd needs root)")
        return
    # Bind fails after the lookup (192.0.2.1 is not ours): exit 71 means the user was accepted.
    fail_bind = ("-b", "192.0.2.1", "-p", "0")
    rc, err = with_user_db("evil:x:4294967296:0::/:/bin/sh\nevil:x:1:4294967299::/:/bin/sh\n", "",
                           "-u", "evil", *fail_bind)
    t.check(rc == 67 and "/etc/passwd: entry 'evil' has a bad id '4294967296'; skipped" in err and
            "entry 'evil' has a bad id '4294967299'; skipped" in err,
            "uid: passwd entries with ids past 4294967294 skipped, with a warning", repr((rc, err)))
    rc, err = with_user_db("svc:x:1000:1000::/:/bin/sh\n", "svc:x:1000:\nbig:x:4294967296:svc\n",
                           "-u", "svc", *fail_bind)
    t.check(rc == 71 and "/etc/group: entry 'big' has a bad id '4294967296'; skipped" in err,
            "uid: a group entry with a bad gid skipped, with a warning", repr((rc, err)))
    # A reader of 65535 bytes cuts "late:x:1234:1234567" after "late:x:1234:123": gid 123.
    late = "late:x:1234:1234567::/:/bin/sh\n"
    head = 65535 - len("late:x:1234:123")
    filler = "".join("u%05d:x:2000:2000::/:/bin/false\n" % i for i in range(1900))
    passwd = filler + "#" * (head - len(filler) - 1) + "\n" + late
    rc, err = with_user_db(passwd, "", "-u", "late", *fail_bind)
    t.check(rc == 67 and "/etc/passwd is 65536 bytes or more; not read" in err,
            "uid: a passwd over 64 KiB is refused, not read in part", repr((rc, err[-300:])))


def test_std_fds_closed(t):
    """Started with 0, 1 and 2 closed: no log line reaches a client's connection."""
    port = free_port()

    def close_std():
        for fd in (0, 1, 2):
            os.close(fd)
    p = subprocess.Popen(WRAPPER + [ECHOD, "-b", "127.0.0.1", "-p", str(port), "-m", "raw"],
                         preexec_fn=close_std, start_new_session=True)
    try:
        def up():
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=timeout(5))
            except OSError:
                return None
        s = wait_until(up, 10)
        got = exchange(s, b"only this") if s else None
        again = exchange(up(), b"and this") if s else None
        t.check(got == b"only this" and again == b"and this",
                "std fds: started with 0-2 closed, clients get their echo and no log line",
                repr((got, again)))
    finally:
        kill_group(p)
        p.wait()


def test_per_source_reconnect(t):
    """-C 1: a client that reconnects right after reading EOF is served every time."""
    n = 300 if EMULATED else 2000

    def refused(i):
        try:
            return exchange(srv.connect(), b"%d" % i) != b"%d" % i
        except OSError:	# reset: closed at once with our bytes unread
            return True
    # Client, server and children on one CPU: an exiting child is then often
    # preempted by the client woken by its EOF, and the parent woken by the
    # next connection, before the exit is complete: the window made wide.
    cpu = {min(os.sched_getaffinity(0))}
    saved = os.sched_getaffinity(0)
    with Server("-C", "1", "-q", "-m", "raw", preexec=lambda: os.sched_setaffinity(0, cpu)) as srv:
        os.sched_setaffinity(0, cpu)
        try:
            bad = sum(refused(i) for i in range(n))
        finally:
            os.sched_setaffinity(0, saved)
        t.check(bad == 0, "per-source: -C 1, %d reconnects right after EOF, none refused" % n,
                "%d refused" % bad)


def full_pipe():
    """A pipe at its smallest size, full, its write end blocking as a shell gives it."""
    r, w = os.pipe()
    fcntl.fcntl(w, 1031, 4096)	# F_SETPIPE_SZ
    os.set_blocking(w, False)
    try:
        while True:
            os.write(w, b"x" * 512)
    except BlockingIOError:
        pass
    os.set_blocking(w, True)
    return r, w


def test_log_never_blocks(t):
    """stderr on a full pipe nobody reads: clients are still served; the drops are counted and reported."""
    r, w = full_pipe()
    try:
        with Server("-m", "raw", "-c", "2", "-t", "2", stderr=w) as srv:
            os.close(w)
            w = None
            got = []
            for i in range(5):
                try:
                    got.append(exchange(srv.connect(), b"%d" % i) == b"%d" % i)
                except OSError:
                    got.append(False)
            t.check(all(got), "log: stderr on a full pipe, 5 clients served all the same", repr(got))
            os.set_blocking(r, False)
            try:	# empty the pipe: what the test put there; nothing of echod's got in
                while os.read(r, 65536):
                    pass
            except BlockingIOError:
                pass
            srv.kill(signal.SIGUSR1)
            text = os.read(r, 65536) if wait_until(lambda: readable(r), 10) else b""
            # The listening line and two lines per connection were dropped.
            t.check(re.search(rb"; 11 log lines dropped \(11 log lines dropped before this\)\n", text)
                    is not None, "log: 11 lines dropped, counted in the stats and on the next line",
                    repr(text))
    finally:
        os.close(r)
        if w is not None:
            os.close(w)


def readable(fd):
    return bool(select.select([fd], [], [], 0)[0])


STEAL_UDP = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError as e:
    print("refused", e.errno)
    sys.exit(0)
print("bound")
"""


def test_udp_port_takeover(t):
    """Another local user (nobody) cannot bind echod's UDP port, SO_REUSEADDR or not."""
    if os.geteuid() != 0:
        t.check(True, "udp: port takeover (skipped: switching to nobody needs root)")
        return
    with Server("-U", "-m", "raw") as srv:
        # /usr/bin/python3: the python3 on PATH may be root's own.
        p = subprocess.run(["/usr/bin/python3", "-c", STEAL_UDP, str(srv.port)], capture_output=True,
                           preexec_fn=lambda: os.setuid(65534), timeout=timeout(10), cwd="/")
        t.check(p.stdout.startswith(b"refused 98"),
                "udp: uid 65534 cannot bind our UDP port with SO_REUSEADDR/SO_REUSEPORT",
                repr((p.stdout, p.stderr[-200:])))
        t.check(udp_ping(srv.port, b"mine") == b"mine", "udp: echod still answers on it")


def inetd_errors(*args, first=True):
    """echod -i with args (-i first, or last) on one end of a socketpair as 0, 1
    and 2: (exit code, what the peer got)."""
    ours, theirs = socket.socketpair()
    argv = ["-i"] + list(args) if first else list(args) + ["-i"]
    p = subprocess.Popen(WRAPPER + [ECHOD] + argv, stdin=theirs, stdout=theirs, stderr=theirs)
    theirs.close()
    try:
        rc = p.wait(timeout(10))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    ours.settimeout(timeout(5))
    got = []
    try:
        while True:
            b = ours.recv(4096)
            if not b:
                break
            got.append(b)
    finally:
        ours.close()
    return rc, b"".join(got)


def test_inetd_errors(t):
    """-i: an error goes to syslog and the exit code, never into the connection."""
    for args, want in ((["-u", "no-such-user-here"], 67), (["-u", "4294967296"], 64),
                       (["-p", "x"], 64), (["-z"], 64)):
        rc, got = inetd_errors(*args)
        t.check(rc == want and got == b"", "inetd: -i %s -> %d, nothing written to the client"
                % (" ".join(args), want), repr((rc, got)))
    # The error comes before -i is read: still nothing into the connection.
    for args in (["-z"], ["-p", "x"], ["-qz"], ["-b", "-i", "-z"], ["-qp", "x", "-qi"]):
        rc, got = inetd_errors(*args, first=False)
        t.check(rc == 64 and got == b"", "inetd: %s -i -> 64, nothing written to the client"
                % " ".join(args), repr((rc, got)))


def test_log_floods(t):
    """100 datagrams from a reserved port, 30 refusals by -C: one line each per 10 s, then the count."""
    if os.geteuid() != 0:
        t.check(True, "log floods (skipped: a reserved source port needs root)")
        return
    with Server("-U", "-m", "raw") as udp, Server("-C", "1", "-m", "raw") as tcp:
        bad = reserved_port_socket()

        def flood(n):
            for i in range(n):
                bad.sendto(b"%d" % i, ("127.0.0.1", udp.port))
            return udp_ping(udp.port, b"sync") == b"sync"	# queued behind the flood
        held = tcp.connect()
        held.sendall(b"h")
        held.recv(1)

        def refuse(n):
            for _ in range(n):
                c = tcp.connect()
                recv_all(c)
                c.close()
        flooded = flood(100)
        refuse(30)
        lines = lambda srv, pat: len(re.findall(pat, srv.log_text()))
        t.check(flooded and lines(udp, r"Dropped UDP from") == 1,
                "log floods: 100 dropped datagrams, one line", udp.log_text()[-300:])
        t.check(wait_until(lambda: lines(tcp, r"Refused \(") == 1) and lines(tcp, r"Refused \(") == 1,
                "log floods: 30 refusals by -C, one line", tcp.log_text()[-300:])
        # Both first lines are in the logs now, so each was written before this
        # moment: 10 s from here is past each window (the limit's own period,
        # not a wait standing in for an event).
        time.sleep(10.1)
        flood(1)
        refuse(1)
        t.check(wait_until(lambda: udp.wait_log(r"echod: 99 more UDP datagrams dropped as a loop risk "
                                                r"in the 10 s after the last such line\n") and
                           lines(udp, r"Dropped UDP from") == 2),
                "log floods: then '99 more ... in the 10 s after the last such line' and one line",
                udp.log_text()[-400:])
        t.check(tcp.wait_log(r"echod: 29 more connections refused by -C in the 10 s after the last "
                             r"such line\n") and lines(tcp, r"Refused \(") == 2,
                "log floods: '29 more connections refused by -C ...' and one line", tcp.log_text()[-400:])
        bad.close()
        held.close()


INIT_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "rootfs-overlay",
                           "etc", "init.d", "S50echod")


def uid_of(pid):
    with open("/proc/%d/status" % pid) as f:
        return [line.split()[1:] for line in f if line.startswith("Uid:")][0]


def test_shipped_args(t):
    """S50echod's default ECHOD_ARGS, started as root: parent and children run as nobody."""
    if os.geteuid() != 0:
        t.check(True, "init args (skipped: dropping from root needs root)")
        return
    with open(INIT_SCRIPT) as f:
        args = re.search(r'^ECHOD_ARGS="([^"]*)"', f.read(), re.M).group(1).split()
    t.check("-u" in args, "init args: the default ECHOD_ARGS drop privileges (%s)" % " ".join(args))
    nobody = str(__import__("pwd").getpwnam("nobody").pw_uid)
    with Server(*[a for a in args if a != "-s"]) as srv:	# -s would log to syslog, not our file
        s = srv.connect()
        s.sendall(b"x")
        s.recv(4096)
        kids = wait_until(srv.children, 5)
        uids = [uid_of(srv.pid)] + [uid_of(k) for k in kids]
        s.close()
        t.check(len(uids) >= 2 and all(u == [nobody] * 4 for u in uids),
                "init args: parent and child run as nobody (%s)" % uids)


# Runs in a network namespace of its own: one echod -C 1[/prefix] on ::, clients from chosen
# IPv6 sources on lo. Prints one line per client: "served" or "refused".
PREFIX_SCRIPT = r"""
import os, socket, subprocess, sys
for cmd in (["ip", "link", "set", "lo", "up"],
            ["ip", "-6", "addr", "add", "2001:db8:1:2::a/48", "dev", "lo", "nodad"],
            ["ip", "-6", "addr", "add", "2001:db8:1:2::b/48", "dev", "lo", "nodad"],
            ["ip", "-6", "addr", "add", "2001:db8:1:3::c/48", "dev", "lo", "nodad"]):
    subprocess.run(cmd, check=True)
wrapper, echod, climit = sys.argv[1].split(), sys.argv[2], sys.argv[3]
p = subprocess.Popen(wrapper + [echod, "-1", "-p", "0", "-b", "::", "-m", "raw", "-q", "-C", climit],
                     stdout=subprocess.PIPE)
try:
    port = int(p.stdout.readline())
    def connect(src):
        s = socket.socket(socket.AF_INET6)
        s.settimeout(float(sys.argv[4]))
        s.bind((src, 0))
        s.connect(("2001:db8:1:2::a", port))
        return s
    held = connect("2001:db8:1:2::a")
    held.sendall(b"h")
    held.recv(1)
    for src in ("2001:db8:1:2::b", "2001:db8:1:3::c"):
        s = connect(src)
        try:
            s.sendall(b"x")
            print(src, "served" if s.recv(1) == b"x" else "refused", flush=True)
        except OSError:
            print(src, "refused", flush=True)
        s.close()
    held.close()
finally:
    p.kill()
    p.wait()
"""


def test_per_source_prefix(t):
    """-C counts IPv6 by its /64 by default; -C n/prefix changes it (a namespace of its own)."""
    if os.geteuid() != 0:
        t.check(True, "per-source prefix (skipped: a network namespace needs root)")
        return
    for climit, want in (("1", {"2001:db8:1:2::b": "refused", "2001:db8:1:3::c": "served"}),
                         ("1/128", {"2001:db8:1:2::b": "served", "2001:db8:1:3::c": "served"}),
                         ("1/56", {"2001:db8:1:2::b": "refused", "2001:db8:1:3::c": "refused"})):
        p = subprocess.run(["unshare", "-n", "/usr/bin/python3", "-c", PREFIX_SCRIPT, " ".join(WRAPPER), ECHOD,
                            climit, str(timeout(5))], capture_output=True, timeout=timeout(30))
        got = dict(line.split() for line in p.stdout.decode().splitlines())
        t.check(got == want, "per-source: -C %s with IPv6 clients in one /64 and the next: %s"
                % (climit, ", ".join("%s %s" % kv for kv in sorted(want.items()))),
                repr((got, p.stderr.decode()[-300:])))


def test_long_and_del_options(t):
    """A very long -b still gets its reason; a DEL byte in an option is shown as '?'."""
    rc, out, err = run_echod("-b", "a" * 300)
    first = err.splitlines()[0] if err else ""
    t.check(rc == 64 and first == "echod: option -b: '%s...' is not an IPv4 or IPv6 address" % ("a" * 64),
            "usage: -b with 300 bytes: cut after 64, the reason kept", repr(first))
    rc, out, err = run_echod("-\x7f")
    t.check(rc == 64 and err.startswith("echod: unknown option -?\n"), "usage: -DEL shown as '?'",
            repr(err[:40]))


# Runs in a mount namespace of its own with a tmpfs on /dev: a /dev/log that is
# full and never read, as a stuck syslogd. Prints what it finds, one fact a line.
SYSLOG_SCRIPT = r"""
import os, signal, socket, subprocess, sys
cmd = sys.argv[1].split() + [sys.argv[2]]
wait = float(sys.argv[3])
log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
log.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
log.bind("/dev/log")
filler = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
filler.connect("/dev/log")
filler.setblocking(False)
try:
    while True:
        filler.send(b"x" * 200)
except BlockingIOError:
    pass
p = subprocess.Popen(cmd + ["-1", "-p", "0", "-b", "127.0.0.1", "-s", "-m", "raw", "-c", "2", "-t", "2"],
                     stdout=subprocess.PIPE)
try:
    port = int(p.stdout.readline())
    served = 0
    for i in range(5):
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=wait)
            c.sendall(b"%d" % i)
            c.shutdown(socket.SHUT_WR)
            served += c.recv(10) == b"%d" % i
            while c.recv(10):	# to the end: the child has logged its last line
                pass
            c.close()
        except OSError:
            pass
    print("served", served, flush=True)
    log.setblocking(False)
    try:
        while True:
            log.recv(4096)
    except BlockingIOError:
        pass
    p.send_signal(signal.SIGUSR1)
    log.settimeout(wait)
    try:
        print("stats", log.recv(4096).decode(), flush=True)
    except OSError:
        print("stats none", flush=True)
finally:
    p.kill()
    p.wait()
# inetd mode: the error goes to syslog, not to the connection.
ours, theirs = socket.socketpair()
rc = subprocess.run(cmd + ["-i", "-u", "no-such-user-here"], stdin=theirs, stdout=theirs, stderr=theirs,
                    timeout=10 * wait).returncode
theirs.close()
ours.settimeout(wait)
print("inetd", rc, repr(ours.recv(4096)), flush=True)
try:
    print("inetd-syslog", log.recv(4096).decode(), flush=True)
except OSError:
    print("inetd-syslog none", flush=True)
"""


def test_syslog_never_blocks(t):
    """-s with a syslogd that reads nothing: clients served, drops counted; inetd errors reach syslog."""
    if os.geteuid() != 0:
        t.check(True, "log: stuck syslogd (skipped: a private /dev needs root)")
        return
    script = 'mount -t tmpfs tmpfs /dev && exec /usr/bin/python3 -c "$@"'
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                        SYSLOG_SCRIPT, " ".join(WRAPPER), os.path.abspath(ECHOD), str(timeout(5))],
                       capture_output=True, timeout=timeout(120))
    out = p.stdout.decode()
    t.check("served 5\n" in out, "log: -s with a full /dev/log nobody reads: 5 clients served",
            out + p.stderr.decode()[-300:])
    t.check(re.search(r"stats .*; 11 log lines dropped \(11 log lines dropped before this\)", out)
            is not None, "log: the 11 dropped syslog lines counted in the stats and on the next line", out)
    t.check("inetd 67 b''" in out and re.search(r"inetd-syslog <\d+>echod\[\d+\]: -u: no such user "
                                               r"'no-such-user-here'", out) is not None,
            "inetd: the error goes to syslog, nothing to the client", out)


TESTS = [test_udp_self_loop, test_udp_two_echods, test_udp_rate_limit, test_uid_range, test_user_db,
         test_std_fds_closed, test_per_source_reconnect, test_log_never_blocks,
         test_udp_port_takeover, test_inetd_errors, test_log_floods, test_shipped_args,
         test_per_source_prefix, test_long_and_del_options,
         test_syslog_never_blocks]
