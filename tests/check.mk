# tests/check.mk: every test suite (included by the Makefile, which lists
# the ones `make check` runs in CHECK_SUITES).
#
# Every suite prints "PASS: name" / "FAIL: name" lines into $(O)/tests/<suite>.log;
# tests/summary.sh counts them and prints the closing "N passed, N failed".
TESTLOG    = $(O)/tests
UNIT_TESTS = test_fmt test_opts test_probe test_echoprobe test_reply test_tz test_libc test_mono
UNIT_BIN   = $(UNIT_TESTS:%=$(B)/tests/%)
TEST_ENV   = ECHOD=$(abspath $(B)/echod) ECHOPROBE=$(abspath $(B)/echoprobe) \
	TIMEOUT_MULT=$(TIMEOUT_MULT) PYTHON=$(PYTHON) O=$(abspath $(O))
TEST_INC   = -Isrc/lib -Isrc/echod -Isrc/echoprobe

# The unit tests link every object but the two main()s.
UNIT_OBJ   = $(filter-out $(B)/obj/echod/main.o,$(ECHOD_OBJ)) \
	$(filter-out $(B)/obj/echoprobe/main.o $(LIB_OBJ),$(PROBE_OBJ))

.PHONY: check check-unit check-host check-systemd check-san check-valgrind check-fuzz fuzz \
	check-cross check-qemu check-probe check-contrib contrib-hashes check-pkg check-path

$(B)/tests/test_%: tests/unit/test_%.c tests/unit/check.h $(UNIT_OBJ) $(B)/flags | $(TC_DEPS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_INC) -o $@ $< $(UNIT_OBJ) $(ALL_LDFLAGS)

# Host packages the suites need beyond the builds' (board/toolchain.mk) and
# the images' (board/image.mk): glibc's headers for the sanitizer build,
# valgrind, clang and its libFuzzer runtime, ip and sysctl for check-path.
# `make check` installs what is missing first, as `make deps` does, so it
# runs on a fresh Debian (.ci/run proves it in a debootstrap root).
TEST_DEBS  = libc6-dev valgrind clang libclang-rt-14-dev iproute2 procps

.PHONY: deps-test
deps-test:
	$(Q)sh board/common/aptdeps.sh $(TEST_DEBS)
deps: deps-test

# Warnings fail every build of the suites (WERROR=0 to see them pass).
check: deps
	@rm -rf $(TESTLOG); mkdir -p $(TESTLOG)
	@for s in $(CHECK_SUITES); do \
		echo "=== $$s"; $(MAKE) --no-print-directory WERROR=$(or $(WERROR),1) $$s || echo "FAIL: $$s exited non-zero" >> $(TESTLOG)/$$s-status.log; \
	done; sh tests/summary.sh $(TESTLOG)

LOGTAG = $(ARCH)$(if $(SANITIZE),-san)

check-unit: $(UNIT_BIN)
	@mkdir -p $(TESTLOG)
	@for t in $(UNIT_BIN); do $(if $(ARCH_RUNNER),$(ARCH_RUNNER) )$$t; done 2>&1 | \
		sed 's/^\(PASS\|FAIL\): /&$(LOGTAG): /' | tee $(TESTLOG)/unit-$(LOGTAG).log; \
		! grep -q '^FAIL' $(TESTLOG)/unit-$(LOGTAG).log

check-host: all
	@mkdir -p $(TESTLOG)
	$(Q)$(TEST_ENV) ECHOD_WRAPPER="$(ARCH_RUNNER)" SUITE_TAG=$(LOGTAG) ECHOD_SANITIZED=$(if $(SANITIZE),1,0) $(PYTHON) tests/host/run.py $(HOST_TESTS) 2>&1 | \
		tee $(TESTLOG)/host-$(LOGTAG).log; ! grep -q '^FAIL' $(TESTLOG)/host-$(LOGTAG).log

# Socket activation (systemd-socket-activate and our own launcher) and the
# units in contrib/systemd (systemd-analyze verify and security, the sandbox
# against echod's system calls under strace); Debian's systemd and strace
# as tools, not systemd as init. ARCH=<cross> runs echod under qemu-user
# and leaves out the strace check.
SYSTEMD_PKGS = systemd strace
DEPS_PKGS   += $(SYSTEMD_PKGS)
check-systemd: all
	@mkdir -p $(TESTLOG)
	$(Q)sh board/common/aptdeps.sh $(SYSTEMD_PKGS)
	$(Q)$(TEST_ENV) ECHOD_WRAPPER="$(ARCH_RUNNER)" SUITE_TAG=systemd-$(LOGTAG) $(PYTHON) tests/systemd/run.py 2>&1 | \
		tee $(TESTLOG)/systemd-$(LOGTAG).log; ! grep -q '^FAIL' $(TESTLOG)/systemd-$(LOGTAG).log

