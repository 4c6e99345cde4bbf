#!/usr/bin/env python3
"""
make bench-qemu BOARD=b: echoprobe on the host against echod inside the
booted image, and against busybox `nc -ll -e cat` in the same guest, through
QEMU's port forward (host 127.0.0.1:P to guest port 50007). Only one guest
port is forwarded, so the two servers take turns on it, round by round
(A B A B ...). QEMU is always killed at the end.

Per connection, read in the guest's /proc (the kernel's own accounting,
nothing added to the servers): the CPU time a child takes from its fork to
blocking in its first read (se.sum_exec_runtime of /proc/PID/sched, with
the client connected and silent), its Private_Dirty idle and after one byte
echoed (smaps_rollup), and the server process's own CPU time per connection
over the one-worker run. The guest has one CPU, so after accept the parent
runs to its next poll and then the child to its read: the time from accept
to the child's first read is about the sum of the two.

Environment: BOARD, O, OUT, ECHOPROBE, BENCH_ROUNDS (3), TIMEOUT_MULT.
"""
import datetime
import json
import os
import statistics
import socket
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "qemu"))

from emulator import MULT, Emulator  # noqa: E402
from bench import probe_json  # noqa: E402 (this folder)

BOARD = os.environ.get("BOARD", "armhf-virt")
O = os.path.abspath(os.environ.get("O", "build"))
OUT = os.path.abspath(os.environ.get("OUT", os.path.join(TOP, "docs")))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
IMAGES = os.path.join(O, "images", BOARD)
GUEST_PORT = 50007
SERVERS = [("echod", "echod -q -m raw -c 64 -p %d" % GUEST_PORT),
           ("busybox-nc", "busybox nc -ll -p %d -e cat" % GUEST_PORT)]


def log(msg):
    print("bench-qemu: " + msg, file=sys.stderr, flush=True)


def probe(*args, seconds=120):
    """echoprobe -j, with the guest's longer default wait."""
    return probe_json(*args, seconds=seconds)


def answers(port, mode):
    return probe("-m", mode, "-c", 1, "-W", 2, "127.0.0.1", port, seconds=30).get("status") == 0


def wait_until(cond, seconds, emu):
    deadline = time.monotonic() + seconds * MULT
    while time.monotonic() < deadline:
        if cond():
            return True
        emu.drain(0.2)  # keeps the console read while the guest works
    return False


# The server's children: pid, state, CPU ms so far, Private_Dirty KiB ("KID" lines).
KIDS = ("S=$(cat /tmp/bench.pid); for d in /proc/[0-9]*; do set -- $(cat $d/stat 2>/dev/null); "
        "[ \"$4\" = \"$S\" ] || continue; "
        "echo KID $1 $3 $(sed -n 's/^se.sum_exec_runtime *: *//p' $d/sched) "
        "$(sed -n 's/^Private_Dirty: *\\([0-9]*\\).*/\\1/p' $d/smaps_rollup); done")
SERVER_MS = "sed -n 's/^se.sum_exec_runtime *: *//p' /proc/$(cat /tmp/bench.pid)/sched"
IDLE_CONNS = 8


def kids(emu):
    out, _ = emu.run(KIDS)
    rows = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 5 and f[0] == "KID":
            rows[int(f[1])] = (f[2], float(f[3]), int(f[4]))
    return rows


def server_ms(emu):
    out, _ = emu.run(SERVER_MS)
    try:
        return float(out.split()[-1])
    except (ValueError, IndexError):
        return None


