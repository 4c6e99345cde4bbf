/*
 * fuzz_opts.c: libFuzzer target for option parsing. The input is split at
 * NUL bytes into argv. Whatever it is, the parser returns 0 with every value
 * in range, or -1 with a one-line message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[34], err[128];
	struct opts o;
	int argc = 1, r;
	size_t i;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = "echod";
	argv[argc++] = copy;
	for (i = 0; i < size && argc < 33; i++)
		if (copy[i] == '\0')
			argv[argc++] = copy + i + 1;
	argv[argc] = NULL;
	memset(err, 'x', sizeof err);
	r = opts_parse(&o, argc, argv, err, sizeof err);
	if (r == 0 && (o.port > 65535 || o.maxchild < 1 || o.maxchild > ECHOD_CHILD_LIMIT ||
	    o.perhost > ECHOD_CHILD_LIMIT || o.backlog < 1 || o.delay > 3600 || o.idle > 86400 ||
	    o.rate > 65535 || o.burst > 65535 || o.prefix > 128 ||
	    (o.mode != MODE_CLASSIC && o.mode != MODE_RAW)))
		__builtin_trap();
	if (r != 0 && (r != -1 || memchr(err, '\0', sizeof err) == NULL || strchr(err, '\n') != NULL))
		__builtin_trap();
	free(copy);
	return 0;
}
