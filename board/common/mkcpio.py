#!/usr/bin/python3
"""mkcpio.py [--exact] DIR OUT.cpio.gz [NODE...]

Packs DIR into a gzip "newc" cpio archive for an initramfs, reproducibly:
entries sorted by path, owner root, mtime SOURCE_DATE_EPOCH (default 0),
directories 0755 (sticky bits kept), inodes numbered in order, gzip without
name or time. NODE adds a device node without needing root: "dev/console:c:5:1".
--exact keeps every owner, group and directory mode as they are in DIR (a
root file system unpacked by root, such as a Debian system's).
"""
import gzip
import os
import stat
import sys


def entry(name, mode, data=b"", ino=0, rdev=(0, 0), mtime=0, owner=(0, 0)):
    namez = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, mode, owner[0], owner[1], 1, mtime, len(data), 0, 0, rdev[0], rdev[1],
        len(namez), 0))
    out = hdr.encode() + namez
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)


def main():
    args = sys.argv[1:]
    exact = args[:1] == ["--exact"]
    top, dest, nodes = args[exact], args[exact + 1], args[exact + 2:]
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    items = {}
    for root, dirs, files in os.walk(top):
        for n in dirs + files:
            path = os.path.join(root, n)
            items[os.path.relpath(path, top)] = path
    for spec in nodes:
        name, kind, major, minor = spec.split(":")
        items[name] = (stat.S_IFCHR if kind == "c" else stat.S_IFBLK,
                       int(major), int(minor))
    out = []
    for ino, name in enumerate(sorted(items), 1):
        src = items[name]
        if isinstance(src, tuple):
            out.append(entry(name, src[0] | 0o600, ino=ino,
                             rdev=src[1:], mtime=mtime))
            continue
        st = os.lstat(src)
        perm = stat.S_IMODE(st.st_mode)
        own = (st.st_uid, st.st_gid) if exact else (0, 0)
        if stat.S_ISLNK(st.st_mode):
            out.append(entry(name, stat.S_IFLNK | 0o777,
                             os.readlink(src).encode(), ino, mtime=mtime, owner=own))
        elif stat.S_ISDIR(st.st_mode):
            dperm = perm if exact else 0o755 | (perm & 0o1000)
            out.append(entry(name, stat.S_IFDIR | dperm,
                             ino=ino, mtime=mtime, owner=own))
        elif stat.S_ISREG(st.st_mode):
            with open(src, "rb") as f:
                out.append(entry(name, stat.S_IFREG | perm, f.read(), ino,
                                 mtime=mtime, owner=own))
        else:
            sys.exit("mkcpio: %s: unsupported file type" % src)
    out.append(entry("TRAILER!!!", 0))
    with open(dest, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0,
                           compresslevel=9) as z:
            z.write(b"".join(out))


if __name__ == "__main__":
    main()
