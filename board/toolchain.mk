# Cross builds: ARCH=armhf|armel|arm64|mipsel|mips (Debian's names).
#
# Debian's glibc-targeted cross gcc is pointed at a static musl sysroot in
# $(CACHE_DIR)/sysroot/$(ARCH) by a specs file (board/common/sysroot.sh):
# musl-dev:$(ARCH) from Debian's archive, or Debian's musl source built here
# for big-endian mips, which Debian does not build. Test binaries run under
# Debian's qemu-user-static.
#
# MUSL=source builds musl from Debian's source package for every arch, with
# musl's -Os instead of Debian's -O2 (smaller, see docs/size.md), in
# $(CACHE_DIR)/sysroot/$(ARCH)-src. Changing it needs `make clean`.
#
# Own toolchain (OpenWrt SDK, Buildroot): `make ARCH=mips
# CROSS_COMPILE=mips-openwrt-linux-musl-` or `CC=...` on the command line;
# then no sysroot is fetched and no per-arch flag is added. A CC from the
# environment is ignored for cross builds (it is usually the host's gcc).
#
# Sets for the top Makefile: CC STRIP STATIC TC_CFLAGS TC_LDFLAGS TC_DEPS
# ARCH_RUNNER. Targets: deps toolchain toolchains all-arches size.

CROSS_ARCHES = armhf armel arm64 mipsel mips
SYSROOT_DIR ?= $(CACHE_DIR)/sysroot
SIZE_BUDGET ?= board/size-budget
MUSL        ?= debian

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
# ARM: Thumb (Thumb-2 on armhf, Debian's default, stated so it cannot drift;
# Thumb-1 on armel, which every ARMv5TE has). MIPS: our code non-PIC; on
# mips the musl we build is non-PIC too (sysroot.sh). gcc's crtbeginT.o and
# libgcc.a stay abicalls and ld's mixing warning is noise for a static link
# (ld adds la25 stubs where PIC code is entered). A small common page size
# stops ld from padding the file up to a 4 KiB boundary before .data.
ARCH_CFLAGS_armhf   = -mthumb
ARCH_CFLAGS_armel   = -mthumb
ARCH_CFLAGS_mipsel  = -mno-abicalls
ARCH_CFLAGS_mips    = -mno-abicalls
ARCH_LDFLAGS_mipsel = -Wl,--no-warn-mismatch -Wl,-z,common-page-size=16
ARCH_LDFLAGS_mips   = $(ARCH_LDFLAGS_mipsel)

# Every Debian package the cross builds and their tests need (flex, bison and
# bc build the mips-malta kernel).
DEPS_PKGS = make gcc musl-tools dpkg-dev file python3 qemu-user-static xz-utils flex bison bc \
	$(foreach a,$(CROSS_ARCHES),gcc-$(TRIPLET_$(a)))

ifneq ($(ARCH),host)
ifeq ($(filter $(ARCH),$(CROSS_ARCHES)),)
$(error ARCH=$(ARCH) is unknown: use host or one of $(CROSS_ARCHES))
endif
STATIC       = -static
ARCH_RUNNER ?= $(QEMU_$(ARCH))
# Emulation is several times slower than the host; a timeout given by the
# user (command line or environment) wins.
ifeq ($(origin TIMEOUT_MULT),file)
TIMEOUT_MULT = 4
endif

ifneq ($(CROSS_COMPILE)$(filter command line,$(origin CC)),)
# The user's toolchain: it brings its own libc and knows its own flags.
ifneq ($(origin CC),command line)
CC = $(CROSS_COMPILE)gcc
endif
STRIP ?= $(if $(CROSS_COMPILE),$(CROSS_COMPILE)strip,$(if $(filter %gcc,$(firstword $(CC))),$(patsubst %gcc,%strip,$(firstword $(CC))),strip))
else
SYSROOT    = $(SYSROOT_DIR)/$(ARCH)$(if $(filter source,$(MUSL)),-src)
CC         = $(TRIPLET_$(ARCH))-gcc
STRIP      = $(TRIPLET_$(ARCH))-strip
TC_CFLAGS  = -specs=$(SYSROOT)/musl.specs -fno-pie $(ARCH_CFLAGS_$(ARCH))
TC_LDFLAGS = -no-pie $(ARCH_LDFLAGS_$(ARCH))
TC_DEPS    = $(SYSROOT)/musl.specs
endif
endif

.PHONY: deps toolchain toolchains all-arches size

# A missing sysroot first makes sure the packages are there (fast when they
# are), then fetches and unpacks, or builds, musl.
$(SYSROOT_DIR)/%/musl.specs: board/common/sysroot.sh
	$(Q)sh board/common/aptdeps.sh $(DEPS_PKGS)
	$(Q)sh board/common/sysroot.sh $* $(DL_DIR) $(SYSROOT_DIR)/$*

deps:
	$(Q)sh board/common/aptdeps.sh $(DEPS_PKGS)
	$(Q)$(MAKE) --no-print-directory toolchains

toolchain: $(TC_DEPS)
toolchains: $(foreach a,$(CROSS_ARCHES),$(SYSROOT_DIR)/$(a)/musl.specs)

# -s only hides "Nothing to be done"; V=1 keeps the commands.
all-arches:
	$(Q)for a in $(CROSS_ARCHES); do \
		$(MAKE) --no-print-directory $(if $(Q),-s) ARCH=$$a all || exit 1; done

size: all-arches
	$(Q)sh board/common/size.sh $(SIZE_BUDGET) \
		$(foreach a,$(CROSS_ARCHES),$(a):$(O)/$(a)/echod:$(TRIPLET_$(a))-size)
