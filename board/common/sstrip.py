#!/usr/bin/env python3
"""sstrip.py ELF...: what `strip` leaves that no one loads, cut off in place.

The kernel loads a static executable by its program headers alone. After
`strip -s` the file still ends with the section header table and the names
of the sections (and non-loaded notes such as .ARM.attributes): 0.6 to 1.2
KiB per binary. Like ELFkickers' sstrip, which OpenWrt runs on its images,
this truncates the file after the last byte a program header covers, clears
the section header fields of the ELF header, and gives back the zero bytes
at the end of the last loaded segment if it is writable (p_memsz still
covers them: the kernel zero-fills them, as it does .bss). readelf -l, objdump -d --start-address
and gdb's `info proc` keep working; readelf -S shows no sections.
"""
import struct
import sys


def sstrip(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] not in (1, 2):
        raise SystemExit("sstrip: %s: not an ELF file" % path)
    is64, end = data[4] == 2, "<" if data[5] == 1 else ">"
    # ELF header: e_phoff, e_shoff, e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx
    if is64:
        ehdr = struct.Struct(end + "HHIQQQIHHHHHH")   # after e_ident
        phdr = struct.Struct(end + "IIQQQQQQ")    # type flags offset vaddr paddr filesz memsz align
    else:
        ehdr = struct.Struct(end + "HHIIIIIHHHHHH")
        phdr = struct.Struct(end + "IIIIIIII")    # type offset vaddr paddr filesz memsz flags align
    h = list(ehdr.unpack_from(data, 16))
    phoff, phentsize, phnum = h[4], h[8], h[9]
    iof, isz = (2, 5) if is64 else (1, 4)       # p_offset, p_filesz
    heads = [(phoff + i * phentsize, list(phdr.unpack_from(data, phoff + i * phentsize)))
             for i in range(phnum)]
    keep = phoff + phentsize * phnum
    for _, p in heads:
        if p[isz]:
            keep = max(keep, p[iof] + p[isz])
    if keep > len(data):
        raise SystemExit("sstrip: %s: a segment runs past the end of the file" % path)
    del data[keep:]
    # Zero bytes at the end are zero-filled by the kernel anyway (p_memsz
    # covers them), as it does .bss: only where the segment they end is
    # writable. At the end of a read-only one (a program with no .data
    # ends with its text) they would need zeroing on a page that cannot be
    # written: Linux leaves them to the file's mapping, but qemu-user's
    # loader faults on them, so they stay.
    last = [p for _, p in heads if p[isz] and p[iof] + p[isz] == keep]
    if last and all(p[1 if is64 else 6] & 2 for p in last):   # p_flags & PF_W
        while keep > phoff + phentsize * phnum and data[keep - 1] == 0:
            keep -= 1
        del data[keep:]
    for at, p in heads:
        if p[isz] and p[iof] + p[isz] > keep:
            p[isz] = max(0, keep - p[iof])
            phdr.pack_into(data, at, *p)
    h[5], h[10], h[11], h[12] = 0, 0, 0, 0     # e_shoff, e_shentsize, e_shnum, e_shstrndx
    ehdr.pack_into(data, 16, *h)
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    for a in sys.argv[1:]:
        sstrip(a)
