# tests/bench/bench.mk: the benchmarks (included by the Makefile; check-probe,
# in tests/check.mk, runs a smoke pass of them).
#   make bench [BENCH_ROUNDS=5] [BENCH_ONLY=echod,ref,socat]   docs/benchmarks.md and .svg
#   make bench-qemu BOARD=b           echoprobe from the host into a booted image
BENCH_OUT ?= $(CURDIR)/docs
BENCH_ENV  = $(TEST_ENV) REFECHO=$(abspath $(B)/refecho) OUT=$(BENCH_OUT) \
	$(if $(BENCH_QUICK),BENCH_QUICK=$(BENCH_QUICK)) $(if $(BENCH_ROUNDS),BENCH_ROUNDS=$(BENCH_ROUNDS)) \
	$(if $(BENCH_ONLY),BENCH_ONLY=$(BENCH_ONLY))

.PHONY: bench bench-qemu

# The floor of the comparison, built exactly like echod.
$(B)/refecho: tests/bench/refecho.c | $(TC_DEPS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)
	$(Q)$(STRIP) -s -R .comment -R '.note*' $@

bench: all $(B)/refecho
	$(Q)$(BENCH_ENV) $(PYTHON) tests/bench/bench.py


# The image is made if missing (build/images/BOARD); remove it to re-measure a new echod.
bench-qemu: all deps-image
	$(Q)$(BENCH_ENV) BOARD=$(BOARD) $(PYTHON) tests/bench/bench_qemu.py
