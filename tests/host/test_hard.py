"""
echod under load, faults and hostile clients: the child limit, per-source
limit, idle timeout, accept() out of descriptors, fork() failing, killed
children, resets, half-close, clients that never read, privilege drop, and
load in both modes.
"""
import os
import pwd
import resource
import signal
import socket
import subprocess
import threading
import time

from echotest import (ECHOD, EMULATED, INSTRUMENTED, Server, exchange, fd_count, mask_time, proc_stat,
                      recv_all, status_field, timeout, wait_until)


def test_child_limit(t):
    """-c 4, ten clients at once: all served, never more than four children."""
    with Server("-c", "4", "-d", "1", "-q") as srv:
        socks = [srv.connect() for _ in range(10)]
        for i, s in enumerate(socks):
            s.sendall(b"c%d" % i)
            s.shutdown(socket.SHUT_WR)
        most = [0]
        done = threading.Event()

        def watch():
            while not done.is_set():
                most[0] = max(most[0], len(srv.children()))
                time.sleep(0.01)
        w = threading.Thread(target=watch)
        w.start()
        replies = [recv_all(s) for s in socks]
        done.set()
        w.join()
        for s in socks:
            s.close()
        t.check(all(mask_time(r) == b"Echo=>b'c%d' at <ctime>" % i for i, r in enumerate(replies)),
                "limit: -c 4 and 10 clients: all 10 served, none refused")
        t.check(most[0] == 4, "limit: at most 4 children alive (saw %d)" % most[0])


def test_per_source(t):
    """-C 2: the third connection from one address is closed at once; others still served."""
    with Server("-C", "2", "-m", "raw", bind="0.0.0.0") as srv:
        a, b = srv.connect(), srv.connect()
        a.sendall(b"a")
        b.sendall(b"b")
        ok = a.recv(1) == b"a" and b.recv(1) == b"b"
        c = srv.connect()
        third = recv_all(c)
        c.close()
        t.check(ok and third == b"", "per-source: third connection from 127.0.0.1 closed at once")
        t.check(srv.wait_log(r"Refused \('127\.0\.0\.1', \d+\): 2 connections from this address")
                is not None, "per-source: refusal logged with its reason", srv.log_text())
        other = srv.connect(source="127.0.0.2")
        t.check(exchange(other, b"two") == b"two", "per-source: 127.0.0.2 still served")
        a.close()
        b.close()


def test_idle_timeout(t):
    """-t 1: a silent client is hung up on; a talking one on the same server is not."""
    with Server("-t", "1", "-m", "raw") as srv:
        silent = srv.connect()
        talker = srv.connect()
        start = time.monotonic()
        alive = True
        while time.monotonic() - start < 2.5:
            talker.sendall(b"tick")
            alive = alive and talker.recv(4) == b"tick"
            time.sleep(0.3)
        silent.settimeout(timeout(5))
        closed = recv_all(silent) == b""
        took = time.monotonic() - start
        t.check(closed, "idle: silent client closed after -t 1 (%.1f s)" % took)
        t.check(alive and exchange(talker, b"end") == b"end", "idle: active client untouched")
        t.check(srv.wait_log(r"Closed .*: idle timeout") is not None, "idle: logged as idle timeout")
        silent.close()


def cpu_ticks(pid):
    st = proc_stat(pid)
    return st[2] if st else 0


def test_emfile(t):
    """Out of descriptors: no busy loop, one log line, served again when fds come back."""
    if EMULATED:
        t.check(True, "emfile: skipped under emulation (the emulator holds descriptors of its own)")
        return
    # 0, 1, 2, the listener and the signalfd: nothing left for accept().
    lim = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (5, 64))
    with Server("-m", "raw", "-q", preexec=lim) as srv:
        waiting = [srv.connect() for _ in range(3)]
        t.check(srv.wait_log(r"accept: [^\n]*; pausing new connections") is not None,
                "emfile: accept failure logged", srv.log_text())
        ticks = cpu_ticks(srv.pid)
        start = time.monotonic()
        time.sleep(3)	# a measurement window, not synchronisation
        used = (cpu_ticks(srv.pid) - ticks) / os.sysconf("SC_CLK_TCK") / (time.monotonic() - start)
        t.check(used < 0.05, "emfile: server idle while out of fds (%.1f%% CPU)" % (used * 100))
        t.check(srv.log_text().count("accept: ") == 1, "emfile: logged once per burst")
        subprocess.run(["prlimit", "--pid", str(srv.pid), "--nofile=64:64"], check=True)
        for i, s in enumerate(waiting):
            s.settimeout(timeout(10))
            t.check(exchange(s, b"back%d" % i) == b"back%d" % i,
                    "emfile: waiting client %d served once fds are back" % i)


