/*
 * repr_driver.c: for the differential test against CPython. Reads records
 * of a 2-byte big-endian length and that many bytes from stdin, and writes
 * reply_repr of each as one line.
 */
#include <stdio.h>

#include "reply.h"

int
main(void)
{
	static unsigned char in[REPLY_CHUNK];
	static char out[REPLY_REPR_MAX(REPLY_CHUNK)];
	int hi, lo;
	size_t n, len;

	while ((hi = getchar()) != EOF && (lo = getchar()) != EOF) {
		n = (size_t)hi << 8 | (size_t)lo;
		if (n > sizeof in || fread(in, 1, n, stdin) != n)
			return 2;
		len = reply_repr(out, in, n);
		fwrite(out, 1, len, stdout);
		putchar('\n');
	}
	return 0;
}
