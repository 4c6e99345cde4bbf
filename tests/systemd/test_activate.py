"""
Socket activation: echod started by systemd-socket-activate (TCP, UDP,
several sockets with names, inetd style), by a launcher of our own for what
that tool cannot pass (TCP and UDP together, 16 sockets), and with wrong
environments, each of which must end in one line and exit code 64.
"""
import fcntl
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

from echotest import (ECHOD, WRAPPER, Server, children_of, exchange, free_port, recv_all,
                      timeout, wait_until)

SSA = shutil.which("systemd-socket-activate") or "systemd-socket-activate"
MAX = 16        # SERVER_LISTEN_MAX
EX_USAGE = 64


def clean_env(**extra):
    """Our environment without any LISTEN_ variable of our own, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
    env.update(extra)
    return env


class Activated(Server):
    """echod (or a tool that becomes echod) from a full command line; stopped as Server is."""

    def __init__(self, cmd, env=None, pass_fds=(), read_port=False):
        self.log = tempfile.NamedTemporaryFile(prefix="echod-", suffix=".log", delete=False)
        # O_APPEND: echod writes its log through a description of its own
        # (log.c reopens stderr); without it the activator's later lines,
        # at its own offset, would overwrite echod's.
        with open(self.log.name, "ab") as out:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE if read_port else out,
                                         stderr=out, env=env or clean_env(),
                                         pass_fds=pass_fds, start_new_session=True)
        self.port = self._read_port() if read_port else None


def ssa(listen, echod_args, opts=()):
    """systemd-socket-activate listening on each of listen, running echod; ready to connect."""
    cmd = [SSA] + list(opts)
    for a in listen:
        cmd += ["-l", a]
    srv = Activated(cmd + WRAPPER + [ECHOD] + list(echod_args))
    if srv.wait_log(r"Listening on .* as %d\." % (2 + len(listen)), 10) is None:
        srv.stop()
        raise AssertionError("systemd-socket-activate did not listen: " + srv.log_text())
    return srv


# Puts the fds given on 3, 4, ..., sets LISTEN_PID (to its own pid for "self")
# and execs the rest of the line in the same process, as a service manager
# does (a wrapper such as qemu-user keeps the pid too). sh cannot: its
# redirections stop at fd 9.
LAUNCHER = r"""
import os, sys
pid, n = sys.argv[1], int(sys.argv[2])
src = [int(a) for a in sys.argv[3:3 + n]]
for i, f in enumerate(src):
    os.dup2(f, 3 + i)
for f in src:
    os.close(f)
os.environ["LISTEN_PID"] = str(os.getpid()) if pid == "self" else pid
os.execvp(sys.argv[3 + n], sys.argv[3 + n:])
"""


def passing(fds, args, listen_pid="self", **env):
    """
    The command line, the fds to pass and the environment that run echod
    with fds at 3, 4, ... The fds are first copied above that range, so
    that no dup2 overwrites another's source.
    """
    high = [fcntl.fcntl(f, fcntl.F_DUPFD_CLOEXEC, 100) for f in fds]
    cmd = [sys.executable, "-c", LAUNCHER, listen_pid, str(len(high))] + [str(h) for h in high]
    return cmd + WRAPPER + [ECHOD] + list(args), high, clean_env(**env)


def run_passing(fds, args=(), **env):
    """echod with fds passed, run to its end: (exit code, stdout, stderr)."""
    cmd, high, full_env = passing(fds, args, **env)
    try:
        p = subprocess.run(cmd, env=full_env, pass_fds=high, capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=timeout(10))
    finally:
        for h in high:
            os.close(h)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def tcp_listener(family=socket.AF_INET, addr="127.0.0.1"):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((addr, 0))
    s.listen(8)
    return s


def udp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s


def udp_exchange(port, payload, family=socket.AF_INET, addr="127.0.0.1"):
    c = socket.socket(family, socket.SOCK_DGRAM)
    c.settimeout(timeout(5))
    try:
        c.sendto(payload, (addr, port))
        return c.recvfrom(65536)[0]
    except socket.timeout:
        return None
    finally:
        c.close()


def connect(port, addr="127.0.0.1"):
    return socket.create_connection((addr, port), timeout=timeout(10))


def have_ipv6():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


def socket_inodes(pid):
    """The socket inodes among pid's open fds."""
    out = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:"):
            out.add(link)
    return out


