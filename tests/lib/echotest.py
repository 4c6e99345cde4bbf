"""
echotest: what the host suites share. Starts the real echod on a free
loopback port, talks to it over real sockets, reads /proc, and prints the
project's "PASS: name" / "FAIL: name" lines.

Environment: ECHOD (binary), ECHOD_WRAPPER (a command prefix such as
qemu-arm-static, for cross builds), TIMEOUT_MULT (scales every timeout).
"""
import contextlib
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ECHOD = os.environ.get("ECHOD", "build/host/echod")
WRAPPER = os.environ.get("ECHOD_WRAPPER", "").split()
MULT = float(os.environ.get("TIMEOUT_MULT", "1"))
EMULATED = bool(WRAPPER)
# Sanitizer runtimes and emulators allocate as they go: memory is not ours to judge there.
INSTRUMENTED = EMULATED or os.environ.get("ECHOD_SANITIZED") == "1"
# The book's script (Lutz, Programming Python, example 12-4), kept in the project.
BOOK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "book", "fork-server.py")
CTIME_RE = rb" at (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123]\d \d\d:\d\d:\d\d \d+"


def timeout(seconds):
    return seconds * MULT


class Server:
    """echod running in the background; always stopped by stop() or the with-block."""

    def __init__(self, *args, env=None, preexec=None, bind="127.0.0.1", expect_port=True, stderr=None):
        self.log = tempfile.NamedTemporaryFile(prefix="echod-", suffix=".log", delete=False)
        cmd = WRAPPER + [ECHOD, "-1", "-p", "0"]
        if bind:
            cmd += ["-b", bind]
        cmd += list(args)
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=self.log if stderr is None else stderr,
                                     env=full_env, preexec_fn=preexec,
                                     start_new_session=True)
        self.port = None
        if expect_port:
            self.port = self._read_port()

    def _read_port(self):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout(10))
        line = self.proc.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            self.stop()
            raise AssertionError("echod did not print its port: %r; log: %r" % (line, self.log_text()))
        return int(line)

    @property
    def pid(self):
        return self.proc.pid

    def log_text(self):
        with open(self.log.name, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_log(self, pattern, seconds=5):
        """Waits (bounded) until the log matches pattern; returns the match or None."""
        deadline = time.monotonic() + timeout(seconds)
        while True:
            m = re.search(pattern, self.log_text())
            if m or time.monotonic() > deadline:
                return m
            time.sleep(0.02)

    def connect(self, source=None, port=None):
        s = socket.create_connection(("127.0.0.1", port or self.port), timeout=timeout(10),
                                     source_address=(source, 0) if source else None)
        return s

    def children(self):
        return children_of(self.pid)

    def kill(self, sig):
        os.kill(self.pid, sig)

    def stop(self, sig=signal.SIGTERM, seconds=10):
        """Stops the server and its children; returns its exit status."""
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
                return self.proc.wait(timeout(seconds))
            except subprocess.TimeoutExpired:
                pass
            finally:
                kill_group(self.proc)
        kill_group(self.proc)
        return self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        text = self.log_text()
        os.unlink(self.log.name)
        # valgrind -q prints only errors, as "==PID== ..." lines, parent's and children's.
        if WRAPPER and "valgrind" in WRAPPER[0] and re.search(r"^==\d+== ", text, re.M):
            raise AssertionError("valgrind reported errors:\n" + text)


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def proc_stat(pid):
    """(state, ppid, utime+stime ticks) of pid, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[11]) + int(fields[12])


def children_of(pid):
    """pids whose parent is pid, with their state: {pid: state}."""
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[1] == pid:
                out[int(name)] = st[0]
    return out


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def status_field(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split()[1:]
    return None


def wait_until(cond, seconds=10, step=0.02):
    """Polls cond() until true or the (scaled) deadline; returns its last value."""
    deadline = time.monotonic() + timeout(seconds)
    while True:
        v = cond()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


def recv_all(s, limit=None):
    """Reads until EOF (or limit bytes)."""
    chunks = []
    n = 0
    while limit is None or n < limit:
        b = s.recv(65536 if limit is None else min(65536, limit - n))
        if not b:
            break
        chunks.append(b)
        n += len(b)
    return b"".join(chunks)


def exchange(s, payload):
    """Sends payload, half-closes, reads everything back until EOF."""
    if payload:
        s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    data = recv_all(s)
    s.close()
    return data


def mask_time(reply):
    return re.sub(CTIME_RE, b" at <ctime>", reply)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def reachable_copy(path):
    """
    A copy of the binary at path that any user can execute, for tests that
    run it under another uid: the checkout may sit in a private folder
    (mode 0700, as `mktemp -d` makes and many home folders are), which that
    user cannot enter. The copy goes to a new 0755 folder in the temporary
    folder and is removed afterwards.
    """
    folder = tempfile.mkdtemp(prefix="echod-any-user-")
    try:
        os.chmod(folder, 0o755)
        copy = os.path.join(folder, os.path.basename(path))
        shutil.copyfile(path, copy)
        os.chmod(copy, 0o755)
        yield copy
    finally:
        shutil.rmtree(folder)


def reserved_port_socket():
    """
    A UDP socket on a free port below 1024, bound to 127.0.0.1 (root only):
    suites running side by side on one host must not want the same one.
    """
    for port in range(1019, 600, -1):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
            return s
        except OSError:
            s.close()
    raise AssertionError("no free UDP port below 1024")


def run_echod(*args, env=None, seconds=10, stdin=None):
    """Runs echod to completion: (exit code, stdout, stderr)."""
    p = subprocess.run(WRAPPER + [ECHOD] + list(args), capture_output=True, env=env,
                       timeout=timeout(seconds), stdin=stdin)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Runner:
    """Runs test functions in order; each prints PASS or FAIL with its name."""

    def __init__(self):
        self.failed = 0
        self.passed = 0
        self.tag = os.environ.get("SUITE_TAG", "host")

    def check(self, cond, name, detail=""):
        if cond:
            self.passed += 1
            print("PASS: %s: %s" % (self.tag, name), flush=True)
        else:
            self.failed += 1
            print("FAIL: %s: %s%s" % (self.tag, name, (" -- " + detail) if detail else ""),
                  flush=True)
        return cond

    def run(self, tests, only=None):
        for t in tests:
            if only and not any(o in t.__name__ for o in only):
                continue
            try:
                t(self)
            except Exception as e:
                self.check(False, t.__name__, "%s: %s" % (type(e).__name__, e))
                traceback.print_exc(file=sys.stdout)
        return 1 if self.failed else 0
