/*
 * reply.c: the classic reply (docs/reply-format.md). Python 3's repr() of a
 * bytes object and time.ctime(), by hand: C's ctime() appends a newline,
 * keeps a static buffer and follows no fixed rule past year 9999, and
 * strftime's day and month names follow the locale.
 */
#include <string.h>

#include "divc.h"
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
		} else if (c == '\t' || c == '\n' || c == '\r') {
			*p++ = '\\';
			*p++ = "tn\0\0r"[c - '\t'];
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

/* "%s %s%3d %.2d:%.2d:%.2d %d", English names, as CPython's _asctime. */
size_t
reply_ctime(char *out, time_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tz_tm tm;
	char *p = out + 7;
	int i, v[4];

	if (tz_local(t, &tm) < 0) {
		/* Out of range for struct tm; Python raises, we say so. */
		out[0] = '?';
		return 1;
	}
	memcpy(out, days + 3 * tm.wday, 3);
	out[3] = ' ';
	memcpy(out + 4, months + 3 * tm.mon, 3);
	v[0] = tm.mday;
	v[1] = tm.hour;
	v[2] = tm.min;
	v[3] = tm.sec;
	for (i = 0; i < 4; i++) {
		uint32_t tens = DIVC(v[i], 10);

		*p++ = i < 2 ? ' ' : ':';
		*p++ = (char)('0' + tens);
		*p++ = (char)('0' + v[i] - 10 * tens);
	}
	if (out[8] == '0')	/* %3d: the day is right-aligned in three */
		out[8] = ' ';
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
