#!/usr/bin/env python3
"""
The host integration suite: the real echod binary on loopback. Under a
cross build ($ECHOD_WRAPPER set, e.g. qemu-arm-static) the tests that need
host-only facilities (resource limits of the emulator itself, valgrind)
are left out, and load counts shrink; everything byte-exact still runs.

    run.py [name-substring ...]    only the matching tests
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import echotest  # noqa: E402
import test_attack  # noqa: E402
import test_basic  # noqa: E402
import test_hard  # noqa: E402

if __name__ == "__main__":
    runner = echotest.Runner()
    sys.exit(runner.run(test_basic.TESTS + test_hard.TESTS + test_attack.TESTS, sys.argv[1:]))
