/*
 * reply.c: the classic reply (docs/reply-format.md). Python 3's repr() of a
 * bytes object and time.ctime(), by hand: C's ctime() appends a newline,
 * keeps a static buffer and follows no fixed rule past year 9999, and
 * strftime's day and month names follow the locale.
 */
#include <string.h>

#include "fmt.h"
#include "reply.h"
#include "tz.h"


/* CPython's PyBytes_Repr with smartquotes: " only if ' occurs and " does not. */
size_t
reply_repr(char *out, const unsigned char *in, size_t n)
{
	char quote = '\'';
	char *p = out;
	size_t i;

	if (memchr(in, '\'', n) != NULL && memchr(in, '"', n) == NULL)
		quote = '"';
	*p++ = 'b';
	*p++ = quote;
	for (i = 0; i < n; i++) {
		unsigned char c = in[i];

		if (c == quote || c == '\\') {
			*p++ = '\\';
			*p++ = c;
		} else if (c == '\t') {
			*p++ = '\\';
			*p++ = 't';
		} else if (c == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else if (c == '\r') {
			*p++ = '\\';
			*p++ = 'r';
		} else if (c < 0x20 || c >= 0x7f) {
			*p++ = '\\';
			*p++ = 'x';
			*p++ = fmt_hexdigit[c >> 4];
			*p++ = fmt_hexdigit[c & 15];
		} else
			*p++ = c;
	}
	*p++ = quote;
	return p - out;
}

static char *
put2(char *p, int v)
{
	*p++ = '0' + v / 10 % 10;
	*p++ = '0' + v % 10;
	return p;
}

/* "%s %s%3d %.2d:%.2d:%.2d %d", English names, as CPython's _asctime. */
size_t
reply_ctime(char *out, time_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tz_tm tm;
	char *p = out;

	if (tz_local(t, &tm) < 0) {
		/* Out of range for struct tm; Python raises, we say so. */
		memcpy(out, "?", 1);
		return 1;
	}
	memcpy(p, days + 3 * tm.wday, 3);
	p += 3;
	*p++ = ' ';
	memcpy(p, months + 3 * tm.mon, 3);
	p += 3;
	*p++ = ' ';		/* %3d: the day is right-aligned in three */
	if (tm.mday < 10)
		*p++ = ' ';
	else
		*p++ = '0' + tm.mday / 10;
	*p++ = '0' + tm.mday % 10;
	*p++ = ' ';
	p = put2(p, tm.hour);
	*p++ = ':';
	p = put2(p, tm.min);
	*p++ = ':';
	p = put2(p, tm.sec);
	*p++ = ' ';
	p += fmt(p, REPLY_CTIME_MAX - (p - out), "%d", tm.year);
	return p - out;
}

size_t
reply_classic(char *out, const unsigned char *in, size_t n, time_t t)
{
	char *p = out;

	memcpy(p, "Echo=>", 6);
	p += 6;
	p += reply_repr(p, in, n);
	memcpy(p, " at ", 4);
	p += 4;
	p += reply_ctime(p, t);
	return p - out;
}