def processes_of(uid):
    n = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat("/proc/" + name).st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


def test_fork_failure(t):
    """fork() failing (RLIMIT_NPROC for echod's uid): that connection is closed, the server goes on."""
    if EMULATED or os.geteuid() != 0:
        t.check(True, "fork failure: skipped (needs root, not under emulation)")
        return
    # RLIMIT_NPROC counts every process of the uid on the machine, so the
    # server runs as a bare uid that nothing else runs as (echod takes a
    # number without a passwd entry): room for exactly the server and one child.
    uid = next(u for u in range(3000000000 + os.getpid() % 100000, 4294967294)
               if processes_of(u) == 0)
    lim = lambda: resource.setrlimit(resource.RLIMIT_NPROC, (2, 2))
    with Server("-u", str(uid), "-m", "raw", preexec=lim) as srv:
        first = srv.connect()
        first.sendall(b"1")
        first.recv(1)
        s = srv.connect()
        t.check(recv_all(s) == b"", "fork failure: the connection is closed")
        s.close()
        t.check(srv.wait_log(r"fork for \('127\.0\.0\.1', \d+\): [^\n]*; connection dropped")
                is not None, "fork failure: logged", srv.log_text())
        t.check(exchange(first, b"2") == b"2", "fork failure: the running connection is unharmed")
        wait_until(lambda: not srv.children(), 10)
        t.check(exchange(srv.connect(), b"again") == b"again",
                "fork failure: served again once a process slot is free")


def maps_of(pid):
    """(start, end, perms, path) of each area of pid."""
    out = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            p = line.split()
            lo, hi = (int(x, 16) for x in p[0].split("-"))
            out.append((lo, hi, p[1], p[5] if len(p) > 5 else ""))
    return out


def test_layout(t):
    """The parent's memory: nothing the minimal fork loop has not, so fork copies no more page tables."""
    if EMULATED:
        t.check(True, "layout: skipped under emulation (the maps are the emulator's)")
        return
    with Server("-m", "classic", "-C", "4", env={"TZ": "America/New_York"}) as srv:
        t.check(exchange(srv.connect(), b"x").startswith(b"Echo=>b'x' at "), "layout: serving")
        maps = maps_of(srv.pid)
        shared = [m for m in maps if m[2] == "rw-s"]
        binary = os.path.realpath(ECHOD)
        data_end = max([m[1] for m in maps if m[3] == binary] +
                       [m[1] for i, m in enumerate(maps) if i > 0 and maps[i - 1][3] == binary
                        and m[0] == maps[i - 1][1] and m[3] == ""])	# .bss after the file's data
        # The hint: the next 64 KiB boundary 64 KiB or more past .bss. That is .bss's 2 MiB
        # block (its page tables) unless .bss ends in the last 128 KiB of one: a PIE's base is random.
        t.check(len(shared) == 1 and shared[0][0] == (data_end + 0x1ffff) & ~0xffff,
                "layout: the shared state 64 to 128 KiB past .bss, on a 64 KiB boundary "
                "(.bss ends %#x, %s)" % (data_end, ["%#x-%#x" % m[:2] for m in shared]))
        t.check(not any("zoneinfo" in m[3] for m in maps),
                "layout: the zone file read, not kept mapped", "\n".join(m[3] for m in maps))


def test_child_killed(t):
    with Server("-m", "raw") as srv:
        s = srv.connect()
        s.sendall(b"x")
        s.recv(1)
        kids = wait_until(lambda: srv.children(), 5)
        pid = list(kids)[0]
        os.kill(pid, signal.SIGKILL)
        t.check(recv_all(s) == b"", "sigkill child: its client sees the end")
        s.close()
        t.check(srv.wait_log(r"child %d serving \('127\.0\.0\.1', \d+\) killed by signal 9" % pid)
                is not None, "sigkill child: reaped and logged", srv.log_text())
        t.check(exchange(srv.connect(), b"ok") == b"ok", "sigkill child: parent serves on")


def test_reset_mid_reply(t):
    """A client that resets while the child is writing ends only that child."""
    with Server() as srv:
        s = srv.connect()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(os.urandom(1 << 20))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        t.check(srv.wait_log(r"Closed \('127\.0\.0\.1', \d+\): .*(reset|Broken pipe)") is not None,
                "reset: the child ends with the reason logged", srv.log_text())
        t.check(wait_until(lambda: not srv.children(), 10) == True or not srv.children(),
                "reset: child gone")
        t.check(exchange(srv.connect(), b"fine") .startswith(b"Echo=>b'fine'"), "reset: server serves on")


