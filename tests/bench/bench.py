#!/usr/bin/env python3
"""
make bench: echod side by side with what users would pick instead, on
loopback, each server on its own 127.0.0.1 port, measured by echoprobe.
Rounds are interleaved (every server once per round, the order rotated),
results are medians, and each ratio is to echod (raw) in the same round.
Connection rates move most with the other jobs on the machine, so they are
paired: each server's rate runs sit next to echod rate runs of their own
(E1 X1 X16 E16 or X1 E1 E16 X16, alternating), and a rate ratio is to the
echod run next to it.
Every server is started in its own session and killed at the end, also on
failure or ^C.

Environment: ECHOD ECHOPROBE REFECHO (binaries), O (build dir), OUT (where
benchmarks.md and the chart go), BENCH_ROUNDS, BENCH_QUICK=1 (tiny counts:
a smoke test), BENCH_ONLY (comma-separated server names), TIMEOUT_MULT.
"""
import atexit
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ECHOD = os.path.abspath(os.environ.get("ECHOD", "build/host/echod"))
PROBE = os.path.abspath(os.environ.get("ECHOPROBE", "build/host/echoprobe"))
REFECHO = os.path.abspath(os.environ.get("REFECHO", "build/host/refecho"))
O = os.path.abspath(os.environ.get("O", "build"))
OUT = os.path.abspath(os.environ.get("OUT", os.path.join(ROOT, "docs")))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if QUICK else "5"))
MULT = float(os.environ.get("TIMEOUT_MULT", "1"))
ONLY = [s for s in os.environ.get("BENCH_ONLY", "").split(",") if s]
WORK = os.path.join(O, "bench")

# echoprobe runs: bounded in count and time.
N_RATE = 100 if QUICK else 4000
T_RATE = 1 if QUICK else 2
N_RTT = 100 if QUICK else 3000
MIB = 2 if QUICK else 256

# openbsd-inetd conflicts with xinetd, so it is unpacked, not installed:
# the libraries it links are installed here (its Depends in Debian 12), or
# a fresh machine lacks libevent and it cannot start.
INETD_LIBS = ["libbsd0", "libevent-2.1-7", "libsystemd0", "libtirpc3", "libwrap0"]
PACKAGES = ["socat", "ucspi-tcp", "ncat", "busybox-static", "xinetd", "gnuplot-nox"] + INETD_LIBS

procs = []
LOAD = [0.0]


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def sh(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, **kw)


