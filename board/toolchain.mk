# Toolchains: whose compiler builds echod, with which flags, into which folder.
# docs/packaging.md says the same for packagers.
#
# 1. A packager's toolchain (OpenWrt, Buildroot, Alpine, Debian, an SDK):
#    CC on the command line; CC in the environment unless ARCH is one of
#    ours below (a developer's exported CC is usually the host's gcc);
#    CROSS_COMPILE=prefix (kbuild's convention, CC = $(CROSS_COMPILE)gcc); or
#    OpenWrt's CROSS=prefix. ARCH is then only a name and may be anything
#    (OpenWrt passes arm, aarch64, mips, mipsel, x86_64, i386, powerpc;
#    Buildroot unexports it, so it reads host). Nothing is downloaded, no flag
#    of ours for an arch or a libc is added, the toolchain's libc is linked
#    dynamically unless STATIC=1, STRIP is the toolchain's (the packager's
#    STRIP, else $(CROSS_COMPILE)strip or CC's name with gcc -> strip), and
#    the output goes to $(O)/target/, whatever ARCH says.
# 2. ARCH=armhf|armel|arm64|mipsel|mips (Debian's names) and no compiler
#    given: Debian's glibc-targeted cross gcc pointed at a static musl
#    sysroot by a specs file (board/common/sysroot.sh). By default
#    (MUSL=source) musl is built here from Debian's musl source package, for
#    size: -Os everywhere (Debian's musl-dev is -O2, its string functions
#    -O3) and MUSL_CFLAGS_<arch> below (docs/size.md); MUSL=debian takes
#    Debian's musl-dev:$(ARCH) binaries instead, where Debian builds them
#    (not for big-endian mips). Static only (the sysroot has no shared
#    libc). Output in $(O)/$(ARCH)/; test binaries run under Debian's
#    qemu-user-static. A sysroot lives in
#    $(CACHE_DIR)/sysroot/<arch>-<musl>-<key>, the key a hash of the scripts
#    that make it and of musl's flags for that arch: a change makes a new
#    sysroot beside the old one, and trees with different scripts share one
#    CACHE_DIR without rebuilding each other's.
# 3. ARCH=host (the default): musl-gcc when installed (fast fork, tiny
#    child), else gcc; static unless STATIC=0; output in $(O)/host/.
#    SANITIZE=1: glibc gcc with ASan+UBSan (the sanitizer runtimes need
#    glibc), dynamic, in $(O)/host-san/.
#
# Our size-only link layout (no build-id, no RELRO page, no page padding,
# LAYOUT_LDFLAGS) is used for 2 and 3 only: a packager's build keeps its
# distribution's RELRO and build-id, which its hardening and debug-symbol
# tools expect.
#
# Sets for the top Makefile: CC STRIP STATIC B TC_CFLAGS TC_LDFLAGS TC_DEPS
# LAYOUT_LDFLAGS ARCH_RUNNER LIBC_SRC LIBC_ECHOD. Targets: deps toolchain toolchains all-arches size.

CROSS_ARCHES = armhf armel arm64 mipsel mips
SYSROOT_DIR ?= $(CACHE_DIR)/sysroot
SIZE_BUDGET ?= board/size-budget
MUSL        ?= source

TRIPLET_armhf  = arm-linux-gnueabihf
TRIPLET_armel  = arm-linux-gnueabi
TRIPLET_arm64  = aarch64-linux-gnu
TRIPLET_mipsel = mipsel-linux-gnu
TRIPLET_mips   = mips-linux-gnu

QEMU_armhf  = qemu-arm-static
QEMU_armel  = qemu-arm-static
QEMU_arm64  = qemu-aarch64-static
QEMU_mipsel = qemu-mipsel-static
QEMU_mips   = qemu-mips-static

