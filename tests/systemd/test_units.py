"""
The unit files in contrib/systemd, checked without systemd as init:
systemd-analyze verify (with this build's echod in ExecStart=), the
exposure score of systemd-analyze security (deterministic for a given
systemd; it must stay below 2), and the sandbox against what echod really
does: every system call it makes under strace, serving TCP, UDP and inetd
style, must pass the unit's SystemCallFilter=, and it must create no socket
that RestrictAddressFamilies= refuses, map no memory writable and
executable (MemoryDenyWriteExecute=), open no file for writing but
/dev/null and the like or its own stderr again (ProtectSystem=strict) and
no device that PrivateDevices= hides.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile

from echotest import ECHOD, WRAPPER, children_of, exchange, timeout
from test_activate import (Activated, clean_env, connect, passing, tcp_listener, udp_exchange,
                           udp_socket)

UNITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib", "systemd")
UNIT_FILES = ["echod.socket", "echod.service", "echod-inetd.socket", "echod-inetd@.service"]
SERVICES = ["echod.service", "echod-inetd@.service"]
ANALYZE = shutil.which("systemd-analyze") or "systemd-analyze"
STRACE = shutil.which("strace") or "strace"
EXPOSURE_LIMIT = 2.0
# What PrivateDevices= leaves in /dev (systemd.exec(5)); ProtectSystem=strict
# keeps /dev writable. /dev/log is a symlink to journald's socket.
PRIVATE_DEVICES = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                   "/dev/tty", "/dev/log"}
# echod opens its stderr again, non-blocking (log.c); under systemd that is
# the journal's socket and the open fails with ENXIO. ProtectSystem= leaves
# /proc alone and ProcSubset=pid keeps the process's own directory.
OWN_FDS = re.compile(r"/proc/self/fd/\d+$")


def unit_copies(edit=None):
    """The units in a new folder, ExecStart= on this build's echod; edit(name, text) may change them."""
    d = tempfile.mkdtemp(prefix="echod-units-")
    for name in UNIT_FILES:
        with open(os.path.join(UNITS, name)) as f:
            text = f.read().replace("/usr/sbin/echod", os.path.abspath(ECHOD))
        with open(os.path.join(d, name), "w") as f:
            f.write(edit(name, text) if edit else text)
    return d


def analyze(*args, cwd=None):
    p = subprocess.run([ANALYZE, "--no-pager"] + list(args), capture_output=True, cwd=cwd,
                       timeout=timeout(60))
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def verify(d):
    # --man=no: the man page is checked by its own suite; `man` need not be installed here.
    return analyze("verify", "--man=no", *["./" + n for n in UNIT_FILES], cwd=d)


def test_verify(t):
    """systemd-analyze verify: no error and no warning (a misspelt key is only a warning)."""
    d = unit_copies()
    try:
        code, out, err = verify(d)
        t.check(code == 0 and out == "" and err == "",
                "units: systemd-analyze verify, no error, no warning", out + err)
    finally:
        shutil.rmtree(d)
    # The same check must catch a broken unit, or it proves nothing.
    d = unit_copies(lambda n, s: s.replace(os.path.abspath(ECHOD), "/nonexistent/echod"))
    try:
        code, out, err = verify(d)
        t.check(code != 0 and "/nonexistent/echod" in err,
                "units: verify does fail on a unit whose echod is missing", out + err)
    finally:
        shutil.rmtree(d)


def exposure(d, service):
    code, out, err = analyze("security", "--offline=yes", "./" + service, cwd=d)
    m = re.search(r"Overall exposure level for [^:]+: (\d+\.\d)", out)
    return (float(m.group(1)) if m else None), out + err


def test_security(t):
    """systemd-analyze security --offline=yes: each service's exposure below 2."""
    d = unit_copies()
    try:
        for service in SERVICES:
            score, text = exposure(d, service)
            t.check(score is not None and score < EXPOSURE_LIMIT,
                    "units: %s exposure %s (below %.1f)" % (service, score, EXPOSURE_LIMIT),
                    text[-2000:])
    finally:
        shutil.rmtree(d)
    # Without its sandbox the same service must score high, or the check proves nothing.
    d = unit_copies(lambda n, s: re.sub(r"\nDynamicUser=.*?\n\n", "\n\n", s, flags=re.S))
    try:
        score, text = exposure(d, "echod.service")
        t.check(score is not None and score >= EXPOSURE_LIMIT,
                "units: echod.service without its sandbox lines scores %s" % score, text[-2000:])
    finally:
        shutil.rmtree(d)


