# QEMU images (docs/boards.md).
#   make image [BOARD=armhf-virt]               build/images/<board>/
#   make run [BOARD=armhf-virt] [PORT=5007]     boot it, echod on 127.0.0.1:PORT
#   make check-qemu [QEMU_BOARDS=...]           boot every board and test it (tests/check.mk)

# Every folder with a readme.txt is a board (docs/boards.md).
BOARDS      = $(sort $(patsubst board/%/readme.txt,%,$(wildcard board/*/readme.txt)))
QEMU_BOARDS ?= $(BOARDS)
PORT       ?= 5007
IMAGE_DIR  ?= $(O)/images/$(BOARD)
TARGET_DIR ?= $(O)/rootfs/$(BOARD)
board_key   = $(shell sed -n 's/^$(2)=//p' board/$(1)/readme.txt 2>/dev/null)
board_arch  = $(call board_key,$(1),ARCH)
IMAGE_ENV   = DL_DIR=$(DL_DIR) CACHE_DIR=$(CACHE_DIR) PYTHON=$(PYTHON) \
	MIPS_SYSROOT=$(abspath $(call sysroot_of,mips))
# Host packages the images and their tests need (the echod and echoprobe
# in the image, for its tests, come from the cross build); debootstrap and
# kmod (depmod) make the ROOTFS=debian boards.
IMAGE_DEBS  = qemu-system-arm qemu-system-mips python3-pexpect debootstrap kmod

.PHONY: image run deps-image

image: deps-image
	@test -f board/$(BOARD)/readme.txt || { echo "BOARD=$(BOARD): no board/$(BOARD)/readme.txt" >&2; exit 1; }
	$(Q)rm -rf $(TARGET_DIR) && mkdir -p $(TARGET_DIR)
ifeq ($(call board_key,$(BOARD),ROOTFS),debian)
	$(Q)$(MAKE) --no-print-directory deb ARCH=$(call board_arch,$(BOARD))
	$(Q)$(IMAGE_ENV) ECHOD_DEB=$(abspath $(DEB_DIR))/echod_$(DEB_VERSION)_$(call board_arch,$(BOARD)).deb \
		sh board/common/mkimage.sh $(BOARD) $(abspath $(TARGET_DIR)) $(abspath $(IMAGE_DIR))
else
	$(Q)$(MAKE) --no-print-directory install ARCH=$(call board_arch,$(BOARD)) \
		DESTDIR=$(abspath $(TARGET_DIR)) PREFIX=/usr
	$(Q)$(IMAGE_ENV) sh board/common/mkimage.sh $(BOARD) $(abspath $(TARGET_DIR)) $(abspath $(IMAGE_DIR))
endif

run: deps-image
	$(Q)test -f $(IMAGE_DIR)/rootfs.cpio.gz || $(MAKE) --no-print-directory image
	$(Q)sh board/common/run.sh $(BOARD) $(IMAGE_DIR) $(PORT)

deps-image:
	$(Q)sh board/common/aptdeps.sh $(IMAGE_DEBS)

# `make deps` (board/toolchain.mk) covers the images' packages too.
deps: deps-image