# Flags kept only where they measurably shrink the binary (docs/size.md).
# Every arch: link-time optimization. ARM: Thumb (Thumb-2 on armhf, Debian's
# default, stated so it cannot drift; Thumb-1 on armel, which every ARMv5TE
# has). MIPS: our code non-PIC, and no trap after each division for a
# divisor of zero (never ours). libgcc.a stays abicalls and ld's mixing
# warning is noise for a static link (ld adds la25 stubs where PIC code is
# entered).
# MIPS16=1 (the default): our code in MIPS16e, as OpenWrt's CONFIG_USE_MIPS16
# builds its packages (-mips16 -minterlink-mips16); musl stays MIPS32 (its
# system-call assembly has no MIPS16 form) and ld turns calls between the two
# into JALX. The MIPS32 24K/34K/74K router cores have MIPS16e; MIPS16=0 is
# for those without it (Broadcom's BMIPS).
MIPS16             ?= 1
MIPS16_CFLAGS       = $(if $(filter 1,$(MIPS16)),-mips16 -minterlink-mips16)
LTO_CFLAGS          = -flto
# Five of gcc's -Os passes that cost bytes in these programs (docs/size.md):
# interprocedural scalar replacement (clones with split-up arguments), the
# second scheduling pass (longer register lifetimes, more spills),
# shrink-wrapping (more than one epilogue), loop-invariant motion (a value
# kept in a register across a loop that holds calls, so saved and restored
# around it) and tail merging of GIMPLE blocks (extra jumps and moves where
# the merged tails differ in registers). Each saves on some arch and costs
# on none.
SIZE_CFLAGS         = -fno-ipa-sra -fno-schedule-insns2 -fno-shrink-wrap \
	-fno-move-loop-invariants -fno-tree-tail-merge
ARCH_CFLAGS_armhf   = -mthumb
ARCH_CFLAGS_armel   = -mthumb
ARCH_CFLAGS_mipsel  = -mno-abicalls -mno-check-zero-division $(MIPS16_CFLAGS)
ARCH_CFLAGS_mips    = $(ARCH_CFLAGS_mipsel)
ARCH_LDFLAGS_mipsel = -Wl,--no-warn-mismatch
ARCH_LDFLAGS_mips   = $(ARCH_LDFLAGS_mipsel)
# AArch64: the tiny code model, for our objects and musl (LTO takes
# the model from the objects, not from the link): every address is one ADR
# (+-1 MiB) instead of ADRP and ADD, so code, data and bss together must
# stay below 1 MiB, which ld checks (a relocation that does not fit fails
# the link). -mgeneral-regs-only: no floating point or SIMD registers in
# our code (neither program has a float), so a variadic function no longer
# saves q0-q7 for va_arg; musl keeps its floating point.
# -fomit-frame-pointer: gcc for AArch64 keeps a frame record (x29, x30 and
# mov x29, sp) in every function that calls another, even at -Os; musl
# builds without them already. Only a profiler walking frame pointers
# (perf --call-graph=fp) needs them, and our stripped binaries have no
# unwind tables for other call graphs either.
ARCH_CFLAGS_arm64   = -mcmodel=tiny -mgeneral-regs-only -fomit-frame-pointer
# Cortex-A53 erratum 843419 (Raspberry Pi 3 and others): Debian's gcc has ld
# fix an ADRP that lands at offset 0xff8/0xffc of a page. By default ld may
# do so with a veneer, and then pads the text by up to 4 KiB; in a binary
# this small every such ADRP can become an ADR instead, which costs nothing.
# With the tiny model nothing of ours or musl's has an ADRP left (the same
# bytes without the option); it stays for libgcc.a, which is Debian's,
# built for the small model.
ARCH_LDFLAGS_arm64  = -Wl,--fix-cortex-a53-843419=adr

