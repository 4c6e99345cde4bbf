#!/usr/bin/env python3
"""
The man pages against the programs (part of `make check-pkg`).

    man.py ECHOD ECHOPROBE

For docs/echod.8 and docs/echoprobe.1: `mandoc -Tlint -Wwarning` says
nothing; the options of the SYNOPSIS are those of the usage line the
program prints with -h (the same letters, each taking a value or not, as
there); the `.It Fl` entries of the page are every option of the usage line
and of the help text after it, and no other. The README links both pages.
The comparison is first run on a page with an option taken out and one
added, which it must report. $ECHOD_WRAPPER (qemu-user for a cross build)
runs the programs. Prints PASS:/FAIL: lines.
"""
import os
import re
import shlex
import subprocess
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
WRAPPER = shlex.split(os.environ.get("ECHOD_WRAPPER", ""))
failed = 0


def result(ok, name, detail=""):
    global failed
    failed += not ok
    print("%s: pkg/man: %s%s" % ("PASS" if ok else "FAIL", name, "" if ok or not detail else " -- " + detail))


def usage_options(text):
    """{letter: takes_value} of the usage line (up to the first line that
    does not continue it), and the letters named in the help text after it
    (at the start of a line or after two blanks)."""
    lines = text.splitlines()
    n = 1
    while n < len(lines) and lines[n].startswith(" ") and lines[n].lstrip().startswith("["):
        n += 1
    usage = " ".join(lines[:n])
    opts = {}
    for m in re.finditer(r"-(\w+)( +[^-\s|\]][^\s|\]]*)?", usage.split(None, 2)[2]):
        word, value = m.group(1), m.group(2)
        if value:
            opts[word] = True
        else:
            opts.update((c, False) for c in word)
    helped = set()
    for line in lines[n:]:
        helped.update(re.findall(r"(?:^|\s\s)-(\w)(?=[\s,])", line))
    return opts, helped


def mdoc_flags(lines):
    """{letter: takes_value} of the Fl macros on these mdoc lines: the word
    after Fl is one option with a value when Ar or Cm follows, else a cluster
    of flags."""
    opts = {}
    for line in lines:
        words = line.split()
        for i, w in enumerate(words[:-1]):
            if w != "Fl" or not re.fullmatch(r"\w+", words[i + 1]):
                continue
            value = i + 2 < len(words) and words[i + 2] in ("Ar", "Cm")
            if value or len(words[i + 1]) == 1:
                opts[words[i + 1]] = value
            else:
                opts.update((c, False) for c in words[i + 1])
    return opts


def page_options(page):
    """(SYNOPSIS options, options of the .It Fl entries) of an mdoc page."""
    synopsis, items, section = [], [], None
    for line in page.splitlines():
        if line.startswith(".Sh "):
            section = line[4:].strip()
        elif section == "SYNOPSIS":
            synopsis.append(line)
        if line.startswith(".It Fl "):
            items.append(line[3:])
    return mdoc_flags(synopsis), mdoc_flags(items)


def differences(prog, usage, helped, synopsis, items):
    """Every disagreement, one phrase each."""
    out = []
    for c in sorted(set(usage) | set(synopsis)):
        if c not in synopsis:
            out.append("-%s of %s's usage is not in the SYNOPSIS" % (c, prog))
        elif c not in usage:
            out.append("-%s of the SYNOPSIS is not in %s's usage" % (c, prog))
        elif usage[c] != synopsis[c]:
            out.append("-%s takes a value in %s" % (c, "the usage" if usage[c] else "the SYNOPSIS"))
    every = set(usage) | helped
    for c in sorted(every | set(items)):
        if c not in items:
            out.append("-%s of %s -h has no .It Fl entry" % (c, prog))
        elif c not in every:
            out.append(".It Fl %s is not an option of %s -h" % (c, prog))
        elif c in usage and usage[c] != items[c]:
            out.append(".It Fl %s: takes a value in %s" % (c, "the usage" if usage[c] else "the page"))
    return out


def check_page(prog, binary, page_path):
    name = os.path.basename(page_path)
    lint = subprocess.run(["mandoc", "-Tlint", "-Wwarning", page_path], capture_output=True, text=True)
    result(lint.returncode == 0 and not (lint.stdout + lint.stderr).strip(),
           "%s: mandoc -Tlint -Wwarning clean" % name, (lint.stdout + lint.stderr).strip())
    helptext = subprocess.run(WRAPPER + [binary, "-h"], capture_output=True, text=True, timeout=60).stdout
    usage, helped = usage_options(helptext)
    with open(page_path) as f:
        page = f.read()
    synopsis, items = page_options(page)
    diff = differences(prog, usage, helped, synopsis, items)
    result(len(usage) >= 5 and not diff, "%s: the options of %s -h, no more, no fewer (%d)"
           % (name, prog, len(set(usage) | helped)), "; ".join(diff))
    return usage, helped, page


def self_check(usage, helped, page):
    """The comparison must see an option taken out of the page and one added."""
    c = sorted(usage)[0]
    cut = "\n".join(ln for ln in page.splitlines() if not ln.startswith(".It Fl %s" % c))
    added = page.replace(".Sh DESCRIPTION", ".Sh DESCRIPTION\n.It Fl Z Ar zz", 1).replace(
        ".Sh DESCRIPTION", ".Sh SYNOPSIS\n.Op Fl Z Ar zz\n.Sh DESCRIPTION", 1)
    got_cut = differences("echod", usage, helped, *page_options(cut))
    got_added = differences("echod", usage, helped, *page_options(added))
    result(any("-%s of echod -h has no .It Fl entry" % c in d for d in got_cut) and
           any(".It Fl Z is not an option" in d for d in got_added) and
           any("-Z of the SYNOPSIS is not in" in d for d in got_added),
           "the comparison reports an option missing from a page and one too many",
           "%r %r" % (got_cut, got_added))


def main():
    echod, echoprobe = sys.argv[1:3]
    u = check_page("echod", echod, os.path.join(TOP, "docs", "echod.8"))
    check_page("echoprobe", echoprobe, os.path.join(TOP, "docs", "echoprobe.1"))
    self_check(*u)
    with open(os.path.join(TOP, "README.md")) as f:
        readme = f.read()
    result("(docs/echod.8)" in readme and "(docs/echoprobe.1)" in readme,
           "README links docs/echod.8 and docs/echoprobe.1")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
