#!/usr/bin/python3
"""Buildroot's check-package rules, as documented, for the files of a
br2-external tree: the project's own checker, since Buildroot is not a
Debian package and the tests may not fetch it.

Rules (Buildroot manual, "Adding new packages", and the rule names of
utils/checkpackagelib/lib_*.py, which this follows one by one):
  every file  ConsecutiveEmptyLines EmptyLastLine NewlineAtEof TrailingSpace
              NotExecutable (start scripts excepted)
  *.mk        PackageHeader Indent TypoInPackageVariable Ifdef
              OverriddenVariable RemoveDefaultPackageSourceVariable
              SpaceBeforeBackslash TrailingBackslash UselessFlag
              VariableWithBraces Utf8Characters
  Config.in*  AttributesOrder HelpText Indent NoDefaultN RedefinedConfig
  *.hash      HashNumberOfFields HashType HashSpaces
  S??name     Indent Variables, and from the manual's start-script section:
              StartStopDaemon (--pidfile "$PIDFILE" and --exec ".../$DAEMON"
              on every call), DefaultFile (/etc/default/$DAEMON sourced),
              ArgsVariable (<DAEMON>_ARGS set before it)
Shellcheck on start scripts is run by the suite, not here.

    brcheck.py FILE...     one "file:line: message" per problem; exit 1 if any
"""
import os
import re
import sys

CONDITIONALS = ("ifdef", "ifeq", "ifndef", "ifneq", "elif", "else", "endif")
START_COND = re.compile(r"^\s*(ifdef|ifeq|ifndef|ifneq)\b")
END_COND = re.compile(r"^\s*endif\b")


def common(name, lines, executable_ok=False):
    out = []
    prev = "non empty"
    for n, text in enumerate(lines, 1):
        body = text.rstrip("\n")
        if body != body.rstrip():
            out.append((n, "line contains trailing whitespace"))
        if text.strip() == "" == prev.strip():
            out.append((n, "consecutive empty lines"))
        prev = text
    if lines and lines[-1].strip() == "":
        out.append((len(lines), "empty line at end of file"))
    if lines and not lines[-1].endswith("\n"):
        out.append((len(lines), "missing newline at end of file"))
    if not executable_ok and os.access(name, os.X_OK):
        out.append((0, "This file does not need to be executable"))
    return out


def package_prefix(name):
    base = os.path.basename(name)
    pkg = base[:-len(".mk")] if base.endswith(".mk") else base
    return pkg.replace("-", "_").upper(), pkg


