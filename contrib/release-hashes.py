#!/usr/bin/python3
"""Pins the Buildroot, OpenWrt and Alpine recipes to the release tarball.

A release is the commit that sets VERSION in the Makefile; its tarball is
what `make dist` makes there (reproducible: the same bytes every time).
The recipes carry that version and that tarball's hashes, as packagers'
recipes do: one tarball and one hash per release. So between releases the
hashes stay those of the last release, however the tree changes, and they
only have to change when VERSION does.

    release-hashes.py           rewrite the recipes (`make contrib-hashes`)
    release-hashes.py --check   PASS:/FAIL: lines; exit 1 on a FAIL

The release commit is the last commit that changed the VERSION line; its
tarball is made in a scratch clone at that commit. The recipes are outside
the tarball (make dist leaves contrib/buildroot, contrib/openwrt and
contrib/alpine out), so the commit that writes the hashes after the release
commit does not change what they hash. A changed VERSION that is not
committed yet has no release commit: commit it first (docs/packaging.md,
"Releasing").

Also pinned, in every commit: Alpine's sha512sums of its own source files
(echod.initd, echod.confd) and Buildroot's sha256 of LICENSE.
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MK = "contrib/buildroot/package/echod/echod.mk"
HASH = "contrib/buildroot/package/echod/echod.hash"
OWRT = "contrib/openwrt/echod/Makefile"
APK = "contrib/alpine/APKBUILD"
APK_LOCAL = ["echod.initd", "echod.confd"]


class NoRelease(Exception):
    pass


class Predates(NoRelease):
    pass


def git(*args, cwd=TOP):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def version_of(makefile_text):
    m = re.search(r"^VERSION\s*=\s*(\S+)", makefile_text, re.M)
    return m.group(1) if m else None


def read(rel):
    with open(os.path.join(TOP, rel)) as f:
        return f.read()


def release():
    """(version, the commit that set it)."""
    version = version_of(read("Makefile"))
    if version_of(git("show", "HEAD:Makefile")) != version:
        raise NoRelease("VERSION %s is not committed yet: commit it, then run "
                 "make contrib-hashes" % version)
    if git("rev-parse", "--is-shallow-repository") == "true":
        # Nothing is wrong with the recipes: this clone cannot tell.
        raise Predates("a shallow clone has no history to find the release commit of "
                       "VERSION %s in" % version)
    commit = git("log", "-1", "--format=%H", r"-G^VERSION[[:space:]]*=", "--", "Makefile")
    return version, commit


def tarball(version, commit, scratch):
    """The release tarball's bytes and its LICENSE's, made by make dist."""
    tree = os.path.join(scratch, "src")
    git("clone", "-q", "--shared", "--no-checkout", TOP, tree)
    git("checkout", "-q", commit, cwd=tree)
    if not re.search(r"^dist:", read_in(tree, "Makefile"), re.M):
        raise Predates("VERSION %s was set in %s, before make dist existed: no release "
                       "tarball exists for it, the next VERSION will have one"
                       % (version, commit[:10]))
    out = os.path.join(scratch, "dist")
    subprocess.run(["make", "-s", "-C", tree, "O=" + out, "dist"], check=True,
                   stdout=subprocess.DEVNULL)
    path = os.path.join(out, "echod-%s.tar.gz" % version)
    with open(path, "rb") as f:
        data = f.read()
    lic = subprocess.run(["tar", "-xzOf", path, "echod-%s/LICENSE" % version], check=True,
                         capture_output=True).stdout
    return data, lic


def read_in(tree, rel):
    with open(os.path.join(tree, rel)) as f:
        return f.read()


def pinned(version, tar, lic):
    """{file: text} of the recipes pinned to this release. Without a
    release (tar None) only the hashes of files in the tree are updated."""
    if tar is None:
        version = re.search(r"^ECHOD_VERSION = (.*)$", read(MK), re.M).group(1)
        with open(os.path.join(TOP, "LICENSE"), "rb") as f:
            lic = f.read()
    name = "echod-%s.tar.gz" % version
    sha256 = hashlib.sha256(tar).hexdigest() if tar is not None else \
        re.search(r"^sha256  (\S+)  %s$" % re.escape(name), read(HASH), re.M).group(1)
    sha512 = hashlib.sha512(tar).hexdigest() if tar is not None else \
        re.search(r"^(\S+)  %s$" % re.escape(name), read(APK), re.M).group(1)
    out = {}
    mk = read(MK)
    out[MK] = re.sub(r"^ECHOD_VERSION = .*$", "ECHOD_VERSION = " + version, mk, flags=re.M)
    out[HASH] = "# Locally computed\nsha256  %s  %s\nsha256  %s  LICENSE\n" % (
        sha256, name, hashlib.sha256(lic).hexdigest())
    ow = read(OWRT)
    old = re.search(r"^PKG_VERSION:=(.*)$", ow, re.M).group(1)
    ow = re.sub(r"^PKG_VERSION:=.*$", "PKG_VERSION:=" + version, ow, flags=re.M)
    ow = re.sub(r"^PKG_HASH:=.*$", "PKG_HASH:=" + sha256, ow, flags=re.M)
    if old != version:
        ow = re.sub(r"^PKG_RELEASE:=.*$", "PKG_RELEASE:=1", ow, flags=re.M)
    out[OWRT] = ow
    apk = read(APK)
    oldver = re.search(r"^pkgver=(.*)$", apk, re.M).group(1)
    apk = re.sub(r"^pkgver=.*$", "pkgver=" + version, apk, flags=re.M)
    if oldver != version:
        apk = re.sub(r"^pkgrel=.*$", "pkgrel=0", apk, flags=re.M)
    sums = ["%s  %s" % (sha512, name)]
    for f in APK_LOCAL:
        with open(os.path.join(TOP, "contrib", "alpine", f), "rb") as fh:
            sums.append("%s  %s" % (hashlib.sha512(fh.read()).hexdigest(), f))
    out[APK] = re.sub(r'^sha512sums="\n.*?"\n', 'sha512sums="\n%s\n"\n' % "\n".join(sums),
                      apk, flags=re.M | re.S)
    return out


def main(argv):
    check = argv[1:] == ["--check"]
    try:
        version, commit = release()
        with tempfile.TemporaryDirectory() as scratch:
            tar, lic = tarball(version, commit, scratch)
        where = "make dist of " + commit[:10]
    except Predates as e:
        # No release tarball can exist: only the hashes of files in the tree.
        print("NOTE: contrib: release hashes: %s; the tarball hashes stay as they are" % e)
        version, tar, lic = None, None, None
        where = "no release tarball yet"
    except NoRelease as e:
        print("%s%s" % ("FAIL: contrib: release hashes: " if check else "release-hashes: ", e))
        return 1
    want = pinned(version, tar, lic)
    version = version or re.search(r"^ECHOD_VERSION = (.*)$", want[MK], re.M).group(1)
    if not check:
        for rel, text in want.items():
            with open(os.path.join(TOP, rel), "w") as f:
                f.write(text)
        print("release-hashes: recipes pinned to echod-%s.tar.gz (%s)" % (version, where))
        return 0
    ok = True
    for rel, text in want.items():
        same = read(rel) == text
        ok &= same
        print("%s: contrib: %s pinned to echod-%s.tar.gz (%s)%s"
              % ("PASS" if same else "FAIL", rel, version, where,
                 "" if same else " (stale: run make contrib-hashes)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