# C library functions of our own (src/libc/), linked ahead of libc.a so
# that they replace musl's, where musl's are big for speed we do not need
# or carry fallbacks for kernels we never run on (docs/size.md): byte-loop
# string and memory functions, open/socket/mmap as bare system calls, on
# 32-bit ARM the EABI division helpers instead of libgcc's, on arm64 a
# syscall() without a va_list.
LIBC_SRC_COMMON     = mem.c str.c sys.c
LIBC_SRC_armhf      = $(LIBC_SRC_COMMON) div.c
LIBC_SRC_armel      = $(LIBC_SRC_COMMON) div.c
LIBC_SRC_arm64      = $(LIBC_SRC_COMMON) syscall.c
LIBC_SRC_mipsel     = $(LIBC_SRC_COMMON)
LIBC_SRC_mips       = $(LIBC_SRC_COMMON)
# echod only: its own entry point, start-up and errno instead of musl's
# crt files and start-up, which set up the thread pointer and TLS that echod
# never uses (src/libc/start.c; hence -nostartfiles), and its most used
# system calls without musl's cancellation entry (calls.c).
LIBC_ECHOD_SRC      = start.c calls.c
ECHOD_LDFLAGS_CROSS = -nostartfiles
# musl's own code calls them, on MIPS with plain jumps that cannot switch to
# MIPS16 (ld: "unsupported jump between ISA modes"): they stay MIPS32 there.
LIBC_CFLAGS_mipsel  = -mno-mips16
LIBC_CFLAGS_mips    = -mno-mips16

# After strip, our own builds lose what no one loads (section headers and
# their names, trailing zeros), as OpenWrt's sstrip does: board/common/sstrip.py.
# A packager's build and SANITIZE=1 keep theirs.
SSTRIP = $(PYTHON) board/common/sstrip.py

# common-page-size=16: no padding to a page boundary before .data in the
# file (about 2 KiB of flash); segments stay aligned to the maximum page size.
LAYOUT_LDFLAGS = -Wl,--build-id=none -Wl,-z,norelro -Wl,-z,noseparate-code \
	-Wl,-z,common-page-size=16

# musl's own flags when it is built from source: Thumb on ARM (Thumb-2 on
# armhf; Thumb-1 on armel: musl's assembly stays ARM code, interworking
# through BX), the tiny code model on arm64 (as our objects above), and on
# MIPS no PIC and no abicalls, which a static-only libc does not need.
MUSL_CFLAGS_armhf  = -mthumb
MUSL_CFLAGS_armel  = -mthumb
MUSL_CFLAGS_arm64  = -mcmodel=tiny
MUSL_CFLAGS_mipsel = -mno-abicalls -fno-pic
MUSL_CFLAGS_mips   = -mno-abicalls -fno-pic
musl_of = $(if $(filter mips,$(1)),source,$(MUSL))
SYSROOT_SCRIPTS := $(shell cat board/common/sysroot.sh board/common/debsrc.sh \
	board/common/debfetch.sh | sha256sum | cut -c1-12)
$(foreach a,$(CROSS_ARCHES),$(eval SYSROOT_KEY_$(a) := $(shell printf '%s %s %s' \
	'$(SYSROOT_SCRIPTS)' '$(call musl_of,$(a))' '$(MUSL_CFLAGS_$(a))' | sha256sum | cut -c1-12)))
# $(call sysroot_of,ARCH): that arch's sysroot folder.
sysroot_of = $(SYSROOT_DIR)/$(1)-$(call musl_of,$(1))-$(SYSROOT_KEY_$(1))

# Every Debian package the cross builds and their tests need (flex, bison and
# bc build the mips-malta kernel; tzdata is what tests/unit/test_tz.c
# compares local time against). PKG_TEST_DEBS: check-pkg builds with
# Debian's cross glibc as a packager's toolchain would, lints the man pages
# and makes the release tarball (git).
PKG_TEST_DEBS = libc6-dev-armhf-cross libc6-dev-mips-cross mandoc git
DEPS_PKGS = make gcc musl-tools dpkg-dev file python3 qemu-user-static xz-utils flex bison bc tzdata \
	$(foreach a,$(CROSS_ARCHES),gcc-$(TRIPLET_$(a))) $(PKG_TEST_DEBS)

CROSS_COMPILE ?= $(CROSS)
PACKAGER_CC := $(strip $(CROSS_COMPILE)$(filter command line,$(origin CC))$(if \
	$(filter environment,$(origin CC)),$(filter-out $(CROSS_ARCHES),$(ARCH))))