def test_tcp(t):
    """One TCP socket: the first connection starts echod, which keeps serving."""
    port = free_port()
    with ssa(["127.0.0.1:%d" % port], ["-m", "raw"]) as srv:
        t.check(exchange(connect(port), b"first") == b"first",
                "activate: tcp: the connection that started echod is echoed")
        t.check(srv.wait_log(r"echod: listening on 127\.0\.0\.1 port %d, tcp, fd 3 '" % port)
                is not None, "activate: tcp: fd 3 taken as a TCP listener and logged",
                srv.log_text())
        if not WRAPPER:
            t.check(os.path.realpath("/proc/%d/exe" % srv.pid) == os.path.realpath(ECHOD),
                    "activate: tcp: echod runs in the activator's process (LISTEN_PID is its pid)")
        listeners = socket_inodes(srv.pid)
        held = connect(port)
        held.sendall(b"x")
        echoed = held.recv(1) == b"x"
        kids = list(children_of(srv.pid))
        leaked = listeners & socket_inodes(kids[0]) if len(kids) == 1 else None
        t.check(echoed and leaked == set(),
                "activate: tcp: a later connection gets a child that holds no listener",
                "children %r, listener sockets in the child: %r" % (kids, leaked))
        held.close()
        t.check(srv.stop() == 0, "activate: tcp: SIGTERM stops it with status 0", srv.log_text())


def test_udp(t):
    """One datagram socket (--datagram): the first datagram starts echod and is answered."""
    u = udp_socket()
    port = u.getsockname()[1]
    u.close()
    with ssa(["127.0.0.1:%d" % port], ["-m", "raw"], ["--datagram"]) as srv:
        t.check(udp_exchange(port, b"dgram") == b"dgram",
                "activate: udp: the datagram that started echod is answered", srv.log_text())
        t.check(srv.wait_log(r"echod: listening on 127\.0\.0\.1 port %d, udp, fd 3 '" % port)
                is not None, "activate: udp: fd 3 taken as UDP and logged", srv.log_text())
        t.check(udp_exchange(port, b"again") == b"again", "activate: udp: later datagrams too")


def test_several_named(t):
    """Three TCP sockets with LISTEN_FDNAMES (--fdname): each served, each logged by name."""
    ports = [free_port() for _ in range(2)]
    listen = ["127.0.0.1:%d" % p for p in ports]
    names = ["alpha", "beta"]
    six = have_ipv6()
    if six:
        ports.append(free_port())
        listen.append("[::1]:%d" % ports[-1])
        names.append("gamma")
    with ssa(listen, ["-m", "raw"], ["--fdname=" + ":".join(names)]) as srv:
        ok = [exchange(connect(p, "::1" if a.startswith("[") else "127.0.0.1"), b"p%d" % p)
              == b"p%d" % p for p, a in zip(ports, listen)]
        t.check(all(ok), "activate: %d TCP sockets%s, one echod serves each" %
                (len(ports), " (one IPv6)" if six else ""), repr(ok))
        logged = [srv.wait_log(r"port %d, tcp, fd %d '%s'\n" % (p, 3 + i, n))
                  for i, (p, n) in enumerate(zip(ports, names))]
        t.check(all(logged), "activate: LISTEN_FDNAMES: each fd logged with its name",
                srv.log_text())


