#!/usr/bin/python3
"""Parses the Buildroot external tree's Config.in files with kconfiglib, as
Buildroot's kconfig would, and checks what they promise: echod needs an MMU
(it forks), its sub-options appear under it with their defaults, every
symbol has help, the fragments in configs/ set symbols that exist, and the
.mk uses no BR2_PACKAGE_ECHOD* symbol that Config.in does not define.

A stub top level stands in for Buildroot's: it defines the Buildroot symbols
the tree refers to (BR2_USE_MMU) and sources the tree's Config.in the way
Buildroot does, through $BR2_EXTERNAL_ECHOD_PATH.

    kconfig_check.py contrib/buildroot     PASS:/FAIL: lines, exit 1 on a FAIL
"""
import glob
import os
import re
import sys
import tempfile

import kconfiglib

STUB = """mainmenu "Buildroot stub"
config BR2_USE_MMU\n\tbool "MMU"\n\tdefault y
menu "External options"
source "$BR2_EXTERNAL_ECHOD_PATH/Config.in"
endmenu
"""

results = []


def report(ok, what):
    results.append(ok)
    print("%s: contrib: buildroot kconfig: %s" % ("PASS" if ok else "FAIL", what))


def load(tree, assignments=()):
    with tempfile.TemporaryDirectory() as tmp:
        top = os.path.join(tmp, "Config.in")
        with open(top, "w") as f:
            f.write(STUB)
        os.environ["BR2_EXTERNAL_ECHOD_PATH"] = os.path.abspath(tree)
        kconf = kconfiglib.Kconfig(top, warn_to_stderr=False)
        kconf.warn_assign_undef = True
        for name, val in assignments:
            kconf.syms[name].set_value(val)
        return kconf


def main(tree):
    kconf = load(tree)
    ours = sorted(n for n in kconf.syms if n.startswith("BR2_PACKAGE_ECHOD"))
    report(not kconf.warnings, "parses without warnings %s" % (kconf.warnings or ""))
    report(ours == ["BR2_PACKAGE_ECHOD", "BR2_PACKAGE_ECHOD_ECHOPROBE",
                    "BR2_PACKAGE_ECHOD_INIT_SCRIPT"],
           "symbols: %s" % " ".join(ours))
    report(all(kconf.syms[n].type == kconfiglib.BOOL for n in ours), "all bool")
    report(all(node.help and node.help.strip() for n in ours for node in kconf.syms[n].nodes),
           "every symbol has help text")

    # Without an MMU echod cannot be chosen, whatever is asked.
    nommu = load(tree, [("BR2_USE_MMU", 0), ("BR2_PACKAGE_ECHOD", 2)])
    report(nommu.syms["BR2_PACKAGE_ECHOD"].tri_value == 0,
           "BR2_PACKAGE_ECHOD stays n without BR2_USE_MMU (fork)")
    # Off by default; sub-options hidden until echod is on, then default y.
    report(kconf.syms["BR2_PACKAGE_ECHOD"].tri_value == 0
           and kconf.syms["BR2_PACKAGE_ECHOD_ECHOPROBE"].visibility == 0,
           "echod off by default, its sub-options hidden")
    on = load(tree, [("BR2_PACKAGE_ECHOD", 2)])
    report(all(on.syms[n].tri_value == 2 and on.syms[n].visibility == 2 for n in ours),
           "with echod on, echoprobe and the init script default to y and can be changed")

    # Fragments: the echod symbols they set exist and keep their values.
    frags = sorted(glob.glob(os.path.join(tree, "configs", "*.fragment")))
    report(len(frags) >= 3, "%d fragments in configs/" % len(frags))
    for frag in frags:
        wanted = {}
        with open(frag) as f:
            for line in f:
                m = re.match(r"^(BR2_PACKAGE_ECHOD\w*)=y$|^# (BR2_PACKAGE_ECHOD\w*) is not set$", line)
                if m:
                    wanted[m.group(1) or m.group(2)] = 2 if m.group(1) else 0
        kc = load(tree, [(n, v) for n, v in wanted.items() if n in ours])
        unknown = [n for n in wanted if n not in kc.syms]
        kept = all(kc.syms[n].tri_value == v for n, v in wanted.items() if n in kc.syms)
        report(wanted.get("BR2_PACKAGE_ECHOD") == 2 and not unknown and kept,
               "%s: selects echod; its echod symbols exist%s and keep their values"
               % (os.path.basename(frag), " (unknown: %s)" % unknown if unknown else ""))

    # The .mk and the runtime test use only symbols Config.in defines.
    used = set()
    for path in glob.glob(os.path.join(tree, "package", "*", "*.mk")) + \
            glob.glob(os.path.join(tree, "testing", "*.py")):
        with open(path) as f:
            used |= set(re.findall(r"BR2_PACKAGE_ECHOD\w*", f.read()))
    report(used and used <= set(ours),
           "the .mk and the runtime test use defined symbols only (%s)" % " ".join(sorted(used)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