ifneq ($(SANITIZE),)
ifneq ($(ARCH),host)
$(error SANITIZE=1 is for ARCH=host only)
endif
CC         = gcc
B         ?= $(O)/host-san
STATIC     = 0
STRIP      = :
SSTRIP     = :
else ifneq ($(PACKAGER_CC),)
ifneq ($(origin CC),command line)
ifneq ($(CROSS_COMPILE),)
CC         = $(CROSS_COMPILE)gcc
endif
endif
B         ?= $(O)/target
STATIC    ?= 0
STRIP     ?= $(or $(if $(CROSS_COMPILE),$(CROSS_COMPILE)strip),$(patsubst %gcc,%strip,$(firstword $(filter %gcc,$(CC)))),strip)
LAYOUT_LDFLAGS =
SSTRIP     = :
else ifeq ($(ARCH),host)
ifeq ($(origin CC),default)
CC        := $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo gcc)
endif
STATIC    ?= 1
STRIP     ?= strip
else ifneq ($(filter $(ARCH),$(CROSS_ARCHES)),)
ifeq ($(STATIC),0)
$(error STATIC=0 with ARCH=$(ARCH): our musl sysroot is static only; for a dynamic build give the compiler, e.g. CC=$(TRIPLET_$(ARCH))-gcc)
endif
STATIC     = 1
SYSROOT    = $(call sysroot_of,$(ARCH))
CC         = $(TRIPLET_$(ARCH))-gcc
STRIP      = $(TRIPLET_$(ARCH))-strip
TC_CFLAGS  = -specs=$(SYSROOT)/musl.specs -fno-pie $(LTO_CFLAGS) $(SIZE_CFLAGS) $(ARCH_CFLAGS_$(ARCH))
TC_LDFLAGS = -no-pie $(ARCH_LDFLAGS_$(ARCH))
TC_DEPS    = $(SYSROOT)/musl.specs
LIBC_SRC   = $(LIBC_SRC_$(ARCH))
LIBC_ECHOD = $(LIBC_ECHOD_SRC)
ECHOD_LDFLAGS = $(ECHOD_LDFLAGS_CROSS)
LIBC_CFLAGS = $(LIBC_CFLAGS_$(ARCH))
else
$(error ARCH=$(ARCH) needs a compiler: give CC=, CROSS_COMPILE= or CROSS= (a packager's toolchain), or use host or one of $(CROSS_ARCHES))
endif

ifneq ($(filter $(ARCH),$(CROSS_ARCHES)),)
ARCH_RUNNER ?= $(QEMU_$(ARCH))
# Emulation is several times slower than the host; a timeout given by the
# user (command line or environment) wins.
ifeq ($(origin TIMEOUT_MULT),file)
TIMEOUT_MULT = 4
endif
endif
B ?= $(O)/$(ARCH)

.PHONY: deps toolchain toolchains all-arches size

# A missing sysroot first makes sure the packages are there (fast when they
# are), then fetches and unpacks, or builds, musl. The stem is
# <arch>-<musl>-<key>.
$(SYSROOT_DIR)/%/musl.specs:
	$(Q)sh board/common/aptdeps.sh $(DEPS_PKGS)
	$(Q)sh board/common/sysroot.sh $(word 1,$(subst -, ,$*)) $(word 2,$(subst -, ,$*)) \
		$(DL_DIR) $(SYSROOT_DIR)/$* "$(MUSL_CFLAGS_$(word 1,$(subst -, ,$*)))"

deps:
	$(Q)sh board/common/aptdeps.sh $(DEPS_PKGS)
	$(Q)$(MAKE) --no-print-directory toolchains

toolchain: $(TC_DEPS)
toolchains: $(foreach a,$(CROSS_ARCHES),$(call sysroot_of,$(a))/musl.specs)

# -s only hides "Nothing to be done"; V=1 keeps the commands.
all-arches:
	$(Q)for a in $(CROSS_ARCHES); do \
		$(MAKE) --no-print-directory $(if $(Q),-s) ARCH=$$a all || exit 1; done

size: all-arches
	$(Q)sh board/common/size.sh $(SIZE_BUDGET) \
		$(foreach a,$(CROSS_ARCHES),$(a):$(O)/$(a))
