/*
 * check.h: the unit tests' assertions. Each CHECK prints one
 * "PASS: name" or "FAIL: name" line, as every suite of the project does.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed;

#define CHECK(cond, ...) do { \
	printf((cond) ? "PASS: " : "FAIL: "); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	if (!(cond)) check_failed = 1; \
} while (0)

/* Compares a (pointer, length) result with the expected C string. */
#define CHECK_STR(got, len, want, ...) do { \
	int ok_ = (len) == strlen(want) && memcmp((got), (want), (len)) == 0; \
	CHECK(ok_, __VA_ARGS__); \
	if (!ok_) printf("  got  [%.*s]\n  want [%s]\n", (int)(len), (got), (want)); \
} while (0)

#endif