def have_pkg(p):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def install():
    """Debian packages, only what is missing; openbsd-inetd unpacked beside xinetd."""
    missing = [p for p in PACKAGES if not have_pkg(p)]
    if missing:
        log("installing " + " ".join(missing))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if sh("apt-get", "install", "-y", "--no-install-recommends", *missing, check=False,
              env=env).returncode != 0:
            sh("apt-get", "update", env=env)
            sh("apt-get", "install", "-y", "--no-install-recommends", *missing, env=env)
    inetd = os.path.join(WORK, "openbsd-inetd", "usr", "sbin", "inetd")
    if not os.path.exists(inetd):
        dl = os.path.join(WORK, "dl")
        os.makedirs(dl, exist_ok=True)
        if not [f for f in os.listdir(dl) if f.startswith("openbsd-inetd_")]:
            log("fetching openbsd-inetd (conflicts with xinetd: unpacked, not installed)")
            sh("apt-get", "download", "openbsd-inetd", cwd=dl, stderr=subprocess.DEVNULL)
        deb = [f for f in os.listdir(dl) if f.startswith("openbsd-inetd_")][0]
        sh("dpkg-deb", "-x", os.path.join(dl, deb), os.path.join(WORK, "openbsd-inetd"))
    return inetd


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def servers(inetd):
    """(name, label, probe mode, argv builder, config writer or None)."""
    def xinetd_conf(port):
        conf = os.path.join(WORK, "xinetd.conf")
        with open(conf, "w") as f:
            f.write("defaults\n{\n\tinstances = UNLIMITED\n\tcps = 1000000 1\n}\n"
                    "service echo\n{\n\ttype = INTERNAL UNLISTED\n\tid = echo-stream\n"
                    "\tsocket_type = stream\n\tprotocol = tcp\n\twait = no\n\tuser = root\n"
                    "\tport = %d\n\tbind = 127.0.0.1\n\tinstances = UNLIMITED\n"
                    "\tcps = 1000000 1\n\tper_source = UNLIMITED\n}\n" % port)
        return conf

    def inetd_conf(port):
        conf = os.path.join(WORK, "inetd.conf")
        with open(conf, "w") as f:
            f.write("127.0.0.1:echo stream tcp nowait.100000000 root internal\n")
        return conf

    busybox = shutil.which("busybox")
    return [
        ("echod", "echod (raw)", "raw",
         lambda p: [ECHOD, "-q", "-m", "raw", "-c", "256", "-l", "1024", "-b", "127.0.0.1", "-p", str(p)]),
        ("echod-classic", "echod (classic)", "classic",
         lambda p: [ECHOD, "-q", "-m", "classic", "-c", "256", "-l", "1024", "-b", "127.0.0.1",
                    "-p", str(p)]),
        ("ref", "minimal fork loop (reference)", "raw", lambda p: [REFECHO, str(p)]),
        ("openbsd-inetd", "openbsd-inetd internal echo", "raw",
         lambda p: [inetd, "-i", "-q", "1024", "-R", "100000000", inetd_conf(p)]),
        ("xinetd", "xinetd internal echo", "raw",
         lambda p: [shutil.which("xinetd") or "xinetd", "-dontfork", "-f", xinetd_conf(p)]),
        ("socat", "socat fork PIPE", "raw",
         lambda p: ["socat", "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork,backlog=1024" % p, "PIPE"]),
        ("busybox-nc", "busybox nc -ll -e cat", "raw",
         lambda p: [busybox, "nc", "-ll", "-p", str(p), "127.0.0.1", "-e", "cat"]),
        ("tcpserver", "tcpserver + cat", "raw",
         lambda p: ["tcpserver", "-RHl0", "-c", "1000", "-b", "1024", "127.0.0.1", str(p), "cat"]),
        ("ncat", "ncat -k -e cat", "raw",
         lambda p: ["ncat", "-lk", "127.0.0.1", str(p), "-e", "/bin/cat"]),
    ]


def binary_of(argv):
    path = shutil.which(argv[0]) or argv[0]
    return os.path.realpath(path)


def is_static(path):
    r = subprocess.run(["file", "-L", path], capture_output=True, text=True)
    return "statically linked" in r.stdout or "static-pie" in r.stdout


class Running:
    def __init__(self, name, label, mode, argv_of):
        self.name, self.label, self.mode = name, label, mode
        # openbsd-inetd's internal echo answers only as the service "echo": port 7.
        self.port = 7 if name == "openbsd-inetd" else free_port()
        self.argv = argv_of(self.port)
        self.errlog = open(os.path.join(WORK, name + ".log"), "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self.errlog,
                                     stderr=self.errlog, start_new_session=True)
        procs.append(self)
        self.binary = binary_of(self.argv)

    def wait_up(self, seconds=10):
        """Up when a one-probe echoprobe run passes (bounded)."""
        deadline = time.monotonic() + seconds * MULT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited %s; see %s" % (self.name, self.proc.returncode,
                                                             self.errlog.name))
            r = subprocess.run([PROBE, "-q", "-m", self.mode, "-c", "1", "-W", "1", "127.0.0.1",
                                str(self.port)], capture_output=True)
            if r.returncode == 0:
                return
            time.sleep(0.05)  # polling a port that is not listening yet: nothing to wait on
        raise RuntimeError("%s did not answer on port %d" % (self.name, self.port))

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5 * MULT)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        # Children that left the group (none should) are gone with the session leader's group kill.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.errlog.close()