def unit_settings(service, key):
    with open(os.path.join(UNITS, service)) as f:
        return re.findall(r"^%s=(.*)$" % re.escape(key), f.read(), re.M)


def syscall_sets():
    """{"@set": [member, ...]} from systemd-analyze syscall-filter; members may be sets."""
    code, out, err = analyze("syscall-filter")
    sets, cur = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            cur = sets.setdefault(line.strip(), [])
        elif line.startswith("    ") and not line.strip().startswith("#") and cur is not None:
            cur.append(line.strip())
        elif not line.strip():
            cur = None
    return sets


def expand(items, sets):
    out = set()
    for i in items:
        out |= expand(sets[i], sets) if i.startswith("@") else {i}
    return out


def allowed_syscalls(service):
    """The allow-list SystemCallFilter= lines make: the first adds, a ~ line takes away."""
    sets = syscall_sets()
    allowed = set()
    for value in unit_settings(service, "SystemCallFilter"):
        if value.startswith("~"):
            allowed -= expand(value[1:].split(), sets)
        else:
            allowed |= expand(value.split(), sets)
    return allowed


def traced(trace_file):
    """
    The calls echod made, from strace -f output: (name, arguments and
    result) for each call of the first process after it ran echod, and of
    every process echod cloned. A call strace split in two ("<unfinished
    ...>", "<... resumed>") counts once, with both halves.
    """
    start = re.compile(r"^(\d+)\s+([a-z_0-9]+)\((.*)$")
    resumed = re.compile(r"^(\d+)\s+<\.\.\. ([a-z_0-9]+) resumed>(.*)$")
    lines = []
    with open(trace_file) as f:
        for line in f:
            m = start.match(line)
            if m:
                lines.append([int(m.group(1)), m.group(2), m.group(3)])
                continue
            m = resumed.match(line)
            pending = [c for c in lines if c[0] == int(m.group(1)) and c[1] == m.group(2)] if m else []
            if pending:
                pending[-1][2] += m.group(3)
    if not lines:
        return []
    first = lines[0][0]
    exec_at = next((i for i, (pid, name, rest) in enumerate(lines) if pid == first and
                    name == "execve" and rest.startswith('"%s"' % os.path.abspath(ECHOD))), None)
    if exec_at is None:
        return []
    lines = lines[exec_at + 1:]
    ours = {first}
    for pid, name, rest in lines:
        child = re.search(r"= (\d+)\s*$", rest) if name in ("clone", "clone3", "fork", "vfork") else None
        if pid in ours and child:
            ours.add(int(child.group(1)))
    return [(name, rest) for pid, name, rest in lines if pid in ours]


def strace_cmd(out, cmd):
    return [STRACE, "-f", "-qq", "-s", "64", "-o", out] + cmd


def workload_activated(trace_file):
    """echod on a TCP and a UDP socket passed in: a connection, a datagram, SIGUSR1, SIGTERM."""
    socks = [tcp_listener(), udp_socket()]
    cmd, high, env = passing([s.fileno() for s in socks], ["-m", "raw", "-t", "5"],
                             LISTEN_FDS="2")
    srv = Activated(strace_cmd(trace_file, cmd), env=env, pass_fds=high)
    for h in high:
        os.close(h)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    with srv:
        ok = srv.wait_log(r"fd 4 ''\n", 20) is not None
        ok = ok and exchange(connect(ports[0]), b"tcp") == b"tcp"
        ok = ok and udp_exchange(ports[1], b"udp") == b"udp"
        # Signals go to echod, strace's child; strace ends with echod's status.
        echod = list(children_of(srv.pid))
        if not ok or len(echod) != 1:
            return False
        os.kill(echod[0], signal.SIGUSR1)
        ok = srv.wait_log(r"stats: 1 accepted") is not None
        os.kill(echod[0], signal.SIGTERM)
        ok = ok and srv.proc.wait(timeout(20)) == 0
    return ok


