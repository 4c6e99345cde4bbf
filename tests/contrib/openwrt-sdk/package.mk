# A small reimplementation of OpenWrt's include/package.mk and
# include/package-defaults.mk, named as such: PKG_BUILD_DIR and
# PKG_INSTALL_DIR, MAKE_VARS, MAKE_FLAGS and MAKE_INSTALL_FLAGS,
# Build/Compile/Default and Build/Install/Default as OpenWrt defines them,
# and a BuildPackage that runs Package/<name>/install into
# $(WORK)/ipkg/<name> and writes the fields an .ipk's control file gets
# from the package (Require-User comes from USERID, Conffiles from
# Package/<name>/conffiles). The source is the unpacked PKG_SOURCE_TARBALL
# (OpenWrt would download PKG_SOURCE and check PKG_HASH).

PKG_BUILD_DIR   ?= $(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_INSTALL_DIR ?= $(PKG_BUILD_DIR)/ipkg-install
PKG_JOBS        ?= $(if $(PKG_BUILD_PARALLEL),-j2,-j1)

MAKE_VARS = \
	CFLAGS="$(TARGET_CFLAGS) $(EXTRA_CFLAGS) $(TARGET_CPPFLAGS) $(EXTRA_CPPFLAGS)" \
	CXXFLAGS="$(TARGET_CXXFLAGS) $(EXTRA_CXXFLAGS) $(TARGET_CPPFLAGS) $(EXTRA_CPPFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS) $(EXTRA_LDFLAGS)"

MAKE_FLAGS = \
	$(TARGET_CONFIGURE_OPTS) \
	CROSS="$(TARGET_CROSS)" \
	ARCH="$(ARCH)"

MAKE_INSTALL_FLAGS = \
	$(MAKE_FLAGS) \
	DESTDIR="$(PKG_INSTALL_DIR)"

MAKE_PATH = .

define Build/Compile/Default
	+$(MAKE_VARS) \
	$(MAKE) $(PKG_JOBS) -C $(PKG_BUILD_DIR)/$(MAKE_PATH) \
		$(MAKE_FLAGS) \
		$(1);
endef

define Build/Install/Default
	$(MAKE_VARS) \
	$(MAKE) -C $(PKG_BUILD_DIR)/$(MAKE_PATH) \
		$(MAKE_INSTALL_FLAGS) \
		$(if $(1), $(1), install);
endef

Build/Compile ?= $(call Build/Compile/Default)
Build/Install ?= $(if $(PKG_INSTALL),$(call Build/Install/Default))

define Package/Default
  SECTION:=opt
  CATEGORY:=Extra packages
  DEPENDS:=
  USERID:=
  TITLE:=
  URL:=
endef

.PHONY: prepare compile install packages

$(PKG_BUILD_DIR)/.prepared:
	rm -rf $(PKG_BUILD_DIR) && mkdir -p $(PKG_BUILD_DIR)
	tar -xzf $(PKG_SOURCE_TARBALL) -C $(PKG_BUILD_DIR) --strip-components=1
	touch $@

$(PKG_BUILD_DIR)/.built: $(PKG_BUILD_DIR)/.prepared
	$(Build/Compile)
	$(Build/Install)
	touch $@

compile: $(PKG_BUILD_DIR)/.built

# BuildPackage NAME: the package's fields and its install step.
define BuildPackage
$(eval $(Package/Default))
$(eval $(Package/$(1)))
packages: package-$(1)
package-$(1): $(PKG_BUILD_DIR)/.built
	rm -rf $(WORK)/ipkg/$(1) && mkdir -p $(WORK)/ipkg/$(1)
	$(call Package/$(1)/install,$(WORK)/ipkg/$(1))
	printf '%s\n' 'Package: $(1)' 'Version: $(PKG_VERSION)-$(PKG_RELEASE)' \
		'Section: $(SECTION)' 'Category: $(CATEGORY)' 'Title: $(TITLE)' \
		'Require-User: $(USERID)' 'License: $(PKG_LICENSE)' \
		$(foreach f,$(strip $(Package/$(1)/conffiles)),'Conffiles: $(f)') > $(WORK)/ipkg/$(1).control
endef