def stop_all(*_):
    while procs:
        procs.pop().stop()


def on_signal(sig, _frame):
    stop_all()
    sys.exit(128 + sig)


def probe_json(*args, seconds=60):
    r = subprocess.run([PROBE, "-j"] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=seconds * MULT)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"status": r.returncode, "error": r.stderr.strip()}


# ---- memory ----------------------------------------------------------------

def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def descendants(pid):
    kids, out, todo = children_map(), [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return set(out)


def smaps(pid):
    vals = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if v.strip().endswith("kB"):
                    vals[k] = int(v.split()[0])
    except OSError:
        pass
    return vals


def vmrss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def memory(srv):
    """Private_Dirty and Pss (KiB) of every process created for one idle connection."""
    before = descendants(srv.proc.pid)
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10 * MULT)
    try:
        # One echo, so the child (and whatever it execs) is fully running.
        s.sendall(b"x")
        s.settimeout(10 * MULT)
        got = s.recv(4096)
        if not got:
            return None
        deadline = time.monotonic() + 5 * MULT
        new = descendants(srv.proc.pid) - before
        while not new and time.monotonic() < deadline:
            time.sleep(0.01)
            new = descendants(srv.proc.pid) - before
        pd = pss = 0
        for p in new:
            m = smaps(p)
            pd += m.get("Private_Dirty", 0)
            pss += m.get("Pss", 0)
        return {"procs": len(new), "private_dirty": pd, "pss": pss,
                "parent_rss": vmrss(srv.proc.pid)}
    finally:
        s.close()


# ---- one round -------------------------------------------------------------

def cpu_seconds(pid):
    """CPU time of the process itself (not its children): /proc/PID/schedstat in
    nanoseconds, else utime + stime of /proc/PID/stat in clock ticks."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def rate(srv, workers):
    return probe_json("-m", srv.mode, "-r", workers, "-c", N_RATE, "-w", T_RATE, "-W", 5,
                      "127.0.0.1", srv.port)


def conn_per_s(r):
    return r.get("conn_per_s") if r.get("status") == 0 else None


def measure(srv, pair=None, pair_first=False):
    """One round of srv. With pair (echod), its rate runs are paired with
    echod's: pair_first E1 X1 X16 E16, else X1 E1 E16 X16."""
    m = srv.mode
    host, port = "127.0.0.1", srv.port
    res = {}
    pruns = []
    if pair and pair_first:
        pruns.append(rate(pair, 1))
    c0 = cpu_seconds(srv.proc.pid)
    r1 = rate(srv, 1)
    c1 = cpu_seconds(srv.proc.pid)
    if pair and not pair_first:
        pruns += [rate(pair, 1), rate(pair, 16)]
    r16 = rate(srv, 16)
    if pair and pair_first:
        pruns.append(rate(pair, 16))
    if pair:
        res["pair_conn1"], res["pair_conn16"] = conn_per_s(pruns[0]), conn_per_s(pruns[1])
        res["pair_errors"] = [x.get("error") for x in pruns if x.get("status") != 0]
    rtt = probe_json("-m", m, "-c", N_RTT, "-i", 0, "-q", "-W", 5, host, port)
    st = probe_json("-m", m, "-b", MIB, "-W", 5, host, port)
    res["conn1"], res["conn16"] = conn_per_s(r1), conn_per_s(r16)
    res["rtt50"] = rtt["rtt_us"]["p50"] if rtt.get("status") == 0 else None
    res["rtt99"] = rtt["rtt_us"]["p99"] if rtt.get("status") == 0 else None
    res["mbs"] = st.get("mb_per_s") if st.get("status") == 0 else None
    errs = [x.get("error") for x in (r1, r16, rtt, st) if x.get("status") != 0]
    mem = memory(srv) or {}
    res["pd"], res["pss"], res["nproc"] = mem.get("private_dirty"), mem.get("pss"), mem.get("procs")
    res["rss"] = mem.get("parent_rss")
    res["cpu1"] = ((c1 - c0) / r1["connections"] * 1e6 if None not in (c0, c1)
                   and r1.get("status") == 0 and r1.get("connections") else None)
    return res, errs


