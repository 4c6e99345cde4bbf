# tests/bench/bench.mk: echoprobe's suite and the benchmarks (included by the Makefile).
#   make check-probe                  echoprobe against echod and broken servers, + a bench smoke run
#   make bench [BENCH_ROUNDS=5] [BENCH_ONLY=echod,ref,socat]   docs/benchmarks.md and .svg
#   make bench-qemu BOARD=b           echoprobe from the host into a booted image
EXTRA_CHECKS += check-probe
BENCH_OUT ?= $(CURDIR)/docs
BENCH_ENV  = $(TEST_ENV) REFECHO=$(abspath $(B)/refecho) OUT=$(BENCH_OUT) \
	$(if $(BENCH_QUICK),BENCH_QUICK=$(BENCH_QUICK)) $(if $(BENCH_ROUNDS),BENCH_ROUNDS=$(BENCH_ROUNDS)) \
	$(if $(BENCH_ONLY),BENCH_ONLY=$(BENCH_ONLY))

.PHONY: bench bench-qemu check-probe

# The floor of the comparison, built exactly like echod.
$(B)/refecho: tests/bench/refecho.c | $(B)/obj $(TC_DEPS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)
	$(Q)$(STRIP) -s -R .comment -R '.note*' $@

bench: all $(B)/refecho
	$(Q)$(BENCH_ENV) $(PYTHON) tests/bench/bench.py

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

bench-qemu: all
	$(Q)$(TEST_ENV) BOARD=$(BOARD) OUT=$(BENCH_OUT) $(PYTHON) tests/bench/bench_qemu.py
