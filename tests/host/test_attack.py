"""
echod against an attacker and a careless operator: loops made of one
spoofed datagram, per-source rate limits, wrapping ids, closed standard
descriptors, a log nobody reads, another user on our port, inetd errors,
log floods, the shipped init arguments.
"""
import os
import re
import signal
import socket
import struct

from echotest import (EMULATED, Server, timeout, wait_until)


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
        sent = (sa[1] + sb[1]) // 9 if sa and sb else -1
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


TESTS = [test_udp_self_loop, test_udp_two_echods, test_udp_rate_limit]
