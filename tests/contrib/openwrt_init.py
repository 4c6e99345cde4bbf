#!/usr/bin/python3
"""The OpenWrt procd init script's logic, off a router: it is sourced with
tests/contrib/openwrt-shim.sh (a small reimplementation of OpenWrt's
config_* and procd_* shell API that records what is asked of procd) for
several /etc/config/echod files, under dash and under BusyBox ash (OpenWrt's
shell), and the instances and command lines it asks procd for are compared
with the expected ones. Invalid values must give one clear line in logread
and no instance. The command line of the enabled default config is then run
for real (on a free port) and answers an echo.

    openwrt_init.py FEED_PACKAGE_DIR ECHOD ECHOPROBE
"""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.join(HERE, "openwrt-shim.sh")
TIMEOUT = 10 * int(os.environ.get("TIMEOUT_MULT", "1"))
PASSWD = "root:x:0:0:root:/root:/bin/ash\nnobody:*:65534:65534:nobody:/var:/bin/false\n" \
         "echod:x:32768:32768:echod:/var/run/echod:/bin/false\n"
PROG = "/usr/sbin/echod"
DEFAULT_CMD = [PROG, "-p", "50007", "-m", "classic", "-c", "64", "-C", "0", "-t", "300",
               "-u", "echod", "-U", "-q"]

results = []


def report(ok, what, detail=""):
    results.append(ok)
    print("%s: contrib: openwrt init: %s" % ("PASS" if ok else "FAIL", what))
    if not ok and detail:
        print("    " + detail.replace("\n", "\n    "))


def uci(sections):
    """/etc/config text in `uci export` form from [(type, name, {opt: val})]."""
    out = []
    for typ, name, opts in sections:
        out.append("config %s %s" % (typ, shlex.quote(name)))
        out += ["\toption %s %s" % (k, shlex.quote(v)) for k, v in opts.items()]
        out.append("")
    return "\n".join(out)


def run_init(shell, init, config_text):
    """Instances {name: {"command": [...], params...}}, triggers, logread lines."""
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "etc", "config"))
        with open(os.path.join(tmp, "etc", "passwd"), "w") as f:
            f.write(PASSWD)
        if config_text is not None:
            with open(os.path.join(tmp, "etc", "config", "echod"), "w") as f:
                f.write(config_text)
        env = dict(os.environ, SHIM_ROOT=tmp, SHIM_CONFIG_DIR=os.path.join(tmp, "etc", "config"),
                   SHIM_PROCD=os.path.join(tmp, "procd"), SHIM_LOGREAD=os.path.join(tmp, "logread"))
        for k in ("SHIM_PROCD", "SHIM_LOGREAD"):
            open(env[k], "w").close()
        p = subprocess.run(shell + ["-c", '. "$0" && shim_start "$1"', SHIM, init],
                           env=env, capture_output=True, text=True, timeout=TIMEOUT)
        with open(env["SHIM_PROCD"]) as f:
            calls = [shlex.split(line) for line in f]
        with open(env["SHIM_LOGREAD"]) as f:
            logread = f.read().splitlines()
    instances, triggers, cur, problems = {}, [], None, []
    if p.returncode or p.stderr:
        problems.append("exit %d, stderr: %s" % (p.returncode, p.stderr.strip()))
    for c in calls:
        if c[0] == "instance":
            cur = instances.setdefault(c[1], {})
        elif c[0] in ("set", "append") and cur is not None:
            if c[0] == "append" and c[1] not in cur:
                problems.append("append to unset %s" % c[1])
            cur[c[1]] = (cur.get(c[1], []) if c[0] == "append" else []) + c[2:]
        elif c[0] == "close":
            cur = None
        elif c[0] == "trigger":
            triggers.append(c[1:])
        elif c[0] not in ("service", "service-close"):
            problems.append("unexpected call %s" % c)
    if cur is not None:
        problems.append("instance left open")
    return instances, triggers, logread, problems


def expect(shells, init, name, config_text, want_instances, want_log=()):
    """Every shell gives exactly these instances and these logread lines."""
    for label, shell in shells:
        inst, triggers, log, problems = run_init(shell, init, config_text)
        ok = (inst == want_instances and log == list(want_log) and not problems
              and triggers == [["config.change", "echod"]])
        report(ok, "%s (%s)" % (name, label),
               "instances: %r\nwanted:    %r\nlogread: %r\nwanted:  %r\ntriggers: %r\n%s"
               % (inst, want_instances, log, list(want_log), triggers, "\n".join(problems)))


def instance(cmd):
    return {"command": cmd, "respawn": [], "stderr": ["1"]}


def err(section, message):
    return "daemon.err echod: instance '%s': %s; not started" % (section, message)