def check_mk(name, lines):
    out = []
    # PackageHeader: 80 '#', '#', (the name), '#', 80 '#', blank; a file
    # that starts with an include has none.
    pkg_upper, pkg = package_prefix(name)
    want = {1: "#" * 80, 2: "#", 4: "#", 5: "#" * 80, 6: ""}
    if not (lines and lines[0].startswith("include ")):
        for n, w in want.items():
            got = lines[n - 1].rstrip() if n <= len(lines) else None
            if got != w:
                out.append((n, "header line should be %s (writing-rules-mk)"
                            % {"": "blank", "#": "1 hash"}.get(w, "80 hashes")))
    # Indent: tabs inside define blocks, after backslashes and in rules;
    # none elsewhere (conditionals are never indented with tabs).
    define = backslash = target = False
    for n, text in enumerate(lines, 1):
        if re.match(r"^\s*define\s", text):
            define = True
            continue
        if re.match(r"^\s*endef\s", text):
            define = False
            continue
        expect = define or backslash or target
        if not backslash and re.match(r"^\s*(%s)\s" % "|".join(CONDITIONALS), text):
            expect = False
        backslash = bool(re.match(r"^[^#].*\\$", text.rstrip("\n")))
        if re.match(r"^[^# \t]+:\s", text):
            target = True
            continue
        if text.strip() == "":
            target = False
            continue
        if define and re.match(r"^\s*#", text):
            continue
        if expect and not text.startswith("\t"):
            out.append((n, "expected indent with tabs"))
        if not expect and text.startswith("\t"):
            out.append((n, "unexpected indent with tabs"))
    # TypoInPackageVariable: every FOO_BAR variable is prefixed by the package.
    # Buildroot's own variables that packages may set are allowed.
    prefix = re.compile(r"(HOST_|ROOTFS_)?(%s_[A-Z0-9_]+)" % pkg_upper)
    for n, text in enumerate(lines, 1):
        m = re.match(r"^(define\s+)?([A-Z0-9_]+_[A-Z0-9_]+)", text)
        if m and not prefix.search(m.group(2)) and not ALLOWED_VARS.match(m.group(2)):
            out.append((n, "possible typo, variable not properly prefixed: %s -> *%s_XXXX*"
                        % (m.group(2), pkg_upper)))
    # Ifdef, VariableWithBraces, SpaceBeforeBackslash, Utf8Characters,
    # RemoveDefaultPackageSourceVariable, DoNotInstallToHostdirUsr.
    default_source = re.compile(r"^%s_SOURCE\s*=\s*%s-\$\(%s_VERSION\)\.tar\.gz"
                                % (pkg_upper, pkg, pkg_upper))
    for n, text in enumerate(lines, 1):
        m = re.match(r"^\s*(else\s+|)(ifdef|ifndef)\s", text)
        if m:
            out.append((n, "use ifeq/ifneq ($(SYMBOL),y) instead of %s" % m.group(2)))
        if re.match(r"^[^#].*[^$]\$\{\w+\}", text.rstrip()):
            out.append((n, "use $() to delimit variables, not ${}"))
        if re.match(r"^.*(  |\t ?)\\$", text.rstrip()):
            out.append((n, "use only one space before backslash"))
        if any(ord(c) > 127 for c in text):
            out.append((n, "line contains UTF-8 characters"))
        if default_source.search(text):
            out.append((n, "remove default value of _SOURCE variable"))
        if re.match(r"^[^#].*\$\(HOST_DIR\)/usr", text):
            out.append((n, "install files to $(HOST_DIR)/ instead of $(HOST_DIR)/usr/"))
    # TrailingBackslash: a continued line followed by an empty one.
    for n in range(1, len(lines)):
        if re.match(r"^[^#].*\\$", lines[n - 1].rstrip("\n")) and lines[n].strip() == "":
            out.append((n, "remove trailing backslash"))
    # OverriddenVariable and UselessFlag.
    depth = 0
    uncond, cond = set(), set()
    useless = re.compile(r"_(INSTALL_IMAGES\s*=\s*NO|REDISTRIBUTE\s*=\s*YES|"
                         r"INSTALL_STAGING\s*=\s*NO|INSTALL_TARGET\s*=\s*YES)")
    for n, text in enumerate(lines, 1):
        if START_COND.match(text):
            depth += 1
            continue
        if END_COND.match(text):
            depth -= 1
            continue
        if depth == 0 and useless.search(text):
            out.append((n, "useless default value"))
        m = re.match(r"^([A-Z0-9_]+)\s*((\+|:|)=)", text)
        if not m:
            continue
        var, op = m.group(1), m.group(2)
        if depth == 0:
            if var in uncond and op in ("=", ":="):
                out.append((n, "unconditional override of variable %s" % var))
            if var in cond and op in ("=", ":="):
                out.append((n, "unconditional override of variable %s previously "
                            "conditionally set" % var))
            uncond.add(var)
        else:
            if re.match(r"^[A-Z0-9_]+_(CONF_OPTS|DEPENDENCIES)\s*=", text):
                out.append((n, "conditional override of variable %s" % var))
            elif var in uncond and op in ("=", ":=") and not re.match(
                    r"^[A-Z0-9_]+_(ARCH|CPU|SITE|SOURCE|VERSION)\s*=", text):
                out.append((n, "conditional override of variable %s" % var))
            cond.add(var)
    return out


ALLOWED_VARS = re.compile("|".join([
    "ACLOCAL_DIR", "ACLOCAL_HOST_DIR", "ACLOCAL_PATH", "BR_CCACHE_INITIAL_SETUP",
    "BR_LIBC", "BR_NO_CHECK_HASH_FOR", "GCC_TARGET", "LINUX_EXTENSIONS",
    "LINUX_POST_PATCH_HOOKS", "LINUX_TOOLS", "LUA_RUN", "MKFS_JFFS2", "MKIMAGE_ARCH",
    "PACKAGES_PERMISSIONS_TABLE", "PKG_CONFIG_HOST_BINARY", "SUMTOOL",
    "TARGET_FINALIZE_HOOKS", "TARGETS_ROOTFS", "XTENSA_CORE_NAME"]))