METRICS = [("conn1", "conn/s, 1 worker", True), ("conn16", "conn/s, 16 workers", True),
           ("rtt50", "RTT p50 us", False), ("rtt99", "RTT p99 us", False),
           ("mbs", "stream MB/s", True), ("pd", "child Private_Dirty KiB", False),
           ("pss", "child Pss KiB", False), ("rss", "parent RSS KiB", False),
           ("cpu1", "server CPU us per connection", False)]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    atexit.register(stop_all)
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    LOAD[0] = os.getloadavg()[0]
    inetd = install()
    table = [s for s in servers(inetd) if not ONLY or s[0] in ONLY or s[0] == "echod"]
    running = []
    for name, label, mode, argv_of in table:
        srv = Running(name, label, mode, argv_of)
        srv.wait_up()
        running.append(srv)
    log("%d servers up; %d rounds" % (len(running), ROUNDS))
    echod = next(s for s in running if s.name == "echod")
    results = {s.name: [] for s in running}
    errors = {s.name: [] for s in running}
    for r in range(ROUNDS):
        order = running[r % len(running):] + running[:r % len(running)]
        for i, srv in enumerate(order):
            pair = echod if srv is not echod else None
            res, errs = measure(srv, pair, (r + i) % 2 == 0)
            results[srv.name].append(res)
            errors[srv.name] += errs
            errors["echod"] += res.pop("pair_errors", [])
            log("round %d %-14s %s%s" % (r + 1, srv.name, json.dumps(res),
                                       (" errors: %s" % errs) if errs else ""))
    sizes = {s.name: (os.path.getsize(s.binary), is_static(s.binary), s.binary) for s in running}
    stop_all()
    summary = summarize(running, results)
    write_report(running, summary, sizes, errors)
    return 0


def summarize(running, results):
    out = {}
    base = results["echod"]
    for srv in running:
        rows = results[srv.name]
        s = {}
        for key, _, _ in METRICS:
            s[key] = med([row[key] for row in rows])
            # Rates: to the paired echod runs (measure()), which only serve as those.
            pairs = [(row[key], row.get("pair_" + key)) for row in rows] \
                if key in ("conn1", "conn16") and srv.name != "echod" else \
                [(row[key], b[key]) for row, b in zip(rows, base)]
            ratios = [a / b for a, b in pairs if a is not None and b]
            s[key + "_ratio"] = med(ratios)
            s[key + "_n"] = len([row for row in rows if row[key] is not None])
        s["nproc"] = med([row["nproc"] for row in rows])
        out[srv.name] = s
    return out


def fmtv(v, digits=0):
    if v is None:
        return "n/a"
    return ("%." + str(digits) + "f") % v


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    deb = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?"
    return "%s, %d CPUs, Linux %s %s, Debian %s" % (cpu, os.cpu_count(), platform.release(),
                                                    platform.machine(), deb)


def chart(running, summary, path):
    """Connection rate and per-connection memory, as ratios and KiB; gnuplot SVG."""
    data = os.path.join(WORK, "chart.dat")
    with open(data, "w") as f:
        for srv in running:
            s = summary[srv.name]
            f.write('"%s" %s %s %s\n' % (srv.name, fmtv(s["conn1"]), fmtv(s["conn16"]),
                                         fmtv(s["pd"])))
    script = """
set terminal svg size 900,520 dynamic font "sans,11" background rgb "white"
set termoption noenhanced
set output '%s'
set multiplot layout 2,1 title "echod and what users would pick instead (loopback, %d rounds, medians)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top right
set xtics noenhanced
set ylabel "connections/s"
set datafile missing "n/a"
plot '%s' using 2:xtic(1) title "1 worker" lc rgb "#4477aa", '' using 3 title "16 workers" lc rgb "#66ccee"
set ylabel "KiB"
set key top left
set title "Private_Dirty per connection, one byte echoed (lower is better)"
plot '%s' using 4:xtic(1) title "Private_Dirty" lc rgb "#ee6677"
unset multiplot
""" % (path, ROUNDS, data, data)
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        log("gnuplot failed: " + r.stderr)
        return False
    return True


