# Per-arch toolchain selection (ARCH != host): CC, STRIP, TC_CFLAGS, TC_LDFLAGS,
# TC_DEPS (order-only prerequisites that fetch a sysroot), ARCH_RUNNER (qemu-user).
# Placeholder until the cross build lands.
ifneq ($(ARCH),host)
$(error ARCH=$(ARCH): cross builds are not available yet)
endif
