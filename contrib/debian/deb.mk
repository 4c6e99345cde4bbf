# Debian packages (docs/packaging.md), assembled by contrib/debian/mkdeb.sh
# from `make install INIT=systemd` with dpkg-deb alone.
#   make deb [ARCH=host|armhf|armel|arm64|mipsel|mips]
#       $(DEB_DIR)/echod_<version>-<rev>_<debarch>.deb (host: this machine's arch)
#   make check-deb [DEB_ARCHES="host arm64"]   lint, contents, install and purge

DEB_DIR    ?= $(O)/deb
DEB_ARCHES ?= host $(CROSS_ARCHES)
DEB_VERSION = $(shell dpkg-parsechangelog -l contrib/debian/changelog -S Version)
deb_arch    = $(if $(filter host,$(1)),$(shell dpkg --print-architecture),$(1))
# lintian checks the package; init-system-helpers (deb-systemd-helper) and
# systemd (systemctl --root) drive the maintainer scripts in the test.
DEB_DEBS    = dpkg-dev lintian init-system-helpers systemd file

.PHONY: deb deps-deb check-deb

deb: deps-deb
	$(Q)MAKE="$(MAKE)" VERSION=$(VERSION) sh contrib/debian/mkdeb.sh $(ARCH) $(call deb_arch,$(ARCH)) $(DEB_DIR)

deps-deb:
	$(Q)sh board/common/aptdeps.sh $(DEB_DEBS)

deps: deps-deb

check-deb: deps-deb
	@mkdir -p $(TESTLOG)
	$(Q)MAKE="$(MAKE)" O="$(O)" ARCHES="$(DEB_ARCHES)" sh tests/deb/run.sh 2>&1 | \
		tee $(TESTLOG)/deb.log; ! grep -q '^FAIL' $(TESTLOG)/deb.log