def workload_standalone(trace_file):
    """echod.service without echod.socket: echod binds TCP and UDP itself."""
    cmd = WRAPPER + [ECHOD, "-1", "-p", "0", "-b", "127.0.0.1", "-U", "-m", "raw"]
    srv = Activated(strace_cmd(trace_file, cmd), read_port=True)
    with srv:
        ok = exchange(connect(srv.port), b"tcp") == b"tcp"
        ok = ok and udp_exchange(srv.port, b"udp") == b"udp"
        echod = list(children_of(srv.pid))
        if not ok or len(echod) != 1:
            return False
        os.kill(echod[0], signal.SIGTERM)
        return srv.proc.wait(timeout(20)) == 0


def workload_inetd(trace_file):
    """echod -i -s on an accepted TCP connection, as StandardInput=socket gives it."""
    lst = tcp_listener()
    client = connect(lst.getsockname()[1])
    conn, _ = lst.accept()
    lst.close()
    p = subprocess.Popen(strace_cmd(trace_file, WRAPPER + [ECHOD, "-i", "-s", "-m", "raw"]),
                         stdin=conn, stdout=conn, stderr=subprocess.DEVNULL, env=clean_env(),
                         start_new_session=True)
    conn.close()
    try:
        ok = exchange(client, b"inetd") == b"inetd"
        return ok and p.wait(timeout(20)) == 0
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def test_sandbox_allows_echod(t):
    """What echod does under strace, against echod.service's and echod-inetd@.service's sandbox."""
    if WRAPPER:
        return      # strace would see the emulator's system calls, not echod's
    for service, workload in (("echod.service", workload_activated),
                              ("echod.service", workload_standalone),
                              ("echod-inetd@.service", workload_inetd)):
        what = "%s, %s" % (service, workload.__name__[len("workload_"):])
        allowed = allowed_syscalls(service)
        families = {f for v in unit_settings(service, "RestrictAddressFamilies") for f in v.split()}
        fd, trace_file = tempfile.mkstemp(prefix="echod-strace-")
        os.close(fd)
        try:
            ran = workload(trace_file)
            calls = traced(trace_file)
        finally:
            os.unlink(trace_file)
        names = {n for n, _ in calls}
        t.check(ran and len(names) > 10, "sandbox: %s: echod served under strace (%d calls, "
                "%d distinct)" % (what, len(calls), len(names)))
        t.check(len(allowed) > 100 and names <= allowed,
                "sandbox: %s: every system call echod made passes SystemCallFilter=" % what,
                "refused: %r" % sorted(names - allowed))
        if workload == workload_activated:
            # echod forks with clone(2): a filter without @process would stop it.
            forks = names & {"clone", "clone3", "fork", "vfork"}
            t.check(forks and not forks & (allowed - expand(["@process"], syscall_sets())),
                    "sandbox: %s: the trace has the fork per connection (%s), "
                    "which needs @process" % (what, " ".join(sorted(forks))), repr(sorted(names)))
        made = {m.group(1) for n, r in calls if n == "socket"
                for m in [re.match(r"(AF_[A-Z0-9]+)", r)] if m}
        t.check(made <= families, "sandbox: %s: sockets echod creates pass "
                "RestrictAddressFamilies=%s" % (what, " ".join(sorted(families))),
                repr(sorted(made)))
        wx = [r for n, r in calls if n in ("mmap", "mprotect", "mmap2")
              and "PROT_WRITE" in r and "PROT_EXEC" in r]
        t.check(not wx, "sandbox: %s: no writable and executable memory "
                "(MemoryDenyWriteExecute=)" % what, repr(wx))
        opened = [(m.group(1), r) for n, r in calls if n in ("open", "openat", "creat")
                  for m in [re.search(r'"([^"]*)"', r)] if m]
        writes = [r for path, r in opened if re.search(r"O_WRONLY|O_RDWR|O_CREAT", r)
                  and path not in PRIVATE_DEVICES and not OWN_FDS.match(path)]
        t.check(not writes, "sandbox: %s: no file opened for writing but /dev/null and its "
                "kind, or its own fds (ProtectSystem=strict)" % what, repr(writes))
        devices = [r for path, r in opened if path.startswith("/dev/") and
                   path not in PRIVATE_DEVICES]
        t.check(not devices, "sandbox: %s: no device PrivateDevices= hides" % what,
                repr(devices))


TESTS = [test_verify, test_security, test_sandbox_allows_echod]
