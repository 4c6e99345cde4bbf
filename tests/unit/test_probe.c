/*
 * test_probe.c: echoprobe's verification (src/echoprobe/verify.c): a wrong byte, a
 * short reply and a wrong classic reply are each caught, and correct
 * replies pass however TCP splits or joins them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "verify.h"
#include "reply.h"
#include "tz.h"

#define NOV5 1446719400	/* Thu Nov  5 10:30:00 2015 UTC */

static char why[PV_WHY];

static int
classic(const char *r, const char *want, time_t now, long tol, size_t *used, size_t *chunk)
{
	size_t u, c;

	return pv_classic(r, strlen(r), (const unsigned char *)want, strlen(want), now, tol,
	    used ? used : &u, chunk ? chunk : &c, why);
}

static void
test_raw(void)
{
	CHECK(pv_raw("hello", 5, "hello", 5, why) == PV_OK, "raw: identical bytes pass");
	CHECK(pv_raw("hel", 3, "hello", 5, why) == PV_MORE, "raw: a short reply is not complete");
	CHECK(pv_raw("helpo", 5, "hello", 5, why) == PV_BAD && strstr(why, "byte 3") != NULL,
	    "raw: a wrong byte is caught and located (%s)", why);
	CHECK(pv_raw("hello!", 6, "hello", 5, why) == PV_BAD, "raw: a longer reply is caught");
	CHECK(pv_raw("\0", 1, "\x80", 1, why) == PV_BAD, "raw: NUL against 0x80");
}

static void
test_classic_one(void)
{
	size_t used = 0, chunk = 0, i, n;
	char r[REPLY_MAX + 1];
	unsigned char all[256];
	int ok = 1;

	n = reply_classic(r, (const unsigned char *)"hello", 5, NOV5);
	r[n] = '\0';
	CHECK(classic(r, "hello", NOV5, 5, &used, &chunk) == PV_OK && used == n && chunk == 5,
	    "classic: the exact reply passes");
	CHECK(classic(r, "hello", NOV5 + 5, 5, NULL, NULL) == PV_OK, "classic: 5 s off is within tolerance 5");
	CHECK(classic(r, "hello", NOV5 + 6, 5, NULL, NULL) == PV_BAD && strstr(why, "off our clock"),
	    "classic: 6 s off is caught (%s)", why);
	CHECK(classic(r, "hellp", NOV5, 5, NULL, NULL) == PV_BAD && strstr(why, "byte 4"),
	    "classic: a wrong byte is caught (%s)", why);
	CHECK(classic(r, "hello world", NOV5, 5, &used, &chunk) == PV_OK && chunk == 5,
	    "classic: a reply may cover the first part of what is outstanding");
	CHECK(classic(r, "hell", NOV5, 5, NULL, NULL) == PV_BAD, "classic: more bytes than sent is caught");
	for (i = 0; i < n; i++)
		if (pv_classic(r, i, (const unsigned char *)"hello", 5, NOV5, 5, &used, &chunk, why) != PV_MORE)
			ok = 0;
	CHECK(ok, "classic: every truncation of a reply is a short reply");

	CHECK(classic("Echo=>b\"hello\" at Thu Nov  5 10:30:00 2015", "hello", NOV5, 5, NULL, NULL) == PV_BAD,
	    "classic: wrong quotes are caught (%s)", why);
	CHECK(classic("Echo=>b'hello' at Thu Nov 05 10:30:00 2015", "hello", NOV5, 5, NULL, NULL) == PV_BAD,
	    "classic: a zero-padded day is not ctime (%s)", why);
	CHECK(classic("Echo=>b'hello' at Wed Nov  5 10:30:00 2015", "hello", NOV5, 5, NULL, NULL) == PV_BAD,
	    "classic: a wrong weekday is caught");
	CHECK(classic("Echo=>b'hello' at Thu Nov  5 10:30:00 2015\n", "hello", NOV5, 5, &used, NULL) == PV_OK &&
	    used == 42, "classic: the reply ends after the year (a newline is left over)");
	CHECK(classic("Echo=>b'hello' at Thu Nov  5 10:30:00 20150", "hello", NOV5, 5, NULL, NULL) == PV_BAD,
	    "classic: a 5-digit year is caught");
	CHECK(classic("Echo=>b'hello' on Thu Nov  5 10:30:00 2015", "hello", NOV5, 5, NULL, NULL) == PV_BAD,
	    "classic: ' on ' instead of ' at ' is caught");
	CHECK(classic("Echo=> b'hello' at Thu Nov  5 10:30:00 2015", "hello", NOV5, 5, NULL, NULL) == PV_BAD,
	    "classic: a wrong prefix is caught");
	CHECK(classic("Echo=>b'hel\\x6co' at Thu Nov  5 10:30:00 2015", "hello", NOV5, 5, NULL, NULL) == PV_BAD,
	    "classic: a needless escape is caught (%s)", why);
	CHECK(classic("hello", "hello", NOV5, 5, NULL, NULL) == PV_BAD, "classic: a raw echo is no classic reply");

	for (i = 0; i < 256; i++)
		all[i] = i;
	n = reply_classic(r, all, 256, NOV5);
	CHECK(pv_classic(r, n, all, 256, NOV5, 0, &used, &chunk, why) == PV_OK && chunk == 256,
	    "classic: all 256 byte values");
	all[200] ^= 1;
	CHECK(pv_classic(r, n, all, 256, NOV5, 0, &used, &chunk, why) == PV_BAD && strstr(why, "byte 200"),
	    "classic: byte 200 of 256 wrong is caught (%s)", why);
}

