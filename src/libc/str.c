/*
 * str.c: strlen, strchr, strcspn, strncpy and getenv for our static musl
 * builds (board/toolchain.mk, LIBC_SRC), replacing musl's word-at-a-time
 * and bitmap versions (and the strchrnul, stpncpy and strncmp behind them)
 * with byte loops. They run on option values, /etc files and the
 * environment, never on the data echod serves. Same semantics as the C
 * library's, for musl's own callers too.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t
strlen(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

/* c may be '\0': then the terminator itself is found. */
char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

size_t
strcspn(const char *s, const char *reject)
{
	const char *p = s;

	while (*p != '\0' && strchr(reject, *p) == NULL)
		p++;
	return (size_t)(p - s);
}

/* Copies up to n bytes of s and fills the rest of the n with zeros. */
char *
strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	char *d = dst;

	for (; n > 0; n--) {
		*d++ = *src;
		if (*src != '\0')
			src++;
	}
	return dst;
}

/* As musl's: a name that is empty or holds '=' is never found. */
char *
getenv(const char *name)
{
	char **e;
	const char *a, *b;

	for (e = environ; e != NULL && *e != NULL; e++) {
		for (a = name, b = *e; *a != '\0' && *a != '=' && *a == *b; a++, b++)
			;
		if (*a == '\0' && a != name && *b == '=')
			return (char *)b + 1;
	}
	return NULL;
}
