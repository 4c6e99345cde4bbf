/*
 * fuzz_reply.c: libFuzzer target for the classic reply. For any chunk:
 * the repr decodes back to the chunk, uses the quote CPython would choose,
 * stays within its size bound, and the whole reply has the book's shape.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "reply.h"
#include "unrepr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[REPLY_MAX];
	static unsigned char back[REPLY_CHUNK];
	size_t n = size > REPLY_CHUNK ? REPLY_CHUNK : size, len;
	int has_sq = memchr(data, '\'', n) != NULL, has_dq = memchr(data, '"', n) != NULL;
	long decoded;
	time_t t = 0;

	len = reply_repr(out, data, n);
	if (len > REPLY_REPR_MAX(n))
		__builtin_trap();
	if (out[1] != (has_sq && !has_dq ? '"' : '\''))
		__builtin_trap();
	decoded = unrepr(out, len, back);
	if (decoded != (long)n || memcmp(back, data, n) != 0)
		__builtin_trap();
	/* Any time the input can name, including far past and future. */
	if (size >= 8)
		memcpy(&t, data + size - 8, sizeof t < 8 ? sizeof t : 8);
	len = reply_classic(out, data, n, t);
	if (len > REPLY_MAX || memcmp(out, "Echo=>b", 7) != 0)
		__builtin_trap();
	return 0;
}