# The same unit and host suites on an ASan+UBSan build (glibc gcc, so the
# sanitizer runtimes exist), then the parent under valgrind for a short run.
check-san:
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 check-unit check-host

VALGRIND = valgrind -q --error-exitcode=99 --track-fds=no
check-valgrind: all
	@mkdir -p $(TESTLOG)
	$(Q)$(TEST_ENV) TIMEOUT_MULT=$$(( $(TIMEOUT_MULT) * 4 )) ECHOD_WRAPPER="$(VALGRIND)" SUITE_TAG=valgrind \
		$(PYTHON) tests/host/run.py classic_log raw_sizes udp sigterm sigusr1 usage inetd per_source 2>&1 | \
		tee $(TESTLOG)/valgrind.log; ! grep -q '^FAIL' $(TESTLOG)/valgrind.log

# ---- fuzzing: clang's libFuzzer with ASan+UBSan, host only ---------------
# `make fuzz` runs each target FUZZ_SECONDS; check-fuzz is the short pass in
# `make check`, plus the differential test of repr() against CPython.
FUZZ_SECONDS ?= 60
FUZZ_DIR     = $(O)/fuzz
FUZZ_CFLAGS  = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 -Wall -Wextra $(WERROR_FLAG) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(TEST_INC) -Itests/fuzz
FUZZERS      = $(FUZZ_DIR)/fuzz_reply $(FUZZ_DIR)/fuzz_opts

$(FUZZ_DIR)/fuzz_reply: tests/fuzz/fuzz_reply.c tests/fuzz/unrepr.h src/lib/reply.c src/lib/fmt.c src/lib/errmsg.c src/lib/dict.c src/lib/tz.c src/lib/file.c
$(FUZZ_DIR)/fuzz_opts: tests/fuzz/fuzz_opts.c src/echod/opts.c src/lib/fmt.c src/lib/dscp.c src/lib/errmsg.c src/lib/dict.c
$(FUZZERS):
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

$(B)/tests/repr_driver: tests/fuzz/repr_driver.c $(B)/obj/lib/reply.o $(B)/obj/lib/fmt.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_INC) -o $@ $^ $(ALL_LDFLAGS)

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do mkdir -p $$f.corpus; \
		$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -artifact_prefix=$$f- -rss_limit_mb=1024 -print_final_stats=1 \
		$$f.corpus || exit 1; done

check-fuzz: $(FUZZERS) $(B)/tests/repr_driver
	@mkdir -p $(TESTLOG)
	@{ $(PYTHON) tests/fuzz/repr_diff.py $(B)/tests/repr_driver 20000; \
	for f in $(FUZZERS); do mkdir -p $$f.corpus; \
		if $$f -max_total_time=$(or $(CHECK_FUZZ_SECONDS),10) -timeout=10 -artifact_prefix=$$f- $$f.corpus >$$f.log 2>&1; \
		then echo "PASS: fuzz: $$(basename $$f) $$(grep -o 'Done [0-9]* runs' $$f.log)"; \
		else echo "FAIL: fuzz: $$(basename $$f) (see $$f.log)"; tail -20 $$f.log; fi; done; } | \
		tee $(TESTLOG)/fuzz.log; ! grep -q '^FAIL' $(TESTLOG)/fuzz.log

# ---- cross: every arch under qemu-user ---------------------------------------
# ELF checks, reproducibility, budget, then the unit and host suites under
# qemu-user (their logs are unit-<arch>.log, host-<arch>.log).
check-cross:
	@mkdir -p $(TESTLOG)
	$(Q)MAKE="$(MAKE)" O="$(O)" ARCHES="$(CROSS_ARCHES)" SIZE_BUDGET="$(SIZE_BUDGET)" \
		V="$(V)" sh tests/cross/run.sh 2>&1 | tee $(TESTLOG)/cross.log; \
		! grep -q '^FAIL' $(TESTLOG)/cross.log

