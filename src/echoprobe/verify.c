/*
 * verify.c: is this the echo of what we sent? Raw: the same bytes.
 * Classic: the replies are parsed back, each must be exactly what
 * reply_classic() would write for the next 1..1024 bytes we sent, at a time
 * close to ours; TCP may split or join replies anywhere.
 */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "fmt.h"
#include "tz.h"
#include "verify.h"

static int
bad(char *why, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	fmt_v(why, PV_WHY, f, &ap);
	va_end(ap);
	return PV_BAD;
}

int
pv_raw(const void *got, size_t gotlen, const void *want, size_t wantlen,
    char *why)
{
	const unsigned char *g = got, *w = want;
	size_t i, n = gotlen < wantlen ? gotlen : wantlen;

	for (i = 0; i < n; i++)
		if (g[i] != w[i])
			return bad(why, "byte %lu: got 0x%x, sent 0x%x",
			    (unsigned long)i, (unsigned)g[i], (unsigned)w[i]);
	if (gotlen > wantlen)
		return bad(why, "%lu bytes back, %lu sent",
		    (unsigned long)gotlen, (unsigned long)wantlen);
	return gotlen < wantlen ? PV_MORE : PV_OK;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Finds the end of the repr that starts at buf[0] (b, quote, ..., quote).
 * Returns its length with *n the bytes it stands for, 0 for more input, or
 * -1 with why set. *diff is the first decoded byte that differs from want,
 * *gotc its value (-1: not a valid escape).
 */
static long
scan_repr(const char *buf, size_t len, const unsigned char *want,
    size_t wantlen, size_t *n, size_t *diff, int *gotc, char *why)
{
	char q = buf[1];
	size_t i = 2;
	int c, h, l;

	*diff = (size_t)-1;
	for (*n = 0; ; ++*n) {
		if (i >= len)
			return 0;
		if (buf[i] == q)
			return i + 1;
		if (*n >= REPLY_CHUNK)
			return bad(why, "reply echoes more than %u bytes",
			    (unsigned)REPLY_CHUNK), -1;
		c = (unsigned char)buf[i++];
		if (c == '\\') {
			if (i >= len)
				return 0;
			c = buf[i++];
			if (c == 'x') {
				if (i + 2 > len)
					return 0;
				h = hexval(buf[i]);
				l = hexval(buf[i + 1]);
				c = h < 0 || l < 0 ? -1 : h << 4 | l;
				i += 2;
			} else if (c == 't' || c == 'n' || c == 'r')
				c = c == 't' ? '\t' : c == 'n' ? '\n' : '\r';
		}
		if (*diff == (size_t)-1 && (*n >= wantlen || c != want[*n])) {
			*diff = *n;
			*gotc = c;
		}
	}
}

/*
 * The ctime at p (24 bytes, a 4-digit year), as time_t, or -1. Local to
 * UTC takes the offset at the time read as UTC, then at the time that
 * gives; the caller prints the result again and compares, so a time that
 * does not exist locally (skipped by a change to DST) fails there.
 */
static time_t
parse_ctime(const char *p)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const unsigned char digit_at[] = { 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23 };
	const char *m;
	long long u;
	size_t i;

	for (i = 0; i < sizeof digit_at; i++)
		if (p[digit_at[i]] < '0' || p[digit_at[i]] > '9')
			return -1;
	for (m = months; *m != '\0' && memcmp(m, p + 4, 3) != 0; m += 3)
		;
	if (*m == '\0' || (p[8] != ' ' && (p[8] < '0' || p[8] > '9')))
		return -1;
	u = (long long)tz_days((p[20] - '0') * 1000 + (p[21] - '0') * 100 +
	    (p[22] - '0') * 10 + p[23] - '0', (m - months) / 3 + 1,
	    (p[8] == ' ' ? 0 : p[8] - '0') * 10 + p[9] - '0') * 86400 +
	    ((p[11] - '0') * 10 + p[12] - '0') * 3600 +
	    ((p[14] - '0') * 10 + p[15] - '0') * 60 + (p[17] - '0') * 10 + p[18] - '0';
	return u - tz_offset(u - tz_offset(u));
}

#define CTIME_LEN 24

int
pv_classic(const char *buf, size_t len, const unsigned char *want,
    size_t wantlen, time_t now, long tol, size_t *used, size_t *chunk,
    char *why)
{
	char repr[REPLY_REPR_MAX(REPLY_CHUNK)], ct[REPLY_CTIME_MAX + 1];
	size_t n, diff, rlen, end;
	const char *p;
	long r;
	int gotc = 0;
	time_t t;

	if (memcmp(buf, "Echo=>b", len < 7 ? len : 7) != 0)
		return bad(why, "reply does not start with Echo=>b");
	if (len < 8)
		return PV_MORE;
	if (buf[7] != '\'' && buf[7] != '"')
		return bad(why, "no quote after Echo=>b");
	if ((r = scan_repr(buf + 6, len - 6, want, wantlen, &n, &diff, &gotc, why)) <= 0)
		return r < 0 ? PV_BAD : PV_MORE;
	end = 6 + r;
	if (n > wantlen || (n == 0 && wantlen > 0))
		return bad(why, "reply echoes %lu bytes, %lu outstanding",
		    (unsigned long)n, (unsigned long)wantlen);
	if (diff != (size_t)-1) {
		if (gotc < 0)
			return bad(why, "bad \\x escape at byte %lu of a reply",
			    (unsigned long)diff);
		return bad(why, "byte %lu of a reply: got 0x%x, sent 0x%x",
		    (unsigned long)diff, (unsigned)gotc, (unsigned)want[diff]);
	}
	rlen = reply_repr(repr, want, n);
	if (rlen != (size_t)r || memcmp(repr, buf + 6, rlen) != 0)
		return bad(why, "repr of %lu bytes is not Python's (quotes or escapes)",
		    (unsigned long)n);
	if (memcmp(buf + end, " at ", len - end < 4 ? len - end : 4) != 0)
		return bad(why, "no ' at ' after the repr");
	if (len < end + 4 + CTIME_LEN)
		return PV_MORE;
	p = buf + end + 4;
	if ((t = parse_ctime(p)) == (time_t)-1 ||
	    reply_ctime(ct, t) != CTIME_LEN || memcmp(ct, p, CTIME_LEN) != 0) {
		memcpy(ct, p, CTIME_LEN);
		ct[CTIME_LEN] = '\0';
		fmt(why, PV_WHY, "not a ctime: '%s'", ct);
		return PV_BAD;
	}
	if (len > end + 4 + CTIME_LEN && p[CTIME_LEN] >= '0' && p[CTIME_LEN] <= '9')
		return bad(why, "year has more than 4 digits");
	if (t - now > tol || now - t > tol) {
		ct[CTIME_LEN] = '\0';	/* ct holds the same text as p */
		fmt(why, PV_WHY, "reply time '%s' is %lld s off our clock (tolerance %ld s)",
		    ct, (long long)(t - now), tol);
		return PV_BAD;
	}
	*used = end + 4 + CTIME_LEN;
	*chunk = n;
	return PV_OK;
}

