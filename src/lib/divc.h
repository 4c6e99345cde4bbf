/*
 * divc.h: division by a constant as a multiplication. gcc at -Os calls
 * libgcc for every division on an ARM without a divide instruction
 * (ARMv7-A, ARMv5TE), even by a constant: __aeabi_idiv and
 * __aeabi_uidivmod are 0.8 KiB on armhf. Where the CPU divides (AArch64,
 * MIPS), its instruction is the smaller code.
 *
 * DIVC(x, d): x times 2^32 / d rounded up, the high word of the product:
 * exact for every x with x * d <= 2^32 (the rounding error, at most
 * x * (d - 1) / 2^32 / d, stays under 1/d).
 * DIVM(x, d, m, s): x / d as (x * m) >> s, for a wider range of x than
 * DIVC's; the caller checks m and s for every x it can pass.
 */
#ifndef ECHOD_DIVC_H
#define ECHOD_DIVC_H

#include <stdint.h>

#if defined(__aarch64__) || defined(__mips__) || defined(__ARM_FEATURE_IDIV)
#define DIVM(x, d, m, s) ((uint32_t)(x) / (d))
#else
#define DIVM(x, d, m, s) ((uint32_t)((uint64_t)(uint32_t)(x) * (m) >> (s)))
#endif
#define DIVC(x, d) DIVM(x, d, 0xffffffffu / (d) + 1, 32)

#endif