# ---- QEMU boards: every board booted and tested from the host ----------------
check-qemu: deps-image
	@mkdir -p $(TESTLOG)
	$(Q)st=0; for b in $(QEMU_BOARDS); do \
		$(TEST_ENV) $(PYTHON) tests/qemu/run.py $$b 2>&1 | tee $(TESTLOG)/qemu-$$b.log; \
		grep -q '^PASS' $(TESTLOG)/qemu-$$b.log && ! grep -q '^FAIL' $(TESTLOG)/qemu-$$b.log || st=1; \
	done; exit $$st

# ---- echoprobe against echod and broken servers, + a bench smoke run ---------
check-probe: all $(if $(filter host,$(ARCH)),$(B)/refecho)
	@mkdir -p $(TESTLOG)
	@{ $(TEST_ENV) ECHOD_WRAPPER="$(ARCH_RUNNER)" SUITE_TAG=probe $(PYTHON) tests/probe/run.py; \
	  if [ "$(ARCH)" = host ]; then \
	    if $(MAKE) --no-print-directory bench BENCH_QUICK=1 BENCH_OUT=$(abspath $(TESTLOG))/bench-smoke \
	        > $(TESTLOG)/bench-smoke.out 2>&1 && grep -q '^| echod (raw) |' $(TESTLOG)/bench-smoke/benchmarks.md; \
	    then echo "PASS: probe: make bench BENCH_QUICK=1 (smoke: every server started, measured, stopped)"; \
	    else echo "FAIL: probe: make bench BENCH_QUICK=1 -- see $(TESTLOG)/bench-smoke.out"; fi; \
	  fi; } 2>&1 | tee $(TESTLOG)/probe-$(ARCH).log; \
		! grep -q '^FAIL' $(TESTLOG)/probe-$(ARCH).log

# ---- contrib/: the Buildroot, OpenWrt and Alpine packages ----------------------
# Checked against each system's documented rules (tests/contrib/run.sh); the
# Debian packages that takes are installed here and by `make deps`.
CONTRIB_PKGS = shellcheck python3-kconfiglib flake8 busybox-static
DEPS_PKGS   += $(CONTRIB_PKGS)
# contrib-hashes pins the recipes to the release tarball (docs/packaging.md).
contrib-hashes:
	$(Q)$(PYTHON) contrib/release-hashes.py

check-contrib: all
	@mkdir -p $(TESTLOG)
	$(Q)sh board/common/aptdeps.sh $(CONTRIB_PKGS)
	$(Q)$(TEST_ENV) sh tests/contrib/run.sh 2>&1 | tee $(TESTLOG)/contrib.log; \
		grep -q '^PASS' $(TESTLOG)/contrib.log && ! grep -q '^FAIL' $(TESTLOG)/contrib.log

# ---- packagers: OpenWrt's and Buildroot's make lines, kbuild's CROSS_COMPILE --
# Replayed with Debian's glibc cross gcc (their -dev packages, PKG_TEST_DEBS)
# in copies of the tree; the binaries checked and run under qemu-user. The
# man pages linted (mandoc) and compared with the programs' -h.
check-pkg: all
	$(Q)sh board/common/aptdeps.sh $(PKG_TEST_DEBS)
	@mkdir -p $(TESTLOG)
	$(Q){ ECHOD_WRAPPER="$(ARCH_RUNNER)" $(PYTHON) tests/pkg/man.py $(B)/echod $(B)/echoprobe; \
	  MAKE="$(MAKE)" O="$(O)" TIMEOUT_MULT=$(TIMEOUT_MULT) PYTHON=$(PYTHON) sh tests/pkg/run.sh; } 2>&1 | \
		tee $(TESTLOG)/pkg.log; ! grep -q '^FAIL' $(TESTLOG)/pkg.log

# ---- echoprobe diagnosing an impaired path: namespaces, veth, a relay --------
# Root only (network namespaces); tests/path/run.py removes what it made.
check-path: all
	@mkdir -p $(TESTLOG)
	@$(TEST_ENV) SUITE_TAG=path $(PYTHON) tests/path/run.py 2>&1 | tee $(TESTLOG)/path-$(ARCH).log; \
		grep -q '^PASS' $(TESTLOG)/path-$(ARCH).log && ! grep -q '^FAIL' $(TESTLOG)/path-$(ARCH).log