static unsigned char block[PV_PERIOD];
static int block_ready;

/*
 * off % PV_PERIOD in 32-bit steps on a 32-bit target, where a 64-bit
 * remainder is libgcc's (0.3 to 2 KiB): 2^32 = 225 modulo 65521.
 */
static size_t
period_off(unsigned long long off)
{
#if ULONG_MAX > 0xffffffffUL
	return off % PV_PERIOD;
#else
	return ((unsigned long)(off >> 32) % PV_PERIOD * 225 + (unsigned long)off % PV_PERIOD) %
	    PV_PERIOD;
#endif
}

void
pv_pattern(unsigned long long off, unsigned char *out, size_t n)
{
	unsigned x = 2463534242u;
	size_t i, k, o;

	if (!block_ready) {
		/* xorshift32: every byte value, no short period. */
		for (i = 0; i < PV_PERIOD; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			block[i] = x >> 24;
		}
		block_ready = 1;
	}
	for (o = period_off(off); n > 0; o = 0) {
		k = PV_PERIOD - o < n ? PV_PERIOD - o : n;
		memcpy(out, block + o, k);
		out += k;
		n -= k;
	}
}

void
pv_stream_init(struct pv_stream *s, int classic, long tol,
    unsigned long long base, unsigned long long len)
{
	unsigned char dummy;

	pv_pattern(0, &dummy, 1);	/* makes the block */
	s->classic = classic;
	s->tol = tol;
	s->base = base;
	s->len = len;
	s->done = s->replies = 0;
	s->npend = 0;
	s->why[0] = '\0';
}

/* Raw: the bytes must be the pattern at base+done, no more than len. */
static int
feed_raw(struct pv_stream *s, const unsigned char *p, size_t n)
{
	unsigned long long left = s->len - s->done;
	size_t i, o, k, take = n < left ? n : (size_t)left;

	while (take > 0) {
		o = period_off(s->base + s->done);
		k = PV_PERIOD - o < take ? PV_PERIOD - o : take;
		if (memcmp(p, block + o, k) != 0) {
			for (i = 0; p[i] == block[o + i]; i++)
				;
			return bad(s->why, "byte %llu of the echo: got 0x%x, sent 0x%x",
			    s->done + i, (unsigned)p[i], (unsigned)block[o + i]);
		}
		p += k;
		take -= k;
		n -= k;
		s->done += k;
	}
	if (n > 0)
		return bad(s->why, "%lu bytes more than the %llu sent",
		    (unsigned long)n, s->len);
	return s->done == s->len ? PV_OK : PV_MORE;
}

/* Classic: parse every complete reply in pend. */
static int
drain_classic(struct pv_stream *s, time_t now)
{
	unsigned char want[REPLY_CHUNK];
	unsigned long long left;
	size_t used, chunk, off = 0, w;
	int r = PV_MORE;

	while (off < s->npend) {
		left = s->len - s->done;
		if (left == 0) {
			r = bad(s->why, "%lu bytes after the last reply",
			    (unsigned long)(s->npend - off));
			break;
		}
		w = left < REPLY_CHUNK ? left : REPLY_CHUNK;
		pv_pattern(s->base + s->done, want, w);
		r = pv_classic(s->pend + off, s->npend - off, want, w, now, s->tol,
		    &used, &chunk, s->why);
		if (r != PV_OK)
			break;
		off += used;
		s->done += chunk;
		s->replies++;
		r = PV_MORE;
	}
	memmove(s->pend, s->pend + off, s->npend - off);
	s->npend -= off;
	return r;
}

int
pv_stream_feed(struct pv_stream *s, const void *buf, size_t n, time_t now)
{
	const char *p = buf;
	size_t k;
	int r;

	if (!s->classic)
		return feed_raw(s, buf, n);
	do {
		k = sizeof s->pend - s->npend;
		if (k > n)
			k = n;
		memcpy(s->pend + s->npend, p, k);
		s->npend += k;
		p += k;
		n -= k;
		if ((r = drain_classic(s, now)) == PV_BAD) {
			if (s->replies > 0) {
				size_t l = strlen(s->why);

				fmt(s->why + l, PV_WHY - l, " (reply %llu)", s->replies + 1);
			}
			return PV_BAD;
		}
	} while (n > 0);
	return s->done == s->len && s->npend == 0 ? PV_OK : PV_MORE;
}