def per_child(emu, port):
    """IDLE_CONNS silent clients: each child's CPU ms to its first read and Private_Dirty
    KiB, then Private_Dirty after one byte echoed. Medians; None when not measured."""
    socks = []
    try:
        for _ in range(IDLE_CONNS):
            socks.append(socket.create_connection(("127.0.0.1", port), 10 * MULT))
        # Settled: every child asleep (in its read) and its CPU time the same 0.5 s later.
        before, idle = None, None
        deadline = time.monotonic() + 60 * MULT
        while time.monotonic() < deadline:
            emu.drain(0.5)
            now = kids(emu)
            if len(now) >= IDLE_CONNS and all(k[0] == "S" for k in now.values()) and now == before:
                idle = now
                break
            before = now
        if idle is None:
            return None, None, None
        for s in socks:
            s.settimeout(10 * MULT)
            s.sendall(b"x")
            s.recv(1)
        after = kids(emu)
        return (med([k[1] for k in idle.values()]), med([k[2] for k in idle.values()]),
                med([k[2] for p, k in after.items() if p in idle]))
    except OSError:
        return None, None, None
    finally:
        for s in socks:
            s.close()


def measure(port, emu):
    cpu, pd_idle, pd_byte = per_child(emu, port)
    ms0 = server_ms(emu)
    r1 = probe("-m", "raw", "-r", 1, "-c", 300, "-w", 5, "-W", 10, "127.0.0.1", port)
    ms1 = server_ms(emu)
    r16 = probe("-m", "raw", "-r", 16, "-c", 600, "-w", 5, "-W", 10, "127.0.0.1", port)
    rtt = probe("-m", "raw", "-c", 300, "-i", 0, "-q", "-W", 10, "127.0.0.1", port)
    st = probe("-m", "raw", "-b", 8, "-W", 10, "127.0.0.1", port)
    ok = lambda j: j.get("status") == 0  # noqa: E731
    parent = None
    if ok(r1) and ms0 is not None and ms1 is not None and r1.get("connections"):
        parent = (ms1 - ms0) / r1["connections"]
    return {"child_ms": cpu, "parent_ms": parent, "pd_idle": pd_idle, "pd_byte": pd_byte,
            "conn1": r1.get("conn_per_s") if ok(r1) else None,
            "conn16": r16.get("conn_per_s") if ok(r16) else None,
            "rtt50": rtt["rtt_us"]["p50"] if ok(rtt) else None,
            "rtt99": rtt["rtt_us"]["p99"] if ok(rtt) else None,
            "mbs": st.get("mb_per_s") if ok(st) else None,
            "errors": [j.get("error") for j in (r1, r16, rtt, st) if not ok(j)]}


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    if not os.path.exists(os.path.join(IMAGES, "rootfs.cpio.gz")):
        subprocess.run(["make", "--no-print-directory", "image", "BOARD=" + BOARD], cwd=TOP, check=True)
    os.makedirs(os.path.join(O, "bench"), exist_ok=True)
    emu = Emulator(BOARD, IMAGES, os.path.join(O, "bench", "qemu-%s-console.txt" % BOARD))
    results = {n: [] for n, _ in SERVERS}
    try:
        emu.boot()
        port = emu.port
        seen = ""
        deadline = time.monotonic() + 240 * MULT
        while time.monotonic() < deadline and not answers(port, "classic"):
            seen += emu.drain(0.5)
        emu.login(seen, timeout=240)
        emu.run("/etc/init.d/S50echod stop", timeout=30)
        for r in range(ROUNDS):
            for name, cmd in SERVERS:
                emu.run("(%s >/dev/null 2>&1 & echo $! >/tmp/bench.pid)" % cmd)  # not a job: no "Done" line
                if not wait_until(lambda: answers(port, "raw"), 30, emu):
                    raise RuntimeError("%s did not answer in the guest" % name)
                res = measure(port, emu)
                results[name].append(res)
                log("round %d %-10s %s" % (r + 1, name, json.dumps(res)))
                emu.run("p=$(cat /tmp/bench.pid); kill $p; i=0; while kill -0 $p 2>/dev/null && "
                        "[ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done", timeout=30)
        uname, _ = emu.run("uname -rm")
        cpu, _ = emu.run("grep -m1 -i -E 'model name|cpu model|Processor' /proc/cpuinfo")
    finally:
        emu.stop()
    write(results, uname, cpu)
    return 0


