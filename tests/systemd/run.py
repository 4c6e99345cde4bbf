#!/usr/bin/env python3
"""
The systemd suite: socket activation driven by systemd-socket-activate and
by a launcher of our own, and the unit files in contrib/systemd checked by
systemd-analyze (verify, security) and against what echod really does
(its system calls under strace). Needs Debian's systemd and strace
packages, not systemd running as init.

    run.py [name-substring ...]    only the matching tests
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import echotest  # noqa: E402
import test_activate  # noqa: E402
import test_units  # noqa: E402

if __name__ == "__main__":
    runner = echotest.Runner()
    sys.exit(runner.run(test_activate.TESTS + test_units.TESTS, sys.argv[1:]))