def test_tcp_and_udp_16(t):
    """The table's limit: 8 TCP and 8 UDP sockets, interleaved, all served by one echod."""
    socks = [tcp_listener() if i % 2 == 0 else udp_socket() for i in range(MAX)]
    names = ":".join("s%d" % i for i in range(MAX))
    cmd, high, env = passing([s.fileno() for s in socks], ["-m", "raw"],
                             LISTEN_FDS=str(MAX), LISTEN_FDNAMES=names)
    try:
        srv = Activated(cmd, env=env, pass_fds=high)
    finally:
        for h in high:
            os.close(h)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()       # echod holds its own copies now
    with srv:
        up = srv.wait_log(r"fd 18 's15'\n", 10)
        kinds = re.findall(r"port (\d+), (tcp|udp), fd (\d+) 's(\d+)'", srv.log_text())
        want = [(str(p), "tcp" if i % 2 == 0 else "udp", str(3 + i), str(i))
                for i, p in enumerate(ports)]
        t.check(up is not None and kinds == want,
                "activate: 16 sockets, each taken as its SO_TYPE says, in fd order", srv.log_text())
        bad = []
        for i, p in enumerate(ports):
            payload = b"n%d" % i
            got = exchange(connect(p), payload) if i % 2 == 0 else udp_exchange(p, payload)
            if got != payload:
                bad.append((i, got))
        t.check(not bad, "activate: 16 sockets: every TCP and UDP socket echoes", repr(bad))
        t.check(srv.stop() == 0, "activate: 16 sockets: SIGTERM stops it with status 0")


def test_udp_dscp_reflected(t):
    """A UDP reply carries its datagram's DSCP on a socket from the manager too (-Q's kin)."""
    u = udp_socket()
    cmd, high, env = passing([u.fileno()], ["-m", "raw"], LISTEN_FDS="1")
    try:
        srv = Activated(cmd, env=env, pass_fds=high)
    finally:
        for h in high:
            os.close(h)
    port = u.getsockname()[1]
    u.close()
    with srv:
        ready = srv.wait_log(r"udp, fd 3 ''\n") is not None
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(timeout(5))
        c.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0xb8)        # DSCP ef
        c.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTOS", 13), 1)
        c.sendto(b"ef", ("127.0.0.1", port))
        try:
            data, anc, _, _ = c.recvmsg(100, socket.CMSG_SPACE(1))
        except socket.timeout:
            data, anc = None, []
        c.close()
        tos = [d[0] for level, kind, d in anc if level == socket.IPPROTO_IP and
               kind == socket.IP_TOS]
        t.check(ready and data == b"ef" and tos == [0xb8],
                "activate: udp: the reply carries the datagram's DSCP (ef)",
                "reply %r, TOS %r; %s" % (data, tos, srv.log_text()))


def test_inetd(t):
    """--inetd -a (Accept=yes, StandardInput=socket): echod -i per connection."""
    port = free_port()
    with ssa(["127.0.0.1:%d" % port], ["-i", "-m", "raw"], ["--inetd", "-a"]) as srv:
        got = [exchange(connect(port), b"conn%d" % i) for i in range(2)]
        t.check(got == [b"conn0", b"conn1"], "activate: inetd style: each connection echoed",
                repr(got))
        t.check(wait_until(lambda: len(re.findall(r"Child \d+ died with code 0",
                                                  srv.log_text())) == 2),
                "activate: inetd style: one echod -i per connection, each exits 0", srv.log_text())


def test_accept_yes_without_i(t):
    """Accept=yes hands echod a connection, not a listener: without -i that is exit 64."""
    port = free_port()
    with ssa(["127.0.0.1:%d" % port], ["-m", "raw"], ["-a"]) as srv:
        c = connect(port)
        got = recv_all(c)
        c.close()
        t.check(got == b"" and srv.wait_log(
            r"echod: LISTEN_FDS: fd 3 is not a listening TCP or a UDP socket "
            r"\(Accept=yes wants echod -i\)\n") is not None and
            srv.wait_log(r"Child \d+ died with code 64") is not None,
            "activate: a connection on fd 3 without -i: one-line error, exit 64, no echo",
            srv.log_text())


