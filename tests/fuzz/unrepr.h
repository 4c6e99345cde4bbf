/*
 * unrepr.h: the inverse of reply_repr for the fuzzers: decodes b'...' or
 * b"..." as Python would, and rejects anything Python's repr could not
 * have produced (an unescaped quote of the chosen kind, a printable byte
 * written as \x, a bad escape).
 */
#ifndef UNREPR_H
#define UNREPR_H

#include <stddef.h>

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Returns the decoded length, or -1 if s[0..n) is not a canonical repr. */
static long
unrepr(const char *s, size_t n, unsigned char *out)
{
	size_t i;
	long len = 0;
	char q;

	if (n < 3 || s[0] != 'b' || (s[1] != '\'' && s[1] != '"') || s[n - 1] != s[1])
		return -1;
	q = s[1];
	for (i = 2; i < n - 1; i++) {
		unsigned char c = s[i];
		int hi, lo;

		if (c == q || c < 0x20 || c >= 0x7f)
			return -1;
		if (c != '\\') {
			out[len++] = c;
			continue;
		}
		if (++i >= n - 1)
			return -1;
		switch (s[i]) {
		case '\\': out[len++] = '\\'; break;
		case 't': out[len++] = '\t'; break;
		case 'n': out[len++] = '\n'; break;
		case 'r': out[len++] = '\r'; break;
		case '\'':
			if (q != '\'')
				return -1;
			out[len++] = '\'';
			break;
		case 'x':
			if (i + 2 >= n - 1 || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = hi << 4 | lo;
			/* Canonical: \x only for what has no other spelling. */
			if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r')
				return -1;
			out[len++] = c;
			i += 2;
			break;
		default:
			return -1;
		}
	}
	return len;
}

#endif
