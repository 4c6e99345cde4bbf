#!/usr/bin/env python3
"""mapsize.py BINARY.map [N]: where the bytes of a static binary come from.

Reads a GNU ld map (-Wl,-Map). Prints the bytes each input object puts into
the loaded image (code, rodata, data; bss apart), then the same bytes grouped
by libc facility: every archive member is charged to the symbol of ours (or
of crt1.o) that first pulled it in, following the chain of "Archive member
included ... (symbol)" lines, so e.g. everything localtime_r drags along is
one row. N limits each list (default 25).
"""
import collections
import re
import sys

SKIP = (".debug", ".comment", ".note", ".gnu.attributes", ".ARM.attributes",
        ".pdr", ".mdebug", ".gnu.build.attributes")


def short(path):
    m = re.match(r".*/(lib\w+\.a)\((.+)\)$", path)
    return "%s(%s)" % m.groups() if m else path.rsplit("/", 1)[-1]


def parse(text):
    # Archive member -> (requesting file, symbol).
    pulled = {}
    head = text.split("Archive member included to satisfy reference by file (symbol)", 1)
    if len(head) == 2:
        part = re.split(r"\n(?:Discarded input sections|Allocating common symbols|"
                        r"Memory Configuration|As-needed library)", head[1], 1)[0]
        for m in re.finditer(r"^(\S+)\n\s+(\S+) \((.+)\)$", part, re.M):
            pulled[short(m.group(1))] = (short(m.group(2)), m.group(3))
    # Input sections of the output: " .sec addr size file", maybe wrapped.
    sizes, bss = collections.Counter(), collections.Counter()
    body = text.split("Linker script and memory map", 1)[-1]
    lines = body.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^ (\.\S+|COMMON)\s*(.*)$", line)
        if not m:
            continue
        rest = m.group(2).split()
        if not rest and i + 1 < len(lines):
            rest = lines[i + 1].split()
        if len(rest) < 3 or not rest[0].startswith("0x") or not rest[1].startswith("0x"):
            continue
        sec, size, obj = m.group(1), int(rest[1], 16), short(" ".join(rest[2:]))
        if not size or sec.startswith(SKIP) or int(rest[0], 16) == 0:
            continue
        (bss if sec.startswith((".bss", ".sbss", ".tbss")) or sec == "COMMON" else sizes)[obj] += size
    return sizes, bss, pulled


def facility(obj, pulled):
    """The symbol that the first non-archive object asked for."""
    sym, seen = None, set()
    while obj in pulled and obj not in seen:
        seen.add(obj)
        obj, sym = pulled[obj]
    return "%s <- %s" % (sym, obj) if sym else obj


def main():
    text = open(sys.argv[1]).read()
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    sizes, bss, pulled = parse(text)
    print("bytes  object (code+rodata+data; total %d, bss %d)" % (sum(sizes.values()), sum(bss.values())))
    for obj, size in sizes.most_common(n):
        print("%6d  %s" % (size, obj))
    fac = collections.Counter()
    for obj, size in sizes.items():
        if obj in pulled:
            fac[facility(obj, pulled)] += size
    print("bytes  libc/libgcc facility <- first asked by (total %d)" % sum(fac.values()))
    for name, size in fac.most_common(n):
        print("%6d  %s" % (size, name))


if __name__ == "__main__":
    main()