/* Classic replies for pattern bytes [0, total) in the given chunk sizes, concatenated. */
static size_t
make_replies(char *out, const size_t *chunks, size_t nchunks, time_t t)
{
	unsigned char b[REPLY_CHUNK];
	unsigned long long off = 0;
	size_t i, n = 0;

	for (i = 0; i < nchunks; i++) {
		pv_pattern(off, b, chunks[i]);
		n += reply_classic(out + n, b, chunks[i], t);
		off += chunks[i];
	}
	return n;
}

static int
feed_in_steps(struct pv_stream *s, const char *buf, size_t n, size_t step, time_t t)
{
	size_t o, k;
	int r = PV_MORE;

	for (o = 0; o < n && r == PV_MORE; o += k) {
		k = n - o < step ? n - o : step;
		r = pv_stream_feed(s, buf + o, k, t);
	}
	return r;
}

static void
test_stream(void)
{
	static const size_t chunks[] = { 1024, 7, 1024, 945 };	/* 3000 bytes */
	static char rs[4 * (REPLY_MAX + 1)];
	static const size_t steps[] = { 1, 3, 100, 1023, 4096, 100000 };
	unsigned char buf[3000 + 1];
	struct pv_stream s;
	time_t now = time(NULL);
	size_t n, i;
	int ok;

	n = make_replies(rs, chunks, 4, now);
	for (i = 0, ok = 1; i < sizeof steps / sizeof steps[0]; i++) {
		pv_stream_init(&s, 1, 5, 0, 3000);
		if (feed_in_steps(&s, rs, n, steps[i], now) != PV_OK || s.replies != 4)
			ok = 0;
	}
	CHECK(ok, "stream classic: 4 replies split anywhere by TCP pass");
	pv_stream_init(&s, 1, 5, 0, 3000);
	CHECK(pv_stream_feed(&s, rs, n - 1, now) == PV_MORE, "stream classic: the last byte missing is short");
	pv_stream_init(&s, 1, 5, 0, 3001);
	CHECK(pv_stream_feed(&s, rs, n, now) == PV_MORE, "stream classic: a missing reply is short");
	pv_stream_init(&s, 1, 5, 0, 2999);
	CHECK(pv_stream_feed(&s, rs, n, now) == PV_BAD, "stream classic: echoing more than sent is caught (%s)", s.why);
	rs[n / 2] ^= 0x40;
	pv_stream_init(&s, 1, 5, 0, 3000);
	CHECK(feed_in_steps(&s, rs, n, 17, now) == PV_BAD && strstr(s.why, "(reply"),
	    "stream classic: a flipped byte mid-stream is caught (%s)", s.why);
	rs[n / 2] ^= 0x40;
	pv_stream_init(&s, 1, 5, 1, 3000);
	CHECK(pv_stream_feed(&s, rs, n, now) == PV_BAD, "stream classic: the echo of other bytes is caught");

	pv_pattern(0, buf, 3000);
	for (i = 0, ok = 1; i < sizeof steps / sizeof steps[0]; i++) {
		pv_stream_init(&s, 0, 0, 0, 3000);
		if (feed_in_steps(&s, (char *)buf, 3000, steps[i], now) != PV_OK)
			ok = 0;
	}
	CHECK(ok, "stream raw: the pattern in any pieces passes");
	pv_stream_init(&s, 0, 0, 0, 3000);
	CHECK(pv_stream_feed(&s, buf, 2999, now) == PV_MORE, "stream raw: a short echo is not complete");
	buf[2500] ^= 1;
	pv_stream_init(&s, 0, 0, 0, 3000);
	CHECK(feed_in_steps(&s, (char *)buf, 3000, 1000, now) == PV_BAD && strstr(s.why, "byte 2500"),
	    "stream raw: a wrong byte is caught and located (%s)", s.why);
	buf[2500] ^= 1;
	pv_stream_init(&s, 0, 0, 0, 2999);
	CHECK(pv_stream_feed(&s, buf, 3000, now) == PV_BAD, "stream raw: an extra byte is caught");
}

