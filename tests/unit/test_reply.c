/*
 * test_reply.c: the classic reply against docs/reply-format.md and against
 * golden output of CPython (repr256.txt, repr-all.txt, repr-noq.txt).
 */
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "reply.h"
#include "tz.h"

#define NOV5 1446719400	/* Thu Nov  5 10:30:00 2015 UTC */

struct row {
	const char *in;
	size_t len;
	const char *want;
};

#define S(x) x, sizeof(x) - 1
static const struct row rows[] = {
	{ S("hello"), "Echo=>b'hello' at Thu Nov  5 10:30:00 2015" },
	{ S("hello\n"), "Echo=>b'hello\\n' at Thu Nov  5 10:30:00 2015" },
	{ S("hello\r\n"), "Echo=>b'hello\\r\\n' at Thu Nov  5 10:30:00 2015" },
	{ S("it's"), "Echo=>b\"it's\" at Thu Nov  5 10:30:00 2015" },
	{ S("say \"hi\""), "Echo=>b'say \"hi\"' at Thu Nov  5 10:30:00 2015" },
	{ S("it's \"x\""), "Echo=>b'it\\'s \"x\"' at Thu Nov  5 10:30:00 2015" },
	{ S("'"), "Echo=>b\"'\" at Thu Nov  5 10:30:00 2015" },
	{ S("\""), "Echo=>b'\"' at Thu Nov  5 10:30:00 2015" },
	{ S("a\\b"), "Echo=>b'a\\\\b' at Thu Nov  5 10:30:00 2015" },
	{ S("\t"), "Echo=>b'\\t' at Thu Nov  5 10:30:00 2015" },
	{ S("\x00\x01\x1b\x1f"), "Echo=>b'\\x00\\x01\\x1b\\x1f' at Thu Nov  5 10:30:00 2015" },
	{ S("\x07\x08\x0b\x0c"), "Echo=>b'\\x07\\x08\\x0b\\x0c' at Thu Nov  5 10:30:00 2015" },
	{ S(" ~\x7f"), "Echo=>b' ~\\x7f' at Thu Nov  5 10:30:00 2015" },
	{ S("\x80\xff"), "Echo=>b'\\x80\\xff' at Thu Nov  5 10:30:00 2015" },
	{ S("h\xc3\xa9llo"), "Echo=>b'h\\xc3\\xa9llo' at Thu Nov  5 10:30:00 2015" },
	{ S(""), "Echo=>b'' at Thu Nov  5 10:30:00 2015" },
	{ S("one\nit's\r\n"), "Echo=>b\"one\\nit's\\r\\n\" at Thu Nov  5 10:30:00 2015" },
	{ S("\x00\xff\"q\"\t"), "Echo=>b'\\x00\\xff\"q\"\\t' at Thu Nov  5 10:30:00 2015" },
};

struct ctime_row {
	const char *tz;
	long long t;
	const char *want;
};

static const struct ctime_row ctimes[] = {
	{ "UTC", 0, "Thu Jan  1 00:00:00 1970" },
	{ "UTC", NOV5, "Thu Nov  5 10:30:00 2015" },
	{ "UTC", 1447842600, "Wed Nov 18 10:30:00 2015" },
	{ "UTC", -1, "Wed Dec 31 23:59:59 1969" },
	{ "UTC", 253402300800LL, "Sat Jan  1 00:00:00 10000" },
	{ "UTC", -30641410677LL, "Sat Jan  5 01:02:03 999" },	/* CPython agrees */
	{ "CET-1CEST,M3.5.0,M10.5.0/3", NOV5, "Thu Nov  5 11:30:00 2015" },
	{ "CET-1CEST,M3.5.0,M10.5.0/3", 1436092200, "Sun Jul  5 12:30:00 2015" },
	{ "EST5", NOV5, "Thu Nov  5 05:30:00 2015" },
};

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tz_init();
}

/* Reads a golden file next to this source; the suite runs from the top folder. */
static size_t
golden(const char *name, char *buf, size_t cap)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "tests/unit/%s", name);
	f = fopen(path, "rb");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void
test_rows(void)
{
	char out[REPLY_MAX];
	size_t i, n;

	set_tz("UTC");
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		n = reply_classic(out, (const unsigned char *)rows[i].in, rows[i].len, NOV5);
		CHECK_STR(out, n, rows[i].want, "reply: reply-format.md row %zu", i + 1);
	}
}

static void
test_ctime(void)
{
	char out[REPLY_CTIME_MAX];
	size_t i, n;

	for (i = 0; i < sizeof ctimes / sizeof ctimes[0]; i++) {
		set_tz(ctimes[i].tz);
		n = reply_ctime(out, (time_t)ctimes[i].t);
		CHECK_STR(out, n, ctimes[i].want, "ctime: %lld in %s", ctimes[i].t, ctimes[i].tz);
	}
	/* A zoneinfo name, where the machine has the database. */
	set_tz("Europe/Berlin");
	n = reply_ctime(out, NOV5);
	if (fopen("/usr/share/zoneinfo/Europe/Berlin", "r") != NULL)
		CHECK_STR(out, n, "Thu Nov  5 11:30:00 2015", "ctime: TZ=Europe/Berlin");
	set_tz("UTC");
}

static void
test_each_byte(void)
{
	static char gold[256 * 16];
	char out[16];
	size_t len = golden("repr256.txt", gold, sizeof gold - 1), n;
	char *line = gold, *end;
	int b, bad = 0;

	gold[len] = '\0';
	CHECK(len > 0, "repr: golden file repr256.txt readable");
	for (b = 0; b < 256 && len > 0; b++) {
		unsigned char c = b;

		end = strchr(line, '\n');
		n = reply_repr(out, &c, 1);
		if (end == NULL || n != (size_t)(end - line) || memcmp(out, line, n) != 0) {
			printf("  byte 0x%02x: got [%.*s]\n", b, (int)n, out);
			bad++;
		}
		line = end != NULL ? end + 1 : line;
	}
	CHECK(bad == 0 && len > 0, "repr: all 256 byte values as CPython");
}

static void
test_chunk(const char *file, int skip_dq, const char *name)
{
	static char gold[4096], out[REPLY_REPR_MAX(256)];
	unsigned char in[256];
	size_t len = golden(file, gold, sizeof gold), n, k = 0;
	int b;

	for (b = 0; b < 256; b++)
		if (!(skip_dq && b == '"'))
			in[k++] = b;
	n = reply_repr(out, in, k);
	CHECK(len > 0 && n == len - 1 && memcmp(out, gold, n) == 0, "%s", name);
}

static void
test_bounds(void)
{
	static unsigned char in[REPLY_CHUNK];
	static char out[REPLY_MAX + 1];
	size_t n;

	memset(in, 0xff, sizeof in);
	set_tz("UTC");
	n = reply_classic(out, in, sizeof in, 253402300800LL);
	CHECK(n == 6 + 4099 + 4 + 25 && n <= REPLY_MAX, "reply: 1024 x 0xff, 5-digit year: %zu bytes", n);
	memset(in, '\'', sizeof in);
	n = reply_repr(out, in, sizeof in);
	CHECK(n == 3 + 1024 && out[1] == '"', "repr: 1024 single quotes take double quotes");
}

int
main(void)
{
	test_rows();
	test_ctime();
	test_each_byte();
	test_chunk("repr-all.txt", 0, "repr: all bytes in one chunk (both quotes: ')");
	test_chunk("repr-noq.txt", 1, "repr: all bytes but \" in one chunk (\" chosen)");
	test_bounds();
	return check_failed;
}
