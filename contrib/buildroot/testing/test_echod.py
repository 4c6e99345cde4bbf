import os

import infra.basetest

# This br2-external tree: the folder above this file's real location, so
# the test also runs when linked into Buildroot's
# support/testing/tests/package/ (see docs/packaging.md).
ECHOD_EXTERNAL = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


class TestEchod(infra.basetest.BRTest):
    """BusyBox init: S50echod starts echod as root, which binds port
    50007 (TCP and UDP) and drops to the echod user."""
    br2_external = [ECHOD_EXTERNAL]
    config = \
        """
        BR2_arm=y
        BR2_cortex_a9=y
        BR2_ARM_ENABLE_VFP=y
        BR2_TOOLCHAIN_EXTERNAL=y
        BR2_TOOLCHAIN_EXTERNAL_BOOTLIN=y
        BR2_PACKAGE_ECHOD=y
        BR2_PACKAGE_ECHOD_ECHOPROBE=y
        BR2_PACKAGE_ECHOD_INIT_SCRIPT=y
        BR2_TARGET_ROOTFS_CPIO=y
        # BR2_TARGET_ROOTFS_TAR is not set
        """

    def boot(self):
        cpio_file = os.path.join(self.builddir, "images", "rootfs.cpio")
        self.emulator.boot(arch="armv7", kernel="builtin",
                           options=["-initrd", cpio_file])
        self.emulator.login()

    def check_echo(self):
        # Listening on TCP and UDP, serving as the unprivileged user.
        self.assertRunOk("netstat -ltn | grep -q ':50007 '")
        self.assertRunOk("netstat -lun | grep -q ':50007 '")
        uid = "awk '/^Uid:/ { print $2 }' /proc/$(pidof -s echod)/status"
        self.assertRunOk('test "$(%s)" = "$(id -u echod)"' % uid)
        # Echo through it: classic replies over TCP, raw over UDP, every
        # reply verified by echoprobe.
        self.assertRunOk("echoprobe -q -c 3 -i 0.2 127.0.0.1", timeout=30)
        self.assertRunOk("echoprobe -q -u -c 3 -i 0.2 127.0.0.1", timeout=30)
        self.assertRunOk("echoprobe -q -r 2 -c 20 127.0.0.1", timeout=30)

    def test_run(self):
        self.boot()
        self.assertRunOk("echod -V")
        self.assertRunOk("/etc/init.d/S50echod status")
        self.check_echo()
        # The init script stops it and starts it again.
        self.assertRunOk("/etc/init.d/S50echod restart")
        self.check_echo()
        self.assertRunOk("/etc/init.d/S50echod stop")
        self.assertRunNotOk("pidof echod")


class TestEchodSystemd(TestEchod):
    """systemd as init: the project's echod.service starts echod."""
    config = TestEchod.config + \
        """
        BR2_INIT_SYSTEMD=y
        BR2_TARGET_GENERIC_GETTY_PORT="ttyAMA0"
        """

    def test_run(self):
        self.boot()
        self.assertRunOk("systemctl is-active echod.service", timeout=30)
        self.check_echo()
        self.assertRunOk("systemctl stop echod.service", timeout=30)
        self.assertRunNotOk("pidof echod")