def write(results, uname, cpu):
    keys = [("conn1", "conn/s, 1 worker", 0), ("conn16", "conn/s, 16 workers", 0),
            ("rtt50", "RTT p50 us", 0), ("rtt99", "RTT p99 us", 0), ("mbs", "stream MB/s", 2)]
    ckeys = [("child_ms", "child CPU us, fork to first read", 1000),
             ("parent_ms", "server CPU us per connection", 1000),
             ("sum", "accept to first read us (about)", 1000),
             ("pd_idle", "child Private_Dirty KiB, idle", 1),
             ("pd_byte", "after one byte echoed", 1)]
    for rows in results.values():
        for x in rows:
            x["sum"] = (x["child_ms"] + x["parent_ms"]
                        if x.get("child_ms") is not None and x.get("parent_ms") is not None else None)
    base = results["echod"]
    L = ["# Benchmarks in QEMU: %s\n" % BOARD,
         "Generated by `make bench-qemu BOARD=%s`. echoprobe runs on the host and reaches the "
         "guest through QEMU's user-mode port forward (slirp), so these numbers measure the "
         "emulated board plus slirp, not real hardware: only the ratio between the two servers, "
         "measured in the same round, means something. %d rounds, the servers taking turns on "
         "guest port %d; medians, ratio to echod in the same round in parentheses.\n"
         % (BOARD, ROUNDS, GUEST_PORT),
         "| server | " + " | ".join(k[1] for k in keys) + " |",
         "|---|" + "---|" * len(keys)]
    for name, cmd in SERVERS:
        rows = results[name]
        cells = []
        for k, _, d in keys:
            v = med([x[k] for x in rows])
            c = "n/a" if v is None else ("%." + str(d) + "f") % v
            ratios = [x[k] / b[k] for x, b in zip(rows, base) if x[k] is not None and b[k]]
            if name != "echod" and ratios:
                c += " (%.2f)" % statistics.median(ratios)
            cells.append(c)
        L.append("| `%s` | %s |" % (cmd, " | ".join(cells)))
    L += ["\n## Per connection\n",
          "Read in the guest's /proc: a child's CPU time from its fork to blocking in its "
          "first read (se.sum_exec_runtime, %d silent clients, the median), the server "
          "process's CPU time per connection over the one-worker run (accept, fork, close, "
          "reaping, poll), their sum, which on the guest's one CPU is about the time from "
          "accept to the child's first read, and a child's Private_Dirty idle and after one "
          "byte echoed. For busybox nc the child is `cat`, so its time includes the exec. "
          "Medians over the rounds.\n" % IDLE_CONNS,
          "| server | " + " | ".join(k[1] for k in ckeys) + " |",
          "|---|" + "---|" * len(ckeys)]
    for name, cmd in SERVERS:
        cells = []
        for k, _, scale in ckeys:
            v = med([x.get(k) for x in results[name]])
            cells.append("n/a" if v is None else "%.0f" % (v * scale))
        L.append("| `%s` | %s |" % (cmd, " | ".join(cells)))
    errs = {n: [e for x in rows for e in x["errors"]] for n, rows in results.items()}
    if any(errs.values()):
        L.append("\nFailed runs: " + "; ".join("%s: %d (%s)" % (n, len(e), e[0])
                                                for n, e in errs.items() if e))
    L.append("\n- guest: %s; %s" % (uname.strip(), cpu.strip()))
    L.append("- host: %d CPUs; date %s" % (os.cpu_count(), datetime.datetime.now(
        datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")))
    L.append("- echoprobe runs per server and round: `-r 1 -c 300`, `-r 16 -c 600` (each `-w 5`), "
             "`-c 300 -i 0` (RTT), `-b 8` (stream), all `-m raw -W 10`.\n")
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "benchmarks-qemu-%s.md" % BOARD)
    with open(path, "w") as f:
        f.write("\n".join(L))
    log("wrote " + path)


if __name__ == "__main__":
    sys.exit(main())