CONFIG_TOP = ("choice", "comment", "config", "endchoice", "endif", "endmenu",
              "if", "menu", "menuconfig", "source")
CONFIG_INDENTED = ("bool", "default", "depends", "help", "prompt", "select", "string")
ATTR_ORDER = {"bool": 1, "prompt": 1, "string": 1, "default": 2, "depends": 3,
              "select": 4, "help": 5}


def check_config(name, lines):
    out = []
    state = 0
    help_text = first = False
    seen = {}
    ifs = []
    backslash = False
    for n, text in enumerate(lines, 1):
        s = text.strip()
        if s == "" or s.startswith("#"):
            backslash = False
            continue
        # A continued line only needs a tab.
        continued, backslash = backslash, bool(re.match(r"^[^#].*\\$", text.rstrip("\n")))
        if continued:
            if not text.startswith("\t"):
                out.append((n, "continuation line should be indented using tabs"))
            continue
        word = s.split()[0]
        in_help = text.startswith("\t  ")
        # HelpText: <tab><2 spaces><at most 62 characters>.
        if word in CONFIG_TOP:
            help_text = False
        elif s == "help":
            help_text, first = True, True
        elif help_text:
            pat = r"^\t  \S.{,61}$" if first else r"^\t  .{,62}$"
            first = False
            if not re.match(pat, text.rstrip()) and not re.match(r"^(http|https|git)://\S*$", s):
                out.append((n, "help text: <tab><2 spaces><62 chars>"))
            continue
        if in_help:
            continue
        # Indent.
        if word in CONFIG_INDENTED and not text.startswith("\t" + word):
            out.append((n, "should be indented with one tab"))
        if word in CONFIG_TOP and not text.startswith(word):
            out.append((n, "should not be indented"))
        # AttributesOrder: type, default, depends on, select, help.
        if word in CONFIG_TOP:
            state = 0
        elif word in ATTR_ORDER:
            if state > ATTR_ORDER[word]:
                out.append((n, "attributes order: type, default, depends on, select, help"))
            state = ATTR_ORDER[word]
        # NoDefaultN.
        if re.match(r"^\tdefault n$", text.split("#")[0].rstrip()):
            out.append((n, "boolean symbols default to 'n', so 'default n' is redundant"))
        # RedefinedConfig.
        m = re.match(r"^\s*if\s+([^#]*)\b", text)
        if m:
            ifs.append(m.group(1))
        elif re.match(r"^\s*endif\b", text):
            ifs.pop()
        m = re.match(r"^\s*(menu|)config\s+(BR2_\w+)\b", text)
        if m:
            key = (m.group(2), " AND ".join(ifs))
            if key in seen:
                out.append((n, "config %s redeclared (previous line: %d)" % (m.group(2), seen[key])))
            seen[key] = n
    return out


HASH_LEN = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}


def check_hash(name, lines):
    out = []
    for n, text in enumerate(lines, 1):
        if text.strip() == "" or text.startswith("#"):
            continue
        f = text.split()
        if len(f) != 3:
            out.append((n, "expected three fields"))
            continue
        if f[0] not in HASH_LEN:
            out.append((n, "unexpected type of hash"))
        elif not re.match(r"^[0-9A-Fa-f]{%d}$" % HASH_LEN[f[0]], f[1]):
            out.append((n, "hash size does not match type"))
        if not text.startswith("%s  %s  %s" % tuple(f)):
            out.append((n, "separation does not match expectation (two spaces)"))
    return out