def write_report(running, summary, sizes, errors):
    svg = os.path.join(OUT, "benchmarks.svg")
    have_chart = chart(running, summary, svg)
    e, ref = summary["echod"], summary.get("ref")
    others = [n for n in summary if n not in ("echod", "echod-classic", "ref")]
    L = []
    L.append("# Benchmarks: echod beside what users would pick instead\n")
    L.append("Generated by `make bench` (tests/bench/bench.py); do not edit by hand. "
             "Loopback, every server on its own 127.0.0.1 port, measured by echoprobe; "
             "%d interleaved rounds (every server once per round, the order rotated), medians. "
             "A ratio is a server's value over echod (raw)'s in the same round, then the median "
             "of those: this machine is noisy, and only ratios measured in one run compare. "
             "Connection rates are paired: each server's two rate runs sit next to two echod runs "
             "of their own (E1 X1 X16 E16, or X1 E1 E16 X16 in the next round), and a rate ratio "
             "is to the echod run beside it (echod's own rates: its runs of the round, as for the others).%s\n"
             % (ROUNDS, " **BENCH_QUICK: tiny counts, a smoke test, not a measurement.**"
                if QUICK else ""))
    if have_chart:
        L.append("![connection rate and per-connection memory](benchmarks.svg)\n")
    L.append("## Results\n")
    L.append("| server | conn/s, 1 worker | conn/s, 16 workers | RTT p50 us | RTT p99 us | "
             "stream MB/s | child Private_Dirty KiB | child Pss KiB | processes per conn | "
             "parent RSS KiB | server CPU us per conn | binary bytes |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for srv in running:
        s = summary[srv.name]
        cells = []
        for key, _, _ in METRICS:
            digits = 1 if key in ("mbs",) else 0
            v = fmtv(s[key], digits)
            if srv.name != "echod" and s[key + "_ratio"] is not None and key not in ("pd", "pss", "rss"):
                v += " (%.2f)" % s[key + "_ratio"]
            cells.append(v)
        cells.insert(7, fmtv(s["nproc"]))
        size, static, path = sizes[srv.name]
        cells.append("%d%s" % (size, "" if static else " + shared libs"))
        L.append("| %s | %s |" % (srv.label, " | ".join(cells)))
    L.append("\nIn parentheses: the ratio to echod (raw) in the same round (higher is better for "
             "rates and MB/s, lower for RTT and CPU). echod (classic) answers each read with the book's "
             "`Echo=>b'...' at <ctime>` line (about 4x the bytes for binary data), so its stream "
             "and RTT are not comparable with RFC 862 echo.\n")
    # Targets.
    L.append("## Targets (shown, not asserted)\n")

    if ref:
        # The best of the others: the highest paired ratio to echod.
        best = {k: max([summary[n][k + "_ratio"] for n in others
                        if summary[n][k + "_ratio"] is not None] or [0])
                for k in ("conn1", "conn16")}
        rows = []
        for k, what in (("conn1", "1 worker"), ("conn16", "16 workers")):
            r_ref = med([1 / summary["ref"][k + "_ratio"]]) if summary["ref"][k + "_ratio"] else None
            r_best = 1 / best[k] if best[k] else None
            rows.append("| connection rate, %s, vs the minimal reference | >= 0.90x | %s | %s |"
                        % (what, fmtv(r_ref, 2) + "x", ok(r_ref, 0.9)))
            rows.append("| connection rate, %s, vs the best of the others | >= 2.5x | %s | %s |"
                        % (what, fmtv(r_best, 2) + "x", ok(r_best, 2.5)))
        pd = e["pd"]
        rows.append("| per-connection Private_Dirty (x86_64) | <= 16 KiB | %s KiB | %s |"
                    % (fmtv(pd), "met" if pd is not None and pd <= 16 else "**not met**"))
        r_st = 1 / summary["ref"]["mbs_ratio"] if summary["ref"]["mbs_ratio"] else None
        rows.append("| stream throughput vs the minimal reference | >= 0.95x | %s | %s |"
                    % (fmtv(r_st, 2) + "x", ok(r_st, 0.95)))
        L.append("| target | wanted | measured | |")
        L.append("|---|---|---|---|")
        L += rows
        L.append("")
    bad = {n: v for n, v in errors.items() if v}
    if bad:
        L.append("## Failed runs (left out of the medians)\n")
        for n, v in bad.items():
            L.append("- %s: %d failed echoprobe runs, first: `%s`" % (n, len(v), v[0]))
        L.append("")
    L.append("## Machine\n")
    L.append("- %s" % machine())
    L.append("- load average (1 min) at the start and the end of the run: %.1f, %.1f"
             % (LOAD[0], os.getloadavg()[0]))
    L.append("- date: %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    L.append("- %s, echoprobe and the reference built static with musl (`make`)\n"
             % subprocess.run([ECHOD, "-V"], capture_output=True, text=True).stdout.strip())
    L.append("## Commands\n")
    L.append("Servers (P: a free port; openbsd-inetd answers only as the service `echo`, port 7):\n")
    L.append("| server | command |")
    L.append("|---|---|")
    for srv in running:
        argv = [a if a != str(srv.port) else "P" for a in srv.argv]
        argv = [a.replace(":%d," % srv.port, ":P,").replace(WORK + "/", "$(O)/bench/")
                for a in argv]
        argv[0] = os.path.basename(argv[0])
        L.append("| %s | `%s` |" % (srv.label, " ".join(argv)))
    L.append("")
    L.append("Per server and round (MODE raw, or classic for echod (classic)):\n")
    L.append("```")
    L.append("echoprobe -j -m MODE -r 1  -c %d -w %d -W 5 127.0.0.1 P   # connections/s, 1 worker"
             % (N_RATE, T_RATE))
    L.append("echoprobe -j -m MODE -r 16 -c %d -w %d -W 5 127.0.0.1 P   # 16 workers" % (N_RATE, T_RATE))
    L.append("echoprobe -j -m MODE -c %d -i 0 -q -W 5 127.0.0.1 P      # RTT p50/p99, one connection"
             % N_RTT)
    L.append("echoprobe -j -m MODE -b %d -W 5 127.0.0.1 P              # stream, full duplex" % MIB)
    L.append("```\n")
    L.append("Memory: one connection is opened and one byte echoed; then every process created "
             "since (the server's new descendants: a forked child, and what it exec'd) is summed "
             "from `/proc/PID/smaps_rollup` (Private_Dirty, Pss). Parent RSS is VmRSS of the "
             "process started. Server CPU per connection: the user and system time of the "
             "process started (not its children) over the one-worker run, divided by its "
             "connections: the serial part of a fork server, and a figure the other jobs on "
             "a shared machine move far less than they move a rate. Binary bytes: the file size of the server's executable "
             "(busybox: the whole multi-call binary).\n")
    L.append("Re-run: `make bench` (BENCH_ROUNDS=n, BENCH_ONLY=echod,ref,socat ...).\n")
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "analysis.md")
    if os.path.exists(notes) and not QUICK:
        with open(notes) as f:
            L.append(f.read())
    with open(os.path.join(OUT, "benchmarks.md"), "w") as f:
        f.write("\n".join(L))
    log("wrote %s" % os.path.join(OUT, "benchmarks.md"))


def ok(v, want):
    if v is None:
        return "n/a"
    return "met" if v >= want else "**not met**"


if __name__ == "__main__":
    sys.exit(main())
