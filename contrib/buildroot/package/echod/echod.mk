################################################################################
#
# echod
#
################################################################################

ECHOD_VERSION = 1.1.0
ECHOD_SITE = https://github.com/echod/echod/releases/download/v$(ECHOD_VERSION)
ECHOD_LICENSE = ISC
ECHOD_LICENSE_FILES = LICENSE

# The project's Makefile takes the toolchain from TARGET_CONFIGURE_OPTS (CC,
# CFLAGS, LDFLAGS, which carry -static with BR2_STATIC_LIBS) and nothing is
# downloaded. STRIP=true leaves stripping to Buildroot (BR2_STRIP_strip).
ECHOD_MAKE_OPTS = \
	$(TARGET_CONFIGURE_OPTS) \
	STATIC=0 \
	STRIP=true \
	PREFIX=/usr

define ECHOD_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) $(ECHOD_MAKE_OPTS) -C $(@D)
endef

define ECHOD_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) $(ECHOD_MAKE_OPTS) -C $(@D) \
		DESTDIR=$(TARGET_DIR) INIT=none install
endef

ifneq ($(BR2_PACKAGE_ECHOD_ECHOPROBE),y)
define ECHOD_REMOVE_ECHOPROBE
	rm -f $(TARGET_DIR)/usr/bin/echoprobe \
		$(TARGET_DIR)/usr/share/man/man1/echoprobe.1
endef
ECHOD_POST_INSTALL_TARGET_HOOKS += ECHOD_REMOVE_ECHOPROBE
endif

# echod binds as root (port 7 needs it) and drops to this user with -u.
define ECHOD_USERS
	echod -1 echod -1 * - - - echo server
endef

# The project's install targets: S50echod and /etc/default/echod, or the
# systemd units. S50echod's echod drops to the echod user after binding.
ifeq ($(BR2_PACKAGE_ECHOD_INIT_SCRIPT),y)
define ECHOD_INSTALL_INIT_SYSV
	$(TARGET_MAKE_ENV) $(MAKE) $(ECHOD_MAKE_OPTS) -C $(@D) \
		DESTDIR=$(TARGET_DIR) install-sysv
	echo 'ECHOD_ARGS="-s -U -u echod"' >> $(TARGET_DIR)/etc/default/echod
endef

define ECHOD_INSTALL_INIT_SYSTEMD
	$(TARGET_MAKE_ENV) $(MAKE) $(ECHOD_MAKE_OPTS) -C $(@D) \
		DESTDIR=$(TARGET_DIR) install-systemd
endef
endif

$(eval $(generic-package))