def check_sysv(name, lines):
    out = []
    daemon = None
    for n, text in enumerate(lines, 1):
        if re.search(r"^[\t]* ", text.rstrip()):
            out.append((n, "should be indented with tabs"))
        m = re.match(r"^DAEMON=[\"']?([^\"']*)[\"']?", text.rstrip())
        if m:
            if daemon is not None:
                out.append((n, "DAEMON variable redefined"))
            daemon = m.group(1)
            if "/" in daemon:
                out.append((n, "Do not include path in DAEMON"))
                daemon = os.path.basename(daemon)
        m = re.match(r"^PIDFILE=[\"']?([^\"']*)[\"']?", text.rstrip())
        if m and not re.match(r"/var/run/(\$DAEMON|\$\{DAEMON\}).pid", m.group(1)):
            out.append((n, "Incorrect PIDFILE value, expecting /var/run/$DAEMON.pid"))
    if daemon is None:
        return out + [(0, "DAEMON variable not defined")]
    if not re.match(r"S\d\d%s$" % re.escape(daemon), os.path.basename(name)):
        out.append((0, "filename should be S<number><number>%s" % daemon))
    # The manual's start-script section: every start-stop-daemon call names
    # the pidfile and the executable, the defaults file is read, and the
    # arguments variable exists for it to override.
    code = "".join(t for t in lines if not t.lstrip().startswith("#"))
    joined = re.sub(r"\\\n\s*", " ", code)
    for call in re.findall(r"start-stop-daemon[^\n]*", joined):
        if '--pidfile "$PIDFILE"' not in call:
            out.append((0, "start-stop-daemon without --pidfile \"$PIDFILE\": " + call[:60]))
        if not re.search(r'--exec "/[^"]*/\$DAEMON"', call):
            out.append((0, "start-stop-daemon without --exec \"/path/$DAEMON\": " + call[:60]))
    if not re.search(r'^\[ -r "/etc/default/\$DAEMON" \] && \. "/etc/default/\$DAEMON"$',
                     joined, re.M):
        out.append((0, "does not source /etc/default/$DAEMON"))
    if not re.search(r"^%s_ARGS=" % re.escape(daemon.upper().replace("-", "_")), joined, re.M):
        out.append((0, "no %s_ARGS default for /etc/default/$DAEMON to override" % daemon.upper()))
    return out


def checker_for(path):
    base = os.path.basename(path)
    if base == "external.mk" and os.path.exists(path[:-2] + "desc"):
        return None, False
    if re.search(r"Config\.\S*$", base):
        return check_config, False
    if base.endswith(".hash"):
        return check_hash, False
    if base.endswith(".mk"):
        return check_mk, False
    if re.match(r"S\d\d[^/]+$", base):
        return check_sysv, True
    return None, False


# The rule each message belongs to, for "# check-package RuleName" lines,
# which turn a rule off for the line after them.
RULES = [("trailing whitespace", "TrailingSpace"), ("consecutive empty", "ConsecutiveEmptyLines"),
         ("indent", "Indent"), ("not properly prefixed", "TypoInPackageVariable"),
         ("override", "OverriddenVariable"), ("instead of ifdef", "Ifdef"),
         ("instead of ifndef", "Ifdef"), ("$(HOST_DIR)", "DoNotInstallToHostdirUsr"),
         ("delimit variables", "VariableWithBraces"), ("before backslash", "SpaceBeforeBackslash"),
         ("UTF-8", "Utf8Characters"), ("trailing backslash", "TrailingBackslash"),
         ("useless default", "UselessFlag"), ("help text", "HelpText"),
         ("attributes order", "AttributesOrder"), ("redeclared", "RedefinedConfig"),
         ("default n", "NoDefaultN"), ("header", "PackageHeader"), ("PIDFILE", "Variables"),
         ("DAEMON", "Variables"), ("separation", "HashSpaces"), ("hash", "HashType"),
         ("three fields", "HashNumberOfFields")]


def disabled(lines, n, msg):
    if n < 2:
        return False
    m = re.match(r"^\s*# check-package (.*)", lines[n - 2])
    rule = next((r for key, r in RULES if key in msg), None)
    return bool(m and rule and re.search(r"\b%s\b" % rule, m.group(1)))


def check(path):
    """Problems of one file as "path:line: message" strings."""
    fn, exe_ok = checker_for(path)
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.readlines()
    found = common(path, lines, exe_ok)
    if fn:
        found += fn(path, lines)
    found = [(n, msg) for n, msg in found if not disabled(lines, n, msg)]
    return ["%s:%d: %s" % (path, n, msg) for n, msg in sorted(found)]


def main(argv):
    problems = [p for path in argv for p in check(path)]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
