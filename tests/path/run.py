#!/usr/bin/python3
"""
The path suite: echoprobe diagnosing a real, impaired path. Three network
namespaces made here, joined by veth pairs:

    client  c0 10.77.1.1 fd77:1::1  ---  r0 10.77.1.2 fd77:1::2   router   (forwards)
    router  r1 10.77.2.1 fd77:2::1  ---  s0 10.77.2.2 fd77:2::2   server   (MTU 1400)

echod runs in the server namespace bound to s0 (-I s0), without its
per-source UDP reply limit (-r 0), which would look like loss; relay.py runs in
the router namespace on 10.77.1.2:7000, between the client and echod, and
drops, duplicates, reorders and delays datagrams with a fixed seed, counting
what it did. echoprobe must report exactly the relay's drops, duplicates and
reorderings, the jitter within 2 ms of the delay variation the relay applied,
the link's MTU of 1400 (through ICMP) and a black hole the relay makes, and
the DSCP that arrived at echod (which reflects it).

Needs root (namespaces); everything it made is removed at the end, also on
failure. Environment: ECHOD, ECHOPROBE, TIMEOUT_MULT, SUITE_TAG.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from echotest import Runner, timeout  # noqa: E402

ECHOD = os.path.abspath(os.environ.get("ECHOD", "build/host/echod"))
PROBE = os.path.abspath(os.environ.get("ECHOPROBE", "build/host/echoprobe"))
RELAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "relay.py")
PY = "/usr/bin/python3"
TAG = "ep%d" % os.getpid()
NS = {"c": TAG + "c", "r": TAG + "r", "s": TAG + "s"}
PORT = 50007
SERVER, SERVER6, RELAY_AT = "10.77.2.2", "fd77:2::2", "10.77.1.2"


def sh(*cmd, check=True):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, timeout=timeout(20))
    if check and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(map(str, cmd)), p.stderr.decode().strip()))
    return p


def nsx(ns, *cmd, check=True):
    return sh("ip", "netns", "exec", NS[ns], *cmd, check=check)


def build():
    for n in NS.values():
        sh("ip", "netns", "add", n)
    sh("ip", "link", "add", "c0", "netns", NS["c"], "type", "veth", "peer", "name", "r0", "netns", NS["r"])
    sh("ip", "link", "add", "r1", "netns", NS["r"], "type", "veth", "peer", "name", "s0", "netns", NS["s"])
    for ns, dev, v4, v6 in (("c", "c0", "10.77.1.1/24", "fd77:1::1/64"), ("r", "r0", "10.77.1.2/24", "fd77:1::2/64"),
                            ("r", "r1", "10.77.2.1/24", "fd77:2::1/64"), ("s", "s0", "10.77.2.2/24", "fd77:2::2/64")):
        nsx(ns, "ip", "addr", "add", v4, "dev", dev)
        nsx(ns, "ip", "-6", "addr", "add", v6, "dev", dev, "nodad")
        if dev in ("r1", "s0"):
            nsx(ns, "ip", "link", "set", dev, "mtu", "1400")
        nsx(ns, "ip", "link", "set", dev, "up")
    for ns in NS:
        nsx(ns, "ip", "link", "set", "lo", "up")
    nsx("c", "ip", "addr", "add", "10.77.1.3/24", "dev", "c0")
    nsx("c", "ip", "route", "add", "default", "via", "10.77.1.2")
    nsx("c", "ip", "-6", "route", "add", "default", "via", "fd77:1::2")
    nsx("s", "ip", "route", "add", "default", "via", "10.77.2.1")
    nsx("s", "ip", "-6", "route", "add", "default", "via", "fd77:2::1")
    nsx("r", "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")


def teardown(procs):
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()
    for n in NS.values():
        sh("ip", "netns", "del", n, check=False)


class Path:
    def __init__(self):
        self.procs = []

    def start(self, ns, *cmd, **kw):
        p = subprocess.Popen(["ip", "netns", "exec", NS[ns]] + [str(c) for c in cmd], **kw)
        self.procs.append(p)
        return p

    def relay(self, report, *args):
        p = self.start("r", PY, RELAY, "--listen", "%s:7000" % RELAY_AT, "--to", "%s:%d" % (SERVER, PORT),
                       "--report", report, *args, stdout=subprocess.PIPE)
        if p.stdout.readline().strip() != b"ready":
            raise RuntimeError("relay did not start")
        return p

    def stop_relay(self, p, report):
        p.terminate()
        p.wait(timeout(10))
        with open(report) as f:
            return json.load(f)


def probe(*args, ns="c"):
    p = nsx(ns, PROBE, "-j", *args, check=False)
    try:
        return p.returncode, json.loads(p.stdout), p.stdout.decode() + p.stderr.decode()
    except ValueError:
        return p.returncode, {}, p.stdout.decode() + p.stderr.decode()


def wait_port(ns, port):
    deadline = time.monotonic() + timeout(10)
    while time.monotonic() < deadline:
        if nsx(ns, PROBE, "-m", "raw", "-c", 1, "-W", 1, SERVER, port, check=False).returncode == 0:
            return True
        time.sleep(0.05)
    return False


def test_impairments(t, path, tmp):
    report = os.path.join(tmp, "imp.json")
    relay = path.relay(report, "--seed", 15, "--drop", 0.02, "--dup", 0.01, "--reorder", 0.02)
    rc, j, out = probe("-m", "raw", "-R", 200, "-c", 1000, "-W", timeout(2), RELAY_AT, 7000)
    r = path.stop_relay(relay, report)
    t.check(r["received"] == 1000 and r["drops"] > 5 and r["dups"] > 3 and r["reorders"] > 5,
            "relay: 1000 datagrams, %d dropped, %d duplicated, %d reordered (seed 15)"
            % (r["drops"], r["dups"], r["reorders"]), json.dumps(r))
    t.check(j.get("sent") == 1000 and j.get("lost") == r["drops"], "-R: lost = the relay's drops (%s)"
            % j.get("lost"), out[-400:])
    t.check(j.get("duplicated") == r["dups"], "-R: duplicated = the relay's dups (%s)" % j.get("duplicated"), out[-400:])
    t.check(j.get("reordered") == r["reorders"], "-R: reordered = the relay's reorders (%s)" % j.get("reordered"),
            out[-400:])
    t.check(j.get("received") == 1000 - r["drops"] and j.get("late") == 0 and rc == 1,
            "-R: received the rest, exit 1 for loss", out[-400:])
    t.check(sum(i["lost"] for i in j.get("intervals", [])) == r["drops"] and
            sum(i["reordered"] for i in j.get("intervals", [])) == r["reorders"],
            "-R: interval lines add up to the totals", out[-400:])


def test_jitter(t, path, tmp):
    report = os.path.join(tmp, "jit.json")
    relay = path.relay(report, "--delay-alt", 10)
    rc, j, out = probe("-m", "raw", "-R", 20, "-c", 100, RELAY_AT, 7000)
    r = path.stop_relay(relay, report)
    applied = r["jitter_us"]
    # The relay measures what it applied (10 ms, plus its own scheduling on a busy machine).
    t.check(applied > 8000, "relay: every other datagram 10 ms later: applied jitter %.0f us" % applied,
            json.dumps(r))
    t.check(rc == 0 and abs(j.get("jitter_us", -10**9) - applied) <= 2000,
            "-R: RFC 3550 jitter %s us, within 2000 us of the applied %.0f us" % (j.get("jitter_us"), applied),
            out[-400:])
    t.check(j.get("lost") == 0 and j.get("received") == 100, "-R: delay alone: nothing lost", out[-300:])


def test_pmtu(t, path, tmp):
    for host, payload, mtu in ((SERVER, 1372, 1400), (SERVER6, 1352, 1400)):
        rc, j, out = probe("-M", "-m", "raw", host, PORT)
        t.check(rc == 0 and j.get("payload") == payload and j.get("mtu") == mtu and j.get("icmp") is True and
                j.get("black_hole") is False,
                "-M %s: %d-byte payload, MTU %d, learned through ICMP" % (host, payload, mtu), out[-400:])
    report = os.path.join(tmp, "bh.json")
    relay = path.relay(report, "--max-size", 1000)
    rc, j, out = probe("-M", "-m", "raw", RELAY_AT, 7000)
    r = path.stop_relay(relay, report)
    t.check(rc == 1 and j.get("payload") == 1000 and j.get("black_hole") is True and r["too_big"] > 0,
            "-M: a relay dropping datagrams over 1000 bytes is a black hole at 1000", out[-400:])
    report = os.path.join(tmp, "loss.json")
    relay = path.relay(report, "--drop", 1.0)
    rc, j, out = probe("-M", "-m", "raw", "-W", timeout(0.3), RELAY_AT, 7000)
    path.stop_relay(relay, report)
    t.check(rc == 75 and j.get("black_hole") is False and "no reply even to" in (j.get("error") or ""),
            "-M: everything lost is loss, not a black hole (75)", out[-400:])


def test_dscp(t, path, tmp):
    for host, name, value in ((SERVER, "ef", 46), (SERVER6, "af41", 34), (SERVER, "cs1", 8)):
        rc, j, out = probe("-m", "raw", "-R", 50, "-c", 20, "-Q", name, host, PORT)
        t.check(rc == 0 and j.get("dscp_sent") == value and j.get("dscp_returned") == value and
                j.get("dscp_other") == 0, "-Q %s to %s: arrived and came back %d" % (name, host, value), out[-300:])
    report = os.path.join(tmp, "remark.json")
    relay = path.relay(report, "--remark", 10)
    rc, j, out = probe("-m", "raw", "-u", "-c", 3, "-i", 0.05, "-Q", "ef", RELAY_AT, 7000)
    path.stop_relay(relay, report)
    t.check(rc == 0 and j.get("dscp_sent") == 46 and j.get("dscp_returned") == 10,
            "-Q ef through a relay that re-marks af11: came back af11 (10)", out[-300:])


def test_iface(t, path, tmp):
    rc, j, out = probe("-m", "raw", "-c", 1, "-I", "c0", "-S", "10.77.1.3", SERVER, PORT)
    t.check(rc == 0 and j.get("received") == 1, "-I c0 -S 10.77.1.3: answered", out[-300:])
    rc, j, out = probe("-m", "raw", "-u", "-c", 1, "-W", timeout(0.5), "-I", "lo", SERVER, PORT)
    t.check(rc != 0, "-I lo: no route to the server through lo (rc %d)" % rc, out[-300:])
    p = nsx("s", PROBE, "-m", "raw", "-c", 1, "-W", timeout(1), "127.0.0.1", PORT, check=False)
    t.check(p.returncode == 69, "echod -I s0: not served on lo in its own namespace (refused, 69)",
            (p.stdout + p.stderr).decode()[-300:])


def main():
    t = Runner()
    if os.geteuid() != 0:
        t.check(False, "path: needs root for network namespaces")
        return 1
    path = Path()
    with tempfile.TemporaryDirectory(prefix="echod-path-") as tmp:
        try:
            build()
            log = open(os.path.join(tmp, "echod.log"), "wb")
            # -r 0: no per-source reply limit, which would look like loss at these rates
            path.start("s", ECHOD, "-U", "-r", 0, "-m", "raw", "-q", "-I", "s0", "-p", PORT, stdout=log, stderr=log)
            if not t.check(wait_port("c", PORT), "echod -I s0 in the server namespace answers the client"):
                return 1
            for test in (test_impairments, test_jitter, test_pmtu, test_dscp, test_iface):
                if len(sys.argv) > 1 and not any(a in test.__name__ for a in sys.argv[1:]):
                    continue
                try:
                    test(t, path, tmp)
                except Exception as e:  # a broken step fails, the rest still run
                    t.check(False, test.__name__, "%s: %s" % (type(e).__name__, e))
        finally:
            teardown(path.procs)
            left = [n for n in NS.values() if n in sh("ip", "netns", "list").stdout.decode()]
            t.check(not left, "path: every namespace removed", repr(left))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
