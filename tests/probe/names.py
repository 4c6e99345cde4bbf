#!/usr/bin/env python3
"""
echoprobe's name lookup (src/echoprobe/resolve.c) in network and mount
namespaces of its own: /etc/hosts and /etc/resolv.conf are fixtures bound
over the real ones, a small DNS server of this file answers on 127.0.0.1:53,
and echod serves on the namespace's loopback. Nothing leaves the namespace;
it goes away with this process. Needs root (unshare); run by tests/probe/run.py.

    names.py [name-substring ...]
Environment: as tests/probe/run.py.
"""
import ctypes
import fcntl
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from echotest import Runner, Server, WRAPPER, timeout  # noqa: E402

PROBE = os.environ.get("ECHOPROBE", "build/host/echoprobe")
EX_NOHOST = 68
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18

HOSTS = """# fixture
127.0.0.1 localhost
10.9.9.9 # commented-out
127.0.0.3\tfixture-host  fh.alias # trailing comment
::1 v6-host
"""
RESOLV = "# fixture\nsearch lan example\nnameserver 127.0.0.1\n"

# name -> list of (type, data): A = 1 (4 bytes), AAAA = 28 (16), CNAME = 5 (a name)
ZONE = {
    "a.test": [(1, "127.0.0.4")],
    "both.test": [(1, "127.0.0.5"), (28, "::1")],
    "v6.test": [(28, "::1")],
    "alias.test": [(5, "a.test"), (1, "127.0.0.4")],
    "short.example": [(1, "127.0.0.6")],
    "lossy.test": [(1, "127.0.0.7")],
    "empty.test": [],
}
SERVFAIL = {"broken.test"}


def libc():
    return ctypes.CDLL(None, use_errno=True)


def enter_namespaces():
    """New mount and network namespaces; fixtures over /etc; loopback up."""
    c = libc()
    if c.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
    if c.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise OSError(ctypes.get_errno(), "mount --make-rprivate /")
    d = tempfile.mkdtemp(prefix="echoprobe-names.")
    for name, text in (("hosts", HOSTS), ("resolv.conf", RESOLV)):
        bind_text(os.path.join(d, name), text, "/etc/" + name)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = struct.pack("16sH14x", b"lo", 0x1 | 0x40)  # IFF_UP | IFF_RUNNING
    fcntl.ioctl(s, 0x8914, ifr)  # SIOCSIFFLAGS
    s.close()
    return d


def bind_text(path, text, target):
    with open(path, "w") as f:
        f.write(text)
    if libc().mount(path.encode(), os.path.realpath(target).encode(), None, MS_BIND, None) != 0:
        raise OSError(ctypes.get_errno(), "mount --bind " + target)


class FakeDNS:
    """A, AAAA and CNAME answers from ZONE over UDP; records every question."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 53))
        self.questions = []
        self.dropped = set()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                q, peer = self.sock.recvfrom(512)
            except OSError:
                return
            reply = self.answer(q)
            if reply:
                self.sock.sendto(reply, peer)

    def answer(self, q):
        qid, = struct.unpack(">H", q[:2])
        i, labels = 12, []
        while q[i]:
            labels.append(q[i + 1:i + 1 + q[i]].decode())
            i += 1 + q[i]
        name = ".".join(labels)
        qtype, = struct.unpack(">H", q[i + 1:i + 3])
        question = q[12:i + 5]
        self.questions.append((name, qtype))
        if name == "lossy.test" and (name, qtype) not in self.dropped:
            self.dropped.add((name, qtype))   # the first of each type is lost
            return None
        rcode = 2 if name in SERVFAIL else 0 if name in ZONE else 3
        answers = []
        for rtype, data in ZONE.get(name, []):
            if rtype == 5:
                rdata = b"".join(bytes([len(x)]) + x.encode() for x in data.split(".")) + b"\0"
            elif rtype == qtype:
                rdata = socket.inet_pton(socket.AF_INET if rtype == 1 else socket.AF_INET6, data)
            else:
                continue
            # Owner: a pointer to the question's name (compression).
            answers.append(struct.pack(">HHHIH", 0xc00c, rtype, 1, 60, len(rdata)) + rdata)
        head = struct.pack(">HHHHHH", qid, 0x8180 | rcode, 1, len(answers), 0, 0)
        return head + question + b"".join(answers)


def probe(*args):
    p = subprocess.run(WRAPPER + [PROBE, "-j", "-m", "raw", "-c", "1"] + [str(a) for a in args],
                       capture_output=True, timeout=timeout(30))
    out = p.stdout.decode("utf-8", "replace")
    try:
        addr = json.loads(out).get("address")
    except ValueError:
        addr = None
    return p.returncode, addr, p.stderr.decode("utf-8", "replace")


def test_names(t):
    dns = FakeDNS()
    with Server("-m", "raw", bind="::") as srv:
        def resolves(name, want, what, asked=None):
            del dns.questions[:]
            rc, addr, err = probe(name, srv.port)
            ok = rc == 0 and addr == want
            if asked is not None:
                ok = ok and [n for n, _ in dns.questions] == asked
            t.check(ok, "names: %s -> %s (%s)" % (name, want, what),
                    "rc=%d address=%s err=%r questions=%r" % (rc, addr, err, dns.questions))

        def fails(name, msg, what):
            rc, _, err = probe(name, srv.port)
            t.check(rc == EX_NOHOST and ("%s: %s" % (name, msg)) in err,
                    "names: %s: %s, exit 68 (%s)" % (name, msg, what), "rc=%d err=%r" % (rc, err))

        resolves("fixture-host", "127.0.0.3", "/etc/hosts, tab-separated, no DNS question", [])
        resolves("fh.alias", "127.0.0.3", "/etc/hosts alias after a comment", [])
        resolves("v6-host", "::1", "/etc/hosts IPv6")
        resolves("a.test", "127.0.0.4", "DNS A, first nameserver of resolv.conf",
                 ["a.test", "a.test"])
        resolves("both.test", "127.0.0.5", "DNS A and AAAA: IPv4 first")
        resolves("v6.test", "::1", "DNS AAAA only")
        resolves("alias.test", "127.0.0.4", "DNS CNAME, then the A record")
        resolves("a.test.", "127.0.0.4", "a final dot: no search")
        resolves("short", "127.0.0.6", "no dot: search domains in order",
                 ["short.lan", "short.lan", "short.example", "short.example"])
        resolves("lossy.test", "127.0.0.7", "first questions lost: asked again")
        resolves("127.0.0.8", "127.0.0.8", "a literal: no lookup", [])
        resolves("::1%lo", "::1", "IPv6 with a %scope by interface name", [])
        fails("commented-out", "Name does not resolve", "a name after '#' in /etc/hosts is no entry")
        fails("nope.test", "Name does not resolve", "NXDOMAIN")
        fails("empty.test", "Name does not resolve", "no A or AAAA record")
        fails("broken.test", "Try again", "SERVFAIL")
        fails("bad..name", "Name does not resolve", "an empty label")
        fails("::1%nosuchif", "Name does not resolve", "an unknown interface")
        # A nameserver that is not there answers with ICMP: a quick failure.
        bind_text(os.path.join(tempfile.mkdtemp(), "resolv.conf"), "nameserver 127.0.0.9\n",
                  "/etc/resolv.conf")
        fails("a.test", "Try again", "no server on the nameserver's port")


def main():
    t = Runner()
    if os.geteuid() != 0:
        t.check(True, "names: skipped (needs root for namespaces)")
        return 0
    enter_namespaces()
    return t.run([test_names], sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
