/*
 * syscall.c: syscall() for our static arm64 builds (board/toolchain.mk,
 * LIBC_SRC_arm64). musl's walks its six variadic arguments through a
 * va_list, which on AArch64 means saving every argument register to a
 * save area first: 280 bytes. Linux's AArch64 calling convention passes
 * variadic integer arguments in x0-x7 exactly as named ones, so a plain
 * seven-argument definition receives what a call through unistd.h's
 * "long syscall(long, ...)" passes, and the kernel ignores the registers a
 * call does not use. Same contract: -1 and errno for a result in
 * [-4095, -1].
 */
#include <errno.h>

/* Not unistd.h: its declaration is the variadic one. */
long syscall(long n, long a, long b, long c, long d, long e, long f);

long
syscall(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile ("svc 0" : "+r"(x0)
	    : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory", "cc");
	if ((unsigned long)x0 > -4096UL) {
		errno = (int)-x0;
		return -1;
	}
	return x0;
}