static void
test_pattern(void)
{
	unsigned char a[6], b[6], big[PV_PERIOD + 100];
	int seen[256] = { 0 }, all = 1;
	size_t i;

	pv_pattern(PV_PERIOD - 3, a, 6);
	pv_pattern(PV_PERIOD - 3, b, 3);
	pv_pattern(0, b + 3, 3);
	CHECK(memcmp(a, b, 6) == 0, "pattern: wraps at the period");
	pv_pattern(5ULL * PV_PERIOD + 7, b, 6);
	pv_pattern(7, a, 6);
	CHECK(memcmp(a, b, 6) == 0, "pattern: any 64-bit offset");
	pv_pattern(0, big, sizeof big);
	for (i = 0; i < PV_PERIOD; i++)
		seen[big[i]] = 1;
	for (i = 0; i < 256; i++)
		all &= seen[i];
	CHECK(all, "pattern: every byte value occurs");
	CHECK(memcmp(big, big + 1024, 1024) != 0 && memcmp(big, big + 65536, 16) != 0,
	    "pattern: a block shifted by 1 KiB or 64 KiB differs");
}

static void
test_timezones(void)
{
	static const char *zones[] = { "UTC0", "CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0" };
	char r[REPLY_MAX];
	size_t i, n, used, chunk;
	time_t t = time(NULL);
	int ok = 1;

	for (i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		setenv("TZ", zones[i], 1);
		tz_init();
		n = reply_classic(r, (const unsigned char *)"x", 1, t);
		if (pv_classic(r, n, (const unsigned char *)"x", 1, t, 0, &used, &chunk, why) != PV_OK)
			ok = 0;
		n = reply_classic(r, (const unsigned char *)"x", 1, 1445734800);	/* 2015-10-25 01:00 UTC */
		if (pv_classic(r, n, (const unsigned char *)"x", 1, 1445734800, 3600, &used, &chunk, why) != PV_OK)
			ok = 0;
	}
	CHECK(ok, "classic: the ctime parses back in UTC, CET and EST, also on a DST change");
}

int
main(void)
{
	test_raw();
	test_classic_one();
	test_stream();
	test_pattern();
	test_timezones();
	return check_failed;
}