def test_idle_timeout_queued(t):
    """-t 1 also ends the connection that was queued before echod could set any timeout."""
    port = free_port()
    with ssa(["127.0.0.1:%d" % port], ["-m", "raw", "-t", "1"]) as srv:
        c = connect(port)
        c.settimeout(timeout(10))
        try:
            got = recv_all(c)
        except socket.timeout:
            got = None
        c.close()
        t.check(got == b"", "activate: -t 1: the silent first connection is closed",
                srv.log_text())


def test_bad_environments(t):
    """Each wrong environment: exit 64, nothing on stdout, exactly one line on stderr."""
    tmp = open("/proc/self/exe", "rb")     # any regular file
    bound = socket.socket()
    bound.bind(("127.0.0.1", 0))            # bound, never listening
    unix_dir = tempfile.mkdtemp(prefix="echod-unix-")
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(os.path.join(unix_dir, "s"))
    unix.listen(1)
    good = tcp_listener()
    notsock = r"echod: LISTEN_FDS: fd %d: [^\n]+\n"
    wrong = r"echod: LISTEN_FDS: fd %d is not a listening TCP or a UDP socket " \
            r"\(Accept=yes wants echod -i\)\n"
    cases = [
        ("LISTEN_FDS=abc", [good], {"LISTEN_FDS": "abc"},
         r"echod: LISTEN_FDS: 'abc' is not a number from 0 to 16\n"),
        ("LISTEN_FDS empty", [good], {"LISTEN_FDS": ""},
         r"echod: LISTEN_FDS: '' is not a number from 0 to 16\n"),
        ("LISTEN_FDS=-1", [good], {"LISTEN_FDS": "-1"},
         r"echod: LISTEN_FDS: '-1' is not a number from 0 to 16\n"),
        ("LISTEN_FDS=17 (more than the table)", [good] * 17, {"LISTEN_FDS": "17"},
         r"echod: LISTEN_FDS: '17' is not a number from 0 to 16\n"),
        ("a regular file on fd 3", [tmp], {"LISTEN_FDS": "1"}, notsock % 3),
        ("fd 3 not open", [], {"LISTEN_FDS": "1"}, notsock % 3),
        ("a TCP socket not listening", [bound], {"LISTEN_FDS": "1"}, wrong % 3),
        ("an AF_UNIX listener", [unix], {"LISTEN_FDS": "1"}, wrong % 3),
        ("a good fd 3, a regular file on fd 4", [good, tmp], {"LISTEN_FDS": "2"}, notsock % 4),
    ]
    try:
        for name, fds, env, want in cases:
            code, out, err = run_passing([f.fileno() for f in fds], ["-m", "raw"], **env)
            t.check(code == EX_USAGE and out == "" and re.fullmatch(want, err) is not None,
                    "activate: %s: exit 64 and one line" % name,
                    "exit %d, stdout %r, stderr %r" % (code, out, err))
    finally:
        for f in (tmp, bound, unix, good):
            f.close()
        shutil.rmtree(unix_dir)


def test_pid_not_ours(t):
    """LISTEN_PID naming another process (or no number): ignored, echod binds its own socket."""
    for pid in ("1", "abc"):
        good = tcp_listener()
        cmd, high, env = passing([good.fileno()], ["-1", "-p", "0", "-b", "127.0.0.1", "-m", "raw"],
                                 listen_pid=pid, LISTEN_FDS="1")
        try:
            srv = Activated(cmd, env=env, pass_fds=high, read_port=True)
        finally:
            for h in high:
                os.close(h)
            good.close()
        with srv:
            ok = exchange(srv.connect(), b"own") == b"own"
            log = srv.wait_log(r"listening on 127\.0\.0\.1 port %d, raw mode" % srv.port)
            t.check(ok and log is not None and "fd 3" not in srv.log_text(),
                    "activate: LISTEN_PID=%s is not ours: ignored, -p/-b used" % pid,
                    srv.log_text())


TESTS = [test_tcp, test_udp, test_several_named, test_tcp_and_udp_16, test_udp_dscp_reflected,
         test_inetd, test_accept_yes_without_i, test_idle_timeout_queued,
         test_bad_environments, test_pid_not_ours]