def live_run(shells, init, echod, echoprobe):
    """The enabled default command line, run: echod must take every option."""
    inst, _, _, _ = run_init(shells[0][1], init, uci([("echod", "main", {"enabled": "1"})]))
    cmd = inst.get("main", {}).get("command", [])
    if not cmd:
        report(False, "live run: no command line")
        return
    # Our binary, a free port, a user that exists here; -1 prints the port.
    args = [echod] + cmd[1:]
    args[args.index("-p") + 1] = "0"
    args[args.index("-u") + 1] = "nobody" if os.geteuid() == 0 else \
        subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    proc = subprocess.Popen(args + ["-1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = proc.stdout.readline().strip()
        probe = subprocess.run([echoprobe, "-q", "-c", "2", "-i", "0.1", "127.0.0.1", port],
                               capture_output=True, text=True, timeout=TIMEOUT)
        udp = subprocess.run([echoprobe, "-q", "-u", "-c", "2", "-i", "0.1", "127.0.0.1", port],
                             capture_output=True, text=True, timeout=TIMEOUT)
        report(port.isdigit() and probe.returncode == 0 and udp.returncode == 0,
               "live run: echod %s answers TCP and UDP" % " ".join(args[1:]),
               probe.stdout + probe.stderr + udp.stdout + udp.stderr)
    finally:
        proc.terminate()
        proc.wait(timeout=TIMEOUT)


def main(pkgdir, echod, echoprobe):
    init = os.path.join(pkgdir, "files", "echod.init")
    shells = [("dash", ["dash"])]
    if shutil.which("busybox"):
        shells.append(("busybox ash", ["busybox", "sh"]))
    else:
        report(False, "busybox (OpenWrt's shell) is not installed: apt-get install busybox-static")
    with open(os.path.join(pkgdir, "files", "echod.config")) as f:
        shipped = f.read()

    expect(shells, init, "shipped config: off by default, nothing started", shipped, {})
    expect(shells, init, "no /etc/config/echod: nothing started", None, {})
    expect(shells, init, "shipped config enabled", shipped.replace("'0'", "'1'", 1),
           {"main": instance(DEFAULT_CMD)})
    expect(shells, init, "only enabled set: the defaults", uci([("echod", "main", {"enabled": "1"})]),
           {"main": instance(DEFAULT_CMD)})
    expect(shells, init, "an empty option is its default, as config_get gives it",
           uci([("echod", "main", {"enabled": "1", "port": "", "user": ""})]),
           {"main": instance(DEFAULT_CMD)})
    expect(shells, init, "every option set",
           uci([("echod", "main", {"enabled": "yes", "port": "7", "mode": "raw", "udp": "0",
                                   "maxchild": "16", "perhost": "2", "idle": "0",
                                   "bind": "192.0.2.1", "user": "nobody", "quiet": "off"})]),
           {"main": instance([PROG, "-p", "7", "-m", "raw", "-c", "16", "-C", "2", "-t", "0",
                              "-u", "nobody", "-b", "192.0.2.1"])})
    expect(shells, init, "two sections, two instances; a disabled third and another type ignored",
           uci([("echod", "main", {"enabled": "1"}),
                ("echod", "v6", {"enabled": "on", "port": "5007", "bind": "::1", "udp": "false"}),
                ("echod", "spare", {"enabled": "0", "port": "x"}),
                ("other", "main2", {"enabled": "1"})]),
           {"main": instance(DEFAULT_CMD),
            "v6": instance([PROG, "-p", "5007", "-m", "classic", "-c", "64", "-C", "0", "-t", "300",
                            "-u", "echod", "-q", "-b", "::1"])})

    bad = [("port", "99999", "option port '99999' is not a number from 1 to 65535"),
           ("port", "0", "option port '0' is not a number from 1 to 65535"),
           ("port", "7a", "option port '7a' is not a number from 1 to 65535"),
           ("port", "99999999999999999999", "option port '99999999999999999999' is not a number "
            "from 1 to 65535"),
           ("mode", "fast", "option mode 'fast' is not classic or raw"),
           ("udp", "maybe", "option udp 'maybe' is not a boolean (1 or 0)"),
           ("maxchild", "0", "option maxchild '0' is not a number from 1 to 1024"),
           ("maxchild", "2000", "option maxchild '2000' is not a number from 1 to 1024"),
           ("perhost", "-1", "option perhost '-1' is not a number from 0 to 1024"),
           ("idle", "1h", "option idle '1h' is not a number from 0 to 86400"),
           ("bind", "192.0.2.1; reboot", "option bind '192.0.2.1; reboot' is not an IPv4 or IPv6 "
            "address"),
           ("user", "no such", "option user 'no such' is not a user name"),
           ("user", "-x", "option user '-x' is not a user name"),
           ("user", "ghost", "user 'ghost' does not exist"),
           ("quiet", "2", "option quiet '2' is not a boolean (1 or 0)")]
    for opt, val, msg in bad:
        expect(shells, init, "invalid %s %r: logread says so, not started" % (opt, val),
               uci([("echod", "main", {"enabled": "1", opt: val})]), {}, [err("main", msg)])
    expect(shells, init, "invalid enabled 'perhaps': logread says so",
           uci([("echod", "main", {"enabled": "perhaps"})]), {},
           [err("main", "option enabled 'perhaps' is not a boolean (1 or 0)")])
    expect(shells, init, "one invalid section does not stop a valid one",
           uci([("echod", "bad", {"enabled": "1", "mode": "x"}),
                ("echod", "main", {"enabled": "1"})]),
           {"main": instance(DEFAULT_CMD)}, [err("bad", "option mode 'x' is not classic or raw")])
    live_run(shells, init, echod, echoprobe)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