def test_half_close(t):
    for mode in ("classic", "raw"):
        with Server("-m", mode) as srv:
            payload = os.urandom(300000)
            s = srv.connect()
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            data = recv_all(s)
            s.close()
            if mode == "raw":
                ok = data == payload
            else:
                ok = data.count(b"Echo=>") == len(data.split(b"Echo=>")) - 1 and len(data) > len(payload)
            t.check(ok, "half-close: %s: every reply arrives before the close (%d bytes)" % (mode, len(data)))


def test_never_reads(t):
    """Raw mode, a client sends 1 MiB and never reads: only its own child waits."""
    with Server("-m", "raw", "-t", "2") as srv:
        hog = srv.connect()
        hog.setblocking(False)
        sent = 0
        chunk = os.urandom(65536)
        deadline = time.monotonic() + timeout(10)
        while sent < (1 << 20) and time.monotonic() < deadline:
            try:
                sent += hog.send(chunk)
            except BlockingIOError:
                time.sleep(0.01)
        t.check(exchange(srv.connect(), b"meanwhile") == b"meanwhile",
                "never-reads: other clients served meanwhile (%d bytes stuck)" % sent)
        t.check(srv.wait_log(r"Closed .*: idle timeout", 15) is not None,
                "never-reads: the stuck child gives up after -t", srv.log_text())
        hog.close()


def test_privdrop(t):
    if os.geteuid() != 0:
        t.check(True, "privdrop: skipped (needs root)")
        return
    nobody = pwd.getpwnam("nobody")
    with Server("-u", "nobody", "-m", "raw") as srv:
        s = srv.connect()
        s.sendall(b"who")
        s.recv(3)
        kids = wait_until(lambda: srv.children(), 5)
        pid = list(kids)[0]
        uid = status_field(pid, "Uid")
        gid = status_field(pid, "Gid")
        groups = status_field(pid, "Groups")
        s.close()
        want_u = [str(nobody.pw_uid)] * 4
        want_g = [str(nobody.pw_gid)] * 4
        t.check(uid == want_u and gid == want_g, "privdrop: child runs as nobody (%s/%s)" % (uid[0], gid[0]),
                "%s %s" % (uid, gid))
        t.check(status_field(srv.pid, "Uid") == want_u, "privdrop: parent runs as nobody too")
        t.check(all(g == str(nobody.pw_gid) for g in groups or []),
                "privdrop: no supplementary group of root kept (%s)" % groups)


def load(srv, mode, clients, sequential):
    """clients concurrent connections, then sequential ones; returns mismatches."""
    bad = [0]
    lock = threading.Lock()

    def one(i):
        payload = os.urandom(1 + i % 3000)
        try:
            data = exchange(srv.connect(), payload)
        except OSError:
            data = None
        if mode == "raw":
            ok = data == payload
        else:
            ok = data is not None and data.startswith(b"Echo=>b")
        if not ok:
            with lock:
                bad[0] += 1
    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for i in range(sequential):
        one(i)
    return bad[0]


def test_load(t):
    """200 concurrent clients and many sequential connections, in both modes."""
    seq = 1000 if EMULATED else 20000
    for mode in ("raw", "classic"):
        with Server("-m", mode, "-q", "-c", "256", "-l", "256") as srv:
            # Warm-up at full width: the first time 200 slots of the child
            # table are used, their pages are touched once.
            load(srv, mode, 200, 100)
            wait_until(lambda: not srv.children(), 10)
            fds = fd_count(srv.pid)
            rss = status_field(srv.pid, "RssAnon")
            bad = load(srv, mode, 200, seq)
            t.check(bad == 0, "load: %s: 200 concurrent + %d sequential, every byte back" % (mode, seq),
                    "%d bad" % bad)
            t.check(wait_until(lambda: not srv.children(), 20) or not srv.children(),
                    "load: %s: no child and no zombie left" % mode)
            t.check(fd_count(srv.pid) == fds, "load: %s: parent fds constant" % mode)
            if not INSTRUMENTED:
                t.check(status_field(srv.pid, "RssAnon") == rss,
                        "load: %s: parent private memory (RssAnon) constant (%s kB)" % (mode, rss[0]),
                        str(status_field(srv.pid, "RssAnon")))


TESTS = [test_child_limit, test_per_source, test_idle_timeout, test_emfile, test_fork_failure, test_layout,
         test_child_killed, test_reset_mid_reply, test_half_close, test_never_reads, test_privdrop,
         test_load]
