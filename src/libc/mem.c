/*
 * mem.c: memcpy, memmove, memset and memchr for our static musl builds
 * (board/toolchain.mk, LIBC_SRC). Linked before libc.a, they replace
 * musl's, for musl's own callers too. musl's are written for speed (ARM
 * assembly: memcpy 732 bytes on armhf, 396 on arm64); these are byte loops
 * of a few dozen bytes. Neither program copies much in a hot path: echod
 * moves its data with read and write and copies only log lines, addresses
 * and the rate limiter's keys; echoprobe fills and checks its test
 * patterns a period at a time.
 *
 * Built with -fno-builtin -fno-tree-loop-distribute-patterns (the Makefile)
 * so that gcc does not turn a loop back into a call to the function itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Either direction, so one loop pair serves memcpy and overlapping moves. */
void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d - (uintptr_t)s >= n) {	/* d before s, or no overlap */
		while (n-- > 0)
			*d++ = *s++;
	} else {
		while (n-- > 0)
			d[n] = s[n];
	}
	return dst;
}

/* memmove is a valid memcpy: one function instead of two. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
	__attribute__((alias("memmove")));

void *
memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}

void *
memchr(const void *src, int c, size_t n)
{
	const unsigned char *s = src;

	for (; n > 0; n--, s++)
		if (*s == (unsigned char)c)
			return (void *)s;
	return NULL;
}
