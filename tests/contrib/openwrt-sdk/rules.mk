# A small reimplementation of OpenWrt's rules.mk, named as such: the
# variables that a feed package's Makefile and OpenWrt's default build steps
# use, with the values openwrt/openwrt's rules.mk gives them, around a
# Debian cross gcc instead of OpenWrt's toolchain. Enough to replay a
# package's compile and install steps; not OpenWrt.
#
#   make -f <feed>/echod/Makefile TOPDIR=<this folder> TARGET_CROSS=mips-linux-gnu- ARCH=mips \
#        PKG_SOURCE_TARBALL=<tarball> WORK=<folder> packages

INCLUDE_DIR   := $(TOPDIR)
WORK          ?= $(CURDIR)/openwrt-replay
BUILD_DIR     := $(WORK)/build
TARGET_CROSS  ?= arm-linux-gnueabihf-
ARCH          ?= arm
TARGET_CFLAGS ?= -Os -pipe
TARGET_CPPFLAGS ?=
TARGET_LDFLAGS ?=
TARGET_ASFLAGS ?=

TARGET_CC     := $(TARGET_CROSS)gcc
TARGET_CXX    := $(TARGET_CROSS)g++
TARGET_AR     := $(TARGET_CROSS)ar
TARGET_RANLIB := $(TARGET_CROSS)ranlib

TARGET_CONFIGURE_OPTS = \
  AR=$(TARGET_CROSS)ar \
  AS="$(TARGET_CC) -c $(TARGET_ASFLAGS)" \
  LD=$(TARGET_CROSS)ld \
  NM=$(TARGET_CROSS)nm \
  CC="$(TARGET_CC)" \
  GCC="$(TARGET_CC)" \
  CXX="$(TARGET_CXX)" \
  RANLIB=$(TARGET_CROSS)ranlib \
  STRIP=$(TARGET_CROSS)strip \
  OBJCOPY=$(TARGET_CROSS)objcopy \
  OBJDUMP=$(TARGET_CROSS)objdump \
  SIZE=$(TARGET_CROSS)size

INSTALL_BIN  := install -m0755
INSTALL_DIR  := install -d -m0755
INSTALL_DATA := install -m0644
INSTALL_CONF := install -m0600
CP           := cp -fpR
LN           := ln -sf
