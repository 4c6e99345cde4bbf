#!/usr/bin/env python3
"""
Differential check of echod's repr against CPython's on random chunks,
weighted towards what matters: quotes, backslashes, control and high bytes,
empty and full 1024-byte chunks. Prints PASS/FAIL lines.

    repr_diff.py DRIVER [COUNT] [SEED]
"""
import random
import subprocess
import sys

driver = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 862
rng = random.Random(seed)
alphabet = [b"'", b'"', b"\\", b"\t", b"\n", b"\r", b"\x00", b"\x7f", b"\x80", b"\xff", b"a", b" ", b"x"]


def chunk():
    n = rng.choice([0, 1, 2, 3, 5, 16, 100, 1023, 1024, rng.randrange(1025)])
    if rng.random() < 0.5:
        return bytes(rng.randrange(256) for _ in range(n))
    return b"".join(rng.choice(alphabet) for _ in range(n))


inputs = [chunk() for _ in range(count)]
stdin = b"".join(len(c).to_bytes(2, "big") + c for c in inputs)
out = subprocess.run([driver], input=stdin, capture_output=True, timeout=120)
lines = out.stdout.split(b"\n")[:-1]
bad = [(c, l) for c, l in zip(inputs, lines) if repr(c).encode() != l]
ok = out.returncode == 0 and len(lines) == len(inputs) and not bad
print("%s: repr-diff: %d random chunks (seed %d) identical to CPython's repr()"
      % ("PASS" if ok else "FAIL", count, seed))
for c, l in bad[:3]:
    print("  input %r\n  want  %r\n  got   %r" % (c, repr(c).encode(), l))
sys.exit(0 if ok else 1)
